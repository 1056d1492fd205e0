package plan

import (
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// cellLimit is the most text an Excel cell holds, in UTF-16 code units.
const cellLimit = 32767

const cutMarker = "…[truncated, full text in plan.json]"

// WriteWorkbook writes plan.xlsx: one sheet per table of PLAN.md, streamed,
// header frozen and filterable. Every value is a text cell (a shared
// string), never a formula, whatever it starts with.
func (p *Plan) WriteWorkbook(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	body, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	for i, t := range p.tables() {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.Sheet); err != nil {
			return err
		}
		if err := writeSheet(f, i+1, t, header, body); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeSheet(f *excelize.File, n int, t table, header, body int) error {
	sw, err := f.NewStreamWriter(t.Sheet)
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		row[i] = excelize.Cell{StyleID: header, Value: c.Name}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	rows := t.Rows
	if len(rows) == 0 {
		rows = [][]string{{t.Empty}}
	}
	for r, values := range rows {
		row := make([]any, len(values))
		for i, v := range values {
			row[i] = excelize.Cell{StyleID: body, Value: clipCell(v)}
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if len(t.Rows) > 0 {
		last, err := excelize.CoordinatesToCellName(len(t.Columns), len(t.Rows)+1)
		if err != nil {
			return err
		}
		// A table gives every column a filter button.
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: fmt.Sprintf("Plan%d", n), StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// clipCell cuts text that would not fit a cell, visibly; plan.json keeps
// the whole value.
func clipCell(s string) string {
	u := utf16.Encode([]rune(s))
	if len(u) <= cellLimit {
		return s
	}
	keep := cellLimit - len(utf16.Encode([]rune(cutMarker)))
	if utf16.IsSurrogate(rune(u[keep-1])) {
		keep--
	}
	return string(utf16.Decode(u[:keep])) + cutMarker
}
