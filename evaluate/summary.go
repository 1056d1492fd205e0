package evaluate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/parallel"
)

// countRules fills each rule's counts and status from the findings.
func countRules(results []RuleResult, findings []Finding) []RuleResult {
	byID := map[string]*RuleResult{}
	for i := range results {
		byID[results[i].ID] = &results[i]
	}
	failedObjects := map[string]map[string]bool{}
	for i := range findings {
		f := &findings[i]
		r := byID[f.RuleID]
		if r == nil {
			continue
		}
		switch f.Status {
		case StatusFail:
			if failedObjects[f.RuleID] == nil {
				failedObjects[f.RuleID] = map[string]bool{}
			}
			failedObjects[f.RuleID][f.Object.ID] = true
		case StatusError:
			r.Counts.Errors++
		case StatusWaived:
			r.Counts.Waived++
		}
	}
	for i := range results {
		r := &results[i]
		r.Counts.Failed = len(failedObjects[r.ID])
		r.Counts.Passed = max(r.Counts.Checked-r.Counts.Failed-r.Counts.Waived, 0)
		switch {
		case r.Counts.Errors > 0:
			r.Status = StatusError
		case r.Counts.Failed > 0:
			r.Status = StatusFail
		case r.Counts.Waived > 0:
			r.Status = StatusWaived
		default:
			r.Status = StatusPass
		}
	}
	return results
}

// summarize computes verdicts and counts.
func summarize(r *Report) Summary {
	s := Summary{
		BySeverity: map[string]int{},
		ByStatus:   map[string]int{},
		ByCategory: map[string]int{},
	}
	for _, sev := range Severities {
		s.BySeverity[sev] = 0
	}
	for _, st := range []Status{StatusFail, StatusPass, StatusError, StatusWaived} {
		s.ByStatus[string(st)] = 0
	}
	blockers, unassessed := map[string]bool{}, map[string]bool{}
	for i := range r.Findings {
		f := &r.Findings[i]
		s.ByStatus[string(f.Status)]++
		if f.Status == StatusFail {
			s.BySeverity[f.Severity]++
			s.ByCategory[f.Category]++
			if f.Severity == "critical" {
				blockers[f.RuleID] = true
			}
		}
		if f.Status == StatusError && f.Severity == "critical" {
			unassessed[f.RuleID] = true
		}
	}
	d := &s.Verdicts.Decommission
	d.Blockers, d.Unassessed = sortedSet(blockers), sortedSet(unassessed)
	d.Ready = len(d.Blockers) == 0 && len(d.Unassessed) == 0
	switch {
	case len(d.Blockers) > 0:
		d.Text = fmt.Sprintf("NOT READY to decommission: %d critical %s (%s)", len(d.Blockers), plural(len(d.Blockers), "rule fails", "rules fail"), strings.Join(d.Blockers, ", "))
		if len(d.Unassessed) > 0 {
			d.Text += fmt.Sprintf("; %d critical %s not assessed", len(d.Unassessed), plural(len(d.Unassessed), "rule", "rules"))
		}
	case len(d.Unassessed) > 0:
		d.Text = fmt.Sprintf("NOT ASSESSED: %d critical %s could not be assessed (%s)", len(d.Unassessed), plural(len(d.Unassessed), "rule", "rules"), strings.Join(d.Unassessed, ", "))
	default:
		d.Text = "READY to decommission: no critical rule fails"
	}

	fv := &s.Verdicts.Flip
	fv.ByState = map[string]int{}
	for _, st := range []string{ReadyCloudManaged, ReadyNow, ReadyWait, ReadyBlocked, ReadyUnknown, ReadyNotApplicable} {
		fv.ByState[st] = 0
	}
	for i := range r.Inventory.Mailboxes {
		fv.ByState[r.Inventory.Mailboxes[i].Readiness.State]++
	}
	fv.Mailboxes = len(r.Inventory.Mailboxes)
	fv.TenantBlockers = tenantBlockers(r.Findings, r.Rules)
	synced := fv.Mailboxes - fv.ByState[ReadyNotApplicable]
	fv.Text = fmt.Sprintf("%d of %d synced mailboxes cloud-managed; %d ready to flip now, %d must wait, %d blocked, %d unknown",
		fv.ByState[ReadyCloudManaged], synced, fv.ByState[ReadyNow], fv.ByState[ReadyWait], fv.ByState[ReadyBlocked], fv.ByState[ReadyUnknown])
	if len(fv.TenantBlockers) > 0 {
		fv.Text += "; tenant-wide blockers: " + strings.Join(fv.TenantBlockers, ", ")
	}
	return s
}

