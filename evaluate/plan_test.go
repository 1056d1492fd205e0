package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/policies"
	"github.com/exoready/exoready/tools/gen"
)

// evaluatorEngines are the embedded pack plus the custom-rule example of
// docs/, prepared for the plan evaluator and for topdown.
func evaluatorEngines(t *testing.T) (planned, td *Engine) {
	t.Helper()
	params, err := policies.Params()
	if err != nil {
		t.Fatal(err)
	}
	engine := func(evaluator string) *Engine {
		e, err := New(t.Context(), Options{
			Sources: []PolicySource{
				{Name: "embedded", FS: policies.FS(), Prefix: "policies"},
				{Name: "docs/custom-rule-example", FS: os.DirFS("../docs/custom-rule-example"), Prefix: "docs/custom-rule-example"},
			},
			Version: policies.Version, Params: params, Logger: zerolog.Nop(), Evaluator: evaluator,
		})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	planned, td = engine(EvaluatorPlan), engine(EvaluatorTopdown)
	for _, r := range td.rules {
		if r.evaluator != EvaluatorTopdown {
			t.Fatalf("%s: prepared for %s, want topdown", r.meta.ID, r.evaluator)
		}
	}
	return planned, td
}

// TestPlanEqualsTopdown is the differential test of the plan evaluator:
// every rule of the pack and of the custom-rule example, on every fixture
// snapshot and two generated 10k tenants, evaluated as the engine runs it
// (sharded and projected, in shard groups), with small shards, and plain
// on the whole input, gives the same outcome (findings, errors, checked,
// inventory, the rule's error) with the plan evaluator as with topdown.
func TestPlanEqualsTopdown(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates two 10k tenants several times")
	}
	planned, td := evaluatorEngines(t)
	for _, r := range planned.rules {
		if r.evaluator != EvaluatorPlan {
			t.Errorf("%s is left to topdown: every rule of the pack should run from its plan", r.meta.ID)
		}
	}
	snaps := fixtureSnapshots(t)
	snaps["gen-10k-seed1"] = gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	snaps["gen-10k-seed2"] = gen.Generate(gen.Options{Seed: 2, Mailboxes: 10000}).Snapshot()
	plain := func(m RuleMeta) RuleMeta { m.Shard, m.Fields = "", nil; return m }
	same := func(m RuleMeta) RuleMeta { return m }
	ways := []struct {
		name string
		of   func(*Engine, *snapshot.Snapshot) *Engine
	}{
		{"as run", func(e *Engine, _ *snapshot.Snapshot) *Engine { return e }},
		{"small shards", func(e *Engine, s *snapshot.Snapshot) *Engine {
			return e.variant(max(3, len(s.Joined)/7), same)
		}},
		{"plain", func(e *Engine, _ *snapshot.Snapshot) *Engine { return e.variant(0, plain) }},
	}
	compared := 0
	for name, s := range snaps {
		for _, w := range ways {
			want, err := w.of(td, s).outcomesTogether(t.Context(), s)
			if err != nil {
				t.Fatalf("%s %s: topdown: %v", name, w.name, err)
			}
			got, err := w.of(planned, s).outcomesTogether(t.Context(), s)
			if err != nil {
				t.Fatalf("%s %s: plan: %v", name, w.name, err)
			}
			for id, o := range want {
				compared++
				if got[id] != o {
					t.Errorf("%s %s %s differs:\n topdown %.600s\n    plan %.600s", name, w.name, id, o, got[id])
				}
			}
		}
	}
	t.Logf("%d rule outcomes compared", compared)
}

