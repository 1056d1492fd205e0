package evaluate

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/print"
	"github.com/rs/zerolog"
)

// Options configure an Engine.
type Options struct {
	// Sources are the policy locations: the embedded pack first, then --policy dirs.
	Sources []PolicySource
	// Version is the policy pack version shown in reports.
	Version string
	// Params are the pack's default parameters (data.exoready.params).
	Params map[string]any
	// Overrides replace parameters by name (from scan.yaml). An unknown name
	// or a value of another type than the default is an error.
	Overrides map[string]any
	Logger    zerolog.Logger
	// Evaluator chooses how rule queries run: EvaluatorPlan (the default)
	// runs each rule's planned IR where it can (plan.go) and topdown where
	// it cannot; EvaluatorTopdown runs every rule on OPA's topdown. Empty
	// reads the environment variable EXOREADY_EVALUATOR, for people
	// debugging a policy.
	Evaluator string
}

// Evaluators of rule queries (Options.Evaluator).
const (
	EvaluatorPlan    = "plan"
	EvaluatorTopdown = "topdown"
)

// Engine holds compiled, prepared policies. Build it once, evaluate many.
type Engine struct {
	set      *policySet
	compiler *ast.Compiler
	store    storage.Store
	rules    []*compiledRule
	params   map[string]any
	version  string
	packSHA  string
	log      zerolog.Logger
	// shardSize is how many elements of a big array a shard holds
	// (defaultShardSize when 0); tests make it small.
	shardSize int
}

type compiledRule struct {
	meta RuleMeta
	pq   rego.PreparedEvalQuery
	// reads are the big arrays the rule may read (arraysRead).
	reads map[string]bool
	// evaluator is EvaluatorPlan or EvaluatorTopdown: what runs pq.
	evaluator string
}

// New loads, compiles and prepares every rule of the sources.
func New(ctx context.Context, opts Options) (*Engine, error) {
	set, err := loadPolicySet(opts.Sources)
	if err != nil {
		return nil, err
	}
	params, err := mergeParams(opts.Params, opts.Overrides)
	if err != nil {
		return nil, err
	}
	e := &Engine{set: set, params: params, version: opts.Version, log: opts.Logger.With().Str("component", "evaluate").Logger()}
	// The pack's hash covers its default parameters too: the same rules with
	// another minimum version judge differently. Overrides from scan.yaml are
	// covered by that file's own hash among the run's inputs.
	defaults, err := json.Marshal(opts.Params)
	if err != nil {
		return nil, fmt.Errorf("%w: default parameters: %w", ErrPolicy, err)
	}
	sum := sha256.Sum256(append([]byte(set.sha256+"\x00"), defaults...))
	e.packSHA = hex.EncodeToString(sum[:])
	e.compiler = ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true).WithCapabilities(policyCapabilities())
	if e.compiler.Compile(set.modules); e.compiler.Failed() {
		return nil, fmt.Errorf("%w: compile: %v%s", ErrPolicy, e.compiler.Errors, capabilityHint(e.compiler.Errors))
	}
	doc := map[string]any{"exoready": map[string]any{"params": params}}
	e.store = inmem.NewFromObject(doc)
	evaluator := opts.Evaluator
	if evaluator == "" {
		evaluator = cmp.Or(os.Getenv("EXOREADY_EVALUATOR"), EvaluatorPlan)
	}
	var data ast.Value
	switch evaluator {
	case EvaluatorTopdown:
	case EvaluatorPlan:
		if data, err = ast.InterfaceToValue(doc); err != nil {
			return nil, fmt.Errorf("%w: parameters: %w", ErrPolicy, err)
		}
	default:
		return nil, fmt.Errorf("evaluator %q is not %q or %q (EXOREADY_EVALUATOR)", evaluator, EvaluatorPlan, EvaluatorTopdown)
	}
	hook := printHook{log: e.log}
	for _, rm := range set.rules {
		query := func(target string) *rego.Rego {
			return rego.New(
				rego.Query(outputQuery(rm.Package)),
				rego.Compiler(e.compiler),
				rego.Store(e.store),
				rego.StrictBuiltinErrors(true),
				rego.EnablePrintStatements(true),
				rego.PrintHook(hook),
				rego.Target(target),
			)
		}
		// A rule the plan evaluator refuses, or that OPA cannot plan, is
		// prepared for topdown; an error there is the rule's own.
		var pq rego.PreparedEvalQuery
		err, how := errNotPlanned, EvaluatorPlan
		if data != nil {
			if pq, err = preparePlanned(ctx, query(planTargetName), data); err != nil {
				e.log.Debug().Str("check_id", rm.ID).Err(err).Msg("rule left to topdown")
			}
		}
		if err != nil {
			pq, err = query("rego").PrepareForEval(ctx)
			how = EvaluatorTopdown
		}
		if err != nil {
			return nil, fmt.Errorf("%w: prepare %s (%s): %w", ErrPolicy, rm.ID, rm.File, err)
		}
		e.rules = append(e.rules, &compiledRule{meta: rm, pq: pq, reads: arraysRead(e.compiler, rm.Package), evaluator: how})
	}
	e.log.Debug().Int("rules", len(e.rules)).Int("modules", len(set.modules)).Msg("policies compiled")
	return e, nil
}

