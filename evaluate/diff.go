package evaluate

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kinds of change between a baseline scan and the current one.
const (
	// ChangeNew: open now (fail or error), not open in the baseline.
	ChangeNew = "new"
	// ChangeChanged: open in both scans, with another severity or status.
	ChangeChanged = "changed"
	// ChangeResolved: open in the baseline, not open now (passes, is
	// waived, or its object or rule is gone).
	ChangeResolved = "resolved"
)

// Changes compare a scan with a baseline (an earlier findings.json),
// matching findings by uid. A finding is open when it fails or could not be
// assessed (error); pass and waived findings are not open.
type Changes struct {
	Baseline BaselineRef  `json:"baseline"`
	Counts   ChangeCounts `json:"counts"`
	// RulesAdded and RulesRemoved name rules that only one of the two scans
	// evaluated (another policy pack): their findings are new or resolved
	// because the rules changed, not the tenant.
	RulesAdded   []string `json:"rules_added"`
	RulesRemoved []string `json:"rules_removed"`
	// Warnings say why the comparison may mislead: another organization,
	// a partial baseline, another policy pack.
	Warnings []string `json:"warnings"`
	// Entries are the new, changed and resolved findings, in that order,
	// each kind by severity, rule, object and uid. Findings still open and
	// unchanged are only counted: they are in the report's findings.
	Entries []Change `json:"entries"`
}

// BaselineRef identifies the baseline findings file.
type BaselineRef struct {
	// Path is the file as given; SHA256 and Bytes are of its content.
	Path           string    `json:"path"`
	SHA256         string    `json:"sha256"`
	Bytes          int64     `json:"bytes"`
	ScanID         string    `json:"scan_id"`
	FinishedAt     time.Time `json:"finished_at"`
	CollectedAt    time.Time `json:"collected_at"`
	SnapshotSHA256 string    `json:"snapshot_sha256"`
	PolicyVersion  string    `json:"policy_version"`
	PolicySHA256   string    `json:"policy_sha256"`
	Complete       bool      `json:"complete"`
}

// ChangeCounts count findings per kind of change. StillOpen counts the
// findings open in both scans, Changed included.
type ChangeCounts struct {
	New       int `json:"new"`
	Resolved  int `json:"resolved"`
	StillOpen int `json:"still_open"`
	Changed   int `json:"changed"`
}

// Change is one finding that appeared, changed or went away.
type Change struct {
	Kind   string `json:"kind"`
	UID    string `json:"uid"`
	RuleID string `json:"rule_id"`
	Title  string `json:"title"`
	Object Object `json:"object"`
	// Message is the current finding's, or the baseline's when resolved.
	Message string `json:"message"`
	// Before is the finding in the baseline, After in this scan; nil when
	// that scan has no finding with this uid.
	Before *FindingState `json:"before"`
	After  *FindingState `json:"after"`
}

// FindingState is a finding's status and severity in one scan.
type FindingState struct {
	Status   Status `json:"status"`
	Severity string `json:"severity"`
}

// IsOpen tells whether a finding needs attention: it fails or could not be
// assessed.
func IsOpen(st Status) bool { return st == StatusFail || st == StatusError }

// Diff compares the current report with a baseline report. The baseline's
// path, hash and size are the caller's to fill in (it read the file).
func Diff(baseline, current *Report) *Changes {
	c := &Changes{
		Baseline: BaselineRef{
			ScanID:         baseline.ScanID,
			FinishedAt:     baseline.Timings.FinishedAt,
			CollectedAt:    baseline.Inputs.Snapshot.CollectedAt,
			SnapshotSHA256: baseline.Inputs.Snapshot.SHA256,
			PolicyVersion:  baseline.PolicyPack.Version,
			PolicySHA256:   baseline.PolicyPack.SHA256,
			Complete:       baseline.Complete,
		},
		RulesAdded:   []string{},
		RulesRemoved: []string{},
		Warnings:     []string{},
		Entries:      []Change{},
	}
	c.RulesAdded, c.RulesRemoved = ruleDelta(baseline.Rules, current.Rules)
	c.Warnings = diffWarnings(baseline, current)

	before := make(map[string]*Finding, len(baseline.Findings))
	for i := range baseline.Findings {
		before[baseline.Findings[i].UID] = &baseline.Findings[i]
	}
	seen := make(map[string]bool, len(current.Findings))
	for i := range current.Findings {
		f := &current.Findings[i]
		seen[f.UID] = true
		b := before[f.UID]
		wasOpen := b != nil && IsOpen(b.Status)
		switch {
		case IsOpen(f.Status) && !wasOpen:
			c.Entries = append(c.Entries, change(ChangeNew, f, b, f))
			c.Counts.New++
		case IsOpen(f.Status):
			c.Counts.StillOpen++
			if b.Status != f.Status || b.Severity != f.Severity {
				c.Entries = append(c.Entries, change(ChangeChanged, f, b, f))
				c.Counts.Changed++
			}
		case wasOpen:
			c.Entries = append(c.Entries, change(ChangeResolved, b, b, f))
			c.Counts.Resolved++
		}
	}
	for i := range baseline.Findings {
		b := &baseline.Findings[i]
		if !seen[b.UID] && IsOpen(b.Status) {
			c.Entries = append(c.Entries, change(ChangeResolved, b, b, nil))
			c.Counts.Resolved++
		}
	}
	sortChanges(c.Entries)
	return c
}

