package evaluate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gobwas/glob"
	"gopkg.in/yaml.v3"
)

// ErrWaivers marks a waivers file that cannot be used. main maps it to the
// usage/config exit code: a malformed waiver must never silently waive
// nothing (or everything).
var ErrWaivers = errors.New("invalid waivers")

// WaiverRuleID is the meta rule that reports waivers matching no failing
// finding. It joins the catalog of a run that has waivers.
const WaiverRuleID = "EXR-WVR-001"

// Waiver is one accepted risk: findings of Rule on objects matching Object
// are reported as waived until the end of the Expires day (UTC).
type Waiver struct {
	ID     string `json:"id"`
	Rule   string `json:"rule"`
	Object string `json:"object"`
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver applies.
	Expires string `json:"expires"`
	// Line is where the waiver starts in its file.
	Line int `json:"line"`

	pattern *glob.Pattern
	until   time.Time // start of the day after Expires
}

// WaiverSet is the waivers of one file (or of scan.yaml's inline list).
type WaiverSet struct {
	// Source names the file in messages and in the evidence manifest.
	Source  string
	SHA256  string
	Bytes   int64
	Waivers []Waiver
}

// InputFile is the waivers file's record for the evidence manifest.
func (ws *WaiverSet) InputFile() InputFile {
	return InputFile{Source: "waivers", Path: ws.Source, SHA256: ws.SHA256, Bytes: ws.Bytes}
}

var waiverKeys = []string{"id", "rule", "object", "reason", "owner", "expires"}

// ParseWaivers reads a waivers file strictly:
//
//	waivers:
//	  - id: W-2026-001
//	    rule: EXR-MBX-007
//	    object: "Kwame Osei"      # glob on object id, display name or DN
//	    reason: routed through the journaling appliance until it is replaced
//	    owner: messaging-team@corp.example.test
//	    expires: 2027-06-30       # last day it applies (UTC)
//
// Every field is required; an unknown key, a duplicate id, a bad rule id,
// glob or date is an error naming the file and line.
func ParseWaivers(source string, data []byte) (*WaiverSet, error) {
	sum := sha256.Sum256(data)
	ws := &WaiverSet{Source: source, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: %v", ErrWaivers, source, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%w: %s is empty: write a waivers: list (see docs/waivers.md)", ErrWaivers, source)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: %s:%d: the file must be a mapping with a waivers: list", ErrWaivers, source, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "waivers" {
			return nil, fmt.Errorf("%w: %s:%d: unknown key %q (the file holds one key, waivers)", ErrWaivers, source, k.Line, k.Value)
		}
		list = v
	}
	if list == nil {
		return nil, fmt.Errorf("%w: %s: no waivers: list", ErrWaivers, source)
	}
	if err := ws.addList(list); err != nil {
		return nil, err
	}
	return ws, nil
}

// WaiversFromNode reads an inline waivers list (scan.yaml's waivers:).
func WaiversFromNode(source string, list *yaml.Node) (*WaiverSet, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(list); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrWaivers, source, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	ws := &WaiverSet{Source: source, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(buf.Len())}
	if err := ws.addList(list); err != nil {
		return nil, err
	}
	return ws, nil
}

func (ws *WaiverSet) addList(list *yaml.Node) error {
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: %s:%d: waivers must be a list of waivers (- id: ...)", ErrWaivers, ws.Source, list.Line)
	}
	seen := map[string]int{}
	for _, item := range list.Content {
		w, err := ws.parseWaiver(item)
		if err != nil {
			return err
		}
		if first, dup := seen[strings.ToLower(w.ID)]; dup {
			return fmt.Errorf("%w: %s:%d: waiver id %q is already used at line %d", ErrWaivers, ws.Source, w.Line, w.ID, first)
		}
		seen[strings.ToLower(w.ID)] = w.Line
		ws.Waivers = append(ws.Waivers, w)
	}
	return nil
}

func (ws *WaiverSet) parseWaiver(n *yaml.Node) (Waiver, error) {
	w := Waiver{Line: n.Line}
	fail := func(line int, format string, args ...any) (Waiver, error) {
		return w, fmt.Errorf("%w: %s:%d: %s", ErrWaivers, ws.Source, line, fmt.Sprintf(format, args...))
	}
	if n.Kind != yaml.MappingNode {
		return fail(n.Line, "a waiver must be a mapping with %s", strings.Join(waiverKeys, ", "))
	}
	fields := map[string]*string{"id": &w.ID, "rule": &w.Rule, "object": &w.Object, "reason": &w.Reason, "owner": &w.Owner, "expires": &w.Expires}
	set := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		dst, known := fields[k.Value]
		if !known {
			return fail(k.Line, "unknown key %q (known: %s)", k.Value, strings.Join(waiverKeys, ", "))
		}
		if set[k.Value] {
			return fail(k.Line, "key %q appears twice in one waiver", k.Value)
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return fail(v.Line, "%s must be a single value", k.Value)
		}
		set[k.Value] = true
		*dst = strings.TrimSpace(v.Value)
	}
	for _, k := range waiverKeys {
		if *fields[k] == "" {
			return fail(n.Line, "waiver has no %s (every waiver needs %s)", k, strings.Join(waiverKeys, ", "))
		}
	}
	w.Rule = strings.ToUpper(w.Rule)
	if !ruleIDPattern.MatchString(w.Rule) {
		return fail(n.Line, "rule %q is not a rule id like EXR-MBX-007", w.Rule)
	}
	day, err := time.Parse(time.DateOnly, w.Expires)
	if err != nil {
		return fail(n.Line, "expires %q is not a date like 2027-06-30", w.Expires)
	}
	w.until = day.AddDate(0, 0, 1)
	if w.pattern, err = glob.Compile(strings.ToLower(w.Object)); err != nil {
		return fail(n.Line, "object pattern %q: %v", w.Object, err)
	}
	return w, nil
}

