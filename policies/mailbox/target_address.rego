# METADATA
# title: Remote mailbox routes to the coexistence domain
# description: >-
#   Mail for a remote mailbox reaches Exchange Online through its AD
#   targetAddress, which must be an address on the tenant's coexistence
#   domain (<tenant>.mail.onmicrosoft.com), and that domain must be a remote
#   domain with TargetDeliveryDomain = true in Exchange Online. A targetAddress
#   elsewhere (the vanity domain, an old tenant) loops or bounces once the
#   on-premises routing goes away.
# related_resources:
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-remotemailbox
#     description: Set-RemoteMailbox -RemoteRoutingAddress
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-remotedomain
#     description: Set-RemoteDomain -TargetDeliveryDomain
# custom:
#   id: EXR-MBX-007
#   severity: medium
#   category: mailbox
#   requires: [joined, exo.remote_domains]
#   fields:
#     joined: [id, display_name, ad.dn, ad.mail_nickname, ad.recipient_type_details, ad.target_address]
#   remediation: >-
#     Point the remote mailbox at the coexistence domain (on-premises):
#     Set-RemoteMailbox -Identity <mailbox> -RemoteRoutingAddress
#     <alias>@<tenant>.mail.onmicrosoft.com; make sure the remote domain for
#     that domain has Set-RemoteDomain -TargetDeliveryDomain $true.
package exoready.rules.mailbox.target_address

import data.exoready.lib

suffix := lower(lib.params.coexistence_domain_suffix)

# coexistence are the remote domains marked as target delivery domains.
coexistence := {lower(d.domain_name) | some d in input.exo.remote_domains; lib.truthy(d.target_delivery_domain)}

# accepted are the domains a targetAddress may use: the target delivery
# domains, or, when none is marked, any coexistence-style domain.
accepted_domain(dom) if dom in coexistence

accepted_domain(dom) if {
	count(coexistence) == 0
	endswith(dom, suffix)
}

remote := [j |
	some j in input.joined
	j.ad != null
	regex.match(`(?i)^remote.*mailbox$`, j.ad.recipient_type_details)
]

checked := count(remote) + 1

domain_of(addr) := lower(parts[count(parts) - 1]) if {
	parts := split(addr, "@")
	count(parts) > 1
} else := ""

# target is the remote mailbox's targetAddress, "" when AD has none.
target(j) := t if {
	t := j.ad.target_address
	is_string(t)
} else := ""

address_of(t) := substring(t, 5, -1) if {
	startswith(lower(t), "smtp:")
} else := t

# target_domain is domain_of(address_of(t)) for a targetAddress t, "" when
# t is not a string, in one call: the smtp: prefix holds no @, so the last
# part after @ is the same with it or without it.
target_domain(t) := lower(parts[count(parts) - 1]) if {
	is_string(t)
	parts := split(t, "@")
	count(parts) > 1
} else := ""

deny contains {
	"msg": sprintf("remote mailbox %s has targetAddress %s, not on the coexistence domain (%s)", [j.display_name, shown(target(j)), concat(", ", expected)]),
	"object": lib.joined_object(j),
	"evidence": {"target_address": target(j), "target_domain": domain_of(address_of(target(j))), "coexistence_domains": expected, "dn": j.ad.dn},
	"remediation": sprintf("Set-RemoteMailbox -Identity %s -RemoteRoutingAddress %s", [lib.ps_quote(j.ad.dn), lib.ps_quote(routing(j))]),
} if {
	domains := coexistence # bound once, not looked up per mailbox
	some j in remote
	domain := target_domain(j.ad.target_address)
	not domain in domains # the usual case, answered without a call
	not accepted_domain(domain)
}

expected := sort(coexistence) if {
	count(coexistence) > 0
} else := [concat("", ["*", suffix])]

shown(t) := t if t != ""

else := "(empty)"

routing(j) := concat("@", [alias, expected[0]]) if {
	count(coexistence) > 0
	alias := j.ad.mail_nickname
} else := concat("", [j.ad.mail_nickname, "@<tenant>", suffix])

deny contains {
	"msg": sprintf("no remote domain for a coexistence domain (*%s) has TargetDeliveryDomain = true: mail to remote mailboxes is not routed to Exchange Online as internal", [suffix]),
	"object": lib.tenant_object,
	"key": "remote_domain",
	"evidence": {"remote_domains": [{"name": d.name, "domain_name": d.domain_name, "target_delivery_domain": d.target_delivery_domain} | some d in input.exo.remote_domains]},
	"remediation": sprintf("Set-RemoteDomain -Identity %s -TargetDeliveryDomain $true  # or New-RemoteDomain for <tenant>%s first", [lib.ps_quote(coex_candidate), suffix]),
} if {
	count({d | some d in coexistence; endswith(d, suffix)}) == 0
}

coex_candidate := names[0] if {
	names := sort([d.name | some d in input.exo.remote_domains; endswith(lower(d.domain_name), suffix)])
	count(names) > 0
} else := "Hybrid Domain - <tenant>.mail.onmicrosoft.com"
