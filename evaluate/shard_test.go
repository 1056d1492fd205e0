package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/internal/jsontag"
	"github.com/exoready/exoready/tools/gen"
)

// fixtureSnapshots are the snapshots a declaration is checked on: the demo
// tenant, every fixture snapshot and a small generated tenant.
func fixtureSnapshots(t *testing.T) map[string]*snapshot.Snapshot {
	t.Helper()
	docs := map[string][]byte{"demo": fixtures.DemoSnapshot()}
	names, err := fs.Glob(fixtures.Snapshots(), "*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixture snapshots: %v", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(fixtures.Snapshots(), n)
		if err != nil {
			t.Fatal(err)
		}
		docs[n] = b
	}
	out := map[string]*snapshot.Snapshot{}
	for name, doc := range docs {
		s, err := snapshot.ParseSnapshot(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s
	}
	out["generated"] = gen.Generate(gen.Options{Seed: 3, Mailboxes: 120}).Snapshot()
	return out
}

// variant is the engine with each rule's declarations changed by f and the
// given shard size.
func (e *Engine) variant(size int, f func(RuleMeta) RuleMeta) *Engine {
	v := *e
	v.shardSize = size
	v.rules = make([]*compiledRule, len(e.rules))
	for i, r := range e.rules {
		v.rules[i] = &compiledRule{meta: f(r.meta), pq: r.pq, reads: r.reads}
	}
	return &v
}

// outcomes evaluates every rule on the snapshot, each alone (so that no
// rule reads the fields another declares), and renders each rule's outcome
// (starved reason, error, checked, findings, sorted inventory) as text, by
// rule id.
func (e *Engine) outcomes(ctx context.Context, s *snapshot.Snapshot) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range e.rules {
		one := *e
		one.rules = []*compiledRule{r}
		o, err := one.outcomesTogether(ctx, s)
		if err != nil {
			return nil, err
		}
		out[r.meta.ID] = o[r.meta.ID]
	}
	return out, nil
}

func (e *Engine) outcomesTogether(ctx context.Context, s *snapshot.Snapshot) (map[string]string, error) {
	parts, err := newInputParts(s)
	if err != nil {
		return nil, err
	}
	view := viewOf(s)
	runs, err := e.evalRules(ctx, s, parts, &view)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, r := range e.rules {
		run := runs[i]
		for _, rows := range run.out.sections {
			sortRows(rows)
		}
		sortFindings(run.out.findings)
		sortFindings(run.out.errors)
		errText := ""
		if run.err != nil {
			errText = run.err.Error()
		}
		b, err := json.Marshal(map[string]any{
			"starved": run.starved, "error": errText, "checked": run.out.checked,
			"findings": run.out.findings, "errors": run.out.errors, "inventory": run.out.sections,
		})
		if err != nil {
			return nil, err
		}
		out[r.meta.ID] = string(b)
	}
	return out, nil
}

// checkDeclarations evaluates every rule as declared (slices of 1, 3 and
// all elements), with its fields alone (no shard), and with its shard
// alone (no fields), and returns every case that differs from the plain
// evaluation on the whole input. Rules that declare nothing are compared
// too: they read only the big arrays arraysRead finds.
func checkDeclarations(ctx context.Context, e *Engine, snaps map[string]*snapshot.Snapshot) ([]string, error) {
	plain := e.variant(0, func(rm RuleMeta) RuleMeta { rm.Shard, rm.Fields = "", nil; return rm })
	for _, r := range plain.rules {
		r.reads = allArrays()
	}
	type variant struct {
		name string
		e    *Engine
	}
	var variants []variant
	for _, size := range []int{1, 3, 1 << 30} {
		variants = append(variants,
			variant{fmt.Sprintf("as declared, shards of %d", size), e.variant(size, func(rm RuleMeta) RuleMeta { return rm })},
			variant{fmt.Sprintf("shard without fields, shards of %d", size), e.variant(size, func(rm RuleMeta) RuleMeta { rm.Fields = nil; return rm })})
	}
	variants = append(variants, variant{"fields without shard", e.variant(0, func(rm RuleMeta) RuleMeta { rm.Shard = ""; return rm })})
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(snaps)) {
		want, err := plain.outcomes(ctx, snaps[name])
		if err != nil {
			return nil, err
		}
		for _, v := range variants {
			got, err := v.e.outcomes(ctx, snaps[name])
			if err != nil {
				return nil, err
			}
			for _, r := range e.rules {
				if got[r.meta.ID] != want[r.meta.ID] {
					diffs = append(diffs, fmt.Sprintf("%s (%s) on %s, %s:\n got %.600s\nwant %.600s", r.meta.ID, r.meta.File, name, v.name, got[r.meta.ID], want[r.meta.ID]))
				}
			}
		}
	}
	return diffs, nil
}

