# METADATA
# title: Exchange servers left in the organization
# description: >-
#   Inventory of the Exchange servers still in the configuration partition,
#   with their builds. Only one may be left for the final decommissioning
#   steps (hybrid removal runs on it); the others should be uninstalled first.
#   Reported as info: servers are what the other dependency rules make
#   removable.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/new-features/build-numbers-and-release-dates
#     description: Exchange Server build numbers and release dates
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/decommission-last-exchange-server
#     description: Decommission the last Exchange Server after transferring SOA to cloud
# custom:
#   id: EXR-DEP-007
#   severity: info
#   category: dependency
#   requires: [ad.exchange.servers]
#   remediation: >-
#     Move everything off the extra servers (Get-ExchangeServer lists them),
#     then uninstall Exchange from each with Setup.exe
#     /Mode:Uninstall /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF,
#     keeping one server for the final steps.
package exoready.rules.dependency.exchange_servers

import data.exoready.lib

servers := lib.list(input.ad.exchange.servers)

checked := count(servers)

deny contains {
	"msg": sprintf("%d Exchange servers are left (%s): at most %d should remain for the final decommissioning steps", [count(servers), concat(", ", sort([sprintf("%s %s", [s.name, build(s)]) | some s in servers])), lib.params.max_exchange_servers]),
	"object": lib.tenant_object,
	"evidence": {"servers": [{"name": s.name, "build": build(s), "serial_number": s.serial_number, "roles": s.role_names} | some s in servers], "max": lib.params.max_exchange_servers},
} if {
	count(servers) > lib.params.max_exchange_servers
}

build(s) := s.version if {
	s.version != ""
} else := s.serial_number

inventory := {"dependencies": [{
	"order": 99,
	"type": "exchange_server",
	"name": s.name,
	"rule_id": "EXR-DEP-007",
	"action": sprintf("last: uninstall Exchange (build %s) once nothing above depends on it", [build(s)]),
	"id": lower(s.dn),
	"dn": s.dn,
} |
	some s in servers
]}
