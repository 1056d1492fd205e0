package exoready.rules.mailbox.not_cloud_managed_test

import data.exoready.rules.mailbox.not_cloud_managed as rule

mbx(id, kind, synced, cm) := {
	"guid": id, "external_directory_object_id": id, "display_name": id, "identity": id,
	"user_principal_name": concat("", [id, "@corp.example.test"]), "primary_smtp_address": concat("", [id, "@corp.example.test"]),
	"recipient_type_details": kind, "is_dir_synced": synced, "is_exchange_cloud_managed": cm,
}

test_synced_not_cloud_managed_fails_per_mailbox if {
	ins := {"exo": {"mailboxes": [
		mbx("u1", "UserMailbox", true, false),
		mbx("s1", "SharedMailbox", true, false),
		mbx("r1", "RoomMailbox", true, true),
	]}}
	ids := {f.object.id | some f in rule.deny} with input as ins
	ids == {"u1", "s1"}
	rule.checked == 3 with input as ins
	some f in rule.deny with input as ins
	f.object.id == "u1"
	f.remediation == "Set-Mailbox -Identity 'u1' -IsExchangeCloudManaged $true"
}

test_cloud_only_and_other_types_are_out_of_scope if {
	ins := {"exo": {"mailboxes": [
		mbx("c1", "UserMailbox", false, false),
		mbx("d1", "DiscoveryMailbox", true, false),
		mbx("u1", "UserMailbox", true, true),
	]}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_missing_flag_is_an_error_not_a_pass if {
	ins := {"exo": {"mailboxes": [mbx("u1", "UserMailbox", true, null)]}}
	count(rule.deny) == 0 with input as ins
	count(rule.errors) == 1 with input as ins
}

test_string_flags_from_csv_exports if {
	ins := {"exo": {"mailboxes": [mbx("u1", "UserMailbox", true, "False"), mbx("u2", "UserMailbox", true, "True")]}}
	{f.object.id | some f in rule.deny} == {"u1"} with input as ins
}

test_identity_is_quoted_for_powershell if {
	m := object.union(mbx("x", "UserMailbox", true, false), {"guid": "", "user_principal_name": "o'brien@corp.example.test"})
	some f in rule.deny with input as {"exo": {"mailboxes": [m]}}
	f.remediation == "Set-Mailbox -Identity 'o''brien@corp.example.test' -IsExchangeCloudManaged $true"
}