func tenantBlockers(findings []Finding, rules []RuleResult) []string {
	blocks := map[string]bool{}
	for _, r := range rules {
		blocks[r.ID] = r.BlocksFlip
	}
	set := map[string]bool{}
	for i := range findings {
		f := &findings[i]
		if f.Status == StatusFail && f.Object.Type == "tenant" && blocks[f.RuleID] {
			set[f.RuleID] = true
		}
	}
	return sortedSet(set)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// inventoryADOf and inventoryEXOOf project an AD recipient and an EXO
// mailbox to the inventory's fields, sharing the snapshot's values.
func inventoryADOf(u *snapshot.ADRecipient) *InventoryAD {
	return &InventoryAD{CustomAttributes: u.CustomAttributes, Department: u.Department, DN: u.DN,
		ExtensionCustomAttributes: u.ExtensionCustomAttributes, HiddenFromAddressLists: u.HiddenFromAddressLists,
		HomeMDB: u.HomeMDB, Mail: u.Mail, ProxyAddresses: u.ProxyAddresses, RecipientTypeDetails: u.RecipientTypeDetails,
		TargetAddress: u.TargetAddress, UserPrincipalName: u.UserPrincipalName, WhenChanged: u.WhenChanged}
}

func inventoryEXOOf(m *snapshot.Mailbox) *InventoryEXO {
	return &InventoryEXO{CustomAttributes: m.CustomAttributes, EmailAddresses: m.EmailAddresses,
		ExtensionCustomAttributes: m.ExtensionCustomAttributes, ExternalDirectoryObjectID: m.ExternalDirectoryObjectID,
		Guid: m.Guid, HiddenFromAddressListsEnabled: m.HiddenFromAddressListsEnabled, IsDirSynced: m.IsDirSynced,
		IsExchangeCloudManaged: m.IsExchangeCloudManaged, MailboxMoveFlags: m.MailboxMoveFlags,
		MailboxMoveStatus: m.MailboxMoveStatus, PrimarySMTPAddress: m.PrimarySMTPAddress,
		RecipientTypeDetails: m.RecipientTypeDetails, UserPrincipalName: m.UserPrincipalName, WhenChangedUTC: m.WhenChangedUTC}
}

// Attr returns attribute name of side, a mailbox row's AD or EXO object,
// or nil when side is nil or lacks the attribute (or holds null). A row
// read from findings.json gives the decoded JSON value (string, bool,
// json.Number, []any, map[string]any); a row evaluate built gives the
// snapshot's value: string, bool, []string, map[string]string or
// map[string][]string, a time as its RFC 3339 text. Both write the same
// JSON.
func Attr(side any, name string) any {
	switch x := side.(type) {
	case map[string]any:
		return x[name]
	case *InventoryAD:
		if x != nil {
			return x.attr(name)
		}
	case *InventoryEXO:
		if x != nil {
			return x.attr(name)
		}
	}
	return nil
}

func (a *InventoryAD) attr(name string) any {
	switch name {
	case "custom_attributes":
		return orNil(a.CustomAttributes)
	case "department":
		return a.Department
	case "dn":
		return a.DN
	case "extension_custom_attributes":
		return orNil(a.ExtensionCustomAttributes)
	case "hidden_from_address_lists":
		return orNil(a.HiddenFromAddressLists)
	case "home_mdb":
		return a.HomeMDB
	case "mail":
		return a.Mail
	case "proxy_addresses":
		return orNil(a.ProxyAddresses)
	case "recipient_type_details":
		return a.RecipientTypeDetails
	case "target_address":
		return a.TargetAddress
	case "user_principal_name":
		return a.UserPrincipalName
	case "when_changed":
		return orNil(a.WhenChanged)
	}
	return nil
}

func (m *InventoryEXO) attr(name string) any {
	switch name {
	case "custom_attributes":
		return orNil(m.CustomAttributes)
	case "email_addresses":
		return orNil(m.EmailAddresses)
	case "extension_custom_attributes":
		return orNil(m.ExtensionCustomAttributes)
	case "external_directory_object_id":
		return m.ExternalDirectoryObjectID
	case "guid":
		return m.Guid
	case "hidden_from_address_lists_enabled":
		return m.HiddenFromAddressListsEnabled
	case "is_dir_synced":
		return m.IsDirSynced
	case "is_exchange_cloud_managed":
		return orNil(m.IsExchangeCloudManaged)
	case "mailbox_move_flags":
		return m.MailboxMoveFlags
	case "mailbox_move_status":
		return m.MailboxMoveStatus
	case "primary_smtp_address":
		return m.PrimarySMTPAddress
	case "recipient_type_details":
		return m.RecipientTypeDetails
	case "user_principal_name":
		return m.UserPrincipalName
	case "when_changed_utc":
		return orNil(m.WhenChangedUTC)
	}
	return nil
}

// orNil is v as Attr gives it: nil for a nil list, map or pointer (an
// interface holding a typed nil would not compare equal to nil), a
// pointer's value, a time's RFC 3339 text.
func orNil(v any) any {
	switch x := v.(type) {
	case []string:
		if x != nil {
			return x
		}
	case map[string]string:
		if x != nil {
			return x
		}
	case map[string][]string:
		if x != nil {
			return x
		}
	case *bool:
		if x != nil {
			return *x
		}
	case *time.Time:
		if x != nil {
			return x.Format(time.RFC3339Nano)
		}
	}
	return nil
}

// mailboxRows builds the mailbox inventory with each mailbox's readiness:
// cloud-managed already; blocked by the flip-blocking rules that fail on it
// or on the tenant; waiting until the latest wait_until of those; unknown
// when a flip-blocking rule could not be assessed; otherwise ready now.
func mailboxRows(joined []snapshot.JoinedMailbox, rules []RuleMeta, findings []Finding) []MailboxRow {
	tenant, perObject, unknown := flipStates(rules, findings)
	rows := make([]MailboxRow, len(joined))
	// Rows are independent: build them on every processor.
	parallel.Ranges(len(joined), 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			mailboxRow(&joined[i], &rows[i], tenant, perObject, unknown)
		}
	})
	return rows
}

