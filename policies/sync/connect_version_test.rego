package exoready.rules.sync.connect_version_test

import data.exoready.rules.sync.connect_version as rule

facts(v) := {"entra_connect": {"version": v, "sync_interval_minutes": 30}}

mailboxes := [{"is_exchange_cloud_managed": true}, {"is_exchange_cloud_managed": false}]

test_known_bad_build_fails if {
	some f in rule.deny with input as {"facts": facts("2.5.79.0"), "exo": {"mailboxes": mailboxes}}
	contains(f.msg, "known-bad")
	contains(f.msg, "older than the minimum 2.5.190.0")
	contains(f.msg, "1 mailboxes are already cloud-managed")
	f.evidence.version == "2.5.79.0"
}

test_old_build_fails_without_exo if {
	count(rule.deny) == 1 with input as {"facts": facts("2.4.131.0"), "exo": null}
}

test_minimum_and_newer_pass if {
	count(rule.deny) == 0 with input as {"facts": facts("2.5.190.0"), "exo": {"mailboxes": mailboxes}}
	count(rule.deny) == 0 with input as {"facts": facts("2.6.3.0"), "exo": {"mailboxes": mailboxes}}
	count(rule.errors) == 0 with input as {"facts": facts("2.6.3.0")}
}

test_missing_version_is_an_error_not_a_pass if {
	count(rule.deny) == 0 with input as {"facts": {"entra_connect": {"sync_interval_minutes": 30}}}
	count(rule.errors) == 1 with input as {"facts": {"entra_connect": {"sync_interval_minutes": 30}}}
}

test_garbage_version_is_an_error if {
	some e in rule.errors with input as {"facts": facts("2.5.x")}
	contains(e, "not a version")
	count(rule.deny) == 0 with input as {"facts": facts("2.5.x")}
}

test_threshold_is_policy_data if {
	count(rule.deny) == 1 with input as {"facts": facts("2.5.190.0")}
		with data.exoready.params.connect_sync_min_version as "2.6.0.0"
}