// Expired tells whether the waiver no longer applies at now: it applies
// through the whole of its expiry day, UTC.
func (w *Waiver) Expired(now time.Time) bool { return !now.Before(w.until) }

// Matches tells whether the waiver covers a finding: same rule, and the
// glob matches the object's id, display name or DN (case-insensitive).
func (w *Waiver) Matches(f *Finding) bool {
	if !strings.EqualFold(w.Rule, f.RuleID) {
		return false
	}
	for _, s := range []string{f.Object.ID, f.Object.DisplayName, f.Object.DN} {
		if s != "" && w.pattern.Match(strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// waiverRuleMeta is the catalog entry of the meta rule.
func waiverRuleMeta(ws *WaiverSet) RuleMeta {
	return RuleMeta{
		ID:    WaiverRuleID,
		Title: "Waiver matches no failing finding",
		Description: "A waiver whose rule and object pattern match no failing finding is stale (the problem was fixed) " +
			"or wrong (a typo in the rule id or pattern): either way it should be removed or corrected, so the waivers file " +
			"stays a true list of accepted risks.",
		Severity:    "low",
		Category:    "governance",
		Remediation: "Remove the waiver from " + ws.Source + ", or correct its rule id or object pattern.",
		References:  []string{"docs/waivers.md"},
		Package:     "(built in)",
		File:        ws.Source,
	}
}

// applyWaivers marks the failing findings covered by an unexpired waiver as
// waived, notes expired waivers on the findings they would cover, and
// returns the meta rule's result and findings, and the waivers section of
// the inventory. The first waiver in file order that matches wins.
func applyWaivers(findings []Finding, ws *WaiverSet, now time.Time) ([]Finding, RuleResult, []Finding, []map[string]any) {
	matched := make([]int, len(ws.Waivers))
	for i := range findings {
		f := &findings[i]
		if f.Status != StatusFail {
			continue
		}
		for wi := range ws.Waivers {
			w := &ws.Waivers[wi]
			if !w.Matches(f) {
				continue
			}
			matched[wi]++
			expired := w.Expired(now)
			f.Waiver = &WaiverRef{ID: w.ID, Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Expired: expired}
			if expired {
				f.Message += fmt.Sprintf(" (waiver %s expired on %s: no longer waived)", w.ID, w.Expires)
			} else {
				f.Status = StatusWaived
			}
			break
		}
	}

	meta := waiverRuleMeta(ws)
	res := RuleResult{RuleMeta: meta, Counts: RuleCounts{Checked: len(ws.Waivers)}}
	known := map[string]bool{}
	for i := range findings {
		known[strings.ToUpper(findings[i].RuleID)] = true
	}
	var extra []Finding
	rows := make([]map[string]any, 0, len(ws.Waivers))
	for wi := range ws.Waivers {
		w := &ws.Waivers[wi]
		expired := w.Expired(now)
		rows = append(rows, map[string]any{
			"id": w.ID, "rule": w.Rule, "object": w.Object, "reason": w.Reason, "owner": w.Owner,
			"expires": w.Expires, "expired": expired, "matched": matched[wi], "file": ws.Source, "line": w.Line,
		})
		if matched[wi] > 0 {
			continue
		}
		why := "the problem it covered is fixed, or its object pattern is wrong"
		if !known[strings.ToUpper(w.Rule)] {
			why = "rule " + w.Rule + " is not in the catalog"
		}
		f := tenantFinding(meta, StatusFail, fmt.Sprintf("waiver %s (%s, object %q, %s:%d) matches no failing finding: %s; remove or correct it",
			w.ID, w.Rule, w.Object, ws.Source, w.Line, why))
		f.Object = Object{Type: "waiver", ID: w.ID, DisplayName: w.Rule + " " + w.Object}
		f.Evidence = map[string]any{"rule": w.Rule, "object": w.Object, "file": ws.Source, "line": w.Line, "expires": w.Expires, "expired": expired, "owner": w.Owner}
		extra = append(extra, f)
	}
	if len(extra) == 0 {
		extra = append(extra, tenantFinding(meta, StatusPass, fmt.Sprintf("%d %s checked, each matches a failing finding", len(ws.Waivers), plural(len(ws.Waivers), "waiver", "waivers"))))
	}
	for i := range extra {
		extra[i].UID = FindingUID(extra[i].RuleID, extra[i].Object.ID, extra[i].Key)
	}
	return findings, res, extra, rows
}

// insertResult adds a rule result keeping the results sorted by rule id.
func insertResult(results []RuleResult, r RuleResult) []RuleResult {
	i := sort.Search(len(results), func(i int) bool { return results[i].ID >= r.ID })
	results = append(results, RuleResult{})
	copy(results[i+1:], results[i:])
	results[i] = r
	return results
}
