package acme.cost_centre_test

import data.acme.cost_centre as rule

mbx(id, cm, ca) := {
	"guid": id, "external_directory_object_id": id, "identity": id, "display_name": id,
	"is_exchange_cloud_managed": cm, "custom_attributes": ca,
}

test_cloud_managed_without_cost_centre_fails if {
	ins := {"exo": {"mailboxes": [mbx("a", true, {"CustomAttribute1": "RES"}), mbx("b", true, {"CustomAttribute2": "CC-4410"}), mbx("c", false, {})]}}
	{f.object.id | some f in rule.deny} == {"a"} with input as ins
	rule.checked == 2 with input as ins
	some f in rule.deny with input as ins
	f.remediation == "Set-Mailbox -Identity 'a' -CustomAttribute2 <cost centre>"
}

test_malformed_cost_centre_fails if {
	count(rule.deny) == 1 with input as {"exo": {"mailboxes": [mbx("a", true, {"CustomAttribute2": "4410"})]}}
}

test_missing_custom_attributes_fail_not_pass if {
	count(rule.deny) == 1 with input as {"exo": {"mailboxes": [mbx("a", true, null)]}}
}