// TestPackDeclarationsHold checks the promises of `shard` and `fields` of
// every rule of the embedded pack that makes them: evaluated per slice of
// its array and on projected elements, each gives what it gives on the
// whole input. Rules that declare nothing must give it too, reading only
// the big arrays the engine finds they read.
func TestPackDeclarationsHold(t *testing.T) {
	e := packEngine(t)
	declaring := 0
	for _, r := range e.rules {
		if r.meta.Shard != "" || r.meta.Fields != nil {
			declaring++
		}
	}
	diffs, err := checkDeclarations(t.Context(), e, fixtureSnapshots(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	t.Logf("%d rules declare shard or fields", declaring)
}

// declRule is a test rule package with the given custom keys and body.
func declRule(id, custom, body string) string {
	return fmt.Sprintf(`# METADATA
# title: Test rule %[1]s
# related_resources:
#   - ref: https://example.test/guidance
# custom:
#   id: %[1]s
#   severity: low
#   category: test
#   remediation: fix it
%[2]spackage exoready.rules.test.r%[3]s

%[4]s
`, id, custom, strings.ToLower(strings.ReplaceAll(id, "-", "")), body)
}

func testEngine(t *testing.T, files map[string]string) (*Engine, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return New(t.Context(), Options{Sources: []PolicySource{{Name: "test", FS: fsys, Prefix: "testpol"}}})
}

// TestWrongDeclarationIsRefusedAtLoad checks that declarations naming what
// the snapshot does not have are refused with the policy file named.
func TestWrongDeclarationIsRefusedAtLoad(t *testing.T) {
	body := "checked := 0\n\ndeny contains \"x\" if false\n"
	for name, tc := range map[string]struct{ custom, want string }{
		"shard not a big array":    {"#   shard: entra.sync_jobs\n", `custom.shard "entra.sync_jobs" is not a big array path`},
		"shard not a string":       {"#   shard: [joined]\n", "custom.shard must be one big array path"},
		"fields on a small array":  {"#   fields:\n#     entra.sync_jobs: [id]\n", `custom.fields names "entra.sync_jobs", which is not a big array path`},
		"unknown field":            {"#   fields:\n#     joined: [id, display_nam]\n", `"display_nam" is not a field of the snapshot's JoinedMailbox`},
		"unknown nested field":     {"#   fields:\n#     joined: [id, ad.dnn]\n", `ad."dnn" is not a field of the snapshot's ADRecipient`},
		"dotted into a non-object": {"#   fields:\n#     exo.mailboxes: [email_addresses.x]\n", `email_addresses is not an object`},
		"fields of another array":  {"#   shard: joined\n#   fields:\n#     ad.users: [dn]\n", "custom.shard joined promises the rule reads no other big array"},
		"fields not a list":        {"#   fields:\n#     joined: id\n", "custom.fields.joined must be a non-empty list"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := testEngine(t, map[string]string{"r.rego": declRule("TST-DECL-001", tc.custom, body)})
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), "testpol/r.rego") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name the file and say %q", err, tc.want)
			}
		})
	}
	e, err := testEngine(t, map[string]string{"r.rego": declRule("TST-DECL-001",
		"#   shard: joined\n#   fields:\n#     joined: [id, ad.dn, exo, drift]\n", body)})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Rules()[0]; r.Shard != "joined" || !slices.Equal(r.Fields["joined"], []string{"ad.dn", "drift", "exo", "id"}) {
		t.Fatalf("read shard %q fields %v", r.Shard, r.Fields)
	}
}

