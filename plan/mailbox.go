package plan

import (
	"cmp"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/exoready/exoready/evaluate"
)

// findingIndex holds, per mailbox id (lower case), its failing findings
// other than the "not yet cloud-managed" rule itself, and its waived ones.
type findingIndex struct {
	open, waived map[string][]FindingRef
}

func indexFindings(rep *evaluate.Report) findingIndex {
	readinessRule := map[string]bool{}
	for _, r := range rep.Rules {
		readinessRule[r.ID] = r.ReportsReadiness
	}
	idx := findingIndex{open: map[string][]FindingRef{}, waived: map[string][]FindingRef{}}
	for _, f := range rep.Findings {
		if f.Object.Type == "tenant" || readinessRule[f.RuleID] {
			continue
		}
		ref := FindingRef{UID: f.UID, RuleID: f.RuleID, Severity: f.Severity, Message: f.Message}
		id := strings.ToLower(f.Object.ID)
		switch f.Status {
		case evaluate.StatusFail:
			idx.open[id] = append(idx.open[id], ref)
		case evaluate.StatusWaived:
			idx.waived[id] = append(idx.waived[id], ref)
		}
	}
	for _, refs := range []map[string][]FindingRef{idx.open, idx.waived} {
		for _, l := range refs {
			slices.SortFunc(l, func(a, b FindingRef) int { return cmp.Or(cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.UID, b.UID)) })
		}
	}
	return idx
}

// newMailbox reads one inventory row into a planned mailbox and decides
// whether it can be flipped, and from when.
func newMailbox(row *evaluate.MailboxRow, r evaluate.Readiness, idx findingIndex, o *Options, now time.Time) (Mailbox, error) {
	m := Mailbox{
		ID: row.ID, DisplayName: row.DisplayName, Kind: row.Kind, Location: row.Location,
		GUID:                      str(row.EXO, "guid"),
		ExternalDirectoryObjectID: str(row.EXO, "external_directory_object_id"),
		UserPrincipalName:         firstOf(str(row.EXO, "user_principal_name"), str(row.AD, "user_principal_name")),
		PrimarySMTPAddress:        firstOf(str(row.EXO, "primary_smtp_address"), str(row.AD, "mail")),
		DN:                        str(row.AD, "dn"),
		Department:                str(row.AD, "department"),
		ADWhenChanged:             timeOf(row.AD, "when_changed"),
		EXOWhenChanged:            timeOf(row.EXO, "when_changed_utc"),
		MoveStatus:                str(row.EXO, "mailbox_move_status"),
		Readiness:                 r.State, ReadinessText: r.Text, BlockedBy: nonNil(r.BlockedBy), WaitUntil: r.WaitUntil,
		OpenFindings: nonNil(idx.open[strings.ToLower(row.ID)]),
		Waived:       nonNil(idx.waived[strings.ToLower(row.ID)]),
	}
	m.Identity = firstOf(m.GUID, m.UserPrincipalName, m.PrimarySMTPAddress)
	m.OU = ouOf(m.DN)
	m.Domain = domainOf(m.PrimarySMTPAddress, m.UserPrincipalName)
	g, err := groupValue(row, &m, o.WaveBy)
	if err != nil {
		return m, err
	}
	m.Group = g

	if m.WaitUntil != nil && m.WaitUntil.After(now) {
		m.SafeFrom, m.SafeReason = m.WaitUntil, "rules ask to wait ("+m.ReadinessText+")"
	}
	if m.ADWhenChanged != nil {
		quiet := m.ADWhenChanged.Add(o.quietPeriod())
		if quiet.After(now) && (m.SafeFrom == nil || quiet.After(*m.SafeFrom)) {
			m.SafeFrom = &quiet
			m.SafeReason = fmt.Sprintf("changed on-premises at %s: one sync cycle (%d min) + %d h must pass",
				m.ADWhenChanged.UTC().Format(time.RFC3339), o.SyncIntervalMinutes, o.SettleHours)
		}
	}

	m.Action = ActionFlip
	switch {
	case r.State == evaluate.ReadyBlocked:
		m.HoldReason = "blocked by " + strings.Join(r.BlockedBy, ", ")
	case r.State == evaluate.ReadyUnknown:
		m.HoldReason = r.Text
	case r.State != evaluate.ReadyNow && r.State != evaluate.ReadyWait:
		m.HoldReason = "readiness " + r.State + ": " + r.Text
	case !slices.Contains(o.SettledMoveStatuses, m.MoveStatus):
		m.HoldReason = "mailbox move in flight (MailboxMoveStatus " + m.MoveStatus + ")"
	case m.GUID == "" || m.ExternalDirectoryObjectID == "":
		m.HoldReason = "no Exchange Online Guid or ExternalDirectoryObjectId in the input: the scripts could not make sure they act on this mailbox"
	}
	if m.HoldReason != "" {
		m.Action = ActionHold
	}
	return m, nil
}