// Rules returns the catalog's metadata, sorted by id.
func (e *Engine) Rules() []RuleMeta { return append([]RuleMeta(nil), e.set.rules...) }

// Params returns the effective policy parameters.
func (e *Engine) Params() map[string]any { return e.params }

// Pack describes the loaded policy pack.
func (e *Engine) Pack() PolicyPack {
	return PolicyPack{Version: e.version, SHA256: e.packSHA, Sources: append([]string(nil), e.set.sources...), Rules: len(e.set.rules)}
}

// ruleOutput is what one rule package evaluates to.
type ruleOutput struct {
	findings []Finding
	errors   []Finding
	checked  int
	sections map[string][]map[string]any
}

// outputQuery asks for the four rule outputs the engine reads, each as a
// list (empty when the rule does not define it). Asking for the whole
// package (data.<pkg>) would also compute and convert every helper rule
// of the package (lists of all mailboxes, address indexes...), which at
// 600,000 mailboxes costs more than the rule itself.
func outputQuery(pkg string) string {
	return fmt.Sprintf("deny := [v | some v in %[1]s.deny]; errors := [v | some v in %[1]s.errors]; "+
		"checked := [v | v := %[1]s.checked]; inventory := [v | v := %[1]s.inventory]", pkg)
}

// rawOutput is what one rule's query returned on one input.
type rawOutput struct {
	deny, errors []any
	checked      int
	inventory    map[string]any // nil when the rule defines none (or not an object)
}

// evalRaw runs one prepared rule on a parsed input. vc, when not nil, is
// the cache of rule and function values the evaluation reads and fills:
// rules evaluated on the same input may share one (see evalRules).
func (e *Engine) evalRaw(ctx context.Context, r *compiledRule, input ast.Value, vc topdown.VirtualCache) (rawOutput, error) {
	var out rawOutput
	opts := []rego.EvalOption{rego.EvalParsedInput(input)}
	if vc != nil {
		opts = append(opts, rego.EvalVirtualCache(vc))
		if r.evaluator == EvaluatorPlan {
			ctx = withPlanCache(ctx, vc)
		}
	}
	rs, err := r.pq.Eval(ctx, opts...)
	if err != nil {
		return out, err
	}
	if len(rs) == 0 {
		return out, fmt.Errorf("package %s is undefined", r.meta.Package)
	}
	out.deny, out.errors = asList(rs[0].Bindings["deny"]), asList(rs[0].Bindings["errors"])
	l := asList(rs[0].Bindings["checked"])
	if len(l) != 1 {
		return out, fmt.Errorf("rule did not define checked (how many objects it looked at)")
	}
	n, ok := l[0].(json.Number)
	if !ok {
		return out, fmt.Errorf("rule did not define checked (how many objects it looked at)")
	}
	c, err := n.Int64()
	if err != nil || c < 0 {
		return out, fmt.Errorf("checked = %v is not a count", n)
	}
	out.checked = int(c)
	if l := asList(rs[0].Bindings["inventory"]); len(l) == 1 {
		out.inventory, _ = l[0].(map[string]any)
	}
	return out, nil
}

