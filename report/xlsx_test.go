package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
)

func writeXLSX(t *testing.T, r *evaluate.Report) ([]byte, *excelize.File) {
	t.Helper()
	var buf bytes.Buffer
	w, err := New("xlsx", Options{TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(t.Context(), &buf, r); err != nil {
		t.Fatalf("write xlsx: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("open written workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return buf.Bytes(), f
}

func headers(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.header
	}
	return out
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rs
}

func TestXLSXSheetsHeadersAndRows(t *testing.T) {
	r := sampleReport()
	_, f := writeXLSX(t, r)

	want := []string{"Summary", "Findings", "Mailboxes", "Permissions", "Dependencies", "Rules", "Waivers", "Evidence"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	permHeaders := []string{"Principal", "Display name", "Principal type", "Role", "Granted via (chain)", "Scope", "Source", "Rule", "Assignment", "Details"}
	depHeaders := []string{"Order", "Type", "Name", "Rule", "Action", "ID", "DN", "Details"}
	tests := []struct {
		sheet      string
		headers    []string
		rows       int // data rows under the header
		frozenCols int
		printArea  string // "" = the whole sheet prints
	}{
		{"Findings", headers(findingColumns), len(r.Findings), 1, "$A:$G"},
		{"Mailboxes", headers(mailboxColumns[:]), len(r.Inventory.Mailboxes), 1, "$A:$J"},
		{"Permissions", permHeaders, 3, 1, ""},
		{"Dependencies", depHeaders, 4, 1, "$A:$E"},
		{"Rules", headers(ruleColumns), len(r.Rules), 1, "$A:$L"},
		{"Waivers", headers(waiverColumns), 1, 0, ""},
		// scan, tool, snapshot, policy pack, 3 files, 3 sources, 1 source error
		{"Evidence", headers(evidenceColumns), 11, 0, ""},
	}
	printAreas := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Area" {
			printAreas[dn.Scope] = dn.RefersTo
		}
	}
	for _, tt := range tests {
		t.Run(tt.sheet, func(t *testing.T) {
			rs := rows(t, f, tt.sheet)
			if len(rs) != tt.rows+1 {
				t.Fatalf("%d rows, want header + %d", len(rs), tt.rows)
			}
			if !slices.Equal(rs[0], tt.headers) {
				t.Errorf("header = %q, want %q", rs[0], tt.headers)
			}
			panes, err := f.GetPanes(tt.sheet)
			if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != tt.frozenCols {
				t.Errorf("want header row and %d columns frozen: %+v %v", tt.frozenCols, panes, err)
			}
			if got, want := printAreas[tt.sheet], tt.printArea; (want == "" && got != "") || (want != "" && !strings.HasSuffix(got, "!"+want)) {
				t.Errorf("print area = %q, want %q", got, want)
			}
			tables, err := f.GetTables(tt.sheet)
			if err != nil || len(tables) != 1 {
				t.Fatalf("tables = %+v, %v; want one table with filter buttons", tables, err)
			}
			last, _ := excelize.CoordinatesToCellName(len(tt.headers), tt.rows+1)
			if tables[0].Range != "A1:"+last {
				t.Errorf("table range %s, want A1:%s", tables[0].Range, last)
			}
			pl, err := f.GetPageLayout(tt.sheet)
			if err != nil || *pl.Orientation != "landscape" || *pl.FitToWidth != 1 || *pl.FitToHeight != 0 {
				t.Errorf("page layout = %+v, %v; want landscape, one page wide", pl, err)
			}
			props, err := f.GetSheetProps(tt.sheet)
			if err != nil || props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("fit to page not set: %v", err)
			}
		})
	}

	// Print titles repeat the header row on every printed page.
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = true
			if !strings.HasSuffix(dn.RefersTo, "!$1:$1") {
				t.Errorf("print titles of %s refer to %s", dn.Scope, dn.RefersTo)
			}
		}
	}
	for _, tt := range tests {
		if !titles[tt.sheet] {
			t.Errorf("%s has no print titles", tt.sheet)
		}
	}

	// Dependencies are in removal order; a row without order comes last,
	// and its unknown keys land in Details.
	dep := rows(t, f, "Dependencies")
	var names []string
	for _, row := range dep[1:] {
		names = append(names, row[2])
	}
	if want := []string{"Hybrid Configuration", "HybridIOC - 1234", "O365 to On-Premises - 1234", "EX01"}; !slices.Equal(names, want) {
		t.Errorf("dependency order = %q, want %q", names, want)
	}
	if got := dep[4][7]; got != `{"build":"15.2.1544.4"}` {
		t.Errorf("details of EX01 = %q", got)
	}
	// The source report keeps its own order.
	if r.Inventory.Sections["dependencies"][0]["name"] != "O365 to On-Premises - 1234" {
		t.Error("writer reordered the report's dependencies")
	}

	perm := rows(t, f, "Permissions")
	if got := perm[1][4]; got != "Organization Management → Mail Recipients" {
		t.Errorf("chain = %q", got)
	}
	if got := perm[2][9]; got != `{"assignment_id":"ra-1"}` {
		t.Errorf("details = %q", got)
	}
}