// TestWrongDeclarationIsCaught checks that the check of declarations finds
// rules that break their promises, and passes rules that keep them.
func TestWrongDeclarationIsCaught(t *testing.T) {
	snaps := fixtureSnapshots(t)
	good := map[string]string{
		"good.rego": declRule("TST-GOOD-001", "#   shard: joined\n#   fields:\n#     joined: [id, display_name, exo.is_exchange_cloud_managed]\n", `
checked := count(input.joined)

deny contains {"msg": sprintf("%s not cloud-managed", [j.display_name]), "object": {"type": "mailbox", "id": j.id}} if {
	some j in input.joined
	j.exo.is_exchange_cloud_managed == false
}

inventory := {"test_rows": [{"id": j.id} | some j in input.joined]}
`),
		"union.rego": declRule("TST-GOOD-003", "#   shard: joined\n", `
checked := count(input.joined)

# The same tenant finding from every slice: the union keeps one.
deny contains {"msg": "tenant-wide", "object": {"type": "tenant", "id": "tenant"}} if count(input.joined) > 0

# Findings the report cannot tell apart by object, key and message keep
# the order one evaluation gives them.
deny contains {"msg": "same", "object": {"type": "mailbox", "id": "one"}, "evidence": {"name": j.display_name}} if {
	some j in input.joined
}

errors contains sprintf("%s has no AD object", [j.id]) if {
	some j in input.joined
	j.ad == null
}
`),
		"fields.rego": declRule("TST-GOOD-002", "#   fields:\n#     exo.mailboxes: [guid, display_name]\n", `
checked := count(input.exo.mailboxes)

deny contains {"msg": sprintf("%s has %d users in AD", [m.display_name, count(input.ad.users)]), "object": {"type": "mailbox", "id": m.guid}} if {
	some m in input.exo.mailboxes
}
`),
	}
	e, err := testEngine(t, good)
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := checkDeclarations(t.Context(), e, snaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("rules that keep their promises were found wrong:\n%s", strings.Join(diffs, "\n"))
	}
	for _, r := range e.rules {
		out, err := r.pq.Eval(t.Context(), rego.EvalParsedInput(mustInput(t, snaps["demo"])))
		if err != nil || len(out) == 0 {
			t.Fatalf("%s does not evaluate on the demo tenant: %v", r.meta.ID, err)
		}
	}

	for name, tc := range map[string]struct{ custom, body string }{
		"field read but not listed": {"#   fields:\n#     joined: [id]\n", `
checked := count(input.joined)

deny contains {"msg": sprintf("%s", [j.display_name]), "object": {"type": "mailbox", "id": j.id}} if {
	some j in input.joined
}
`},
		"nested field read but not listed": {"#   fields:\n#     joined: [id, exo.guid]\n", `
checked := 1

deny contains {"msg": "cloud-managed", "object": {"type": "mailbox", "id": j.id}} if {
	some j in input.joined
	j.exo.is_exchange_cloud_managed == true
}
`},
		"elements related to each other": {"#   shard: joined\n", `
checked := 1

deny contains {"msg": sprintf("%s is shown twice", [a.display_name]), "object": {"type": "mailbox", "id": a.id}} if {
	some i, a in input.joined
	some k, b in input.joined
	i != k
	a.exo != null
	b.exo != null
	a.exo.is_exchange_cloud_managed == b.exo.is_exchange_cloud_managed
}
`},
		"conclusion from the whole array": {"#   shard: exo.mailboxes\n", `
checked := 1

deny contains "no mailbox is cloud-managed" if {
	not any_cloud_managed
}

any_cloud_managed if {
	some m in input.exo.mailboxes
	m.is_exchange_cloud_managed == true
}
`},
		"another big array read": {"#   shard: joined\n", `
checked := count(input.joined)

deny contains {"msg": sprintf("%d AD users", [count(input.ad.users)]), "object": {"type": "mailbox", "id": j.id}} if {
	some j in input.joined
}
`},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := testEngine(t, map[string]string{"bad.rego": declRule("TST-BAD-001", tc.custom, tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			diffs, err := checkDeclarations(t.Context(), e, snaps)
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) == 0 {
				t.Fatal("the broken promise was not caught")
			}
			if !strings.Contains(diffs[0], "TST-BAD-001 (testpol/bad.rego)") {
				t.Fatalf("the difference does not name the rule and file: %s", diffs[0])
			}
		})
	}
}

// TestBigArraysAreTheSnapshots checks that each big array path finds a
// slice of its element type in a snapshot, and nothing when its section
// is null.
func TestBigArraysAreTheSnapshots(t *testing.T) {
	s := fixtureSnapshots(t)["demo"]
	for _, a := range bigArrays {
		v := a.get(s)
		if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != a.elem || v.Len() == 0 {
			t.Errorf("%s: got %v, want a non-empty slice of %s", a.path, v, a.elem)
		}
		if v := a.get(&snapshot.Snapshot{}); v.IsValid() && !v.IsNil() {
			t.Errorf("%s of an empty snapshot: %v", a.path, v)
		}
	}
}