// evalBoth runs query on input with module loaded, on topdown and on the
// plan evaluator, and returns both outcomes as text (bindings or error).
func evalBoth(t *testing.T, module, query string, input any) (td, planned string, how string) {
	t.Helper()
	ctx := context.Background()
	compiler := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true)
	mod, err := ast.ParseModuleWithOpts("t.rego", module, ast.ParserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if compiler.Compile(map[string]*ast.Module{"t.rego": mod}); compiler.Failed() {
		t.Fatal(compiler.Errors)
	}
	outcome := func(pq rego.PreparedEvalQuery) string {
		rs, err := pq.Eval(ctx, rego.EvalInput(input))
		if err != nil {
			var e *topdown.Error
			if errors.As(err, &e) {
				// topdown lists the conflicting values after the
				// first line; the plan evaluator does not.
				first, _, _ := strings.Cut(e.Message, ":\n")
				return "error " + e.Code + ": " + first
			}
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, r := range rs {
			j, err := json.Marshal(r.Bindings)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
		}
		return b.String()
	}
	opts := func(target string) []func(*rego.Rego) {
		return []func(*rego.Rego){rego.Query(query), rego.Compiler(compiler), rego.StrictBuiltinErrors(true),
			rego.EnablePrintStatements(true), rego.Target(target)}
	}
	tq, err := rego.New(opts("rego")...).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pq, err := preparePlanned(ctx, rego.New(opts(planTargetName)...), ast.NewObject())
	if err != nil {
		if !errors.Is(err, errNotPlanned) {
			t.Fatalf("plan: %v", err)
		}
		return outcome(tq), "", err.Error()
	}
	return outcome(tq), outcome(pq), EvaluatorPlan
}

func TestPlanEvaluatorSemantics(t *testing.T) {
	input := map[string]any{
		"users": []any{
			map[string]any{"id": "a", "n": json.Number("1"), "tags": []any{"x", "y"}, "mail": "a@x.test"},
			map[string]any{"id": "b", "n": json.Number("2.0"), "tags": []any{}, "mail": nil},
			map[string]any{"id": "c", "n": json.Number("12345678901234567890123"), "tags": []any{"y"}},
		},
		"obj":   map[string]any{"k1": json.Number("1"), "k2": "two", "k3": []any{json.Number("3")}},
		"empty": []any{},
	}
	for _, tc := range []struct {
		name, module, query string
		wantErr             bool // the evaluation must fail (on both)
	}{
		{name: "some and every", module: `package t
all_tagged if every u in input.users { count(u.tags) > 0 }
some_tagged if { some u in input.users; "y" in u.tags }
every_empty if every x in input.empty { x == 1 }`,
			query: `a := [x | x := data.t.all_tagged]; b := data.t.some_tagged; c := data.t.every_empty`},
		{name: "negation and undefined refs", module: `package t
no_mail contains u.id if { some u in input.users; not u.mail }
missing contains u.id if { some u in input.users; not u.nothing.deeper }
bad := input.users[7].id`,
			query: `a := data.t.no_mail; b := data.t.missing; c := [x | x := data.t.bad]`},
		{name: "comprehensions", module: `package t
ids := [u.id | some u in input.users]
byid := {u.id: count(u.tags) | some u in input.users}
tags := {t | some u in input.users; some t in u.tags}
nested := [[i, t] | some i, u in input.users; some t in u.tags]`,
			query: `a := data.t.ids; b := data.t.byid; c := data.t.tags; d := data.t.nested`},
		{name: "else chains and defaults", module: `package t
kind(u) := "many" if { count(u.tags) > 1 } else := "one" if { count(u.tags) == 1 } else := "none"
kinds := {u.id: kind(u) | some u in input.users}
default level := "low"
level := "high" if input.nothing`,
			query: `a := data.t.kinds; b := data.t.level`},
		{name: "functions with several bodies", module: `package t
f(x) := "str" if is_string(x)
f(x) := "num" if is_number(x)
f(x) := "arr" if is_array(x)
out := {k: f(v) | some k, v in input.obj}`,
			query: `a := data.t.out`},
		{name: "sets of objects, order", module: `package t
deny contains {"msg": sprintf("%s has %d tags", [u.id, count(u.tags)]), "object": {"id": u.id}} if some u in input.users
deny contains {"msg": "tenant"} if true`,
			query: `a := [v | some v in data.t.deny]`},
		{name: "numbers", module: `package t
ns := [u.n | some u in input.users]
sum_n := sum([u.n | some u in input.users])
eq if input.users[0].n == 1.0
big := input.users[2].n + 1`,
			query: `a := data.t.ns; b := data.t.sum_n; c := data.t.eq; d := data.t.big`},
		{name: "complete rule conflict", module: `package t
x := u.id if some u in input.users`,
			query: `a := data.t.x`, wantErr: true},
		{name: "function conflict", module: `package t
f(x) := 1 if x > 0
f(x) := 2 if x > 1
out := f(5)`,
			query: `a := data.t.out`, wantErr: true},
		{name: "object key conflict", module: `package t
o[k] := v if { some u in input.users; k := "same"; v := u.id }`,
			query: `a := data.t.o`, wantErr: true},
		{name: "builtin error", module: `package t
n := to_number(input.obj.k2)`,
			query: `a := [x | x := data.t.n]`, wantErr: true},
		{name: "builtin type error", module: `package t
n := count(input.obj.k1)`,
			query: `a := [x | x := data.t.n]`, wantErr: true},
		{name: "string functions", module: `package t
s := {lower(u.id): concat(",", u.tags) | some u in input.users}
r := [x | some u in input.users; x := regex.replace(u.id, "[ab]", "z")]
n := count("héllo")`,
			query: `a := data.t.s; b := data.t.r; c := data.t.n`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td, planned, how := evalBoth(t, tc.module, tc.query, input)
			if how != EvaluatorPlan {
				t.Fatalf("not planned: %s", how)
			}
			if td != planned {
				t.Errorf("differs:\n topdown %s\n    plan %s", td, planned)
			}
			if isErr := strings.HasPrefix(td, "error"); isErr != tc.wantErr {
				t.Errorf("topdown outcome %s, want error %v", td, tc.wantErr)
			}
		})
	}
}