// ref is the cell under the header named header, in row row.
func ref(t *testing.T, f *excelize.File, sheet, header string, row int) string {
	t.Helper()
	rs := rows(t, f, sheet)
	for i, h := range rs[0] {
		if h == header {
			c, _ := excelize.CoordinatesToCellName(i+1, row)
			return c
		}
	}
	t.Fatalf("%s has no column %q", sheet, header)
	return ""
}

func fillOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

func TestXLSXStyles(t *testing.T) {
	_, f := writeXLSX(t, sampleReport())
	// Findings row 2 is the first (critical, failing) finding, row 3 a high one.
	sev, status, rule := ref(t, f, "Findings", "Severity", 2), ref(t, f, "Findings", "Status", 2), ref(t, f, "Findings", "Rule", 2)
	if v, _ := f.GetCellValue("Findings", sev); v != "critical" {
		t.Fatalf("%s = %q, want critical", sev, v)
	}
	if got := fillOf(t, f, "Findings", sev); got != severityColours["critical"].fill {
		t.Errorf("critical severity fill = %q, want %s", got, severityColours["critical"].fill)
	}
	if got := fillOf(t, f, "Findings", ref(t, f, "Findings", "Severity", 3)); got != severityColours["high"].fill {
		t.Errorf("high severity fill = %q", got)
	}
	if got := fillOf(t, f, "Findings", status); got != statusColours[evaluate.StatusFail].fill {
		t.Errorf("fail status fill = %q", got)
	}
	if got := fillOf(t, f, "Findings", rule); got != "" {
		t.Errorf("plain cell has fill %q", got)
	}
	// Rows with wrapped text are sized to it: the two-line remediation of
	// row 4 needs more than one line.
	if h, err := f.GetRowHeight("Findings", 4); err != nil || h < 2*smallLineHeight {
		t.Errorf("row 4 height %v (%v), want room for two lines", h, err)
	}

	// Mailboxes: Adele drifts on addresses, hidden flag and custom attributes.
	col := func(i int) string { n, _ := excelize.ColumnNumberToName(i + 1); return n }
	for _, c := range []int{mbProxyAD, mbProxyEXO, mbHiddenAD, mbHiddenEXO, mbCustomAD, mbCustomEXO} {
		if got := fillOf(t, f, "Mailboxes", col(c)+"2"); got != driftColours.fill {
			t.Errorf("drifting %s2 (%s) fill = %q, want %s", col(c), mailboxColumns[c].header, got, driftColours.fill)
		}
	}
	for _, c := range []int{mbUPNAD, mbTypeAD, mbExtensionAD} {
		if got := fillOf(t, f, "Mailboxes", col(c)+"2"); got != "" {
			t.Errorf("non-drifting %s2 has fill %q", col(c), got)
		}
	}
	if got := fillOf(t, f, "Mailboxes", col(mbReadiness)+"5"); got != readinessColours[evaluate.ReadyBlocked].fill {
		t.Errorf("blocked readiness fill = %q", got)
	}
	checks := map[int]string{
		mbCustomAD:     "3: HR; 10: x",
		mbCustomEXO:    "3: Finance",
		mbProxyAD:      "SMTP:adele@contoso.test; smtp:adele@contoso.mail.onmicrosoft.com",
		mbHiddenAD:     "no",
		mbHiddenEXO:    "yes",
		mbReadiness:    "ready now",
		mbDrift:        "EmailAddresses, HiddenFromAddressListsEnabled, CustomAttribute3",
		mbCloudManaged: "no",
	}
	for c, want := range checks {
		if got, _ := f.GetCellValue("Mailboxes", col(c)+"2"); got != want {
			t.Errorf("%s (%s) = %q, want %q", col(c), mailboxColumns[c].header, got, want)
		}
	}
	if got, _ := f.GetCellValue("Mailboxes", col(mbWaitUntil)+"3"); got != "2026-11-21T11:30:00Z" {
		t.Errorf("wait until = %q", got)
	}
}

