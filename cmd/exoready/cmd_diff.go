package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
)

// diffListLimit is how many findings of each kind the text summary lists.
const diffListLimit = 50

func diffCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two findings files: new, resolved, still-open and changed findings",
		UsageText: "exoready diff OLD/findings.json NEW/findings.json [--format text|json] [--fail-on SEVERITY]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Category: catOutput, Usage: "text (a summary for people) or json (the changes object of findings.json)"},
			&cli.StringFlag{Name: "fail-on", Value: "none", Category: catOutput,
				Usage: "exit 3 when a finding newly fails at this severity or above: critical, high, medium, low, info, none"},
		}, loggingFlags()...),
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			if c.NArg() != 2 {
				return usageErrorf("diff needs two findings files: exoready diff OLD/findings.json NEW/findings.json")
			}
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageErrorf("--format %q is not one of text, json", format)
			}
			rank, err := failOnRank(c.String("fail-on"))
			if err != nil {
				return usageErrorf("--fail-on: %v", err)
			}
			oldPath, newPath := c.Args().Get(0), c.Args().Get(1)
			oldData, err := os.ReadFile(oldPath)
			if err != nil {
				return fmt.Errorf("read %s: %w", oldPath, err)
			}
			old, err := evaluate.ParseReport(oldData)
			if err != nil {
				return fmt.Errorf("%s: %w", oldPath, err)
			}
			cur, err := evaluate.ReadReportFile(newPath)
			if err != nil {
				return err
			}
			ch := evaluate.Diff(old, cur)
			ch.Baseline.Path, ch.Baseline.SHA256, ch.Baseline.Bytes = oldPath, sha256Hex(oldData), int64(len(oldData))
			for _, w := range ch.Warnings {
				log.Warn().Str("baseline", oldPath).Msg(w)
			}
			if format == "json" {
				if err := writeJSON(e.stdout, ch); err != nil {
					return err
				}
			} else if err := writeDiffText(e.stdout, ch, cur); err != nil {
				return err
			}
			if rank < 0 {
				return nil
			}
			if n := len(ch.NewlyFailing(rank)); n > 0 {
				return &outcomeError{code: exitFindings, msg: fmt.Sprintf("%d new %s at or above %s", n, plural(n, "finding", "findings"), c.String("fail-on"))}
			}
			return nil
		},
	}
}

// writeDiffText prints the changes for a person: counts, warnings, then the
// new, changed and resolved findings, most severe first.
func writeDiffText(w io.Writer, ch *evaluate.Changes, cur *evaluate.Report) error {
	b := ch.Baseline
	fmt.Fprintf(w, "baseline: scan %s, finished %s, policy pack %s\n", b.ScanID, timeRFC(b.FinishedAt), b.PolicyVersion)
	fmt.Fprintf(w, "current:  scan %s, finished %s, policy pack %s\n", cur.ScanID, timeRFC(cur.Timings.FinishedAt), cur.PolicyPack.Version)
	fmt.Fprintf(w, "%d new, %d resolved, %d still open (%d changed severity or status)\n",
		ch.Counts.New, ch.Counts.Resolved, ch.Counts.StillOpen, ch.Counts.Changed)
	if len(ch.RulesAdded) > 0 {
		fmt.Fprintf(w, "rules added: %s\n", strings.Join(ch.RulesAdded, ", "))
	}
	if len(ch.RulesRemoved) > 0 {
		fmt.Fprintf(w, "rules removed: %s\n", strings.Join(ch.RulesRemoved, ", "))
	}
	for _, warn := range ch.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	for _, kind := range []string{evaluate.ChangeNew, evaluate.ChangeChanged, evaluate.ChangeResolved} {
		var rows []evaluate.Change
		for _, c := range ch.Entries {
			if c.Kind == kind {
				rows = append(rows, c)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", strings.ToUpper(kind), len(rows))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, c := range rows {
			if i == diffListLimit {
				fmt.Fprintf(tw, "  … %d more: exoready diff --format json\n", len(rows)-i)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", stateText(c), c.RuleID, objectName(c.Object), oneLine(c.Message))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// stateText shows a finding's severity and status, with what it was.
func stateText(c evaluate.Change) string {
	st := func(s *evaluate.FindingState) string {
		if s == nil {
			return "absent"
		}
		return s.Severity + " " + string(s.Status)
	}
	switch c.Kind {
	case evaluate.ChangeNew:
		if c.Before != nil {
			return st(c.After) + " (was " + string(c.Before.Status) + ")"
		}
		return st(c.After)
	case evaluate.ChangeChanged:
		return st(c.Before) + " → " + st(c.After)
	}
	if c.After == nil {
		return st(c.Before) + " → gone"
	}
	return st(c.Before) + " → " + string(c.After.Status)
}

func objectName(o evaluate.Object) string {
	if o.DisplayName != "" && o.DisplayName != o.ID {
		return o.Type + " " + o.DisplayName + " (" + o.ID + ")"
	}
	return o.Type + " " + o.ID
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		return string(r[:159]) + "…"
	}
	return s
}

func timeRFC(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeJSON prints v for machines: indented, HTML unescaped, newline-ended.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
