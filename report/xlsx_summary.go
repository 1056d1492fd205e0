package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
)

// The Summary sheet is small and holds the charts, so it is written in
// normal mode (cell by cell) rather than streamed. Column A holds labels;
// long text spans B:H.
const (
	summaryLastCol = 8 // H
	// summaryLineChars is how many characters of text fit on one line of
	// the merged B:H cells (7 columns of width 13), as rendered.
	summaryLineChars = 110
)

// summarySheet writes the Summary sheet top to bottom, keeping the first
// error.
type summarySheet struct {
	b   *book
	row int
	err error
}

func (w *summarySheet) cell(col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		w.err = err
		return
	}
	if s, ok := v.(string); ok {
		v = clip(validUTF8(s), excelCellLimit)
	}
	if v != nil {
		if w.err = w.b.f.SetCellValue(sheetSummary, ref, v); w.err != nil {
			return
		}
	}
	if style != 0 {
		w.err = w.b.f.SetCellStyle(sheetSummary, ref, ref, style)
	}
}

// line writes a label and a text spanning B:H, tall enough for its length.
func (w *summarySheet) line(label, value string, style int) {
	w.row++
	w.cell(1, w.row, label, w.b.st.label)
	w.cell(2, w.row, value, style)
	if w.err != nil {
		return
	}
	if style == 0 {
		style = w.b.st.wrap
		w.cell(2, w.row, nil, style)
	}
	from, _ := excelize.CoordinatesToCellName(2, w.row)
	to, _ := excelize.CoordinatesToCellName(summaryLastCol, w.row)
	if w.err = w.b.f.MergeCell(sheetSummary, from, to); w.err != nil {
		return
	}
	// Merged cells do not grow with wrapped text: size the row.
	if lines := wrappedLines(value, summaryLineChars); lines > 1 {
		w.err = w.b.f.SetRowHeight(sheetSummary, w.row, float64(lines)*15+3)
	}
}

func (w *summarySheet) section(title string) {
	w.row += 2
	w.cell(1, w.row, title, w.b.st.section)
	for c := 2; c <= summaryLastCol; c++ {
		w.cell(c, w.row, nil, w.b.st.section)
	}
}

// counts writes a small label/count table and returns the rows of its
// values, for a chart.
func (w *summarySheet) counts(header string, labels []string, values []int, styles []int) (first, last int) {
	w.row++
	w.cell(1, w.row, header, w.b.st.header)
	w.cell(2, w.row, "Count", w.b.st.header)
	first = w.row + 1
	for i, l := range labels {
		w.row++
		st := 0
		if styles != nil {
			st = styles[i]
		}
		w.cell(1, w.row, l, st)
		w.cell(2, w.row, values[i], w.b.st.body)
	}
	return first, w.row
}