// TestXLSXNoFormulas proves hostile text is stored as text: read back
// verbatim, typed as a string, and no worksheet in the package holds a
// formula element at all.
func TestXLSXNoFormulas(t *testing.T) {
	r := sampleReport()
	r.Inputs.Snapshot.Tenant = formulaInjections[0]
	data, f := writeXLSX(t, r)

	cells := []struct{ sheet, cell, want string }{
		{"Findings", ref(t, f, "Findings", "Object", 3), formulaInjections[0]},
		{"Findings", ref(t, f, "Findings", "Message", 3), formulaInjections[1]},
		{"Findings", ref(t, f, "Findings", "Message", 4), formulaInjections[2]},
		{"Findings", ref(t, f, "Findings", "Message", 5), formulaInjections[3]},
		{"Mailboxes", ref(t, f, "Mailboxes", "Display name", 4), `=HYPERLINK("http://evil.example")`},
		{"Permissions", ref(t, f, "Permissions", "Display name", 4), "@SUM(1)"},
	}
	for _, c := range cells {
		got, err := f.GetCellValue(c.sheet, c.cell)
		if err != nil || got != c.want {
			t.Errorf("%s!%s = %q, %v; want %q", c.sheet, c.cell, got, err, c.want)
		}
		if formula, _ := f.GetCellFormula(c.sheet, c.cell); formula != "" {
			t.Errorf("%s!%s has formula %q", c.sheet, c.cell, formula)
		}
		typ, _ := f.GetCellType(c.sheet, c.cell)
		if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s!%s has type %v, want a string type", c.sheet, c.cell, typ)
		}
	}
	// The Summary (written cell by cell) names the tenant as text too.
	found := false
	rs := rows(t, f, "Summary")
	for i, row := range rs {
		if len(row) > 1 && row[0] == "Tenant" {
			found = row[1] == formulaInjections[0]
			cell, _ := excelize.CoordinatesToCellName(2, i+1)
			if formula, _ := f.GetCellFormula("Summary", cell); formula != "" {
				t.Errorf("Summary!%s has formula %q", cell, formula)
			}
		}
	}
	if !found {
		t.Error("Summary does not show the tenant verbatim")
	}

	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	formulaElem := regexp.MustCompile(`<f[ >/]`)
	sheets := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		sheets++
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if loc := formulaElem.FindIndex(b); loc != nil {
			t.Errorf("%s holds a formula: %s", zf.Name, b[max(0, loc[0]-80):min(len(b), loc[1]+80)])
		}
	}
	if sheets != 8 {
		t.Errorf("found %d worksheets in the package, want 8", sheets)
	}
}

