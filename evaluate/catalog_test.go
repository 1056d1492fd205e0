package evaluate_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/policies"
)

// productCatalog is the rule catalog of the product contract (PRODUCT.md,
// "Rule catalog"): every id must exist in the embedded pack.
var productCatalog = []string{
	"EXR-SYNC-001", "EXR-SYNC-002", "EXR-SYNC-003",
	"EXR-MBX-001", "EXR-MBX-002", "EXR-MBX-003", "EXR-MBX-004", "EXR-MBX-005", "EXR-MBX-006", "EXR-MBX-007", "EXR-MBX-008",
	"EXR-DEP-001", "EXR-DEP-002", "EXR-DEP-003", "EXR-DEP-004", "EXR-DEP-005", "EXR-DEP-006", "EXR-DEP-007",
	"EXR-GOV-001", "EXR-GOV-002", "EXR-GOV-003", "EXR-GOV-004", "EXR-GOV-005",
	"EXR-WB-001", "EXR-WB-002", "EXR-WB-003",
}

func TestCatalogIsComplete(t *testing.T) {
	rules := newEngine(t).Rules()
	ids := map[string]int{}
	for _, r := range rules {
		ids[r.ID]++
		if r.Description == "" || len(r.Requires) == 0 {
			t.Errorf("%s: needs a description and the snapshot paths it requires", r.ID)
		}
		for _, ref := range r.References {
			if !strings.HasPrefix(ref, "https://learn.microsoft.com/") && !strings.HasPrefix(ref, "https://techcommunity.microsoft.com/") {
				t.Errorf("%s: reference %s is not Microsoft guidance", r.ID, ref)
			}
		}
	}
	for _, id := range productCatalog {
		if ids[id] != 1 {
			t.Errorf("catalog id %s is defined %d times, want once", id, ids[id])
		}
	}
	if len(rules) != len(productCatalog) {
		t.Errorf("%d rules in the pack, %d in the product catalog", len(rules), len(productCatalog))
	}
}

// TestMissingRequiredDataIsNeverAPass removes, one at a time, every snapshot
// path a rule requires from the demo tenant: the rule must then report
// status error ("not assessed"), never pass or fail.
func TestMissingRequiredDataIsNeverAPass(t *testing.T) {
	e := newEngine(t)
	for _, r := range e.Rules() {
		for _, req := range r.Requires {
			t.Run(r.ID+"/"+req, func(t *testing.T) {
				rep := evaluateSnap(t, e, withoutPath(t, fixtures.DemoSnapshot(), req))
				for _, res := range rep.Rules {
					if res.ID == r.ID && res.Status != evaluate.StatusError {
						t.Errorf("without %s, %s has status %s, want error", req, r.ID, res.Status)
					}
				}
				for _, f := range rep.Findings {
					if f.RuleID == r.ID && f.Status != evaluate.StatusError {
						t.Errorf("without %s, %s still reports %s: %s", req, r.ID, f.Status, f.Message)
					}
				}
			})
		}
	}
}

// withoutPath sets a dotted path of the snapshot document to null.
func withoutPath(t *testing.T, snap []byte, p string) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(snap))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(p, ".")
	cur := doc
	for _, k := range parts[:len(parts)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			t.Fatalf("demo snapshot has no %s", p)
		}
		cur = next
	}
	if _, ok := cur[parts[len(parts)-1]]; !ok {
		t.Fatalf("demo snapshot has no %s", p)
	}
	cur[parts[len(parts)-1]] = nil
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRulesDeclareWhatTheyRead checks statically that every input path a
// rule module reads (input.a.b...) is covered by one of its requires
// entries, so the "not assessed" guarantee above holds for all its data.
// Optional reads go through object.get, which is not an input reference.
func TestRulesDeclareWhatTheyRead(t *testing.T) {
	requires := map[string][]string{}
	for _, r := range newEngine(t).Rules() {
		requires[r.Package] = r.Requires
	}
	err := fs.WalkDir(policies.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		raw, err := fs.ReadFile(policies.FS(), p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(raw), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		reqs, isRule := requires[m.Package.Path.String()]
		if !isRule {
			return nil
		}
		for _, read := range inputPaths(m) {
			if !covered(read, reqs) {
				t.Errorf("%s reads input.%s but requires only %v", path.Base(p), read, reqs)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func inputPaths(m *ast.Module) []string {
	set := map[string]bool{}
	ast.WalkRefs(m, func(r ast.Ref) bool {
		if len(r) < 2 || !r[0].Equal(ast.InputRootDocument) {
			return false
		}
		var parts []string
		for _, t := range r[1:] {
			s, ok := t.Value.(ast.String)
			if !ok {
				break
			}
			parts = append(parts, string(s))
		}
		if len(parts) > 0 && parts[0] != "collected_at" {
			set[strings.Join(parts, ".")] = true
		}
		return false
	})
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func covered(read string, reqs []string) bool {
	for _, r := range reqs {
		if read == r || strings.HasPrefix(read, r+".") {
			return true
		}
	}
	return false
}

// TestEveryRuleFailsAndPassesAcrossTheFixtures is the coverage table of
// fixtures/README.md: each rule fails in at least one fixture scenario and
// passes in another.
func TestEveryRuleFailsAndPassesAcrossTheFixtures(t *testing.T) {
	read := func(name string) []byte {
		b, err := fs.ReadFile(fixtures.Snapshots(), name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	scenarios := []struct {
		name      string
		snap      []byte
		overrides map[string]any
	}{
		{"demo", fixtures.DemoSnapshot(), nil},
		{"ready", read("ready.json"), nil},
		{"premature-default", read("premature-default.json"), nil},
		// No realistic tenant reaches the writeback limit: lower it.
		{"demo with writeback_mailbox_limit 10", fixtures.DemoSnapshot(), map[string]any{"writeback_mailbox_limit": 10}},
	}
	failed, passed := map[string][]string{}, map[string][]string{}
	for _, sc := range scenarios {
		o := embeddedOptions(t)
		o.Overrides = sc.overrides
		e, err := evaluate.New(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		rep := evaluateSnap(t, e, sc.snap)
		for _, r := range rep.Rules {
			switch r.Status {
			case evaluate.StatusFail:
				failed[r.ID] = append(failed[r.ID], sc.name)
			case evaluate.StatusPass:
				passed[r.ID] = append(passed[r.ID], sc.name)
			case evaluate.StatusError:
				t.Errorf("%s: %s could not be assessed", sc.name, r.ID)
			}
		}
	}
	for _, id := range productCatalog {
		if len(failed[id]) == 0 || len(passed[id]) == 0 {
			t.Errorf("%s fails in %v and passes in %v: it needs both", id, failed[id], passed[id])
		}
	}
}

// TestRegoIsFormatted is opa fmt --fail over the embedded pack and the
// documented custom rule example.
func TestRegoIsFormatted(t *testing.T) {
	check := func(fsys fs.FS, prefix string) {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
				return err
			}
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			out, err := format.SourceWithOpts(p, src, format.Opts{})
			if err != nil {
				return err
			}
			if !bytes.Equal(out, src) {
				t.Errorf("%s is not formatted as opa fmt writes it", path.Join(prefix, p))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(policies.FS(), "policies")
	check(os.DirFS("../docs/custom-rule-example"), "docs/custom-rule-example")
}
