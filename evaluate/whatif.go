package evaluate

import "strings"

// ReadinessAssuming recomputes the readiness of every mailbox in the
// report's inventory as if the tenant-wide failures of the given rules were
// resolved, with the same decision evaluate uses; the result is parallel to
// rep.Inventory.Mailboxes. It lets a rollout plan be drawn up ahead of a
// tenant-wide fix (an Entra Connect upgrade) without pretending the fix is
// done: the caller records the assumption and re-checks it before any wave.
// Rules outside fixed, and failures on single mailboxes, keep their effect.
func ReadinessAssuming(rep *Report, fixed []string) []Readiness {
	skip := setOf(fixed)
	rules := make([]RuleMeta, 0, len(rep.Rules))
	for _, r := range rep.Rules {
		rules = append(rules, r.RuleMeta)
	}
	findings := make([]Finding, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		if f.Status == StatusFail && f.Object.Type == "tenant" && skip[f.RuleID] {
			continue
		}
		findings = append(findings, f)
	}
	tenant, perObject, unknown := flipStates(rules, findings)
	out := make([]Readiness, len(rep.Inventory.Mailboxes))
	for i, m := range rep.Inventory.Mailboxes {
		j := joinedView{ID: m.ID, DisplayName: m.DisplayName, Kind: m.Kind, Location: m.Location, AD: m.AD, EXO: m.EXO}
		out[i] = readinessOf(j, tenant, perObject[strings.ToLower(m.ID)], unknown)
	}
	return out
}
