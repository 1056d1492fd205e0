package exoready.rules.writeback.mailbox_limit_test

import data.exoready.rules.writeback.mailbox_limit as rule

job := {"template_id": "Entra2ADExchangeOnlineAttributeWriteback", "schedule_state": "Active"}

mailboxes := [{"is_exchange_cloud_managed": true}, {"is_exchange_cloud_managed": true}, {"is_exchange_cloud_managed": false}]

ins(at, jobs) := {"collected_at": at, "exo": {"mailboxes": mailboxes}, "entra": {"sync_jobs": jobs}}

test_over_the_limit_fails if {
	some f in rule.deny with input as ins("2026-11-20T08:00:00Z", [job]) with data.exoready.params.writeback_mailbox_limit as 1
	f.evidence == {"cloud_managed_mailboxes": 2, "limit": 1, "phase": "general availability"}
}

test_preview_limit_before_ga if {
	some f in rule.deny with input as ins("2026-06-01T08:00:00Z", [job]) with data.exoready.params.writeback_preview_mailbox_limit as 1
	f.evidence.phase == "preview"
	count(rule.deny) == 0 with input as ins("2026-11-20T08:00:00Z", [job]) with data.exoready.params.writeback_preview_mailbox_limit as 1
}

test_within_the_limit_passes if {
	count(rule.deny) == 0 with input as ins("2026-11-20T08:00:00Z", [job])
}

test_no_writeback_passes if {
	count(rule.deny) == 0 with input as ins("2026-11-20T08:00:00Z", []) with data.exoready.params.writeback_mailbox_limit as 1
}

test_unknown_flags_are_not_counted if {
	ins := {"collected_at": "2026-11-20T08:00:00Z", "exo": {"mailboxes": [{"is_exchange_cloud_managed": null}, {}]}, "entra": {"sync_jobs": [job]}}
	count(rule.deny) == 0 with input as ins with data.exoready.params.writeback_mailbox_limit as 0
	rule.cloud_managed == 0 with input as ins
}
