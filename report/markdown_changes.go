package report

import (
	"fmt"
	"strings"

	"github.com/exoready/exoready/evaluate"
)

// changesListLimit is how many new, changed or resolved findings the
// Markdown summary lists; the workbook's Changes sheet has them all.
const changesListLimit = 20

// markdownChanges writes the "Changes since the baseline" section of
// summary.md: what a scheduled job's reader looks at first.
func markdownChanges(b *strings.Builder, c *evaluate.Changes) {
	if c == nil {
		return
	}
	bl := c.Baseline
	fmt.Fprintf(b, "\n## Changes since %s\n\n", md("scan "+bl.ScanID+" ("+timeText(bl.FinishedAt)+")"))
	fmt.Fprintf(b, "| New | Resolved | Still open | Changed severity or status |\n|--:|--:|--:|--:|\n| %d | %d | %d | %d |\n",
		c.Counts.New, c.Counts.Resolved, c.Counts.StillOpen, c.Counts.Changed)
	if len(c.RulesAdded) > 0 {
		fmt.Fprintf(b, "\nRules added: %s.\n", md(strings.Join(c.RulesAdded, ", ")))
	}
	if len(c.RulesRemoved) > 0 {
		fmt.Fprintf(b, "\nRules removed: %s.\n", md(strings.Join(c.RulesRemoved, ", ")))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(b, "\n⚠️ %s\n", md(w))
	}
	if len(c.Entries) == 0 {
		return
	}
	b.WriteString("\n| Change | Rule | Severity | Object | Message |\n|---|---|---|---|---|\n")
	for i, e := range c.Entries {
		if i == changesListLimit {
			fmt.Fprintf(b, "\n%d more in the workbook (Changes sheet) and findings.json.\n", len(c.Entries)-i)
			break
		}
		st := e.After
		if e.Kind == evaluate.ChangeResolved || st == nil {
			st = e.Before
		}
		kind := e.Kind
		if e.Kind == evaluate.ChangeChanged && e.Before != nil && e.After != nil {
			kind += ": " + e.Before.Severity + " " + string(e.Before.Status) + " → " + e.After.Severity + " " + string(e.After.Status)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", md(kind), e.RuleID, st.Severity, md(objectText(e.Object)), md(e.Message))
	}
}