func TestXLSXTruncatesLongText(t *testing.T) {
	r := sampleReport()
	_, f := writeXLSX(t, r)
	// The medium finding (row 8) carries longText as its message.
	got, err := f.GetCellValue("Findings", ref(t, f, "Findings", "Message", 8))
	if err != nil {
		t.Fatal(err)
	}
	if n := utf16Len(got); n > excelCellLimit {
		t.Errorf("cell holds %d UTF-16 units, over Excel's %d", n, excelCellLimit)
	}
	if !strings.HasSuffix(got, truncatedMarker) {
		t.Errorf("truncated cell does not end with the marker: …%q", got[max(0, len(got)-60):])
	}
	kept := strings.TrimSuffix(got, truncatedMarker)
	if !strings.HasPrefix(longText, kept) || strings.ContainsRune(kept, '😀') {
		t.Errorf("kept text is not a prefix cut before the surrogate pair (%d bytes kept)", len(kept))
	}
	if utf16Len(kept)+utf16Len(truncatedMarker) != excelCellLimit-1 {
		t.Errorf("kept %d units; want the cut right before the two-unit character", utf16Len(kept))
	}
	// Evidence is shortened for reading; the report keeps it whole.
	ev, _ := f.GetCellValue("Findings", ref(t, f, "Findings", "Evidence", 5))
	if utf16Len(ev) > evidenceCellLimit || !strings.HasSuffix(ev, truncatedMarker) {
		t.Errorf("evidence cell has %d units and ends %q", utf16Len(ev), ev[max(0, len(ev)-50):])
	}
	if r.Findings[6].Message != longText {
		t.Error("writer modified the report's message")
	}
}

func TestXLSXSummary(t *testing.T) {
	r := sampleReport()
	data, f := writeXLSX(t, r)
	rs := rows(t, f, "Summary")
	values := map[string]string{}
	for _, row := range rs {
		if len(row) > 1 {
			values[row[0]] = row[1]
		}
	}
	checks := map[string]string{
		"Ready to decommission the last Exchange server?": r.Summary.Verdicts.Decommission.Text,
		"Mailboxes ready to flip to cloud management?":    r.Summary.Verdicts.Flip.Text,
		"Tenant":              "Contoso Ltd",
		"AD forest":           "corp.contoso.test",
		"Policy pack SHA-256": r.PolicyPack.SHA256,
		"Snapshot SHA-256":    r.Inputs.Snapshot.SHA256,
		"critical":            "3",
		"fail":                "5",
		"ready now":           "1",
		"EXR-MBX-003":         "Offboarding move on a cloud-managed mailbox: " + r.Findings[5].Message,
		"Redacted":            "no: names and addresses appear as collected",
	}
	for k, want := range checks {
		if values[k] != want {
			t.Errorf("Summary %q = %q, want %q", k, values[k], want)
		}
	}
	if !strings.HasPrefix(values["Evidence"], "PARTIAL") {
		t.Errorf("incomplete scan not flagged: %q", values["Evidence"])
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Errorf("%d charts, want 2 (severity, readiness)", charts)
	}
	if got := fillOf(t, f, "Summary", "B5"); got != statusColours[evaluate.StatusFail].fill {
		t.Errorf("NOT READY verdict fill = %q", got)
	}
}

func TestXLSXEmptyReport(t *testing.T) {
	_, f := writeXLSX(t, &evaluate.Report{})
	for _, sheet := range []string{"Findings", "Mailboxes", "Permissions", "Dependencies", "Rules", "Waivers"} {
		rs := rows(t, f, sheet)
		if len(rs) != 2 || len(rs[1]) == 0 || rs[1][0] == "" {
			t.Errorf("%s: want header and a note, got %q", sheet, rs)
		}
	}
}

func TestXLSXCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w, _ := New("xlsx", Options{})
	if err := w.Write(ctx, io.Discard, sampleReport()); err == nil {
		t.Fatal("write with a cancelled context succeeded")
	}
}