// TestPlanRefusesWhatItDoesNotRun checks that print, with and dynamic
// calls are left to topdown at prepare time.
func TestPlanRefusesWhatItDoesNotRun(t *testing.T) {
	for _, tc := range []struct{ name, module, query, want string }{
		{"print", "package t\nx if { print(\"hi\"); true }", "a := data.t.x", "print"},
		{"with", "package t\nx := input.a\ny := z if z := x with input.a as 2", "a := data.t.y", "WithStmt"},
		{"dynamic call", "package t\nimport rego.v1\nf := 1\n", "a := [x | x := data.t[input.k]]", "CallDynamic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, how := evalBoth(t, tc.module, tc.query, map[string]any{"a": 1, "k": "f"})
			if !strings.Contains(how, tc.want) {
				t.Errorf("prepared as %q, want refused for %s", how, tc.want)
			}
		})
	}
}

// TestPlanEvaluationCancels checks that a long scan stops on a cancelled
// context.
func TestPlanEvaluationCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	compiler := ast.MustCompileModules(map[string]string{"t.rego": "package t\nn := count([x | some x in numbers.range(1, 100000)])"})
	pq, err := preparePlanned(ctx, rego.New(rego.Query("a := data.t.n"), rego.Compiler(compiler), rego.Target(planTargetName)), ast.NewObject())
	if err != nil {
		t.Fatal(err)
	}
	_, err = pq.Eval(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestEvaluatorFromEnvironment checks that EXOREADY_EVALUATOR chooses the
// evaluator when the options do not, and that a wrong name is refused.
func TestEvaluatorFromEnvironment(t *testing.T) {
	rule := declRule("T-ENV-001", "", "checked := 0\n\ndeny contains \"x\" if false\n")
	for env, want := range map[string]string{"": EvaluatorPlan, "topdown": EvaluatorTopdown, "plan": EvaluatorPlan} {
		t.Setenv("EXOREADY_EVALUATOR", env)
		e, err := testEngine(t, map[string]string{"r.rego": rule})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.rules[0].evaluator; got != want {
			t.Errorf("EXOREADY_EVALUATOR=%q: rule prepared for %s, want %s", env, got, want)
		}
	}
	t.Setenv("EXOREADY_EVALUATOR", "wasm")
	if _, err := testEngine(t, map[string]string{"r.rego": rule}); err == nil || !strings.Contains(err.Error(), "EXOREADY_EVALUATOR") {
		t.Errorf("EXOREADY_EVALUATOR=wasm: err = %v, want one naming the variable", err)
	}
}
