package evaluate_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/exoready/exoready/evaluate"
)

func finding(rule, obj string, st evaluate.Status, sev string) evaluate.Finding {
	return evaluate.Finding{
		UID: evaluate.FindingUID(rule, obj, ""), RuleID: rule, Severity: sev, Status: st,
		Object: evaluate.Object{Type: "mailbox", ID: obj}, Message: rule + " on " + obj,
	}
}

func reportOf(rules []string, fs ...evaluate.Finding) *evaluate.Report {
	r := &evaluate.Report{Findings: fs, Complete: true}
	r.Inputs.Snapshot.Tenant = "Corp"
	r.PolicyPack.SHA256 = "pack"
	for _, id := range rules {
		r.Rules = append(r.Rules, evaluate.RuleResult{RuleMeta: evaluate.RuleMeta{ID: id}})
	}
	return r
}

func TestDiffKinds(t *testing.T) {
	rules := []string{"R-A", "R-B"}
	base := reportOf(rules,
		finding("R-A", "gone", evaluate.StatusFail, "critical"),       // object removed: resolved
		finding("R-A", "fixed", evaluate.StatusFail, "high"),          // now passes: resolved
		finding("R-A", "same", evaluate.StatusFail, "critical"),       // still open, unchanged
		finding("R-A", "worse", evaluate.StatusFail, "low"),           // severity rose: changed
		finding("R-A", "unassessed", evaluate.StatusFail, "medium"),   // now error: changed
		finding("R-A", "waived-now", evaluate.StatusFail, "critical"), // waived: resolved
		finding("R-B", "expired", evaluate.StatusWaived, "critical"),  // waiver expired: new
		finding("R-B", "ok", evaluate.StatusPass, "high"),             // pass in both: nothing
	)
	cur := reportOf(append(rules, "R-C"),
		finding("R-A", "fixed", evaluate.StatusPass, "high"),
		finding("R-A", "same", evaluate.StatusFail, "critical"),
		finding("R-A", "worse", evaluate.StatusFail, "critical"),
		finding("R-A", "unassessed", evaluate.StatusError, "medium"),
		finding("R-A", "waived-now", evaluate.StatusWaived, "critical"),
		finding("R-B", "expired", evaluate.StatusFail, "critical"),
		finding("R-B", "ok", evaluate.StatusPass, "high"),
		finding("R-C", "brand-new", evaluate.StatusFail, "low"),
	)
	c := evaluate.Diff(base, cur)

	want := evaluate.ChangeCounts{New: 2, Resolved: 3, StillOpen: 3, Changed: 2}
	if c.Counts != want {
		t.Errorf("counts %+v, want %+v", c.Counts, want)
	}
	var got []string
	for _, e := range c.Entries {
		got = append(got, e.Kind+" "+e.RuleID+" "+e.Object.ID)
	}
	wantEntries := []string{
		"new R-B expired", "new R-C brand-new", // critical before low
		"changed R-A worse", "changed R-A unassessed",
		"resolved R-A gone", "resolved R-A waived-now", "resolved R-A fixed",
	}
	if !reflect.DeepEqual(got, wantEntries) {
		t.Errorf("entries\n got %q\nwant %q", got, wantEntries)
	}
	byObj := map[string]evaluate.Change{}
	for _, e := range c.Entries {
		byObj[e.Object.ID] = e
	}
	if e := byObj["gone"]; e.After != nil || e.Before == nil || e.Before.Status != evaluate.StatusFail {
		t.Errorf("resolved by removal: before %+v after %+v", e.Before, e.After)
	}
	if e := byObj["brand-new"]; e.Before != nil || e.After.Severity != "low" {
		t.Errorf("brand new: before %+v after %+v", e.Before, e.After)
	}
	if e := byObj["expired"]; e.Before == nil || e.Before.Status != evaluate.StatusWaived {
		t.Errorf("expired waiver: before %+v", e.Before)
	}
	if !reflect.DeepEqual(c.RulesAdded, []string{"R-C"}) || len(c.RulesRemoved) != 0 {
		t.Errorf("rules added %v removed %v", c.RulesAdded, c.RulesRemoved)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("unexpected warnings %v", c.Warnings)
	}

	// Nothing changed: a scan against itself.
	same := evaluate.Diff(cur, cur)
	if same.Counts.New+same.Counts.Resolved+same.Counts.Changed != 0 || same.Counts.StillOpen != 5 || len(same.Entries) != 0 {
		t.Errorf("self diff: %+v %v", same.Counts, same.Entries)
	}
}

func TestNewlyFailing(t *testing.T) {
	base := reportOf([]string{"R"},
		finding("R", "high-to-critical", evaluate.StatusFail, "high"),
		finding("R", "critical-to-high", evaluate.StatusFail, "critical"),
		finding("R", "error-to-fail", evaluate.StatusError, "critical"),
		finding("R", "still", evaluate.StatusFail, "critical"),
	)
	cur := reportOf([]string{"R"},
		finding("R", "high-to-critical", evaluate.StatusFail, "critical"),
		finding("R", "critical-to-high", evaluate.StatusFail, "high"),
		finding("R", "error-to-fail", evaluate.StatusFail, "critical"),
		finding("R", "still", evaluate.StatusFail, "critical"),
		finding("R", "new-low", evaluate.StatusFail, "low"),
		finding("R", "new-error", evaluate.StatusError, "critical"),
	)
	c := evaluate.Diff(base, cur)
	ids := func(rank int) []string {
		var out []string
		for _, e := range c.NewlyFailing(rank) {
			out = append(out, e.Object.ID)
		}
		return out
	}
	if got, want := ids(evaluate.SeverityRank("critical")), []string{"error-to-fail", "high-to-critical"}; !reflect.DeepEqual(got, want) {
		t.Errorf("critical: got %v, want %v", got, want)
	}
	// At "high" the high-to-critical finding failed at or above it before.
	if got, want := ids(evaluate.SeverityRank("high")), []string{"error-to-fail"}; !reflect.DeepEqual(got, want) {
		t.Errorf("high: got %v, want %v", got, want)
	}
	if got, want := ids(evaluate.SeverityRank("info")), []string{"new-low", "error-to-fail"}; !reflect.DeepEqual(got, want) {
		t.Errorf("info: got %v, want %v", got, want)
	}
}

func TestDiffWarnings(t *testing.T) {
	base := reportOf([]string{"R"}, finding("R", "x", evaluate.StatusFail, "high"))
	base.Complete = false
	base.Inputs.Snapshot.Tenant = "Other"
	base.PolicyPack.SHA256 = "older"
	cur := reportOf([]string{"R"})
	w := strings.Join(evaluate.Diff(base, cur).Warnings, "\n")
	for _, s := range []string{"another organization", "baseline was partial", "policy pack changed"} {
		if !strings.Contains(w, s) {
			t.Errorf("warnings lack %q:\n%s", s, w)
		}
	}
}
