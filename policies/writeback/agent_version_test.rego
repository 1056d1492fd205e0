package exoready.rules.writeback.agent_version_test

import data.exoready.rules.writeback.agent_version as rule

job := {"template_id": "Entra2ADExchangeOnlineAttributeWriteback", "schedule_state": "Active"}

ins(agent, planned, jobs) := {"facts": {"cloud_sync": {"agent_version": agent, "writeback_planned": planned}}, "entra": {"sync_jobs": jobs}}

test_old_agent_fails_when_writeback_is_planned if {
	some f in rule.deny with input as ins("1.1.1100.0", true, [])
	contains(f.msg, "1.1.1100.0 is older than 1.1.1107.0")
}

test_missing_agent_fails_when_a_job_exists if {
	some f in rule.deny with input as ins("", false, [job])
	contains(f.msg, "no Cloud Sync provisioning agent")
}

test_recent_agent_passes if {
	count(rule.deny) == 0 with input as ins("1.1.1107.0", true, [job])
	count(rule.deny) == 0 with input as ins("1.2.3.0", true, [job])
}

test_no_writeback_wanted_passes if {
	count(rule.deny) == 0 with input as ins("", false, [])
	count(rule.deny) == 0 with input as ins("1.0.0.0", null, [{"template_id": "AD2AADProvisioning", "schedule_state": "Active"}])
}

test_garbage_version_is_an_error if {
	count(rule.errors) == 1 with input as ins("latest", true, [])
	count(rule.deny) == 0 with input as ins("latest", true, [])
}