func (b *book) summary() error {
	f, r := b.f, b.r
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheetSummary, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := f.SetColWidth(sheetSummary, "A", "A", 30); err != nil {
		return err
	}
	if err := f.SetColWidth(sheetSummary, "B", "H", 13); err != nil {
		return err
	}
	if err := f.SetSheetView(sheetSummary, 0, &excelize.ViewOptions{ShowGridLines: ptr(false)}); err != nil {
		return err
	}
	w := &summarySheet{b: b}
	sum := &r.Summary

	w.row = 1
	w.cell(1, 1, "Exchange hybrid readiness: "+orgName(r), b.st.title)
	w.row = 2
	w.cell(1, 2, fmt.Sprintf("%s %s · scan %s · finished %s", r.Tool.Name, r.Tool.Version, r.ScanID, timeText(r.Timings.FinishedAt)), b.st.subtitle)

	w.section("Verdicts")
	d := sum.Verdicts.Decommission
	w.line("Ready to decommission the last Exchange server?", d.Text, b.decommissionStyle(d))
	fl := sum.Verdicts.Flip
	w.line("Mailboxes ready to flip to cloud management?", fl.Text, b.flipStyle(fl))
	if r.Complete {
		w.line("Evidence", "Complete: every source was collected and every rule assessed.", b.st.verdictGood)
	} else {
		w.line("Evidence", "PARTIAL: some sources could not be collected or some rules not assessed; the verdicts rest on partial evidence. See Rules (status error) and Evidence.", b.st.verdictUnknown)
	}

	if c := r.Changes; c != nil {
		w.section("Changes since the baseline scan")
		style := b.st.verdictGood
		if c.Counts.New > 0 {
			style = b.st.verdictBad
		}
		w.line("Compared with "+c.Baseline.ScanID, c.Text()+" (Changes sheet)", style)
		for _, warn := range c.Warnings {
			w.line("Caution", warn, b.st.verdictUnknown)
		}
	}

	w.section("Scan facts")
	snap := r.Inputs.Snapshot
	w.line("Tenant", orDash(snap.Tenant), 0)
	w.line("AD forest", orDash(snap.Forest), 0)
	w.line("Data collected", timeText(snap.CollectedAt), 0)
	w.line("Scan", fmt.Sprintf("%s, from %s to %s", r.ScanID, timeText(r.Timings.StartedAt), timeText(r.Timings.FinishedAt)), 0)
	w.line("Tool", strings.TrimSpace(fmt.Sprintf("%s %s (commit %s)", r.Tool.Name, r.Tool.Version, orDash(r.Tool.Commit))), 0)
	w.line("Policy pack", fmt.Sprintf("version %s, %d rules, from %s", r.PolicyPack.Version, r.PolicyPack.Rules, strings.Join(r.PolicyPack.Sources, ", ")), 0)
	w.line("Policy pack SHA-256", r.PolicyPack.SHA256, 0)
	w.line("Snapshot SHA-256", snap.SHA256, 0)
	w.line("Sources", sourcesText(r.Inputs.Sources), 0)
	w.line("Redacted", redactionNote(r), 0)

	w.section("Failing findings by severity")
	sevValues, sevStyles := make([]int, len(evaluate.Severities)), make([]int, len(evaluate.Severities))
	for i, s := range evaluate.Severities {
		sevValues[i], sevStyles[i] = sum.BySeverity[s], b.st.severity[s]
	}
	sevFirst, sevLast := w.counts("Severity", evaluate.Severities, sevValues, sevStyles)

	w.section("Findings by status")
	stLabels, stValues, stStyles := []string{}, []int{}, []int{}
	for _, s := range statuses {
		stLabels, stValues, stStyles = append(stLabels, string(s)), append(stValues, sum.ByStatus[string(s)]), append(stStyles, b.st.status[s])
	}
	w.counts("Status", stLabels, stValues, stStyles)

	w.section("Mailbox readiness")
	rdLabels, rdValues, rdStyles := []string{}, []int{}, []int{}
	for _, s := range readinessStates {
		rdLabels, rdValues, rdStyles = append(rdLabels, readinessWords[s]), append(rdValues, fl.ByState[s]), append(rdStyles, b.st.readiness[s])
	}
	rdFirst, rdLast := w.counts("Readiness", rdLabels, rdValues, rdStyles)

	if len(sum.ByCategory) > 0 {
		w.section("Failing findings by category")
		cats := slices.Sorted(maps.Keys(sum.ByCategory))
		vals := make([]int, len(cats))
		for i, c := range cats {
			vals[i] = sum.ByCategory[c]
		}
		w.counts("Category", cats, vals, nil)
	}

	titles := map[string]string{}
	for _, rr := range r.Rules {
		titles[rr.ID] = rr.Title
	}
	if len(d.Blockers) > 0 {
		w.section("Critical rules that fail (block decommission)")
		for _, id := range d.Blockers {
			w.line(id, titles[id], 0)
		}
	}
	if notAssessed := notAssessedRules(r); len(notAssessed) > 0 {
		w.section("Rules not assessed (status error)")
		for _, na := range notAssessed {
			w.line(na.id, na.title+": "+na.message, 0)
		}
	}
	if w.err != nil {
		return w.err
	}
	if err := b.summaryCharts(sevFirst, sevLast, rdFirst, rdLast); err != nil {
		return err
	}
	return printSetup(f, sheetSummary, "portrait", 1)
}

