package exoready.rules.governance.onprem_edits_test

import data.exoready.rules.governance.onprem_edits as rule

j(id, cm, ad_changed, drift) := {
	"id": id, "display_name": id, "drift": drift,
	"ad": {"dn": "CN=x", "when_changed": ad_changed},
	"exo": {"guid": id, "is_exchange_cloud_managed": cm, "when_changed_utc": "2026-11-15T00:00:00Z"},
}

ca3 := {"attribute": "CustomAttribute3", "ad_name": "extensionAttribute3", "ad": "Team Lead", "exo": ""}

test_ad_edit_after_exo_change_fails if {
	some f in rule.deny with input as {"joined": [j("a", true, "2026-11-18T00:00:00Z", [ca3])]}
	contains(f.msg, "extensionAttribute3 was edited in AD")
	f.remediation == "# if the on-premises edit was intended, make it in Exchange Online:\nSet-Mailbox -Identity 'a' -CustomAttribute3 'Team Lead'"
}

test_exo_side_change_is_not_an_onprem_edit if {
	count(rule.deny) == 0 with input as {"joined": [j("a", true, "2026-11-01T00:00:00Z", [ca3])]}
}

test_not_cloud_managed_or_no_drift_passes if {
	ins := {"joined": [j("a", false, "2026-11-18T00:00:00Z", [ca3]), j("b", true, "2026-11-18T00:00:00Z", [])]}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_missing_times_do_not_fail if {
	count(rule.deny) == 0 with input as {"joined": [j("a", true, null, [ca3])]}
}
