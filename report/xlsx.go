package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
)

// xlsxWriter writes report.xlsx, the auditor's workbook. Every sheet but the
// small Summary is streamed, so memory stays bounded however many mailboxes
// the report holds. Text goes in as inline strings, which Excel never
// evaluates as formulas.
type xlsxWriter struct {
	o Options
}

func newXLSX(o Options) Writer { return &xlsxWriter{o: o} }

// Sheet names, in workbook order.
const (
	sheetSummary      = "Summary"
	sheetFindings     = "Findings"
	sheetMailboxes    = "Mailboxes"
	sheetPermissions  = "Permissions"
	sheetDependencies = "Dependencies"
	sheetRules        = "Rules"
	sheetWaivers      = "Waivers"
	sheetEvidence     = "Evidence"
)

// book is one workbook being written.
type book struct {
	ctx    context.Context
	f      *excelize.File
	r      *evaluate.Report
	st     *styles
	tmpDir string
	// bodies are the body rows of the streamed sheets by sheet name,
	// spliced in when the workbook is assembled.
	bodies map[string]*bodyWriter
}

func (x *xlsxWriter) Write(ctx context.Context, w io.Writer, r *evaluate.Report) error {
	f := excelize.NewFile(excelize.Options{TmpDir: x.o.TmpDir})
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("xlsx styles: %w", err)
	}
	b := &book{ctx: ctx, f: f, r: r, st: st, tmpDir: x.o.TmpDir, bodies: map[string]*bodyWriter{}}
	defer func() {
		for _, body := range b.bodies {
			body.remove()
		}
	}()
	steps := []struct {
		sheet string
		fn    func() error
	}{
		{sheetSummary, b.summary},
		{sheetFindings, b.findings},
		{sheetChanges, b.changes},
		{sheetMailboxes, b.mailboxes},
		{sheetPermissions, b.permissions},
		{sheetDependencies, b.dependencies},
		{sheetRules, b.rules},
		{sheetWaivers, b.waivers},
		{sheetEvidence, b.evidence},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.sheet == sheetChanges && r.Changes == nil {
			continue // no baseline, no Changes sheet
		}
		if err := s.fn(); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", s.sheet, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(b.docProps()); err != nil {
		return fmt.Errorf("xlsx properties: %w", err)
	}
	var workbook bytes.Buffer
	if _, err := f.WriteTo(&workbook); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := assemble(w, workbook.Bytes(), b.bodies); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// docProps fill the file properties from the report, so the workbook says
// when the scan ran rather than when it was rendered.
func (b *book) docProps() *excelize.DocProperties {
	at := b.r.Timings.FinishedAt.UTC().Format(time.RFC3339)
	return &excelize.DocProperties{
		Title:          "exoready readiness report",
		Subject:        "Exchange hybrid readiness: " + orgName(b.r),
		Creator:        b.r.Tool.Name + " " + b.r.Tool.Version,
		LastModifiedBy: b.r.Tool.Name,
		Identifier:     b.r.ScanID,
		Created:        at,
		Modified:       at,
		Description:    "Scan " + b.r.ScanID + ", policy pack " + b.r.PolicyPack.Version,
	}
}

// orgName names the assessed organization for titles.
func orgName(r *evaluate.Report) string {
	switch s := r.Inputs.Snapshot; {
	case s.Tenant != "" && s.Forest != "":
		return s.Tenant + " / " + s.Forest
	case s.Tenant != "":
		return s.Tenant
	case s.Forest != "":
		return s.Forest
	}
	return "unnamed organization"
}

// column is one column of a streamed sheet.
type column struct {
	header string
	width  float64
	wrap   bool // body text wraps (long prose, scripts)
}

// sheet is a streamed worksheet with a frozen, filtered header row and
// print setup: landscape, one page wide, header row on every page.
type sheet struct {
	b      *book
	name   string
	sw     *excelize.StreamWriter
	body   *bodyWriter
	cols   []column
	layout sheetLayout
	row    int
	cells  []bodyCell
	height float64 // points the row being built needs, 0 = default
}

// sheetLayout says how a sheet shows and prints.
type sheetLayout struct {
	// frozenCols stay in view when scrolling right (besides the header row).
	frozenCols int
	// printCols limits the printed columns to the first n, the ones a
	// reader of the paper copy needs; 0 prints all. Screen shows all.
	printCols int
}

// Row height estimate: Excel and LibreOffice do not always grow a row to
// fit wrapped text written without a height, so rows are sized here.
const (
	bodyLineHeight  = 15.0 // points per line at 11 pt
	smallLineHeight = 12.0 // points per line at 9 pt
	maxRowHeight    = 409.0
	// charsPerWidth is characters of prose per unit of column width.
	charsPerWidth = 1.1
	// offPrintMaxLines caps the growth from columns outside the print area.
	offPrintMaxLines = 3
)

func (b *book) newSheet(name string, cols []column, layout sheetLayout) (*sheet, error) {
	if name == sheetSummary {
		return nil, fmt.Errorf("summary is not streamed")
	}
	if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	// sheetPr is written when the stream starts: set fit-to-page first.
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
	}
	topLeft, err := excelize.CoordinatesToCellName(layout.frozenCols+1, 2)
	if err != nil {
		return nil, err
	}
	pane := "bottomLeft"
	if layout.frozenCols > 0 {
		pane = "bottomRight"
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: layout.frozenCols, YSplit: 1, TopLeftCell: topLeft, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: pane}},
	}); err != nil {
		return nil, err
	}
	headerLines := 2
	for _, c := range cols {
		headerLines = max(headerLines, wrappedLines(c.header, int(c.width*0.8))) // bold, whole words
	}
	if err := sw.SetRow("A1", headerCells(cols, b.st.header), excelize.RowOpts{Height: float64(headerLines)*bodyLineHeight + 2}); err != nil {
		return nil, err
	}
	body, err := newBodyWriter(b.tmpDir)
	if err != nil {
		return nil, err
	}
	b.bodies[name] = body
	return &sheet{b: b, name: name, sw: sw, body: body, cols: cols, layout: layout, row: 1, cells: make([]bodyCell, len(cols))}, nil
}

