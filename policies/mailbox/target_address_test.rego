package exoready.rules.mailbox.target_address_test

import data.exoready.rules.mailbox.target_address as rule

j(id, target) := {"id": id, "display_name": id, "ad": {"dn": concat("", ["CN=", id, ",DC=corp"]), "mail_nickname": id, "recipient_type_details": "RemoteUserMailbox", "target_address": target}, "exo": {}}

domains(tdd) := [
	{"name": "Default", "domain_name": "*", "target_delivery_domain": false},
	{"name": "Hybrid Domain - contoso.mail.onmicrosoft.com", "domain_name": "contoso.mail.onmicrosoft.com", "target_delivery_domain": tdd},
]

test_vanity_target_address_fails if {
	ins := {"joined": [j("a", "SMTP:a@contoso.mail.onmicrosoft.com"), j("b", "SMTP:b@contoso.com"), j("c", "")], "exo": {"remote_domains": domains(true)}}
	ids := {f.object.id | some f in rule.deny} with input as ins
	ids == {"b", "c"}
	some f in rule.deny with input as ins
	f.object.id == "b"
	f.remediation == "Set-RemoteMailbox -Identity 'CN=b,DC=corp' -RemoteRoutingAddress 'b@contoso.mail.onmicrosoft.com'"
	rule.checked == 4 with input as ins
}

test_coexistence_domain_passes if {
	ins := {"joined": [j("a", "smtp:a@Contoso.Mail.OnMicrosoft.com")], "exo": {"remote_domains": domains(true)}}
	count(rule.deny) == 0 with input as ins
}

test_missing_target_delivery_domain_fails_on_the_tenant if {
	ins := {"joined": [j("a", "SMTP:a@contoso.mail.onmicrosoft.com")], "exo": {"remote_domains": domains(false)}}
	{f.object.type | some f in rule.deny} == {"tenant"} with input as ins
	some f in rule.deny with input as ins
	contains(f.remediation, "Set-RemoteDomain -Identity 'Hybrid Domain - contoso.mail.onmicrosoft.com' -TargetDeliveryDomain $true")
}

test_onprem_mailboxes_are_out_of_scope if {
	onprem := object.union(j("a", ""), {"ad": {"recipient_type_details": "UserMailbox"}})
	count(rule.deny) == 0 with input as {"joined": [onprem], "exo": {"remote_domains": domains(true)}}
}

test_missing_target_address_fails_not_passes if {
	j_null := object.union(j("a", ""), {"ad": {"target_address": null}})
	some f in rule.deny with input as {"joined": [j_null], "exo": {"remote_domains": domains(true)}}
	f.object.id == "a"
}

# The domain is the part after the last "@", lower case; a targetAddress
# without "@" has none, whatever else it holds.
test_target_domain_edge_cases if {
	ins := {
		"joined": [
			j("two-ats", "SMTP:x@y@Contoso.Mail.OnMicrosoft.com"),
			j("umlaut", "smtp:jürgen.ölß@contoso.mail.onmicrosoft.com"),
			j("no-at", "contoso.mail.onmicrosoft.com"),
			j("trailing-at", "SMTP:a@"),
			j("x500", "X500:/o=Org/cn=a"),
			j("other", "SMTP:a@contoso.mail.onmicrosoft.com.evil"),
		],
		"exo": {"remote_domains": domains(true)},
	}
	ids := {f.object.id | some f in rule.deny} with input as ins
	ids == {"no-at", "trailing-at", "x500", "other"}
	some f in rule.deny with input as ins
	f.object.id == "other"
	f.evidence.target_domain == "contoso.mail.onmicrosoft.com.evil"
}
