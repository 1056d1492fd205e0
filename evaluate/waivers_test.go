package evaluate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
)

func TestParseWaiversRefusesMalformedFiles(t *testing.T) {
	const good = "waivers:\n  - id: W-1\n    rule: EXR-MBX-007\n    object: \"kwame*\"\n    reason: journaling appliance\n    owner: messaging@corp.example.test\n    expires: 2027-06-30\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", strings.Replace(good, "    owner:", "    ownr: x\n    owner:", 1), "w.yaml:6: unknown key \"ownr\""},
		{"missing field", strings.Replace(good, "    reason: journaling appliance\n", "", 1), "w.yaml:2: waiver has no reason"},
		{"bad date", strings.Replace(good, "2027-06-30", "30/06/2027", 1), "w.yaml:2: expires \"30/06/2027\" is not a date"},
		{"bad rule id", strings.Replace(good, "EXR-MBX-007", "mbx7", 1), "w.yaml:2: rule \"MBX7\" is not a rule id"},
		{"bad glob", strings.Replace(good, "\"kwame*\"", "\"kwame[\"", 1), "w.yaml:2: object pattern \"kwame[\""},
		{"duplicate id", good + strings.TrimPrefix(good, "waivers:\n"), "w.yaml:8: waiver id \"W-1\" is already used at line 2"},
		{"duplicate key", strings.Replace(good, "    owner:", "    reason: again\n    owner:", 1), "w.yaml:6: key \"reason\" appears twice"},
		{"list value", strings.Replace(good, "\"kwame*\"", "[a, b]", 1), "w.yaml:4: object must be a single value"},
		{"not a list", "waivers: {id: x}\n", "w.yaml:1: waivers must be a list"},
		{"unknown top-level key", "waiver:\n  - id: x\n", "w.yaml:1: unknown key \"waiver\""},
		{"empty", "", "w.yaml is empty"},
		{"yaml syntax", "waivers:\n  - id: [\n", "w.yaml: yaml: line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evaluate.ParseWaivers("w.yaml", []byte(tc.yaml))
			if !errors.Is(err, evaluate.ErrWaivers) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrWaivers containing %q", err, tc.want)
			}
		})
	}
	ws, err := evaluate.ParseWaivers("w.yaml", []byte(good))
	if err != nil || len(ws.Waivers) != 1 || ws.Waivers[0].Expires != "2027-06-30" || ws.SHA256 == "" {
		t.Fatalf("good file: %+v %v", ws, err)
	}
}

const demoWaivers = `waivers:
  - id: W-OK
    rule: exr-mbx-007
    object: "KWAME*"
    reason: routed through the journaling appliance
    owner: messaging@corp.example.test
    expires: 2027-06-30
  - id: W-EXPIRED
    rule: EXR-GOV-002
    object: tenant
    reason: audit licence pending
    owner: security@corp.example.test
    expires: 2026-11-19
  - id: W-STALE
    rule: EXR-DEP-005
    object: "CN=EX03,*"
    reason: server already gone
    owner: it@corp.example.test
    expires: 2027-01-31
  - id: W-TYPO
    rule: EXR-MBX-077
    object: "*"
    reason: typo
    owner: it@corp.example.test
    expires: 2027-01-31
  - id: W-DN
    rule: EXR-DEP-003
    object: "cn=app relay ex01,*"
    reason: printers move in Q1
    owner: it@corp.example.test
    expires: 2027-03-31
`

