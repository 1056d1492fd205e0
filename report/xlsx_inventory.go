package report

import (
	"sort"
	"strings"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// Mailboxes sheet columns: identity, readiness and drift first (the
// print area), then AD and EXO values of each attribute side by side;
// driftColumns maps each drift attribute (EXO name, as the join records
// it) to the columns it highlights.
const (
	mbName = iota
	mbReadiness
	mbReadinessText
	mbWaitUntil
	mbBlockedBy
	mbKind
	mbLocation
	mbCloudManaged
	mbDirSynced
	mbDrift
	mbID
	mbJoin
	mbUPNAD
	mbUPNEXO
	mbTypeAD
	mbTypeEXO
	mbHiddenAD
	mbHiddenEXO
	mbProxyAD
	mbProxyEXO
	mbCustomAD
	mbCustomEXO
	mbExtensionAD
	mbExtensionEXO
	mbMailAD
	mbPrimaryEXO
	mbTargetAD
	mbHomeMDB
	mbDN
	mbChangedAD
	mbChangedEXO
	mbColumns
)

const mailboxPrintCols = mbDrift + 1

var mailboxColumns = [mbColumns]column{
	mbName:          {"Display name", 24, false},
	mbReadiness:     {"Readiness", 13, false},
	mbReadinessText: {"Readiness detail", 34, false},
	mbWaitUntil:     {"Wait until (UTC)", 19, false},
	mbBlockedBy:     {"Blocked by", 26, false},
	mbKind:          {"Kind", 11, false},
	mbLocation:      {"Location", 9, false},
	mbCloudManaged:  {"Cloud-managed (EXO)", 14, false},
	mbDirSynced:     {"Dir-synced (EXO)", 11, false},
	mbDrift:         {"Drifting attributes", 30, false},
	mbID:            {"Mailbox ID", 36, false},
	mbJoin:          {"Joined on", 14, false},
	mbUPNAD:         {"UPN (AD)", 28, false},
	mbUPNEXO:        {"UPN (EXO)", 28, false},
	mbTypeAD:        {"Type (AD)", 18, false},
	mbTypeEXO:       {"Type (EXO)", 18, false},
	mbHiddenAD:      {"Hidden (AD)", 9, false},
	mbHiddenEXO:     {"Hidden (EXO)", 9, false},
	mbProxyAD:       {"proxyAddresses (AD)", 40, false},
	mbProxyEXO:      {"EmailAddresses (EXO)", 40, false},
	mbCustomAD:      {"Custom attributes 1-15 (AD)", 26, false},
	mbCustomEXO:     {"Custom attributes 1-15 (EXO)", 26, false},
	mbExtensionAD:   {"Extension custom attributes 1-5 (AD)", 24, false},
	mbExtensionEXO:  {"Extension custom attributes 1-5 (EXO)", 24, false},
	mbMailAD:        {"mail (AD)", 28, false},
	mbPrimaryEXO:    {"Primary SMTP (EXO)", 28, false},
	mbTargetAD:      {"targetAddress (AD)", 30, false},
	mbHomeMDB:       {"homeMDB (AD)", 24, false},
	mbDN:            {"DN (AD)", 40, false},
	mbChangedAD:     {"Changed (AD)", 20, false},
	mbChangedEXO:    {"Changed (EXO)", 20, false},
}

// driftColumns lists, per drift attribute, the columns that show it.
func driftColumns(attr string) []int {
	switch {
	case attr == "EmailAddresses":
		return []int{mbProxyAD, mbProxyEXO}
	case attr == "WindowsEmailAddress":
		return []int{mbMailAD, mbPrimaryEXO}
	case attr == "HiddenFromAddressListsEnabled":
		return []int{mbHiddenAD, mbHiddenEXO}
	case attr == "RecipientTypeDetails":
		return []int{mbTypeAD, mbTypeEXO}
	case strings.HasPrefix(attr, "ExtensionCustomAttribute"):
		return []int{mbExtensionAD, mbExtensionEXO}
	case strings.HasPrefix(attr, "CustomAttribute"):
		return []int{mbCustomAD, mbCustomEXO}
	}
	return nil
}

func (b *book) mailboxes() error {
	s, err := b.newSheet(sheetMailboxes, mailboxColumns[:], sheetLayout{frozenCols: 1, printCols: mailboxPrintCols})
	if err != nil {
		return err
	}
	drifting := make([]bool, mbColumns)
	for i := range b.r.Inventory.Mailboxes {
		m := &b.r.Inventory.Mailboxes[i]
		for c := range drifting {
			drifting[c] = false
		}
		for _, a := range m.Drift {
			for _, c := range driftColumns(a) {
				drifting[c] = true
			}
		}
		style := func(c int) int {
			if drifting[c] {
				return b.st.drift
			}
			return 0
		}
		str := func(c int, side any, key string) {
			s.set(c, text(evaluate.Attr(side, key), "; "), style(c))
		}
		flag := func(c int, side any, key string) {
			if v, ok := evaluate.Attr(side, key).(bool); ok {
				s.setBool(c, v, style(c))
			} else if drifting[c] {
				s.set(c, "", style(c))
			}
		}
		s.set(mbID, m.ID)
		s.set(mbName, m.DisplayName)
		s.set(mbKind, m.Kind)
		s.set(mbLocation, m.Location)
		s.set(mbJoin, m.JoinMethod)
		word := readinessWords[m.Readiness.State]
		if word == "" {
			word = m.Readiness.State
		}
		s.set(mbReadiness, word, b.st.readiness[m.Readiness.State])
		s.set(mbReadinessText, m.Readiness.Text)
		if m.Readiness.WaitUntil != nil {
			s.set(mbWaitUntil, m.Readiness.WaitUntil.UTC().Format(time.RFC3339))
		}
		s.set(mbBlockedBy, strings.Join(m.Readiness.BlockedBy, ", "))
		flag(mbCloudManaged, m.EXO, "is_exchange_cloud_managed")
		flag(mbDirSynced, m.EXO, "is_dir_synced")
		str(mbUPNAD, m.AD, "user_principal_name")
		str(mbUPNEXO, m.EXO, "user_principal_name")
		str(mbTypeAD, m.AD, "recipient_type_details")
		str(mbTypeEXO, m.EXO, "recipient_type_details")
		flag(mbHiddenAD, m.AD, "hidden_from_address_lists")
		flag(mbHiddenEXO, m.EXO, "hidden_from_address_lists_enabled")
		str(mbProxyAD, m.AD, "proxy_addresses")
		str(mbProxyEXO, m.EXO, "email_addresses")
		s.set(mbCustomAD, attributeList(evaluate.Attr(m.AD, "custom_attributes")), style(mbCustomAD))
		s.set(mbCustomEXO, attributeList(evaluate.Attr(m.EXO, "custom_attributes")), style(mbCustomEXO))
		s.set(mbExtensionAD, attributeList(evaluate.Attr(m.AD, "extension_custom_attributes")), style(mbExtensionAD))
		s.set(mbExtensionEXO, attributeList(evaluate.Attr(m.EXO, "extension_custom_attributes")), style(mbExtensionEXO))
		str(mbMailAD, m.AD, "mail")
		str(mbPrimaryEXO, m.EXO, "primary_smtp_address")
		str(mbTargetAD, m.AD, "target_address")
		str(mbHomeMDB, m.AD, "home_mdb")
		str(mbDN, m.AD, "dn")
		str(mbChangedAD, m.AD, "when_changed")
		str(mbChangedEXO, m.EXO, "when_changed_utc")
		s.set(mbDrift, strings.Join(m.Drift, ", "))
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close("No mailboxes in this report (AD or Exchange Online was not collected).")
}

// sectionColumn is a known key of an inventory section row.
type sectionColumn struct {
	key string
	column
}

// Known keys of the inventory sections rules contribute, in column order.
// Keys a rule adds beyond these land in the last "Details" column, so
// nothing a rule reports is lost.
var (
	permissionColumns = []sectionColumn{
		{"principal", column{"Principal", 30, true}},
		{"display_name", column{"Display name", 24, true}},
		{"type", column{"Principal type", 16, false}},
		{"role", column{"Role", 26, true}},
		{"via", column{"Granted via (chain)", 50, true}},
		{"scope", column{"Scope", 22, true}},
		{"source", column{"Source", 9, false}},
		{"rule_id", column{"Rule", 13, false}},
		{"assignment", column{"Assignment", 30, true}},
	}
	dependencyColumns = []sectionColumn{
		{"order", column{"Order", 7, false}},
		{"type", column{"Type", 24, false}},
		{"name", column{"Name", 34, true}},
		{"rule_id", column{"Rule", 13, false}},
		{"action", column{"Action", 60, true}},
		{"id", column{"ID", 26, true}},
		{"dn", column{"DN", 40, true}},
	}
)

// Inventory section names, as rules emit them.
const (
	sectionPermissions  = "toggle_principals"
	sectionDependencies = "dependencies"
)

func (b *book) permissions() error {
	return b.section(sheetPermissions, sectionPermissions, permissionColumns, sheetLayout{frozenCols: 1}, nil,
		"No principals listed: the rule that finds who can toggle IsExchangeCloudManaged did not report (see Rules).")
}

func (b *book) dependencies() error {
	return b.section(sheetDependencies, sectionDependencies, dependencyColumns, sheetLayout{frozenCols: 1, printCols: 5}, byOrderThenName,
		"Nothing listed: no rule reported decommission dependencies (see Rules for what was assessed).")
}

// section writes one inventory section: known keys in fixed columns, the
// rest as compact JSON in Details. order, when set, sorts a copy of the rows.
func (b *book) section(name, key string, known []sectionColumn, layout sheetLayout, order func(a, b map[string]any) bool, empty string) error {
	cols := make([]column, 0, len(known)+1)
	isKnown := map[string]bool{}
	for _, k := range known {
		cols = append(cols, k.column)
		isKnown[k.key] = true
	}
	cols = append(cols, column{"Details", 50, true})
	s, err := b.newSheet(name, cols, layout)
	if err != nil {
		return err
	}
	rows := b.r.Inventory.Sections[key]
	if order != nil {
		rows = append([]map[string]any(nil), rows...)
		sort.SliceStable(rows, func(i, j int) bool { return order(rows[i], rows[j]) })
	}
	for _, row := range rows {
		for i, k := range known {
			v := row[k.key]
			if n, ok := number(v); ok && k.key == "order" {
				s.setValue(i, n)
				continue
			}
			sep := "; "
			if k.key == "via" {
				sep = " → "
			}
			s.set(i, text(v, sep))
		}
		rest := map[string]any{}
		for k, v := range row {
			if !isKnown[k] {
				rest[k] = v
			}
		}
		if len(rest) > 0 {
			s.set(len(known), compactJSON(rest))
		}
		if err := s.next(); err != nil {
			return err
		}
	}
	return s.close(empty)
}

// byOrderThenName sorts dependency rows by their removal order, rows
// without one last, then by name.
func byOrderThenName(a, b map[string]any) bool {
	oa, okA := number(a["order"])
	ob, okB := number(b["order"])
	if okA != okB {
		return okA
	}
	if okA && oa != ob {
		return oa < ob
	}
	return text(a["name"], "") < text(b["name"], "")
}
