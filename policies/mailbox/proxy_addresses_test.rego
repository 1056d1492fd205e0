package exoready.rules.mailbox.proxy_addresses_test

import data.exoready.rules.mailbox.proxy_addresses as rule

obj(id, proxies) := {"dn": concat("", ["CN=", id, ",DC=corp"]), "object_guid": id, "external_directory_object_id": "", "display_name": id, "mail": "", "proxy_addresses": proxies}

test_not_exactly_one_primary_fails if {
	ins := {"ad": {
		"users": [obj("two", ["SMTP:a@x", "SMTP:b@x"]), obj("none", ["smtp:c@x"]), obj("ok", ["SMTP:d@x", "smtp:e@x"]), obj("nomail", [])],
		"contacts": [], "groups": [], "duplicate_addresses": [],
	}}
	{f.object.id | some f in rule.deny} == {"ad:two", "ad:none"} with input as ins
	rule.checked == 3 with input as ins
	some f in rule.deny with input as ins
	f.object.id == "ad:none"
	f.remediation == "Set-RemoteMailbox -Identity 'CN=none,DC=corp' -PrimarySmtpAddress '<address>'  # on-premises; the other SMTP: entries become secondary"
}

# holding is an entry of ad.duplicate_addresses' holders, as the collector
# writes it.
holding(array, index, id, address) := {"array": array, "index": index, "dn": concat("", ["CN=", id, ",DC=corp"]), "proxy_address": address}

test_duplicates_across_objects_fail_on_each_holder if {
	ins := {"ad": {
		"users": [obj("kowalska", ["SMTP:marta@x", "smtp:sales@x"])],
		"contacts": [],
		"groups": [obj("sales team", ["SMTP:Sales@x"])],
		"duplicate_addresses": [{"address": "smtp:sales@x", "holders": [
			holding("users", 0, "kowalska", "smtp:sales@x"),
			holding("groups", 0, "sales team", "SMTP:Sales@x"),
		]}],
	}}
	dups := {[f.object.type, f.key] | some f in rule.deny} with input as ins
	dups == {["mailbox", "duplicate:smtp:sales@x"], ["group", "duplicate:smtp:sales@x"]}
	some f in rule.deny with input as ins
	f.object.type == "mailbox"
	f.evidence == {"address": "smtp:sales@x", "also_on": ["CN=sales team,DC=corp"]}
	f.msg == "kowalska carries smtp:sales@x, also carried by sales team: sync refuses duplicate addresses"
	contains(f.remediation, "-EmailAddresses @{remove='smtp:sales@x'}")
	some g in rule.deny with input as ins
	g.object.type == "group"
	g.evidence.address == "SMTP:Sales@x"
	startswith(g.remediation, "Set-DistributionGroup -Identity 'CN=sales team,DC=corp' -EmailAddresses @{remove='SMTP:Sales@x'}")
}

# Three holders: each finding names the two others, sorted.
test_duplicate_names_every_other_holder if {
	ins := {"ad": {
		"users": [obj("b", ["SMTP:b@x", "smtp:info@x"]), obj("c", ["SMTP:c@x", "smtp:INFO@x"])],
		"contacts": [obj("a", ["SMTP:info@x"])],
		"groups": [],
		"duplicate_addresses": [{"address": "smtp:info@x", "holders": [
			holding("users", 0, "b", "smtp:info@x"),
			holding("users", 1, "c", "smtp:INFO@x"),
			holding("contacts", 0, "a", "SMTP:info@x"),
		]}],
	}}
	{[f.object.id, f.evidence.address, concat(" ", f.evidence.also_on)] | some f in rule.deny; f.key == "duplicate:smtp:info@x"} == {
		["ad:b", "smtp:info@x", "CN=a,DC=corp CN=c,DC=corp"],
		["ad:c", "smtp:INFO@x", "CN=a,DC=corp CN=b,DC=corp"],
		["ad:a", "SMTP:info@x", "CN=b,DC=corp CN=c,DC=corp"],
	} with input as ins
	some f in rule.deny with input as ins
	f.object.type == "contact"
	f.msg == "a carries SMTP:info@x, also carried by b, c: sync refuses duplicate addresses"
}

test_joined_mailboxes_use_the_joined_id if {
	u := obj("two", ["SMTP:a@x", "SMTP:b@x"])
	ins := {"ad": {"users": [u], "contacts": [], "groups": [], "duplicate_addresses": []}, "joined": [{"id": "edoid-1", "ad": u}]}
	{f.object.id | some f in rule.deny} == {"edoid-1"} with input as ins
}

test_clean_directory_passes if {
	ins := {"ad": {"users": [obj("a", ["SMTP:a@x", "X500:/o=Org/cn=a"])], "contacts": [obj("c", ["SMTP:c@ext"])], "groups": [obj("g", ["SMTP:g@x"])], "duplicate_addresses": []}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 3 with input as ins
}

test_missing_proxy_addresses_are_skipped if {
	count(rule.deny) == 0 with input as {"ad": {"users": [obj("a", null)], "contacts": [], "groups": [], "duplicate_addresses": []}}
}
