package report

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/exoready/exoready/evaluate"
)

// sarifWriter writes findings.sarif (SARIF 2.1.0) for code-scanning
// dashboards: the rule catalog as tool.driver.rules, one result per failing,
// unassessed or waived finding, the object as a logical location and the
// finding uid as partial fingerprint, so dashboards track a finding across
// scans.
type sarifWriter struct{}

func newSARIF(Options) Writer { return sarifWriter{} }

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifToolURI = "https://github.com/exoready/exoready"
	// sarifFingerprint names the partial fingerprint holding the finding uid.
	sarifFingerprint = "exoreadyFindingUid/v1"
)

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return sarif.LevelError
	case "medium":
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// securitySeverity is the CVSS-like score code-scanning dashboards sort by.
var securitySeverity = map[string]string{
	"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0",
}

func (sarifWriter) Write(_ context.Context, w io.Writer, r *evaluate.Report) error {
	doc := sarifReport(r)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// sarifReport builds the SARIF document of a report.
func sarifReport(r *evaluate.Report) *sarif.Report {
	doc := sarif.NewReport()
	doc.Schema = sarifSchema
	run := sarif.NewRunWithInformationURI(nonEmpty(r.Tool.Name, "exoready"), sarifToolURI)
	run.Tool.Driver.WithVersion(r.Tool.Version)
	run.Tool.Driver.WithProperties(sarif.NewPropertyBag().
		Add("commit", r.Tool.Commit).
		Add("policyPackVersion", r.PolicyPack.Version).
		Add("policyPackSha256", r.PolicyPack.SHA256))
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID("exoready/" + r.ScanID))

	ruleIndex := map[string]int{}
	for i, rr := range r.Rules {
		ruleIndex[rr.ID] = i
		rule := run.AddRule(rr.ID).
			WithName(ruleName(rr.Title)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(nonEmpty(rr.Title, rr.ID))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(rr.Severity)))
		if rr.Description != "" {
			rule.WithFullDescription(sarif.NewMultiformatMessageString().WithText(rr.Description))
		}
		if rr.Remediation != "" {
			rule.WithHelp(sarif.NewMultiformatMessageString().WithText(rr.Remediation))
		}
		if len(rr.References) > 0 {
			rule.WithHelpURI(rr.References[0])
		}
		props := sarif.NewPropertyBag().
			Add("severity", rr.Severity).
			Add("category", rr.Category).
			Add("security-severity", securitySeverity[rr.Severity]).
			Add("requires", nonNil(rr.Requires)).
			Add("references", nonNil(rr.References)).
			Add("status", string(rr.Status)).
			Add("counts", rr.Counts)
		props.WithTags(tagsOf(rr.Category, rr.Severity))
		rule.WithProperties(props)
	}

	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status == evaluate.StatusPass {
			continue
		}
		res := sarif.NewRuleResult(f.RuleID).
			WithMessage(sarif.NewMessage().WithText(f.Message)).
			AddPartialFingerprint(sarifFingerprint, f.UID)
		if idx, ok := ruleIndex[f.RuleID]; ok {
			res.WithRuleIndex(idx)
		}
		switch f.Status {
		case evaluate.StatusError:
			// Not assessed: SARIF's "open" kind, which carries level none.
			res.WithKind("open").WithLevel(sarif.LevelNone)
		default:
			res.WithKind("fail").WithLevel(sarifLevel(f.Severity))
		}
		if f.Waiver != nil && f.Status == evaluate.StatusWaived {
			res.AddSuppression(sarif.NewSuppression().WithKind("external").WithStatus("accepted").
				WithJustification(strings.TrimSpace(f.Waiver.Reason + " (waiver " + f.Waiver.ID + ", owner " + f.Waiver.Owner + ", expires " + f.Waiver.Expires + ")")))
		}
		res.AddLocation(sarif.NewLocation().AddLogicalLocation(logicalLocation(f.Object)))
		props := sarif.NewPropertyBag().
			Add("uid", f.UID).
			Add("status", string(f.Status)).
			Add("severity", f.Severity).
			Add("category", f.Category).
			Add("object", f.Object).
			Add("evidence", nonNilMap(f.Evidence)).
			Add("remediation", f.Remediation)
		res.WithProperties(props)
		run.AddResult(res)
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	if !r.Timings.StartedAt.IsZero() {
		inv.WithStartTimeUtc(r.Timings.StartedAt.UTC().Format(time.RFC3339))
	}
	if !r.Timings.FinishedAt.IsZero() {
		inv.WithEndTimeUtc(r.Timings.FinishedAt.UTC().Format(time.RFC3339))
	}
	for _, name := range slices.Sorted(maps.Keys(r.Inputs.Sources)) {
		for _, e := range r.Inputs.Sources[name].Errors {
			inv.AddToolExecutionNotification(sarif.NewNotification().
				WithLevel(sarif.LevelError).
				WithMessage(sarif.NewMessage().WithText(name + ": " + e)))
		}
	}
	run.AddInvocation(inv)
	run.WithProperties(sarif.NewPropertyBag().
		Add("scanId", r.ScanID).
		Add("complete", r.Complete).
		Add("redacted", r.Redacted).
		Add("tenant", r.Inputs.Snapshot.Tenant).
		Add("forest", r.Inputs.Snapshot.Forest).
		Add("snapshotSha256", r.Inputs.Snapshot.SHA256).
		Add("decommissionVerdict", r.Summary.Verdicts.Decommission.Text).
		Add("flipVerdict", r.Summary.Verdicts.Flip.Text))
	doc.AddRun(run)
	return doc
}

func logicalLocation(o evaluate.Object) *sarif.LogicalLocation {
	name := nonEmpty(o.DisplayName, o.ID)
	ll := sarif.NewLogicalLocation().WithName(name).WithKind("resource").
		WithFullyQualifiedName(o.Type + "/" + nonEmpty(o.DN, o.ID))
	ll.WithProperties(sarif.NewPropertyBag().Add("objectType", o.Type).Add("objectId", o.ID).Add("dn", o.DN))
	return ll
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
