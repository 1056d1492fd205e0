package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/exoready/exoready/evaluate"
)

func render(t *testing.T, format string, r *evaluate.Report) []byte {
	t.Helper()
	w, err := New(format, Options{TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(t.Context(), &buf, r); err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	return buf.Bytes()
}

func TestWritersLeaveReportAlone(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			r := sampleReport()
			before := snapshotJSON(t, r)
			render(t, format, r)
			if after := snapshotJSON(t, r); after != before {
				t.Errorf("%s writer modified the report", format)
			}
		})
	}
}

func TestRegistryKnowsEveryFormat(t *testing.T) {
	for _, format := range []string{"json", "xlsx", "sarif", "csv", "markdown"} {
		if _, err := New(format, Options{}); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}

// validateSARIF checks a document against the OASIS SARIF 2.1.0 schema
// (testdata/sarif-schema-2.1.0.json, see its NOTICE), formats included.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatalf("SARIF schema does not compile: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF output does not validate against the 2.1.0 schema: %v", err)
	}
}

// goldenReport is sampleReport without the over-long text, which the xlsx
// truncation test covers, so golden files stay readable.
func goldenReport() *evaluate.Report {
	r := sampleReport()
	r.Findings[3].Evidence = map[string]any{"wait_until": "2026-11-21T11:30:00Z"}
	r.Findings[6].Message = "Two primary SMTP addresses."
	return r
}

func TestSARIFGolden(t *testing.T) {
	r := goldenReport()
	out := render(t, "sarif", r)
	golden(t, "findings.sarif.golden", out)

	validateSARIF(t, out)

	var raw struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string `json:"id"`
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Kind                string            `json:"kind"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Suppressions        []struct {
					Kind string `json:"kind"`
				} `json:"suppressions"`
				Locations []struct {
					LogicalLocations []struct {
						Name               string `json:"name"`
						FullyQualifiedName string `json:"fullyQualifiedName"`
						Kind               string `json:"kind"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Version != "2.1.0" || len(raw.Runs) != 1 {
		t.Fatalf("version %q, %d runs", raw.Version, len(raw.Runs))
	}
	run := raw.Runs[0]
	if run.Tool.Driver.Name != "exoready" || len(run.Tool.Driver.Rules) != len(r.Rules) {
		t.Fatalf("driver %q with %d rules, want exoready with %d", run.Tool.Driver.Name, len(run.Tool.Driver.Rules), len(r.Rules))
	}
	for i, rule := range run.Tool.Driver.Rules {
		if rule.ID != r.Rules[i].ID || rule.DefaultConfiguration.Level != sarifLevel(r.Rules[i].Severity) {
			t.Errorf("rule %d = %+v", i, rule)
		}
	}
	// One result per non-pass finding, in report order.
	var want []evaluate.Finding
	for _, f := range r.Findings {
		if f.Status != evaluate.StatusPass {
			want = append(want, f)
		}
	}
	if len(run.Results) != len(want) {
		t.Fatalf("%d results, want %d (every fail, error and waived finding)", len(run.Results), len(want))
	}
	wantLevel := map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
	for i, res := range run.Results {
		f := want[i]
		if res.RuleID != f.RuleID || run.Tool.Driver.Rules[res.RuleIndex].ID != f.RuleID {
			t.Errorf("result %d: rule %s index %d, want %s", i, res.RuleID, res.RuleIndex, f.RuleID)
		}
		if res.PartialFingerprints[sarifFingerprint] != f.UID {
			t.Errorf("result %d: fingerprint %v, want uid %s", i, res.PartialFingerprints, f.UID)
		}
		switch f.Status {
		case evaluate.StatusError:
			if res.Kind != "open" || res.Level != "none" {
				t.Errorf("not assessed result %d: kind %s level %s", i, res.Kind, res.Level)
			}
		default:
			if res.Kind != "fail" || res.Level != wantLevel[f.Severity] {
				t.Errorf("result %d (%s): kind %s level %s", i, f.Severity, res.Kind, res.Level)
			}
		}
		if (f.Status == evaluate.StatusWaived) != (len(res.Suppressions) == 1) {
			t.Errorf("result %d (%s): %d suppressions", i, f.Status, len(res.Suppressions))
		}
		if len(res.Locations) != 1 || len(res.Locations[0].LogicalLocations) != 1 {
			t.Fatalf("result %d: locations %+v", i, res.Locations)
		}
		ll := res.Locations[0].LogicalLocations[0]
		if ll.Kind != "resource" || !strings.HasPrefix(ll.FullyQualifiedName, f.Object.Type+"/") {
			t.Errorf("result %d: logical location %+v", i, ll)
		}
		if res.Message.Text != f.Message {
			t.Errorf("result %d: message differs", i)
		}
	}
}