// TestArraysRead checks which big arrays the engine finds a rule reads:
// through its own references, a helper of another package, or a prefix
// of the arrays' paths.
func TestArraysRead(t *testing.T) {
	helper := `package exoready.testlib

users_named(n) := [u | some u in input.ad.users; u.display_name == n]

unused := count(input.exo.recipients)
`
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"small sections only":             {"checked := count(input.exo.move_requests)\n\ndeny contains \"x\" if input.collected_at == \"\"\n", nil},
		"own reference":                   {"checked := count(input.joined)\n\ndeny contains \"x\" if false\n", []string{"joined"}},
		"section prefix":                  {"checked := count(object.keys(input.exo))\n\ndeny contains \"x\" if false\n", []string{"exo.mailboxes", "exo.recipients"}},
		"whole input":                     {"checked := count(object.keys(input))\n\ndeny contains \"x\" if false\n", []string{"ad.contacts", "ad.groups", "ad.users", "exo.mailboxes", "exo.recipients", "joined"}},
		"dynamic reference":               {"checked := count(input.ad[k]) if k := \"users\"\n\ndeny contains \"x\" if false\n", []string{"ad.contacts", "ad.groups", "ad.users"}},
		"object.get with a constant path": {"checked := object.get(input, [\"facts\", \"n\"], 0)\n\ndeny contains \"x\" if object.get(input, \"exo\", null) == null\n", []string{"exo.mailboxes", "exo.recipients"}},
		"input aliased":                   {"checked := count(x.ad.users) if x := input\n\ndeny contains \"x\" if false\n", []string{"ad.contacts", "ad.groups", "ad.users", "exo.mailboxes", "exo.recipients", "joined"}},
		"helper of another package":       {"import data.exoready.testlib\n\nchecked := count(testlib.users_named(\"a\"))\n\ndeny contains \"x\" if false\n", []string{"ad.users"}},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := testEngine(t, map[string]string{"r.rego": declRule("TST-READ-001", "", tc.body), "lib.rego": helper})
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(maps.Keys(e.rules[0].reads))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("reads %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPlainEqualsTerms checks that the plain values of projected fields
// (the mailbox inventory's) are what converting them to terms and back
// gives, types included.
func TestPlainEqualsTerms(t *testing.T) {
	s := gen.Generate(gen.Options{Seed: 4, Mailboxes: 300}).Snapshot()
	c := &converter{shared: map[any]*ast.Term{}}
	n := 0
	for _, a := range bigArrays {
		slice := a.get(s)
		var names []string
		for _, f := range jsontag.Fields(a.elem) {
			names = append(names, f.Name)
		}
		p, err := newProjection(a.elem, names)
		if err != nil {
			t.Fatal(err)
		}
		for i := range slice.Len() {
			want, err := ast.JSON(c.project(p, slice.Index(i)).Value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := plain(p, slice.Index(i))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s[%d]:\n got %#v\nwant %#v", a.path, i, got, want)
			}
			n++
		}
	}
	for _, m := range s.Joined {
		for _, pair := range []struct {
			p *projection
			v any
		}{{inventoryAD, m.AD}, {inventoryEXO, m.EXO}} {
			v := reflect.ValueOf(pair.v)
			if v.IsNil() {
				continue
			}
			want, _ := ast.JSON(c.project(pair.p, v.Elem()).Value)
			got, _ := plain(pair.p, v.Elem())
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("inventory fields of %s:\n got %#v\nwant %#v", m.ID, got, want)
			}
		}
	}
	if n < 900 {
		t.Fatalf("only %d elements compared", n)
	}
}

// TestCatalogShowsShardAndFields checks that `policies doc` tells rule
// authors how each rule is evaluated.
func TestCatalogShowsShardAndFields(t *testing.T) {
	rm := RuleMeta{ID: "TST-DOC-001", Title: "t", Severity: "low", Category: "c", Remediation: "r", Package: "p", File: "f",
		Shard: "joined", Fields: map[string][]string{"joined": {"ad.dn", "id"}, "ad.users": {"dn"}}}
	doc := string(CatalogMarkdown([]RuleMeta{rm}, "v", nil))
	for _, want := range []string{"evaluated per slice of `joined`", "Reads only these fields of each element: `ad.users`: dn; `joined`: ad.dn, id.\n"} {
		if !strings.Contains(doc, want) {
			t.Errorf("catalog lacks %q:\n%s", want, doc)
		}
	}
	rm.Shard, rm.Fields = "", nil
	if doc := string(CatalogMarkdown([]RuleMeta{rm}, "v", nil)); strings.Contains(doc, "slice") || strings.Contains(doc, "Reads only") {
		t.Errorf("a rule without the keys is described with them:\n%s", doc)
	}
}

func mustInput(t *testing.T, s *snapshot.Snapshot) ast.Value {
	t.Helper()
	v, err := inputValue(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHeavyItemsKeepFewArraysAlive checks the order of the items that hold
// whole arrays on the shape of the pack: no more arrays converted at once
// than the rule that needs most of them reads.
func TestHeavyItemsKeepFewArraysAlive(t *testing.T) {
	users, contacts, groups, joined, mailboxes := &sharedTerm{}, &sharedTerm{}, &sharedTerm{}, &sharedTerm{}, &sharedTerm{}
	items := []workItem{
		{rules: []int{0}, uses: []*sharedTerm{users}},                           // DEP-002
		{rules: []int{1}, uses: []*sharedTerm{users}},                           // GOV-003
		{rules: []int{2}, uses: []*sharedTerm{users, mailboxes}},                // GOV-004
		{rules: []int{3}, uses: []*sharedTerm{joined}},                          // MBX-007
		{rules: []int{4}, uses: []*sharedTerm{users, contacts, groups, joined}}, // MBX-008
		{rules: []int{5}, uses: []*sharedTerm{mailboxes}},                       // SYNC-001
		{rules: []int{6}, uses: []*sharedTerm{mailboxes}},                       // WB-003
	}
	ordered := orderHeavy(items)
	left := map[*sharedTerm]int{}
	for _, it := range ordered {
		for _, u := range it.uses {
			left[u]++
		}
	}
	alive, peak := map[*sharedTerm]bool{}, 0
	var order []int
	for _, it := range ordered {
		order = append(order, it.rules[0])
		for _, u := range it.uses {
			alive[u] = true
		}
		peak = max(peak, len(alive))
		for _, u := range it.uses {
			if left[u]--; left[u] == 0 {
				delete(alive, u)
			}
		}
	}
	if peak > 4 || len(ordered) != len(items) || order[0] != 4 {
		t.Fatalf("order %v keeps %d arrays alive at once, want at most 4, starting with the rule that reads most", order, peak)
	}
}

// TestOneHeavyItemAtATime checks that workers never run two heavy items
// at once when the second would convert arrays of its own, and run every
// item once.
func TestOneHeavyItemAtATime(t *testing.T) {
	var heavy, light []workItem
	for i := range 20 {
		own := &sharedTerm{build: func() (ast.Value, error) { return ast.Null{}, nil }}
		own.refs.Add(1)
		heavy = append(heavy, workItem{rules: []int{i}, uses: []*sharedTerm{own}})
		light = append(light, workItem{rules: []int{100 + i}})
	}
	q := newWorkQueue(heavy, light)
	var running, worst atomic.Int64
	var mu sync.Mutex
	seen := map[int]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				it, done := q.next()
				if it == nil {
					return
				}
				if it.rules[0] < 100 {
					it.uses[0].get()
					n := running.Add(1)
					for {
						w := worst.Load()
						if n <= w || worst.CompareAndSwap(w, n) {
							break
						}
					}
					time.Sleep(time.Millisecond)
					running.Add(-1)
					it.uses[0].release()
				}
				mu.Lock()
				seen[it.rules[0]]++
				mu.Unlock()
				done()
			}
		})
	}
	wg.Wait()
	if worst.Load() != 1 || len(seen) != 40 {
		t.Fatalf("%d heavy items ran at once; %d of 40 items ran", worst.Load(), len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("item %d ran %d times", id, n)
		}
	}
}