// pilotEligible: ready now, nothing to wait for, nothing open, nothing
// waived. The reason is a category, for counting in the plan's notes.
func (m *Mailbox) pilotEligible() (bool, string) {
	switch {
	case m.Action != ActionFlip:
		return false, "held back (blocked, not assessed or moving)"
	case m.Readiness != evaluate.ReadyNow:
		return false, "must wait (rule wait time)"
	case m.SafeFrom != nil:
		return false, "must wait (recent on-premises change)"
	case len(m.OpenFindings) > 0:
		return false, "with open findings"
	case len(m.Waived) > 0:
		return false, "with waived findings"
	}
	return true, ""
}

// groupValue is the mailbox's value of the wave-by attribute.
func groupValue(row *evaluate.MailboxRow, m *Mailbox, by string) (string, error) {
	n, err := groupOf(by)
	if err != nil {
		return "", err
	}
	switch {
	case by == WaveByOU:
		return orNone(m.OU, "(no AD object)"), nil
	case by == WaveByDepartment:
		return orNone(m.Department, "(no department)"), nil
	case by == WaveByDomain:
		return orNone(m.Domain, "(no address)"), nil
	}
	key := fmt.Sprintf("CustomAttribute%d", n)
	v := firstOf(strMap(row.AD, "custom_attributes")[key], strMap(row.EXO, "custom_attributes")[key])
	return orNone(v, "("+key+" empty)"), nil
}

// ouOf renders the container of an AD object as a path from the top:
// CN=Smith\, Ann,OU=Sales,OU=Corp,DC=corp,... gives Corp/Sales.
func ouOf(dn string) string {
	if dn == "" {
		return ""
	}
	d, err := ldap.ParseDN(dn)
	if err != nil || len(d.RDNs) < 2 {
		return ""
	}
	var parts []string
	for _, rdn := range d.RDNs[1:] {
		if len(rdn.Attributes) == 0 || strings.EqualFold(rdn.Attributes[0].Type, "DC") {
			continue
		}
		parts = append(parts, rdn.Attributes[0].Value)
	}
	slices.Reverse(parts)
	if len(parts) == 0 {
		return "(domain root)"
	}
	return strings.Join(parts, "/")
}

func domainOf(addrs ...string) string {
	for _, a := range addrs {
		if p, err := mail.ParseAddress(a); err == nil {
			a = p.Address
		}
		if i := strings.LastIndexByte(a, '@'); i >= 0 && i < len(a)-1 {
			return strings.ToLower(a[i+1:])
		}
	}
	return ""
}

// Values of inventory rows: maps decoded from JSON.

// str, strMap and timeOf read attribute k of side, a mailbox row's AD or
// EXO object.
func str(side any, k string) string {
	s, _ := evaluate.Attr(side, k).(string)
	return s
}

func strMap(side any, k string) map[string]string {
	out := map[string]string{}
	switch v := evaluate.Attr(side, k).(type) {
	case map[string]string:
		return v
	case map[string]any:
		for key, val := range v {
			if s, ok := val.(string); ok {
				out[key] = s
			}
		}
	}
	return out
}

func timeOf(side any, k string) *time.Time {
	s := str(side, k)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func orNone(v, none string) string {
	if v == "" {
		return none
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
