package plan

import (
	"io"
	"strings"
)

// WriteMarkdown writes PLAN.md: the same tables as the workbook, for a
// change board that reads Markdown.
func (p *Plan) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Rollout plan " + p.ID + ": IsExchangeCloudManaged\n\n")
	b.WriteString(mdText(p.Summary.Headline) + "\n")
	for _, t := range p.tables() {
		b.WriteString("\n## " + t.Title + "\n\n")
		if t.Intro != "" {
			b.WriteString(mdText(t.Intro) + "\n\n")
		}
		if len(t.Rows) == 0 {
			b.WriteString(mdText(t.Empty) + "\n")
			continue
		}
		b.WriteString("|")
		for _, c := range t.Columns {
			b.WriteString(" " + mdText(c.Name) + " |")
		}
		b.WriteString("\n|")
		for range t.Columns {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, row := range t.Rows {
			b.WriteString("|")
			for _, cell := range row {
				b.WriteString(" " + mdText(cell) + " |")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdText makes text from the input inert in a Markdown table cell: the
// characters that start emphasis, code, links, strike-through, HTML or an
// entity, and the cell separator, are backslash-escaped; line breaks become
// <br> (the only markup the plan itself adds).
func mdText(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if b.Len() > 0 {
			b.WriteString("<br>")
		}
		for _, r := range line {
			if strings.ContainsRune("\\`*_[]<>|~&", r) {
				b.WriteByte('\\')
			}
			if r < ' ' {
				r = ' '
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
