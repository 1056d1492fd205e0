package exoready.rules.mailbox.offboarding_move_test

import data.exoready.rules.mailbox.offboarding_move as rule

mbx(id, cm) := {
	"guid": id, "external_directory_object_id": id, "exchange_guid": concat("", ["eg-", id]), "alias": id,
	"display_name": id, "identity": id, "user_principal_name": id, "primary_smtp_address": id,
	"is_exchange_cloud_managed": cm, "mailbox_move_flags": "",
}

move(id, dir, status) := {
	"identity": id, "exchange_guid": concat("", ["EG-", id]), "external_directory_object_id": "", "alias": id,
	"direction": dir, "flags": "CrossOrg, Push", "status": status, "remote_host_name": "mail.corp.example.test",
}

test_push_move_on_cloud_managed_fails if {
	ins := {"exo": {"mailboxes": [mbx("a", true), mbx("b", false)], "move_requests": [move("a", "Push", "InProgress")]}}
	some f in rule.deny with input as ins
	f.object.id == "a"
	f.evidence.direction == "Push"
	contains(f.remediation, "-IsExchangeCloudManaged $false")
	rule.checked == 1 with input as ins
}

test_push_move_on_not_cloud_managed_passes if {
	ins := {"exo": {"mailboxes": [mbx("b", false)], "move_requests": [move("b", "Push", "InProgress")]}}
	count(rule.deny) == 0 with input as ins
}

test_onboarding_pull_move_passes if {
	ins := {"exo": {"mailboxes": [mbx("a", true)], "move_requests": [move("a", "Pull", "Completed")]}}
	count(rule.deny) == 0 with input as ins
}

test_mailbox_move_flags_alone_fail if {
	m := object.union(mbx("a", true), {"mailbox_move_flags": "CrossOrg, Push"})
	some f in rule.deny with input as {"exo": {"mailboxes": [m], "move_requests": []}}
	f.key == "mailbox_move_flags"
}

test_missing_move_fields_do_not_match_everything if {
	r := {"identity": "x", "exchange_guid": "", "external_directory_object_id": "", "alias": "", "direction": "Push", "status": "Queued", "remote_host_name": "", "flags": ""}
	count(rule.deny) == 0 with input as {"exo": {"mailboxes": [mbx("a", true)], "move_requests": [r]}}
}