// set puts text in column i of the row being built, with the column's
// body style unless style is given. Text is cut to fit a cell.
func (s *sheet) set(i int, v string, style ...int) {
	st := s.b.st.body
	if s.cols[i].wrap {
		st = s.b.st.wrap
	}
	if len(style) > 0 && style[0] != 0 {
		st = style[0]
	}
	if v == "" {
		if len(style) > 0 && style[0] != 0 {
			s.cells[i].kind, s.cells[i].style = cellStyled, st // keep a highlight on an empty value
		}
		return
	}
	v = clip(validUTF8(v), excelCellLimit)
	s.cells[i].kind, s.cells[i].style, s.cells[i].text = cellText, st, v
	switch {
	case st == s.b.st.mono || st == s.b.st.small:
		s.grow(i, wrappedLines(v, int(s.cols[i].width*charsPerWidth)), smallLineHeight)
	case s.cols[i].wrap:
		s.grow(i, wrappedLines(v, int(s.cols[i].width*charsPerWidth)), bodyLineHeight)
	}
}

// grow makes the row tall enough for lines of text in column i. Columns
// outside the print area grow it by a few lines at most, so notes nobody
// prints do not stretch the printed page.
func (s *sheet) grow(i, lines int, lineHeight float64) {
	if p := s.layout.printCols; p > 0 && i >= p {
		lines = min(lines, offPrintMaxLines)
	}
	s.height = max(s.height, float64(lines)*lineHeight+3)
}

// setBool shows a flag as yes or no (LibreOffice shows boolean cells as
// 1 and 0).
func (s *sheet) setBool(i int, v bool, style ...int) {
	if len(style) == 0 || style[0] == 0 {
		style = []int{s.b.st.center}
	}
	if v {
		s.set(i, "yes", style...)
	} else {
		s.set(i, "no", style...)
	}
}

// setValue puts a number or boolean in column i; nil leaves the cell empty.
func (s *sheet) setValue(i int, v any, style ...int) {
	st := s.b.st.body
	if len(style) > 0 && style[0] != 0 {
		st = style[0]
	}
	if v == nil {
		s.cells[i].kind, s.cells[i].style = cellStyled, st
		return
	}
	s.cells[i].style = st
	s.cells[i].setNumber(v)
}

// next writes the row built with set and starts a new one.
func (s *sheet) next() error {
	if s.row%1024 == 0 {
		if err := s.b.ctx.Err(); err != nil {
			return err
		}
	}
	height := 0.0
	if s.height > bodyLineHeight+3 {
		height = min(s.height, maxRowHeight)
	}
	s.height = 0
	return s.flushRow(height)
}

// flushRow writes the row built with set, height points high (0:
// default), and empties the cells.
func (s *sheet) flushRow(height float64) error {
	s.row++
	if s.row > excelize.TotalRows {
		return excelize.ErrMaxRows
	}
	if err := s.body.row(s.row, height, s.cells); err != nil {
		return err
	}
	for i := range s.cells {
		s.cells[i].kind, s.cells[i].style, s.cells[i].text = cellNone, 0, ""
	}
	return nil
}

// close ends the sheet: a table with filter buttons over the rows (or a
// note when there are none), print setup, and the stream flushed.
func (s *sheet) close(empty string) error {
	f := s.b.f
	if s.row == 1 {
		s.set(0, empty, s.b.st.note)
		if err := s.flushRow(0); err != nil {
			return err
		}
	} else {
		last, err := excelize.CoordinatesToCellName(len(s.cols), s.row)
		if err != nil {
			return err
		}
		if err := s.sw.AddTable(&excelize.Table{
			Range: "A1:" + last, Name: s.name, StyleName: "TableStyleLight1", ShowRowStripes: ptr(true),
		}); err != nil {
			return err
		}
	}
	if err := printSetup(f, s.name, "landscape", 0); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + s.name + "'!$1:$1", Scope: s.name,
	}); err != nil {
		return err
	}
	if n := s.layout.printCols; n > 0 && n < len(s.cols) {
		last, err := excelize.ColumnNumberToName(n)
		if err != nil {
			return err
		}
		if err := f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Area", RefersTo: "'" + s.name + "'!$A:$" + last, Scope: s.name,
		}); err != nil {
			return err
		}
	}
	if err := s.body.finish(); err != nil {
		return err
	}
	return s.sw.Flush()
}

// printSetup makes a sheet print one page wide and pagesHigh pages high
// (0: as many as it takes) with a footer naming the sheet and page.
func printSetup(f *excelize.File, name, orientation string, pagesHigh int) error {
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Orientation: ptr(orientation), FitToWidth: ptr(1), FitToHeight: ptr(pagesHigh),
	}); err != nil {
		return err
	}
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{
		Left: ptr(0.4), Right: ptr(0.4), Top: ptr(0.5), Bottom: ptr(0.6), Header: ptr(0.2), Footer: ptr(0.25),
	}); err != nil {
		return err
	}
	return f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddFooter: "&L&8exoready&C&8&A&R&8Page &P of &N",
	})
}

// wrappedLines estimates the lines text takes in a column of width
// characters.
func wrappedLines(s string, width int) int {
	width = max(width, 1)
	n := 0
	for l := range strings.SplitSeq(s, "\n") {
		n += max(1, (utf16Len(l)+width-1)/width)
	}
	return n
}

func ptr[T any](v T) *T { return &v }
