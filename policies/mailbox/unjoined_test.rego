package exoready.rules.mailbox.unjoined_test

import data.exoready.rules.mailbox.unjoined as rule

ad(id, kind) := {"dn": concat("", ["CN=", id, ",DC=corp"]), "user_principal_name": concat("", [id, "@corp"]), "recipient_type_details": kind, "target_address": "", "when_created": "2026-11-17T08:00:00Z"}

exo(id, synced) := {"external_directory_object_id": id, "user_principal_name": concat("", [id, "@corp"]), "primary_smtp_address": concat("", [id, "@corp"]), "recipient_type_details": "UserMailbox", "is_dir_synced": synced}

test_both_sides_without_partner_fail if {
	ins := {"joined": [
		{"id": "a", "display_name": "a", "ad": null, "exo": exo("a", true)},
		{"id": "ad:b", "display_name": "b", "ad": ad("b", "RemoteUserMailbox"), "exo": null},
		{"id": "c", "display_name": "c", "ad": ad("c", "RemoteUserMailbox"), "exo": exo("c", true)},
	]}
	{f.object.id: f.key | some f in rule.deny} == {"a": "exo_only", "ad:b": "ad_only"} with input as ins
	rule.checked == 3 with input as ins
}

test_cloud_only_and_onprem_are_out_of_scope if {
	ins := {"joined": [
		{"id": "a", "display_name": "a", "ad": null, "exo": exo("a", false)},
		{"id": "ad:b", "display_name": "b", "ad": ad("b", "UserMailbox"), "exo": null},
	]}
	count(rule.deny) == 0 with input as ins
}

test_remediation_is_quoted if {
	j := {"id": "ad:b", "display_name": "b", "ad": object.union(ad("b", "RemoteSharedMailbox"), {"dn": "CN=O'Neil,DC=corp"}), "exo": null}
	some f in rule.deny with input as {"joined": [j]}
	contains(f.remediation, "Disable-RemoteMailbox -Identity 'CN=O''Neil,DC=corp'")
}

test_missing_join_checks_nothing if {
	rule.checked == 0 with input as {"joined": []}
}