func TestWaiversApplyToTheDemo(t *testing.T) {
	ws, err := evaluate.ParseWaivers("demo-waivers.yaml", []byte(demoWaivers))
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t)
	rep, err := e.Evaluate(t.Context(), evaluate.RunOptions{Snapshot: fixtures.DemoSnapshot(), Clock: fixedClock, Waivers: ws})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]evaluate.Finding{}
	for _, f := range rep.Findings {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	if fs := byRule["EXR-MBX-007"]; len(fs) != 1 || fs[0].Status != evaluate.StatusWaived || fs[0].Waiver == nil || fs[0].Waiver.ID != "W-OK" || fs[0].Waiver.Expired {
		t.Errorf("MBX-007 (rule id and glob match case-insensitively) not waived: %+v", fs)
	}
	if fs := byRule["EXR-DEP-003"]; len(fs) != 1 || fs[0].Status != evaluate.StatusWaived {
		t.Errorf("DEP-003 (glob on the DN) not waived: %+v", fs)
	}
	if fs := byRule["EXR-GOV-002"]; len(fs) != 1 || fs[0].Status != evaluate.StatusFail || fs[0].Waiver == nil || !fs[0].Waiver.Expired ||
		!strings.Contains(fs[0].Message, "waiver W-EXPIRED expired on 2026-11-19") {
		t.Errorf("GOV-002: expired waiver must leave the finding failing and say so: %+v", fs)
	}
	unmatched := map[string]string{}
	for _, f := range byRule[evaluate.WaiverRuleID] {
		if f.Status != evaluate.StatusFail || f.Severity != "low" || f.Object.Type != "waiver" {
			t.Errorf("meta finding %+v", f)
		}
		unmatched[f.Object.ID] = f.Message
	}
	if len(unmatched) != 2 || !strings.Contains(unmatched["W-STALE"], "demo-waivers.yaml:14") || !strings.Contains(unmatched["W-TYPO"], "EXR-MBX-077 is not in the catalog") {
		t.Errorf("unmatched waivers reported as %v", unmatched)
	}
	counts := map[string]evaluate.RuleResult{}
	for _, r := range rep.Rules {
		counts[r.ID] = r
	}
	if r := counts["EXR-MBX-007"]; r.Status != evaluate.StatusWaived || r.Counts.Waived != 1 || r.Counts.Failed != 0 {
		t.Errorf("MBX-007 rule result %+v", r)
	}
	if r := counts[evaluate.WaiverRuleID]; r.Status != evaluate.StatusFail || r.Counts.Checked != 5 || r.Counts.Failed != 2 {
		t.Errorf("meta rule result %+v", r)
	}
	if rep.Summary.ByStatus["waived"] != 2 {
		t.Errorf("by status %v", rep.Summary.ByStatus)
	}
	found := false
	for _, f := range rep.Inputs.Files {
		if f.Source == "waivers" && f.Path == "demo-waivers.yaml" && f.SHA256 == ws.SHA256 {
			found = true
		}
	}
	if !found {
		t.Errorf("waivers file not in the evidence manifest: %+v", rep.Inputs.Files)
	}
	if rows := rep.Inventory.Sections["waivers"]; len(rows) != 5 {
		t.Errorf("waivers section: %v", rows)
	}
	for _, f := range byRule["EXR-DEP-005"] {
		if f.Status == evaluate.StatusWaived {
			t.Errorf("W-STALE waived %s", f.Object.ID)
		}
	}
}

func TestWaiverAppliesThroughItsExpiryDay(t *testing.T) {
	ws, err := evaluate.ParseWaivers("w.yaml", []byte("waivers:\n  - {id: W, rule: EXR-GOV-002, object: tenant, reason: r, owner: o, expires: 2026-11-20}\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t)
	for _, tc := range []struct {
		at   time.Time
		want evaluate.Status
	}{
		{time.Date(2026, 11, 20, 23, 59, 59, 0, time.UTC), evaluate.StatusWaived},
		{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), evaluate.StatusFail},
	} {
		rep, err := e.Evaluate(t.Context(), evaluate.RunOptions{Snapshot: fixtures.DemoSnapshot(), Clock: func() time.Time { return tc.at }, Waivers: ws})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.RuleID == "EXR-GOV-002" && f.Status != tc.want {
				t.Errorf("at %s: status %s, want %s", tc.at, f.Status, tc.want)
			}
		}
	}
}