// withChanges is sampleReport compared, with evaluate.Diff, to a baseline
// in which the GOV-001 finding passed and a since-fixed finding failed.
func withChanges() *evaluate.Report {
	cur := sampleReport()
	base := sampleReport()
	base.ScanID = "0000baseline0000"
	base.Findings[1].Status = evaluate.StatusPass
	base.Findings = append(base.Findings, evaluate.Finding{
		UID: "ffff0000ffff0000ffff0000ffff0000", RuleID: "EXR-DEP-001", Title: "Mailboxes still hosted on-premises",
		Severity: "critical", Status: evaluate.StatusFail, Object: evaluate.Object{Type: "mailbox", ID: "ad:old", DisplayName: "Old Mailbox"},
		Message: "Mailbox Old Mailbox is hosted on-premises.",
	})
	cur.Changes = evaluate.Diff(base, cur)
	cur.Changes.Baseline.Path = "baseline/findings.json"
	cur.Changes.Baseline.SHA256 = strings.Repeat("ef", 32)
	cur.Changes.Baseline.Bytes = 4242
	return cur
}

func TestXLSXChanges(t *testing.T) {
	r := withChanges()
	if r.Changes.Counts.New != 1 || r.Changes.Counts.Resolved != 1 {
		t.Fatalf("fixture: %+v", r.Changes.Counts)
	}
	_, f := writeXLSX(t, r)
	want := []string{"Summary", "Findings", "Changes", "Mailboxes", "Permissions", "Dependencies", "Rules", "Waivers", "Evidence"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	rs := rows(t, f, "Changes")
	if !slices.Equal(rs[0], headers(changeColumns)) {
		t.Fatalf("Changes header = %q", rs[0])
	}
	col := func(h string) int { return slices.Index(rs[0], h) }
	kinds := map[string]string{}
	entries := 0
	for i, row := range rs[1:] {
		if row[0] == "baseline" {
			continue
		}
		entries++
		kinds[row[0]] = row[1]
		if row[0] == evaluate.ChangeNew {
			if got := fillOf(t, f, "Changes", ref(t, f, "Changes", "Change", i+2)); got != statusColours[evaluate.StatusFail].fill {
				t.Errorf("new change fill = %q", got)
			}
			if row[col("Status")] != "fail" || !strings.HasSuffix(row[col("Before")], "pass") {
				t.Errorf("new change now/before = %q/%q", row[col("Status")], row[col("Before")])
			}
		}
	}
	if entries != len(r.Changes.Entries) {
		t.Errorf("%d change rows, want %d", entries, len(r.Changes.Entries))
	}
	if kinds[evaluate.ChangeNew] != "EXR-GOV-001" || kinds[evaluate.ChangeResolved] != "EXR-DEP-001" {
		t.Errorf("changes = %v", kinds)
	}
	found := false
	for _, row := range rows(t, f, "Summary") {
		if len(row) > 1 && row[0] == "Compared with 0000baseline0000" {
			found = strings.HasPrefix(row[1], r.Changes.Text())
		}
	}
	if !found {
		t.Error("Summary does not state the comparison")
	}
	ev := rows(t, f, "Evidence")
	found = false
	for _, row := range ev {
		if row[0] == "baseline" {
			found = row[1] == "baseline/findings.json" && row[4] == strings.Repeat("ef", 32)
		}
	}
	if !found {
		t.Error("Evidence does not list the baseline file with its hash")
	}
}

// TestXLSXFromFindingsJSON proves the workbook needs nothing findings.json
// lacks: a report read back from its JSON renders every sheet the same.
func TestXLSXFromFindingsJSON(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := (jsonWriter{}).Write(t.Context(), &buf, r); err != nil {
		t.Fatal(err)
	}
	var back evaluate.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	_, direct := writeXLSX(t, r)
	_, reread := writeXLSX(t, &back)
	for _, sheet := range direct.GetSheetList() {
		a, b := rows(t, direct, sheet), rows(t, reread, sheet)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs after a trip through findings.json:\n%q\n%q", sheet, a, b)
		}
	}
}