func mailboxRow(j *snapshot.JoinedMailbox, row *MailboxRow, tenant *flipState, perObject map[string]*flipState, unknown []string) {
	*row = MailboxRow{ID: j.ID, DisplayName: j.DisplayName, Kind: j.Kind, Location: j.Location, JoinMethod: j.JoinMethod, Drift: []string{}}
	if j.AD != nil {
		row.AD = inventoryADOf(j.AD)
	}
	if j.EXO != nil {
		row.EXO = inventoryEXOOf(j.EXO)
	}
	for _, d := range j.Drift {
		row.Drift = append(row.Drift, d.Attribute)
	}
	jv := joinedView{ID: row.ID, DisplayName: row.DisplayName, Kind: row.Kind, Location: row.Location, AD: row.AD, EXO: row.EXO}
	row.Readiness = readinessOf(jv, tenant, perObject[strings.ToLower(j.ID)], unknown)
}

// flipStates collects, from the findings of flip-blocking rules, what keeps
// the tenant and each object from a flip: rules that fail (blocked), the
// latest wait_until of failures that only ask to wait, and the rules that
// could not be assessed (unknown, for every mailbox).
func flipStates(rules []RuleMeta, findings []Finding) (tenant *flipState, perObject map[string]*flipState, unknown []string) {
	blocks := map[string]bool{}
	for _, r := range rules {
		blocks[r.ID] = r.BlocksFlip
	}
	tenant = newFlipState()
	perObject = map[string]*flipState{}
	for i := range findings {
		f := &findings[i]
		if !blocks[f.RuleID] {
			continue
		}
		if f.Status == StatusError {
			unknown = append(unknown, f.RuleID)
			continue
		}
		if f.Status != StatusFail {
			continue
		}
		st := tenant
		if f.Object.Type != "tenant" {
			id := strings.ToLower(f.Object.ID)
			if perObject[id] == nil {
				perObject[id] = newFlipState()
			}
			st = perObject[id]
		}
		if w, ok := waitUntil(f.Evidence); ok {
			st.waitUntil = laterOf(st.waitUntil, &w)
			continue
		}
		st.blockedBy[f.RuleID] = true
	}
	return tenant, perObject, sortedSet(setOf(unknown))
}

// flipState collects what keeps one mailbox (or the whole tenant) from
// being flipped now.
type flipState struct {
	blockedBy map[string]bool
	waitUntil *time.Time
}

func newFlipState() *flipState { return &flipState{blockedBy: map[string]bool{}} }

// readinessOf decides a mailbox's state from its own findings and the tenant's.
func readinessOf(j joinedView, tenant, own *flipState, unknown []string) Readiness {
	r := Readiness{BlockedBy: []string{}}
	exoCM, _ := Attr(j.EXO, "is_exchange_cloud_managed").(bool)
	synced, _ := Attr(j.EXO, "is_dir_synced").(bool)
	switch {
	case j.EXO != nil && exoCM:
		r.State, r.Text = ReadyCloudManaged, "already cloud-managed"
		return r
	case j.Kind == "" || j.Kind == "other" || (j.EXO != nil && !synced && j.AD == nil):
		r.State, r.Text = ReadyNotApplicable, "not a dir-synced user, shared, room or equipment mailbox"
		return r
	}
	blocked := map[string]bool{}
	wait := tenant.waitUntil
	for k := range tenant.blockedBy {
		blocked[k] = true
	}
	if own != nil {
		for k := range own.blockedBy {
			blocked[k] = true
		}
		wait = laterOf(wait, own.waitUntil)
	}
	r.BlockedBy = sortedSet(blocked)
	switch {
	case len(r.BlockedBy) > 0:
		r.State, r.Text = ReadyBlocked, "blocked by "+strings.Join(r.BlockedBy, ", ")
	case len(unknown) > 0:
		r.State, r.Text = ReadyUnknown, "unknown: not assessed "+strings.Join(unknown, ", ")
	case wait != nil:
		w := wait.UTC()
		r.State, r.WaitUntil, r.Text = ReadyWait, &w, "wait until "+w.Format(time.RFC3339)
	default:
		r.State, r.Text = ReadyNow, "ready to flip now"
	}
	return r
}

func laterOf(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.After(*a):
		return b
	}
	return a
}

func waitUntil(ev map[string]any) (time.Time, bool) {
	s, ok := ev["wait_until"].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func setOf(l []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range l {
		m[s] = true
	}
	return m
}