// TestCancelledEvaluationStops checks that a cancelled context ends the
// evaluation with its error, sharded rules included.
func TestCancelledEvaluationStops(t *testing.T) {
	e := packEngine(t).variant(1, func(rm RuleMeta) RuleMeta { return rm })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := e.Evaluate(ctx, RunOptions{Snapshot: fixtures.DemoSnapshot()})
	if !errors.Is(err, context.Canceled) || rep != nil {
		t.Fatalf("got report %v, error %v; want context.Canceled", rep != nil, err)
	}
}

// TestPlainOfEmptyValues checks the plain values of null and empty
// lists and maps inside the inventory's fields.
func TestPlainOfEmptyValues(t *testing.T) {
	u := snapshot.ADRecipient{ExtensionCustomAttributes: map[string][]string{"ExtensionCustomAttribute1": nil, "ExtensionCustomAttribute2": {}},
		CustomAttributes: map[string]string{}, ProxyAddresses: []string{}}
	c := &converter{shared: map[any]*ast.Term{}}
	want, err := ast.JSON(c.project(inventoryAD, reflect.ValueOf(u)).Value)
	if err != nil {
		t.Fatal(err)
	}
	got, err := plain(inventoryAD, reflect.ValueOf(u))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %#v\nwant %#v", got, want)
	}
}

