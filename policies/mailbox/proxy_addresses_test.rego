package exoready.rules.mailbox.proxy_addresses_test

import data.exoready.rules.mailbox.proxy_addresses as rule

obj(id, proxies) := {"dn": concat("", ["CN=", id, ",DC=corp"]), "object_guid": id, "external_directory_object_id": "", "display_name": id, "mail": "", "proxy_addresses": proxies}

test_not_exactly_one_primary_fails if {
	ins := {"ad": {
		"users": [obj("two", ["SMTP:a@x", "SMTP:b@x"]), obj("none", ["smtp:c@x"]), obj("ok", ["SMTP:d@x", "smtp:e@x"]), obj("nomail", [])],
		"contacts": [], "groups": [],
	}}
	{f.object.id | some f in rule.deny} == {"ad:two", "ad:none"} with input as ins
	rule.checked == 3 with input as ins
	some f in rule.deny with input as ins
	f.object.id == "ad:none"
	f.remediation == "Set-RemoteMailbox -Identity 'CN=none,DC=corp' -PrimarySmtpAddress '<address>'  # on-premises; the other SMTP: entries become secondary"
}

test_duplicates_across_objects_fail_on_each_holder if {
	ins := {"ad": {
		"users": [obj("kowalska", ["SMTP:marta@x", "smtp:sales@x"])],
		"contacts": [],
		"groups": [obj("sales team", ["SMTP:Sales@x"])],
	}}
	dups := {[f.object.type, f.key] | some f in rule.deny} with input as ins
	dups == {["mailbox", "duplicate:smtp:sales@x"], ["group", "duplicate:smtp:sales@x"]}
	some f in rule.deny with input as ins
	f.object.type == "mailbox"
	f.evidence.also_on == ["CN=sales team,DC=corp"]
	contains(f.remediation, "-EmailAddresses @{remove='smtp:sales@x'}")
}

test_joined_mailboxes_use_the_joined_id if {
	u := obj("two", ["SMTP:a@x", "SMTP:b@x"])
	ins := {"ad": {"users": [u], "contacts": [], "groups": []}, "joined": [{"id": "edoid-1", "ad": u}]}
	{f.object.id | some f in rule.deny} == {"edoid-1"} with input as ins
}

test_clean_directory_passes if {
	ins := {"ad": {"users": [obj("a", ["SMTP:a@x", "X500:/o=Org/cn=a"])], "contacts": [obj("c", ["SMTP:c@ext"])], "groups": [obj("g", ["SMTP:g@x"])]}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 3 with input as ins
}

test_missing_proxy_addresses_are_skipped if {
	count(rule.deny) == 0 with input as {"ad": {"users": [obj("a", null)], "contacts": [], "groups": []}}
}
