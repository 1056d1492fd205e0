package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// sarifWriter writes findings.sarif (SARIF 2.1.0) for code-scanning
// dashboards: the rule catalog as tool.driver.rules, one result per failing,
// unassessed or waived finding, the object as a logical location and the
// finding uid as partial fingerprint, so a dashboard tracks a finding
// across scans. Results are streamed one by one: a tenant with 600,000
// failing mailboxes does not need the whole document in memory.
type sarifWriter struct{}

func newSARIF(Options) Writer { return sarifWriter{} }

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifToolURI = "https://github.com/exoready/exoready"
	// sarifFingerprint names the partial fingerprint holding the finding uid.
	sarifFingerprint = "exoreadyFindingUid/v1"
)

// The subset of the SARIF 2.1.0 object model exoready fills.
type (
	sarifText struct {
		Text string `json:"text"`
	}
	sarifRunHead struct {
		Tool              sarifTool         `json:"tool"`
		AutomationDetails sarifAutomation   `json:"automationDetails"`
		Invocations       []sarifInvocation `json:"invocations"`
		Properties        map[string]any    `json:"properties"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string         `json:"name"`
		Version        string         `json:"version,omitempty"`
		InformationURI string         `json:"informationUri"`
		Rules          []sarifRule    `json:"rules"`
		Properties     map[string]any `json:"properties,omitempty"`
	}
	sarifRule struct {
		ID                   string      `json:"id"`
		Name                 string      `json:"name,omitempty"`
		ShortDescription     sarifText   `json:"shortDescription"`
		FullDescription      *sarifText  `json:"fullDescription,omitempty"`
		Help                 *sarifText  `json:"help,omitempty"`
		HelpURI              string      `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
		Properties           sarifProps  `json:"properties"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		StartTimeUTC               string              `json:"startTimeUtc,omitempty"`
		EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string    `json:"level"`
		Message sarifText `json:"message"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           *int               `json:"ruleIndex,omitempty"`
		Kind                string             `json:"kind"`
		Level               string             `json:"level"`
		BaselineState       string             `json:"baselineState,omitempty"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          map[string]any     `json:"properties"`
	}
	sarifLocation struct {
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	}
	sarifLogicalLocation struct {
		Name               string         `json:"name"`
		FullyQualifiedName string         `json:"fullyQualifiedName"`
		Kind               string         `json:"kind"`
		Properties         map[string]any `json:"properties"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	}
	// sarifProps is a property bag: free keys plus tags.
	sarifProps struct {
		Tags []string `json:"tags"`
		sarifRuleProps
	}
	sarifRuleProps struct {
		Severity         string              `json:"severity"`
		Category         string              `json:"category"`
		SecuritySeverity string              `json:"security-severity"`
		Requires         []string            `json:"requires"`
		References       []string            `json:"references"`
		Status           string              `json:"status"`
		Counts           evaluate.RuleCounts `json:"counts"`
	}
)

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score code-scanning dashboards sort by.
var securitySeverity = map[string]string{
	"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0",
}

func (sarifWriter) Write(ctx context.Context, out io.Writer, r *evaluate.Report) error {
	w := bufio.NewWriter(out)
	head, err := indentJSON(sarifHead(r), "    ")
	if err != nil {
		return err
	}
	// The run object is written without its closing brace, so the results
	// can follow one at a time.
	fmt.Fprintf(w, "{\n  \"$schema\": %q,\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    ", sarifSchema)
	w.Write(head[:len(head)-len("\n    }")])
	w.WriteString(",\n      \"results\": [")
	ruleIndex := map[string]int{}
	for i, rr := range r.Rules {
		ruleIndex[rr.ID] = i
	}
	baseline := baselineStates(r.Changes)
	n := 0
	for i := range r.Findings {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		f := &r.Findings[i]
		if f.Status == evaluate.StatusPass {
			continue
		}
		res := sarifResultOf(f, ruleIndex)
		if baseline != nil {
			res.BaselineState = nonEmpty(baseline[f.UID], "unchanged")
		}
		b, err := indentJSON(res, "        ")
		if err != nil {
			return fmt.Errorf("finding %s: %w", f.UID, err)
		}
		if n > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n        ")
		w.Write(b)
		n++
	}
	if n > 0 {
		w.WriteString("\n      ")
	}
	w.WriteString("]\n    }\n  ]\n}\n")
	return w.Flush()
}