// TestShardsOf checks the slicing of big arrays: slices of 2,000 elements,
// never more than maxShards of them, at least one.
func TestShardsOf(t *testing.T) {
	for _, tc := range []struct{ n, configured, size, shards int }{
		{0, 0, defaultShardSize, 1},
		{1999, 0, defaultShardSize, 1},
		{10000, 0, defaultShardSize, 5},
		{100000, 0, 3125, 32},
		{600000, 0, 18750, 32},
		{600001, 0, 18751, 32},
		{7, 3, 3, 3},
		{7, 1 << 30, 1 << 30, 1},
	} {
		if size, shards := shardsOf(tc.n, tc.configured); size != tc.size || shards != tc.shards || (tc.n > 0 && (shards-1)*size >= tc.n) {
			t.Errorf("shardsOf(%d, %d) = %d, %d; want %d, %d", tc.n, tc.configured, size, shards, tc.size, tc.shards)
		}
	}
}

// TestShardGroupSharesOnlyWhatHolds checks that rules of one shard group,
// which share a cache of rule and function values on each slice, give what
// each gives alone: a helper one rule computes is read by the next on the
// same slice only, and a rule that fails at run time (a function giving
// two values) leaves nothing the next could read in place of failing.
func TestShardGroupSharesOnlyWhatHolds(t *testing.T) {
	shard := "#   shard: joined\n#   fields:\n#     joined: [id, display_name, exo.is_exchange_cloud_managed]\n"
	lib := `package exoready.lib.vctest

managed := [j | some j in input.joined; j.exo.is_exchange_cloud_managed == true]

# twice gives two values for a managed mailbox: calling it fails at run time.
twice(j) := 1 if j.id != ""

twice(j) := 2 if j.exo.is_exchange_cloud_managed == true
`
	healthy := func(id string) string {
		return declRule(id, shard, `import data.exoready.lib.vctest

checked := count(vctest.managed)

deny contains {"msg": j.display_name, "object": {"type": "mailbox", "id": j.id}} if some j in vctest.managed`)
	}
	failing := func(id string) string {
		return declRule(id, shard, `import data.exoready.lib.vctest

checked := count(input.joined)

deny contains {"msg": sprintf("%d", [vctest.twice(j)]), "object": {"type": "mailbox", "id": j.id}} if some j in vctest.managed`)
	}
	s := gen.Generate(gen.Options{Seed: 3, Mailboxes: 120}).Snapshot()
	for name, tc := range map[string]struct {
		pack  map[string]string
		fails map[string]bool // rules that fail at run time, alone too
	}{
		"helper shared": {map[string]string{"lib.rego": lib, "a.rego": healthy("TST-VC-001"), "b.rego": healthy("TST-VC-002")}, nil},
		"rule failing": {map[string]string{"lib.rego": lib, "a.rego": failing("TST-VC-001"), "b.rego": failing("TST-VC-002"), "c.rego": healthy("TST-VC-003")},
			map[string]bool{"TST-VC-001": true, "TST-VC-002": true}},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := testEngine(t, tc.pack)
			if err != nil {
				t.Fatal(err)
			}
			alone, err := e.outcomes(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			for id, o := range alone {
				if strings.Contains(o, "conflicting values") != tc.fails[id] || (!tc.fails[id] && !strings.Contains(o, `"checked":58`)) {
					t.Fatalf("%s alone: %.300s", id, o)
				}
			}
			for _, size := range []int{0, 7} {
				together, err := e.variant(size, func(rm RuleMeta) RuleMeta { return rm }).outcomesTogether(t.Context(), s)
				if err != nil {
					t.Fatal(err)
				}
				for id, want := range alone {
					if together[id] != want {
						t.Errorf("shard size %d: %s in its group gives\n%.300s\nalone\n%.300s", size, id, together[id], want)
					}
				}
			}
		})
	}
}
