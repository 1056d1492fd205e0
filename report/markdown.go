package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/exoready/exoready/evaluate"
)

// markdownWriter writes summary.md, short enough for a CI job summary:
// the two verdicts, the counts, the top failing rules and the rules that
// could not be assessed. The workbook and findings.json hold the rest.
type markdownWriter struct{}

func newMarkdown(Options) Writer { return markdownWriter{} }

// topFailingRules is how many failing rules the summary lists.
const topFailingRules = 10

func (markdownWriter) Write(_ context.Context, w io.Writer, r *evaluate.Report) error {
	var b strings.Builder
	sum := &r.Summary
	d, fl := sum.Verdicts.Decommission, sum.Verdicts.Flip

	fmt.Fprintf(&b, "# exoready: %s\n\n", md(orgName(r)))
	fmt.Fprintf(&b, "- **Decommission:** %s %s\n", mark(d.Ready, len(d.Blockers) > 0), md(d.Text))
	flipOK := len(fl.TenantBlockers) == 0 && fl.ByState[evaluate.ReadyBlocked] == 0 && fl.ByState[evaluate.ReadyUnknown] == 0 && fl.ByState[evaluate.ReadyWait] == 0
	flipBad := len(fl.TenantBlockers) > 0 || fl.ByState[evaluate.ReadyBlocked] > 0
	fmt.Fprintf(&b, "- **Flip to cloud management:** %s %s\n", mark(flipOK, flipBad), md(fl.Text))
	if r.Complete {
		b.WriteString("- **Evidence:** ✅ complete: every source collected, every rule assessed\n")
	} else {
		b.WriteString("- **Evidence:** ⚠️ partial: some sources or rules could not be assessed; the verdicts rest on partial evidence\n")
	}

	b.WriteString("\n| Scan | |\n|---|---|\n")
	snap := r.Inputs.Snapshot
	row(&b, "Tenant", orDash(snap.Tenant))
	row(&b, "AD forest", orDash(snap.Forest))
	row(&b, "Data collected", timeText(snap.CollectedAt))
	row(&b, "Scan", r.ScanID+", finished "+timeText(r.Timings.FinishedAt))
	row(&b, "Tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version))
	row(&b, "Policy pack", fmt.Sprintf("%s (%d rules), sha256 %s", r.PolicyPack.Version, r.PolicyPack.Rules, shortHash(r.PolicyPack.SHA256)))
	row(&b, "Sources", sourcesText(r.Inputs.Sources))
	row(&b, "Redacted", redactionNote(r))

	markdownChanges(&b, r.Changes)

	b.WriteString("\n## Findings\n\n| Failing by severity | Count |\n|---|--:|\n")
	for _, s := range evaluate.Severities {
		fmt.Fprintf(&b, "| %s | %d |\n", s, sum.BySeverity[s])
	}
	b.WriteString("\n| By status | Count |\n|---|--:|\n")
	for _, s := range statuses {
		fmt.Fprintf(&b, "| %s | %d |\n", s, sum.ByStatus[string(s)])
	}

	failing := failingRules(r.Rules)
	if len(failing) > 0 {
		fmt.Fprintf(&b, "\n## Top failing rules\n\n| Rule | Severity | Title | Failed objects |\n|---|---|---|--:|\n")
		for i, rr := range failing {
			if i == topFailingRules {
				fmt.Fprintf(&b, "\n%d more failing %s in the workbook (Rules sheet).\n", len(failing)-i, plural(len(failing)-i, "rule", "rules"))
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", rr.ID, rr.Severity, md(rr.Title), rr.Counts.Failed)
		}
	}

	if na := notAssessedRules(r); len(na) > 0 {
		b.WriteString("\n## Not assessed\n\n| Rule | Title | Reason |\n|---|---|---|\n")
		for _, n := range na {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", n.id, md(n.title), md(n.message))
		}
	}
	if n := sum.ByStatus[string(evaluate.StatusWaived)]; n > 0 {
		fmt.Fprintf(&b, "\n%d %s waived (Waivers sheet).\n", n, plural(n, "finding", "findings"))
	}
	b.WriteString("\nDetails: `report.xlsx` (auditor workbook), `findings.json` (complete evidence).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// failingRules are the rules with failures, most severe first, then most
// failed objects, then id.
func failingRules(rules []evaluate.RuleResult) []evaluate.RuleResult {
	var out []evaluate.RuleResult
	for _, rr := range rules {
		if rr.Counts.Failed > 0 {
			out = append(out, rr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := evaluate.SeverityRank(a.Severity), evaluate.SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Counts.Failed != b.Counts.Failed {
			return a.Counts.Failed > b.Counts.Failed
		}
		return a.ID < b.ID
	})
	return out
}

func row(b *strings.Builder, k, v string) {
	fmt.Fprintf(b, "| %s | %s |\n", k, md(v))
}

func mark(good, bad bool) string {
	switch {
	case good:
		return "✅"
	case bad:
		return "❌"
	}
	return "⚠️"
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return orDash(h)
}

// mdEscaper keeps report text from being read as Markdown or HTML: table
// pipes, emphasis, links, code and tags; line breaks become spaces so a
// table row stays one line.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "\r\n", " ", "\n", " ", "\r", " ",
)

func md(s string) string { return mdEscaper.Replace(validUTF8(s)) }
