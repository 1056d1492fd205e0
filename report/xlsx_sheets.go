package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// evidenceCellLimit keeps the evidence column readable; longer evidence is
// cut with the marker and stays whole in findings.json.
const evidenceCellLimit = 300

// Findings columns: what a reader of the printed page needs comes first
// (the print area stops after Evidence); identifiers and links follow.
var findingColumns = []column{
	{"Rule", 12, false},
	{"Severity", 9, false},
	{"Status", 8, false},
	{"Object", 24, true},
	{"Message", 46, true},
	{"Remediation (PowerShell)", 52, true},
	{"Evidence", 46, true},
	{"Object type", 11, false},
	{"Object ID", 24, true},
	{"Object DN", 34, true},
	{"Title", 30, true},
	{"Category", 12, false},
	{"References", 34, true},
	{"Waiver", 24, true},
	{"UID", 34, false},
}

const findingsPrintCols = 7

func (b *book) findings() error {
	s, err := b.newSheet(sheetFindings, findingColumns, sheetLayout{frozenCols: 1, printCols: findingsPrintCols})
	if err != nil {
		return err
	}
	for i := range b.r.Findings {
		f := &b.r.Findings[i]
		s.set(0, f.RuleID)
		s.set(1, f.Severity, b.st.severity[f.Severity])
		s.set(2, string(f.Status), b.st.status[f.Status])
		s.set(3, nonEmpty(f.Object.DisplayName, f.Object.ID))
		s.set(4, f.Message)
		s.set(5, f.Remediation, b.st.mono)
		if len(f.Evidence) > 0 {
			s.set(6, clip(compactJSON(f.Evidence), evidenceCellLimit), b.st.small)
		}
		s.set(7, f.Object.Type)
		s.set(8, f.Object.ID)
		s.set(9, f.Object.DN)
		s.set(10, f.Title)
		s.set(11, f.Category)
		s.set(12, strings.Join(f.References, "\n"))
		s.set(13, waiverText(f.Waiver))
		s.set(14, f.UID)
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close("No findings: no rule was evaluated.")
}

func waiverText(w *evaluate.WaiverRef) string {
	if w == nil {
		return ""
	}
	t := w.ID
	if w.Expired {
		t += " (expired " + w.Expires + ")"
	} else if w.Expires != "" {
		t += " (until " + w.Expires + ")"
	}
	return t
}

var ruleColumns = []column{
	{"Rule", 13, false},
	{"Title", 36, true},
	{"Severity", 10, false},
	{"Category", 13, false},
	{"Status", 9, false},
	{"Checked", 9, false},
	{"Failed", 8, false},
	{"Passed", 8, false},
	{"Errors", 8, false},
	{"Waived", 8, false},
	{"Blocks flip", 8, false},
	{"Requires (sources)", 26, true},
	{"Description", 50, true},
	{"Remediation", 50, true},
	{"References", 36, true},
	{"Policy", 30, true},
}

func (b *book) rules() error {
	s, err := b.newSheet(sheetRules, ruleColumns, sheetLayout{frozenCols: 1, printCols: 12})
	if err != nil {
		return err
	}
	for i := range b.r.Rules {
		r := &b.r.Rules[i]
		s.set(0, r.ID)
		s.set(1, r.Title)
		s.set(2, r.Severity, b.st.severity[r.Severity])
		s.set(3, r.Category)
		s.set(4, string(r.Status), b.st.status[r.Status])
		s.setValue(5, r.Counts.Checked)
		s.setValue(6, r.Counts.Failed)
		s.setValue(7, r.Counts.Passed)
		s.setValue(8, r.Counts.Errors)
		s.setValue(9, r.Counts.Waived)
		s.setBool(10, r.BlocksFlip)
		s.set(11, strings.Join(r.Requires, "\n"))
		s.set(12, r.Description)
		s.set(13, r.Remediation)
		s.set(14, strings.Join(r.References, "\n"))
		s.set(15, strings.TrimSpace(r.Package+"\n"+r.File))
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close("No rules were loaded.")
}

var waiverColumns = []column{
	{"Waiver", 18, false},
	{"Rule", 13, false},
	{"Severity", 10, false},
	{"Status", 9, false},
	{"Object", 30, true},
	{"Reason", 44, true},
	{"Owner", 20, true},
	{"Expires", 12, false},
	{"Expired", 9, false},
	{"Finding UID", 14, false},
	{"Message", 50, true},
}

func (b *book) waivers() error {
	s, err := b.newSheet(sheetWaivers, waiverColumns, sheetLayout{})
	if err != nil {
		return err
	}
	for i := range b.r.Findings {
		f := &b.r.Findings[i]
		w := f.Waiver
		if w == nil {
			continue
		}
		s.set(0, w.ID)
		s.set(1, f.RuleID)
		s.set(2, f.Severity, b.st.severity[f.Severity])
		s.set(3, string(f.Status), b.st.status[f.Status])
		s.set(4, objectText(f.Object))
		s.set(5, w.Reason)
		s.set(6, w.Owner)
		s.set(7, w.Expires)
		expired := 0
		if w.Expired {
			expired = b.st.status[evaluate.StatusFail]
		}
		s.setBool(8, w.Expired, expired)
		s.set(9, f.UID)
		s.set(10, f.Message)
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close("No waivers applied to this scan.")
}

// objectText names an object in one cell: display name, then id.
func objectText(o evaluate.Object) string {
	switch {
	case o.DisplayName != "" && o.DisplayName != o.ID:
		return o.DisplayName + " (" + o.ID + ")"
	case o.ID != "":
		return o.ID
	}
	return o.Type
}

var evidenceColumns = []column{
	{"Kind", 14, false},
	{"Name", 40, true},
	{"Source", 10, false},
	{"Status", 12, false},
	{"SHA-256", 68, false},
	{"Bytes", 12, false},
	{"Detail", 60, true},
}

// evidence lists every input with its hash, the policy pack and the
// collection status of each source, so a finding can be traced to what was
// read.
func (b *book) evidence() error {
	s, err := b.newSheet(sheetEvidence, evidenceColumns, sheetLayout{})
	if err != nil {
		return err
	}
	r := b.r
	row := func(kind, name, source, status string, statusStyle int, sha string, bytes *int64, detail string) error {
		s.set(0, kind)
		s.set(1, name)
		s.set(2, source)
		s.set(3, status, statusStyle)
		s.set(4, sha)
		if bytes != nil {
			s.setValue(5, *bytes)
		}
		s.set(6, detail)
		return s.next()
	}
	good, bad := b.st.status[evaluate.StatusPass], b.st.status[evaluate.StatusError]
	complete, completeStyle := "complete", good
	if !r.Complete {
		complete, completeStyle = "partial", bad
	}
	phases := make([]string, 0, len(r.Timings.Phases))
	for _, k := range slices.Sorted(maps.Keys(r.Timings.Phases)) {
		phases = append(phases, fmt.Sprintf("%s %d ms", k, r.Timings.Phases[k]))
	}
	if err := row("scan", r.ScanID, "", complete, completeStyle, "", nil,
		fmt.Sprintf("started %s, finished %s; %s; redacted: %t", timeText(r.Timings.StartedAt), timeText(r.Timings.FinishedAt),
			strings.Join(phases, ", "), r.Redacted)); err != nil {
		return err
	}
	if err := row("tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version), "", "", 0, "", nil, "commit "+r.Tool.Commit); err != nil {
		return err
	}
	snap := r.Inputs.Snapshot
	if err := row("snapshot", fmt.Sprintf("snapshot (schema v%d)", snap.SchemaVersion), "", "", 0, snap.SHA256, &snap.Bytes,
		fmt.Sprintf("collected %s; tenant %s; forest %s", timeText(snap.CollectedAt), orDash(snap.Tenant), orDash(snap.Forest))); err != nil {
		return err
	}
	pp := r.PolicyPack
	if err := row("policy pack", "version "+pp.Version, "", "", 0, pp.SHA256, nil,
		fmt.Sprintf("%d rules from %s", pp.Rules, strings.Join(pp.Sources, ", "))); err != nil {
		return err
	}
	if c := r.Changes; c != nil {
		bl := c.Baseline
		if err := row("baseline", nonEmpty(bl.Path, "scan "+bl.ScanID), "", "", 0, bl.SHA256, &bl.Bytes,
			fmt.Sprintf("scan %s finished %s; snapshot %s; policy pack %s sha256 %s; complete: %t",
				bl.ScanID, timeText(bl.FinishedAt), orDash(bl.SnapshotSHA256), bl.PolicyVersion, orDash(bl.PolicySHA256), bl.Complete)); err != nil {
			return err
		}
	}
	for _, f := range r.Inputs.Files {
		if err := row("input file", f.Path, f.Source, "", 0, f.SHA256, &f.Bytes, ""); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Inputs.Sources)) {
		src := r.Inputs.Sources[name]
		status, style := "not collected", b.st.status[evaluate.StatusWaived]
		switch {
		case src.Collected && src.Complete:
			status, style = "complete", good
		case src.Collected:
			status, style = "partial", bad
		}
		if err := row("source", name, name, status, style, "", nil,
			strings.TrimSpace(fmt.Sprintf("method %s; origin %s", orDash(src.Method), orDash(src.Origin)))); err != nil {
			return err
		}
		for _, e := range src.Errors {
			if err := row("source error", name, name, "error", bad, "", nil, e); err != nil {
				return err
			}
		}
	}
	return s.close("")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
