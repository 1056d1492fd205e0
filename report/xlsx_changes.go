package report

import (
	"fmt"
	"strings"

	"github.com/exoready/exoready/evaluate"
)

// sheetChanges compares the scan with its baseline (--baseline).
const sheetChanges = "Changes"

var changeColumns = []column{
	{"Change", 10, false},
	{"Rule", 12, false},
	{"Severity", 9, false},
	{"Status", 8, false},
	{"Before", 16, false},
	{"Object", 26, true},
	{"Message", 60, true},
	{"Object type", 11, false},
	{"Object ID", 24, true},
	{"Title", 30, true},
	{"UID", 34, false},
}

const changesPrintCols = 7

// changes lists the new, changed and resolved findings since the baseline
// scan; a first line names the baseline and the counts. Still-open
// findings are only counted: they are on the Findings sheet.
func (b *book) changes() error {
	s, err := b.newSheet(sheetChanges, changeColumns, sheetLayout{frozenCols: 1, printCols: changesPrintCols})
	if err != nil {
		return err
	}
	c := b.r.Changes
	if c == nil {
		return s.close("This scan was not compared with a baseline (exoready scan --baseline PREVIOUS/findings.json).")
	}
	bl := c.Baseline
	s.set(0, "baseline", b.st.note)
	s.set(5, "scan "+bl.ScanID+", finished "+timeText(bl.FinishedAt))
	s.set(6, fmt.Sprintf("%d new, %d resolved, %d still open (%d changed severity or status). Baseline %s, sha256 %s, policy pack %s.%s",
		c.Counts.New, c.Counts.Resolved, c.Counts.StillOpen, c.Counts.Changed, bl.Path, bl.SHA256, bl.PolicyVersion, changeNotes(c)))
	if err := s.next(); err != nil {
		return err
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		st := e.After
		if e.Kind == evaluate.ChangeResolved || st == nil {
			st = e.Before
		}
		s.set(0, e.Kind, b.st.status[changeStyle(e.Kind)])
		s.set(1, e.RuleID)
		s.set(2, st.Severity, b.st.severity[st.Severity])
		if e.After != nil {
			s.set(3, string(e.After.Status), b.st.status[e.After.Status])
		} else {
			s.set(3, "gone")
		}
		if e.Before != nil {
			s.set(4, e.Before.Severity+" "+string(e.Before.Status))
		} else {
			s.set(4, "absent")
		}
		s.set(5, objectText(e.Object))
		s.set(6, e.Message)
		s.set(7, e.Object.Type)
		s.set(8, e.Object.ID)
		s.set(9, e.Title)
		s.set(10, e.UID)
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close("")
}

// changeStyle colours a change like the status it resembles.
func changeStyle(kind string) evaluate.Status {
	switch kind {
	case evaluate.ChangeNew:
		return evaluate.StatusFail
	case evaluate.ChangeResolved:
		return evaluate.StatusPass
	}
	return evaluate.StatusError
}

// changeNotes are the rules added or removed and the warnings, as
// sentences.
func changeNotes(c *evaluate.Changes) string {
	var b strings.Builder
	if len(c.RulesAdded) > 0 {
		b.WriteString(" Rules added: " + strings.Join(c.RulesAdded, ", ") + ".")
	}
	if len(c.RulesRemoved) > 0 {
		b.WriteString(" Rules removed: " + strings.Join(c.RulesRemoved, ", ") + ".")
	}
	for _, w := range c.Warnings {
		b.WriteString(" Warning: " + w + ".")
	}
	return b.String()
}
