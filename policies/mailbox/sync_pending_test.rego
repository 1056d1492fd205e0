package exoready.rules.mailbox.sync_pending_test

import data.exoready.rules.mailbox.sync_pending as rule

at := "2026-11-20T08:00:00Z"

joined(id, changed, cm, drift) := {
	"id": id, "display_name": id, "drift": drift,
	"ad": {"dn": concat("", ["CN=", id, ",DC=corp"]), "user_principal_name": concat("", [id, "@corp"]), "when_changed": changed},
	"exo": {"guid": id, "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": cm, "when_changed_utc": "2026-11-01T00:00:00Z"},
}

ca := {"attribute": "CustomAttribute2", "ad_name": "extensionAttribute2", "ad": "CC-4610", "exo": "CC-4600"}

test_recent_change_is_pending if {
	ins := {"collected_at": at, "joined": [joined("a", "2026-11-20T07:32:00Z", false, [ca])]}
	some f in rule.deny with input as ins
	f.evidence.state == "pending"
	f.evidence.attributes == ["CustomAttribute2"]
	startswith(f.remediation, "Start-ADSyncSyncCycle")
}

test_old_change_is_failing if {
	ins := {"collected_at": at, "joined": [joined("a", "2026-10-01T00:00:00Z", false, [ca])]}
	some f in rule.deny with input as ins
	f.evidence.state == "failing"
	contains(f.remediation, "Get-RemoteMailbox -Identity 'a@corp'")
}

test_agreeing_and_cloud_managed_pass if {
	ins := {"collected_at": at, "joined": [joined("a", "2026-10-01T00:00:00Z", false, []), joined("b", "2026-10-01T00:00:00Z", true, [ca])]}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_only_ignored_addresses_is_no_drift if {
	d := {"attribute": "EmailAddresses", "ad_name": "proxyAddresses", "ad": ["SMTP:a@x"], "exo": ["SMTP:a@x", "SPO:SPO_1@SPO_2"]}
	count(rule.deny) == 0 with input as {"collected_at": at, "joined": [joined("a", "2026-10-01T00:00:00Z", false, [d])]}
}

test_missing_flag_is_left_to_mbx_001 if {
	count(rule.deny) == 0 with input as {"collected_at": at, "joined": [joined("a", "2026-10-01T00:00:00Z", null, [ca])]}
	rule.checked == 0 with input as {"collected_at": at, "joined": [joined("a", "2026-10-01T00:00:00Z", null, [ca])]}
}