// indentJSON renders v indented, each line after the first starting with
// prefix, HTML characters unescaped, without a trailing newline.
func indentJSON(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sarifHead is the run without its results.
func sarifHead(r *evaluate.Report) sarifRunHead {
	h := sarifRunHead{
		Tool: sarifTool{Driver: sarifDriver{
			Name: nonEmpty(r.Tool.Name, "exoready"), Version: r.Tool.Version, InformationURI: sarifToolURI,
			Rules: make([]sarifRule, 0, len(r.Rules)),
			Properties: map[string]any{
				"commit": r.Tool.Commit, "policyPackVersion": r.PolicyPack.Version, "policyPackSha256": r.PolicyPack.SHA256,
			},
		}},
		AutomationDetails: sarifAutomation{ID: "exoready/" + r.ScanID},
		Properties: map[string]any{
			"scanId":              r.ScanID,
			"complete":            r.Complete,
			"redacted":            r.Redacted,
			"tenant":              r.Inputs.Snapshot.Tenant,
			"forest":              r.Inputs.Snapshot.Forest,
			"snapshotSha256":      r.Inputs.Snapshot.SHA256,
			"decommissionVerdict": r.Summary.Verdicts.Decommission.Text,
			"flipVerdict":         r.Summary.Verdicts.Flip.Text,
		},
	}
	for _, rr := range r.Rules {
		rule := sarifRule{
			ID: rr.ID, Name: ruleName(rr.Title),
			ShortDescription:     sarifText{nonEmpty(rr.Title, rr.ID)},
			DefaultConfiguration: sarifConfig{sarifLevel(rr.Severity)},
			Properties: sarifProps{Tags: tagsOf(rr.Category, rr.Severity), sarifRuleProps: sarifRuleProps{
				Severity: rr.Severity, Category: rr.Category, SecuritySeverity: securitySeverity[rr.Severity],
				Requires: nonNil(rr.Requires), References: nonNil(rr.References), Status: string(rr.Status), Counts: rr.Counts,
			}},
		}
		if rr.Description != "" {
			rule.FullDescription = &sarifText{rr.Description}
		}
		if rr.Remediation != "" {
			rule.Help = &sarifText{rr.Remediation}
		}
		for _, ref := range rr.References {
			if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
				rule.HelpURI = ref
				break
			}
		}
		h.Tool.Driver.Rules = append(h.Tool.Driver.Rules, rule)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if !r.Timings.StartedAt.IsZero() {
		inv.StartTimeUTC = r.Timings.StartedAt.UTC().Format(time.RFC3339)
	}
	if !r.Timings.FinishedAt.IsZero() {
		inv.EndTimeUTC = r.Timings.FinishedAt.UTC().Format(time.RFC3339)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Inputs.Sources)) {
		for _, e := range r.Inputs.Sources[name].Errors {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
				sarifNotification{Level: "error", Message: sarifText{name + ": " + e}})
		}
	}
	h.Invocations = []sarifInvocation{inv}
	return h
}

func sarifResultOf(f *evaluate.Finding, ruleIndex map[string]int) sarifResult {
	res := sarifResult{
		RuleID:              f.RuleID,
		Kind:                "fail",
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{f.Message},
		PartialFingerprints: map[string]string{sarifFingerprint: f.UID},
		Locations: []sarifLocation{{LogicalLocations: []sarifLogicalLocation{{
			Name:               nonEmpty(f.Object.DisplayName, f.Object.ID),
			FullyQualifiedName: f.Object.Type + "/" + nonEmpty(f.Object.DN, f.Object.ID),
			Kind:               "resource",
			Properties:         map[string]any{"objectType": f.Object.Type, "objectId": f.Object.ID, "dn": f.Object.DN},
		}}}},
		Properties: map[string]any{
			"uid": f.UID, "status": string(f.Status), "severity": f.Severity, "category": f.Category,
			"evidence": nonNilMap(f.Evidence), "remediation": f.Remediation,
		},
	}
	if idx, ok := ruleIndex[f.RuleID]; ok {
		res.RuleIndex = &idx
	}
	if f.Status == evaluate.StatusError {
		// Not assessed: SARIF's "open" kind, which carries level none.
		res.Kind, res.Level = "open", "none"
	}
	if f.Status == evaluate.StatusWaived && f.Waiver != nil {
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted",
			Justification: fmt.Sprintf("%s (waiver %s, owner %s, expires %s)", f.Waiver.Reason, f.Waiver.ID, f.Waiver.Owner, f.Waiver.Expires)}}
	}
	return res
}

// baselineStates maps finding uids to SARIF baseline states when the
// report was compared with a baseline scan: new findings are "new", those
// whose severity or status changed "updated"; the rest are "unchanged".
func baselineStates(c *evaluate.Changes) map[string]string {
	if c == nil {
		return nil
	}
	m := map[string]string{}
	for _, e := range c.Entries {
		switch e.Kind {
		case evaluate.ChangeNew:
			m[e.UID] = "new"
		case evaluate.ChangeChanged:
			m[e.UID] = "updated"
		}
	}
	return m
}

// ruleName turns a title into the PascalCase identifier SARIF expects in
// reportingDescriptor.name.
func ruleName(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(word[:1]))
		b.WriteString(word[1:])
	}
	return b.String()
}

func tagsOf(tags ...string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
