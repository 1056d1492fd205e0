package exoready.rules.mailbox.change_wait_test

import data.exoready.rules.mailbox.change_wait as rule

at := "2026-11-20T08:00:00Z"

joined(id, changed, cm) := {
	"id": id, "display_name": id,
	"ad": {"dn": concat("", ["CN=", id, ",DC=corp"]), "when_changed": changed},
	"exo": {"guid": id, "display_name": id, "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": cm},
}

test_recent_change_waits_until_changed_plus_interval_plus_24h if {
	ins := {"collected_at": at, "facts": {"entra_connect": {"sync_interval_minutes": 30}}, "joined": [joined("a", "2026-11-20T07:05:00Z", false), joined("b", "2026-10-01T00:00:00Z", false)]}
	ids := {f.object.id | some f in rule.deny} with input as ins
	ids == {"a"}
	some f in rule.deny with input as ins
	f.evidence.wait_until == "2026-11-21T07:35:00Z"
	contains(f.remediation, "Set-Mailbox -Identity 'a' -IsExchangeCloudManaged $true")
	rule.checked == 2 with input as ins
}

test_sub_second_times_round_up if {
	ins := {"collected_at": at, "joined": [joined("a", "2026-11-20T07:05:00.250Z", false)]}
	some f in rule.deny with input as ins
	f.evidence.wait_until == "2026-11-21T07:35:01Z"
}

test_wait_is_policy_data if {
	ins := {"collected_at": at, "joined": [joined("a", "2026-11-19T06:00:00Z", false)]}
	count(rule.deny) == 0 with input as ins
	count(rule.deny) == 1 with input as ins with data.exoready.params.flip_wait_hours_after_change as 48
}

test_cloud_managed_and_unjoined_are_out_of_scope if {
	solo := object.union(joined("c", "2026-11-20T07:55:00Z", false), {"ad": null})
	ins := {"collected_at": at, "joined": [joined("b", "2026-11-20T07:55:00Z", true), solo]}
	count(rule.deny) == 0 with input as ins
	rule.checked == 0 with input as ins
}

test_missing_when_changed_is_an_error_not_a_pass if {
	ins := {"collected_at": at, "joined": [joined("a", null, false)]}
	count(rule.deny) == 0 with input as ins
	count(rule.errors) == 1 with input as ins
}
