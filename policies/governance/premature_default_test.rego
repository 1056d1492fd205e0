package exoready.rules.governance.premature_default_test

import data.exoready.rules.governance.premature_default as rule

at := "2026-11-20T08:00:00Z"

user(name, kind, mdb, created) := {"display_name": name, "recipient_type_details": kind, "home_mdb": mdb, "when_created": created}

move(name, status) := {"display_name": name, "direction": "Pull", "status": status}

ins(on, users, moves) := {"collected_at": at, "exo": {"organization_config": {"BlockExchangeProvisioningFromOnPremEnabled": on}, "move_requests": moves}, "ad": {"users": users}}

test_default_on_with_onprem_provisioning_fails if {
	i := ins(true, [user("Lea", "RemoteUserMailbox", "", "2026-11-19T06:00:00Z"), user("Oskar", "UserMailbox", "CN=DB01", "2020-01-01T00:00:00Z")], [move("Oskar", "InProgress")])
	some f in rule.deny with input as i
	contains(f.msg, "1 mailboxes still hosted on-premises")
	contains(f.msg, "1 move requests in flight")
	contains(f.msg, "1 recipients created on-premises in the last 30 days")
	f.evidence.blockers["move requests in flight"] == ["Oskar (Pull, InProgress)"]
}

test_default_on_when_done_passes if {
	i := ins(true, [user("Ann", "RemoteUserMailbox", "", "2020-01-01T00:00:00Z"), user("Arb", "ArbitrationMailbox", "CN=DB01", "2020-01-01T00:00:00Z")], [move("Ann", "Completed")])
	count(rule.deny) == 0 with input as i
}

test_default_off_passes if {
	i := ins(false, [user("Lea", "RemoteUserMailbox", "", "2026-11-19T06:00:00Z")], [move("Oskar", "InProgress")])
	count(rule.deny) == 0 with input as i
	count(rule.errors) == 0 with input as i
}

test_missing_property_is_an_error_not_a_pass if {
	i := {"collected_at": at, "exo": {"organization_config": {}, "move_requests": []}, "ad": {"users": []}}
	count(rule.errors) == 1 with input as i
	count(rule.deny) == 0 with input as i
}

test_property_name_is_policy_data if {
	i := {"collected_at": at, "exo": {"organization_config": {"ExchangeAttributesCloudManagedByDefault": true}, "move_requests": [move("x", "Queued")]}, "ad": {"users": []}}
	count(rule.deny) == 1 with input as i with data.exoready.params.tenant_default_property as "ExchangeAttributesCloudManagedByDefault"
}