func TestCSVGolden(t *testing.T) {
	r := goldenReport()
	out := render(t, "csv", r)
	golden(t, "findings.csv.golden", out)

	if !bytes.Contains(out, []byte("\r\n")) {
		t.Error("records do not end with CRLF (RFC 4180)")
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("findings.csv does not parse: %v", err)
	}
	if len(recs) != len(r.Findings)+1 || !slices.Equal(recs[0], csvHeader) {
		t.Fatalf("%d records, header %q", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range csvHeader {
		col[h] = i
	}
	for i, f := range r.Findings {
		rec := recs[i+1]
		checks := map[string]string{"uid": f.UID, "message": f.Message, "object_name": f.Object.DisplayName, "remediation": f.Remediation}
		for k, v := range checks {
			got := rec[col[k]]
			if want := csvSafe(v); got != want {
				t.Errorf("finding %d %s = %q, want %q", i, k, got, want)
			}
			// Nothing a spreadsheet would run survives unprefixed.
			if got != "" && strings.ContainsAny(got[:1], "=+-@\t\r") {
				t.Errorf("finding %d %s starts with a formula character: %q", i, k, got)
			}
		}
	}
	for _, v := range formulaInjections {
		if got := csvSafe(v); got != "'"+v {
			t.Errorf("csvSafe(%q) = %q", v, got)
		}
	}
	if got := csvSafe("plain = text"); got != "plain = text" {
		t.Errorf("csvSafe changed safe text: %q", got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	r := goldenReport()
	out := render(t, "markdown", r)
	golden(t, "summary.md.golden", out)
	s := string(out)
	for _, want := range []string{
		"NOT READY to decommission",
		"⚠️ partial",
		"| EXR-DEP-001 | critical |",
		"## Not assessed",
		"| EXR-MBX-003 | Offboarding move on a cloud-managed mailbox | not assessed: Get-MoveRequest.json missing: export it with Get-MoveRequest \\| ConvertTo-Json -Depth 5 |",
		"1 finding waived",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	// Critical rules come first, then by failed objects.
	if strings.Index(s, "| EXR-MBX-001 |") > strings.Index(s, "| EXR-GOV-001 |") {
		t.Error("critical rule listed after a high one")
	}
	if strings.Index(s, "| EXR-MBX-001 |") > strings.Index(s, "| EXR-DEP-001 |") {
		t.Error("rule with 2 failed objects listed after one with 1")
	}
	// Every table row keeps its column count: escaped pipes do not split cells.
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "| EXR-") {
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells != 4 && cells != 5 {
				t.Errorf("row has %d separators: %s", cells, line)
			}
		}
	}
	if md("a|b\n<script>*x*") != `a\|b &lt;script&gt;\*x\*` {
		t.Errorf("md escaping = %q", md("a|b\n<script>*x*"))
	}
}

func TestMarkdownReadyAndComplete(t *testing.T) {
	r := &evaluate.Report{Complete: true}
	r.Summary.Verdicts.Decommission = evaluate.DecommissionVerdict{Ready: true, Text: "READY to decommission: no critical rule fails"}
	r.Summary.Verdicts.Flip = evaluate.FlipVerdict{Text: "0 of 0 synced mailboxes cloud-managed", ByState: map[string]int{}}
	s := string(render(t, "markdown", r))
	for _, want := range []string{"**Decommission:** ✅ READY", "✅ complete"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Top failing rules") || strings.Contains(s, "Not assessed") {
		t.Error("clean report lists failing or unassessed rules")
	}
}

func TestSARIFBaselineState(t *testing.T) {
	r := withChanges()
	out := render(t, "sarif", r)
	validateSARIF(t, out)
	var doc struct {
		Runs []struct {
			Results []struct {
				BaselineState       string            `json:"baselineState"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, res := range doc.Runs[0].Results {
		states[res.PartialFingerprints[sarifFingerprint]] = res.BaselineState
	}
	if got := states[r.Findings[1].UID]; got != "new" {
		t.Errorf("newly failing finding has baselineState %q, want new", got)
	}
	if got := states[r.Findings[0].UID]; got != "unchanged" {
		t.Errorf("finding failing in both scans has baselineState %q, want unchanged", got)
	}
	// Without a baseline the property is left out.
	if bytes.Contains(render(t, "sarif", sampleReport()), []byte("baselineState")) {
		t.Error("baselineState written without a baseline")
	}
}
