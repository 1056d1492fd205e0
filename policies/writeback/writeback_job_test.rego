package exoready.rules.writeback.writeback_job_test

import data.exoready.rules.writeback.writeback_job as rule

job(state, last, created, attrs) := {
	"id": "Entra2ADExchangeOnlineAttributeWriteback.abc.def", "template_id": "Entra2ADExchangeOnlineAttributeWriteback",
	"service_principal_id": "sp1", "schedule_state": state, "last_execution_state": last,
	"last_execution_time": "2026-11-20T07:48:00Z", "created_at": created, "target_attributes": attrs,
}

with_mail := ["proxyAddresses", "mail"]

test_preview_job_without_mail_fails if {
	ins := {"entra": {"sync_jobs": [job("Active", "Succeeded", "2026-06-01T09:30:00Z", ["proxyAddresses"])]}}
	{f.key | some f in rule.deny} == {"mapping"} with input as ins
	some f in rule.deny with input as ins
	contains(f.msg, "created on 2026-06-01, before writeback GA on 2026-08-03")
}

test_healthy_ga_job_passes if {
	ins := {"entra": {"sync_jobs": [job("Active", "Succeeded", "2026-08-20T14:00:00Z", with_mail)]}}
	count(rule.deny) == 0 with input as ins
	count(rule.errors) == 0 with input as ins
}

test_paused_or_failed_job_fails if {
	ins := {"entra": {"sync_jobs": [job("Paused", "Failed", "2026-08-20T14:00:00Z", with_mail)]}}
	{f.key | some f in rule.deny} == {"schedule", "last_run"} with input as ins
	some f in rule.deny with input as ins
	f.key == "schedule"
	f.remediation == "Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/v1.0/servicePrincipals/sp1/synchronization/jobs/Entra2ADExchangeOnlineAttributeWriteback.abc.def/start'"
}

test_planned_without_job_fails_and_unplanned_passes if {
	some f in rule.deny with input as {"entra": {"sync_jobs": []}, "facts": {"cloud_sync": {"writeback_planned": true}}}
	f.key == "missing"
	count(rule.deny) == 0 with input as {"entra": {"sync_jobs": [{"template_id": "AD2AADProvisioning"}]}, "facts": {"cloud_sync": {"writeback_planned": false}}}
}

test_unread_mappings_of_a_preview_job_are_an_error if {
	ins := {"entra": {"sync_jobs": [job("Active", "Succeeded", "2026-06-01T09:30:00Z", null)]}}
	count(rule.errors) == 1 with input as ins
	count(rule.deny) == 0 with input as ins
}
