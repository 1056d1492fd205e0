package exoready.rules.sync.sync_health_test

import data.exoready.rules.sync.sync_health as rule

at := "2026-11-20T08:00:00Z"

ins(enabled, last, facts) := {"collected_at": at, "entra": {"organization": {"on_premises_sync_enabled": enabled, "on_premises_last_sync_date_time": last}}, "facts": facts}

connect(minutes) := {"entra_connect": {"sync_interval_minutes": minutes}}

test_recent_sync_passes if {
	count(rule.deny) == 0 with input as ins(true, "2026-11-20T07:20:00Z", connect(30))
	count(rule.errors) == 0 with input as ins(true, "2026-11-20T07:20:00Z", connect(30))
	rule.checked == 1 with input as ins(true, "2026-11-20T07:20:00Z", connect(30))
}

test_stalled_sync_fails if {
	some f in rule.deny with input as ins(true, "2026-11-19T19:00:00Z", connect(30))
	contains(f.msg, "13h00m ago")
	f.evidence.max_age_minutes == 90
}

test_interval_from_facts_widens_the_window if {
	count(rule.deny) == 0 with input as ins(true, "2026-11-19T19:00:00Z", connect(300))
}

test_graph_interval_when_no_facts if {
	i := object.union(ins(true, "2026-11-20T05:00:00Z", null), {"entra": {"on_premises_synchronization": {"configuration": {"synchronizationInterval": "PT1H30M"}}}})
	count(rule.deny) == 0 with input as i
	some f in rule.deny with input as ins(true, "2026-11-20T05:00:00Z", null)
	f.evidence.sync_interval_minutes == 30
}

test_hard_ceiling_caps_long_intervals if {
	some f in rule.deny with input as ins(true, "2026-11-12T08:00:00Z", connect(10080))
	f.evidence.max_age_minutes == 10080
}

test_disabled_sync_fails if {
	some f in rule.deny with input as ins(false, "2026-11-20T07:50:00Z", null)
	contains(f.msg, "disabled")
}

test_missing_data_is_an_error_not_a_pass if {
	count(rule.deny) == 0 with input as ins(null, null, null)
	count(rule.errors) == 1 with input as ins(null, null, null)
	count(rule.deny) == 0 with input as ins(true, null, null)
	count(rule.errors) == 1 with input as ins(true, null, null)
}
