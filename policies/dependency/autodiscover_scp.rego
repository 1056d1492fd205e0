# METADATA
# title: Autodiscover service connection point still populated
# description: >-
#   Domain-joined Outlook clients look up Autodiscover in AD first: every
#   Exchange server publishes a service connection point (keyword
#   77378F46-2C66-4aa9-A6A6-3E7A48B19596) whose serviceBindingInformation
#   names its Autodiscover URL. Left populated, clients keep asking servers
#   that are gone (password prompts, slow profile creation). Clear it while
#   Exchange still runs.
# related_resources:
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-clientaccessservice
#     description: Set-ClientAccessService -AutoDiscoverServiceInternalUri
#   - ref: https://learn.microsoft.com/exchange/decommission-on-premises-exchange
#     description: How and when to decommission your on-premises Exchange servers in a hybrid deployment
# custom:
#   id: EXR-DEP-005
#   severity: high
#   category: dependency
#   requires: [ad.exchange.autodiscover_scps]
#   remediation: >-
#     Set-ClientAccessService -Identity <server> -AutoDiscoverServiceInternalUri
#     $null (Exchange Management Shell), for every server.
package exoready.rules.dependency.autodiscover_scp

import data.exoready.lib

scps := [s |
	some s in lib.list(input.ad.exchange.autodiscover_scps)
	lib.in_list(lib.params.autodiscover_scp_keyword, lib.list(s.keywords))
]

checked := count(scps)

populated(s) if {
	some u in lib.list(s.urls)
	trim_space(u) != ""
}

deny contains {
	"msg": sprintf("Autodiscover SCP of %s still publishes %s: domain-joined Outlook keeps asking this server", [s.server, concat(", ", s.urls)]),
	"object": {"type": "scp", "id": lower(s.dn), "name": s.name, "dn": s.dn},
	"evidence": {"server": s.server, "urls": s.urls, "keywords": s.keywords},
	"remediation": sprintf("Set-ClientAccessService -Identity %s -AutoDiscoverServiceInternalUri $null", [lib.ps_quote(s.server)]),
} if {
	some s in scps
	populated(s)
}

# Order 0: fixed before the hybrid removal steps (1-8) and the servers (99).
inventory := {"dependencies": [{
	"order": 0,
	"type": "autodiscover_scp",
	"name": s.server,
	"rule_id": "EXR-DEP-005",
	"action": sprintf("Set-ClientAccessService -Identity %s -AutoDiscoverServiceInternalUri $null", [lib.ps_quote(s.server)]),
	"id": lower(s.dn),
	"dn": s.dn,
} |
	some s in scps
	populated(s)
]}