// mergeParts joins a rule's outputs on the slices of its shard array as
// the contract of `shard` says: the union of deny and of errors, the sum of checked,
// the concatenation of each inventory section's rows. The first part that
// failed fails the rule.
func mergeParts(parts []rulePart) (rawOutput, error) {
	for _, p := range parts {
		if p.err != nil {
			return rawOutput{}, p.err
		}
	}
	if len(parts) == 1 {
		return parts[0].raw, nil
	}
	var out rawOutput
	for _, p := range parts {
		out.deny = append(out.deny, p.raw.deny...)
		out.errors = append(out.errors, p.raw.errors...)
		out.checked += p.raw.checked
		if p.raw.inventory == nil {
			continue
		}
		if out.inventory == nil {
			out.inventory = map[string]any{}
		}
		for k, v := range p.raw.inventory {
			if l, ok := v.([]any); ok {
				rows, _ := out.inventory[k].([]any)
				out.inventory[k] = append(rows, l...)
			}
		}
	}
	var err error
	if out.deny, err = setOrder(out.deny); err != nil {
		return out, err
	}
	out.errors, err = setOrder(out.errors)
	return out, err
}

// setOrder removes the duplicates a union of sets drops. The report sorts
// findings by rule, object, key, status and message, so only the order
// among elements that agree on those matters: elements of such a group are
// put in the order of a Rego set, the group where its first element was.
func setOrder(l []any) ([]any, error) {
	if len(l) < 2 {
		return l, nil
	}
	groups := map[string][]int{}
	for i, v := range l {
		k := tieKey(v)
		groups[k] = append(groups[k], i)
	}
	if len(groups) == len(l) {
		return l, nil
	}
	out := make([]any, 0, len(l))
	for i, v := range l {
		g := groups[tieKey(v)]
		switch {
		case len(g) == 1:
			out = append(out, v)
		case g[0] == i:
			set := ast.NewSet()
			for _, j := range g {
				t, err := ast.InterfaceToValue(l[j])
				if err != nil {
					return nil, err
				}
				set.Add(ast.NewTerm(t))
			}
			sorted, err := ast.JSON(set.Sorted())
			if err != nil {
				return nil, err
			}
			out = append(out, sorted.([]any)...)
		}
	}
	return out, nil
}

// tieKey is what the report sorts a deny or errors element by.
func tieKey(v any) string {
	switch x := v.(type) {
	case string:
		return "\x00" + x
	case map[string]any:
		msg, _ := x["msg"].(string)
		key, _ := x["key"].(string)
		id := ""
		if o, ok := x["object"].(map[string]any); ok {
			id, _ = o["id"].(string)
		}
		return id + "\x00" + key + "\x00" + msg
	}
	return "\x01"
}