// summaryCharts draws failing findings by severity and mailboxes by
// readiness next to their tables. Each label is its own series, so each bar
// takes the colour of its cells (excelize colours single points only in
// pie charts) and the legend names them.
func (b *book) summaryCharts(sevFirst, sevLast, rdFirst, rdLast int) error {
	sevCols := make([]string, len(evaluate.Severities))
	for i, s := range evaluate.Severities {
		sevCols[i] = severityColours[s].fill
	}
	rdCols := make([]string, len(readinessStates))
	for i, s := range readinessStates {
		rdCols[i] = readinessColours[s].fill
		if s == evaluate.ReadyNotApplicable {
			rdCols[i] = "BFBFBF"
		}
	}
	chart := func(title string, first, last int, fills []string) *excelize.Chart {
		c := &excelize.Chart{
			Type:       excelize.Col,
			Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Bold: true, Size: 11}}}},
			Legend:     excelize.ChartLegend{Position: "right"},
			PlotArea:   excelize.ChartPlotArea{ShowVal: true},
			Dimension:  excelize.ChartDimension{Width: 430, Height: 230},
			Format:     excelize.GraphicOptions{OffsetX: 10, OffsetY: 4, PrintObject: ptr(true)},
			XAxis:      excelize.ChartAxis{None: true},
			YAxis:      excelize.ChartAxis{MajorGridLines: true, Minimum: ptr(0.0)},
			VaryColors: ptr(false),
			GapWidth:   ptr(uint(40)),
		}
		for row := first; row <= last; row++ {
			c.Series = append(c.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$A$%d", sheetSummary, row),
				Categories: fmt.Sprintf("%s!$B$%d", sheetSummary, first-1),
				Values:     fmt.Sprintf("%s!$B$%d", sheetSummary, row),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fills[row-first]}},
			})
		}
		return c
	}
	if err := b.f.AddChart(sheetSummary, fmt.Sprintf("D%d", sevFirst-1), chart("Failing findings by severity", sevFirst, sevLast, sevCols)); err != nil {
		return err
	}
	return b.f.AddChart(sheetSummary, fmt.Sprintf("D%d", max(rdFirst-1, sevFirst+12)), chart("Mailboxes by readiness", rdFirst, rdLast, rdCols))
}

func (b *book) decommissionStyle(d evaluate.DecommissionVerdict) int {
	switch {
	case d.Ready:
		return b.st.verdictGood
	case len(d.Blockers) > 0:
		return b.st.verdictBad
	}
	return b.st.verdictUnknown
}

func (b *book) flipStyle(fl evaluate.FlipVerdict) int {
	switch {
	case len(fl.TenantBlockers) > 0 || fl.ByState[evaluate.ReadyBlocked] > 0:
		return b.st.verdictBad
	case fl.ByState[evaluate.ReadyUnknown] > 0 || fl.ByState[evaluate.ReadyWait] > 0:
		return b.st.verdictUnknown
	}
	return b.st.verdictGood
}

func sourcesText(src map[string]evaluate.SourceRef) string {
	parts := make([]string, 0, len(src))
	for _, name := range slices.Sorted(maps.Keys(src)) {
		s := src[name]
		state := "not collected"
		switch {
		case s.Collected && s.Complete:
			state = "complete"
		case s.Collected:
			state = fmt.Sprintf("partial, %d %s", len(s.Errors), plural(len(s.Errors), "error", "errors"))
		}
		if s.Method != "" {
			state += " via " + s.Method
		}
		parts = append(parts, name+": "+state)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// notAssessed is a rule that could not be assessed, with its first reason.
type notAssessed struct{ id, title, message string }

func notAssessedRules(r *evaluate.Report) []notAssessed {
	reason := map[string]string{}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status == evaluate.StatusError {
			if _, seen := reason[f.RuleID]; !seen {
				reason[f.RuleID] = f.Message
			}
		}
	}
	var out []notAssessed
	for _, rr := range r.Rules {
		if rr.Status == evaluate.StatusError {
			out = append(out, notAssessed{rr.ID, rr.Title, reason[rr.ID]})
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
