package exoready.rules.dependency.onprem_mailboxes_test

import data.exoready.rules.dependency.onprem_mailboxes as rule

user(name, kind, mdb) := {
	"dn": concat("", ["CN=", name, ",OU=Users,DC=corp,DC=example,DC=test"]), "object_guid": name,
	"external_directory_object_id": "", "display_name": name, "user_principal_name": concat("", [name, "@corp.example.test"]),
	"recipient_type_details": kind, "home_mdb": mdb,
}

mdb := "CN=DB01,CN=Databases,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=CorpExample,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test"

test_onprem_mailbox_is_critical_and_system_is_info if {
	ins := {"ad": {"users": [
		user("ann", "UserMailbox", mdb),
		user("sys", "ArbitrationMailbox", mdb),
		user("bob", "RemoteUserMailbox", ""),
	]}}
	sev := {f.object.id: object.get(f, "severity", "critical") | some f in rule.deny} with input as ins
	sev == {"ad:ann": "critical", "ad:sys": "info"}
	some f in rule.deny with input as ins
	f.object.id == "ad:ann"
	contains(f.msg, "DB01")
	rule.checked == 3 with input as ins
}

test_unstamped_type_with_home_mdb_counts if {
	count(rule.deny) == 1 with input as {"ad": {"users": [user("old", "", mdb)]}}
}

test_all_remote_passes if {
	count(rule.deny) == 0 with input as {"ad": {"users": [user("bob", "RemoteUserMailbox", ""), user("mu", "MailUser", "")]}}
}

test_empty_directory_checks_nothing if {
	rule.checked == 0 with input as {"ad": {"users": []}}
	count(rule.deny) == 0 with input as {"ad": {"users": []}}
}

test_onprem_mailboxes_are_listed_as_dependencies if {
	ins := {"ad": {"users": [user("ann", "UserMailbox", mdb), user("sys", "ArbitrationMailbox", mdb)]}}
	[r.name | some r in rule.inventory.dependencies] == ["ann"] with input as ins
}
