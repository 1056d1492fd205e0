package exoready.rules.dependency.group_contact_soa_test

import data.exoready.rules.dependency.group_contact_soa as rule

rcp(id, kind, synced, cm) := {"guid": id, "external_directory_object_id": id, "display_name": id, "primary_smtp_address": id, "recipient_type_details": kind, "is_dir_synced": synced, "is_cloud_managed": cm}

test_synced_groups_and_contacts_fail if {
	ins := {"exo": {"recipients": [
		rcp("g1", "MailUniversalDistributionGroup", true, false),
		rcp("c1", "MailContact", true, null),
		rcp("g2", "MailUniversalSecurityGroup", false, true),
		rcp("g3", "MailUniversalDistributionGroup", false, false),
	]}}
	{f.object.id: f.object.type | some f in rule.deny} == {"g1": "group", "c1": "contact"} with input as ins
	some f in rule.deny with input as ins
	f.object.id == "c1"
	f.remediation == "Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/contacts/c1/onPremisesSyncBehavior' -Body '{\"isCloudManaged\": true}'"
	rule.checked == 4 with input as ins
	count(rule.inventory.dependencies) == 2 with input as ins
}

test_transferred_and_cloud_only_pass if {
	ins := {"exo": {"recipients": [rcp("g2", "MailUniversalSecurityGroup", false, true), rcp("p", "MailUniversalDistributionGroup", false, false), rcp("u", "UserMailbox", true, false)]}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 2 with input as ins
}

test_missing_object_id_is_an_error if {
	ins := {"exo": {"recipients": [object.union(rcp("g1", "MailUniversalDistributionGroup", true, false), {"external_directory_object_id": ""})]}}
	count(rule.deny) == 0 with input as ins
	count(rule.errors) == 1 with input as ins
}