// buildOutput turns a rule's raw output into findings and inventory rows,
// refusing malformed elements.
func buildOutput(rm RuleMeta, raw rawOutput) (ruleOutput, error) {
	out := ruleOutput{checked: raw.checked}
	for _, d := range raw.deny {
		f, err := findingFrom(rm, StatusFail, d)
		if err != nil {
			return out, fmt.Errorf("deny: %w", err)
		}
		out.findings = append(out.findings, f)
	}
	for _, d := range raw.errors {
		if s, ok := d.(string); ok {
			d = map[string]any{"msg": s}
		}
		f, err := findingFrom(rm, StatusError, d)
		if err != nil {
			return out, fmt.Errorf("errors: %w", err)
		}
		out.errors = append(out.errors, f)
	}
	if raw.inventory != nil {
		out.sections = map[string][]map[string]any{}
		for k, v := range raw.inventory {
			for _, row := range asList(v) {
				m, ok := row.(map[string]any)
				if !ok {
					return out, fmt.Errorf("inventory.%s holds a non-object %v", k, row)
				}
				out.sections[k] = append(out.sections[k], m)
			}
		}
	}
	return out, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// findingFrom builds a finding from a deny/errors element:
// {msg, object: {type, id, name, dn}, evidence, remediation, severity, key}.
func findingFrom(rm RuleMeta, st Status, v any) (Finding, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Finding{}, fmt.Errorf("element %v is not an object with msg", v)
	}
	f := Finding{
		RuleID: rm.ID, Title: rm.Title, Severity: rm.Severity, Category: rm.Category,
		Status: st, Remediation: rm.Remediation, References: rm.References,
		Object: Object{Type: "tenant", ID: "tenant"}, Evidence: map[string]any{},
	}
	f.Message, _ = m["msg"].(string)
	if f.Message == "" {
		return f, fmt.Errorf("element has no msg: %v", compact(v))
	}
	if o, ok := m["object"].(map[string]any); ok {
		f.Object.Type, _ = o["type"].(string)
		f.Object.ID, _ = o["id"].(string)
		f.Object.DisplayName, _ = o["name"].(string)
		f.Object.DN, _ = o["dn"].(string)
		if f.Object.Type == "" || f.Object.ID == "" {
			return f, fmt.Errorf("object needs type and id: %v", compact(o))
		}
	} else if _, has := m["object"]; has {
		return f, fmt.Errorf("object is not an object: %v", compact(m["object"]))
	}
	if ev, ok := m["evidence"].(map[string]any); ok {
		f.Evidence = ev
	}
	if s, ok := m["remediation"].(string); ok && s != "" {
		f.Remediation = s
	}
	if s, ok := m["severity"].(string); ok && s != "" {
		if SeverityRank(s) < 0 {
			return f, fmt.Errorf("severity %q is not one of %s", s, strings.Join(Severities, ", "))
		}
		f.Severity = s
	}
	if s, ok := m["key"].(string); ok {
		f.Key = s
	}
	return f, nil
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		b = append(b[:200], "..."...)
	}
	return string(b)
}

// mergeParams overlays overrides on the defaults. Only known names may be
// overridden, each with a value of the default's JSON kind.
func mergeParams(defaults, overrides map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		def, known := defaults[k]
		if !known {
			return nil, fmt.Errorf("%w: unknown policy parameter %q (known: %s)", ErrPolicy, k, strings.Join(sortedKeys(defaults), ", "))
		}
		v, err := normalizeJSON(overrides[k])
		if err != nil {
			return nil, fmt.Errorf("%w: policy parameter %q: %w", ErrPolicy, k, err)
		}
		if kindOf(v) != kindOf(def) {
			return nil, fmt.Errorf("%w: policy parameter %q must be a %s, not a %s", ErrPolicy, k, kindOf(def), kindOf(v))
		}
		out[k] = v
	}
	return out, nil
}

// normalizeJSON round-trips a value (from YAML) through JSON so that it
// holds only JSON types.
func normalizeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	err = dec.Decode(&out)
	return out, err
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, int, int64:
		return "number"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printHook sends Rego print() output to debug logs.
type printHook struct{ log zerolog.Logger }

func (h printHook) Print(pctx print.Context, msg string) error {
	h.log.Debug().Str("policy_file", pctx.Location.File).Int("line", pctx.Location.Row).Msg(msg)
	return nil
}