func change(kind string, describe, before, after *Finding) Change {
	ch := Change{
		Kind: kind, UID: describe.UID, RuleID: describe.RuleID, Title: describe.Title,
		Object: describe.Object, Message: describe.Message,
	}
	if before != nil {
		ch.Before = &FindingState{Status: before.Status, Severity: before.Severity}
	}
	if after != nil {
		ch.After = &FindingState{Status: after.Status, Severity: after.Severity}
	}
	return ch
}

// Newly reports whether a change makes a finding fail at or above the
// severity rank that it did not fail at or above in the baseline: a new
// failure, a failure that was not assessed or waived before, or one whose
// severity rose to the threshold. This is what --fail-on-new gates on.
func (ch *Change) Newly(rank int) bool {
	failsAtRank := func(s *FindingState) bool {
		if s == nil || s.Status != StatusFail {
			return false
		}
		r := SeverityRank(s.Severity)
		return r >= 0 && r <= rank
	}
	return failsAtRank(ch.After) && !failsAtRank(ch.Before)
}

// NewlyFailing returns the changes that make a finding fail at or above
// the severity rank (see Change.Newly).
func (c *Changes) NewlyFailing(rank int) []Change {
	var out []Change
	for i := range c.Entries {
		if c.Entries[i].Newly(rank) {
			out = append(out, c.Entries[i])
		}
	}
	return out
}

// Text sums the changes up in one line.
func (c *Changes) Text() string {
	return fmt.Sprintf("since scan %s (%s): %d new, %d resolved, %d still open (%d changed severity or status)",
		c.Baseline.ScanID, c.Baseline.FinishedAt.UTC().Format(time.RFC3339),
		c.Counts.New, c.Counts.Resolved, c.Counts.StillOpen, c.Counts.Changed)
}

func ruleDelta(before, after []RuleResult) (added, removed []string) {
	in := func(rs []RuleResult) map[string]bool {
		m := make(map[string]bool, len(rs))
		for _, r := range rs {
			m[r.ID] = true
		}
		return m
	}
	b, a := in(before), in(after)
	added, removed = []string{}, []string{}
	for _, r := range after {
		if !b[r.ID] {
			added = append(added, r.ID)
		}
	}
	for _, r := range before {
		if !a[r.ID] {
			removed = append(removed, r.ID)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

func diffWarnings(baseline, current *Report) []string {
	w := []string{}
	bs, cs := baseline.Inputs.Snapshot, current.Inputs.Snapshot
	if !strings.EqualFold(bs.Tenant, cs.Tenant) || !strings.EqualFold(bs.Forest, cs.Forest) {
		w = append(w, fmt.Sprintf("the baseline assessed another organization (tenant %q, forest %q; this scan: tenant %q, forest %q): every finding compares as new or resolved",
			bs.Tenant, bs.Forest, cs.Tenant, cs.Forest))
	}
	if !baseline.Complete {
		w = append(w, "the baseline was partial (complete: false): findings it could not assess compare as new")
	}
	if bp, cp := baseline.PolicyPack, current.PolicyPack; bp.SHA256 != cp.SHA256 {
		w = append(w, fmt.Sprintf("the policy pack changed (%s sha256 %s, now %s sha256 %s): some changes may come from the rules, not the tenant",
			bp.Version, short(bp.SHA256), cp.Version, short(cp.SHA256)))
	}
	if current.Inputs.Snapshot.CollectedAt.Before(bs.CollectedAt) {
		w = append(w, fmt.Sprintf("the baseline's data (collected %s) is newer than this scan's (%s)",
			bs.CollectedAt.UTC().Format(time.RFC3339), cs.CollectedAt.UTC().Format(time.RFC3339)))
	}
	return w
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

var changeOrder = map[string]int{ChangeNew: 0, ChangeChanged: 1, ChangeResolved: 2}

// sortChanges orders entries by kind, then most severe, rule, object, uid.
func sortChanges(cs []Change) {
	sev := func(c *Change) int {
		s := c.After
		if c.Kind == ChangeResolved || s == nil {
			s = c.Before
		}
		return SeverityRank(s.Severity)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if a.Kind != b.Kind {
			return changeOrder[a.Kind] < changeOrder[b.Kind]
		}
		if sa, sb := sev(a), sev(b); sa != sb {
			return sa < sb
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Object.ID != b.Object.ID {
			return a.Object.ID < b.Object.ID
		}
		return a.UID < b.UID
	})
}
