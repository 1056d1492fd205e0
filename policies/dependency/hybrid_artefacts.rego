# METADATA
# title: Hybrid artefacts still present
# description: >-
#   The Hybrid Configuration Wizard leaves objects on both sides that must be
#   removed, in order, while Exchange still runs: the Hybrid Configuration
#   object, the OAuth IntraOrganizationConnectors, the HCW connectors
#   ("Inbound from <id>", "Outbound to <id>" in Exchange Online, "Outbound to
#   Office 365 - <id>" on-premises), the organization relationship "O365 to
#   On-Premises - <id>", then (not collected, check by hand) the federation
#   trust, the OAuth key credential of the Exchange Online service principal
#   and the Hybrid Agent, and finally the migration endpoints. Each artefact
#   is listed on the Dependencies sheet with its step.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/decommission-last-exchange-server
#     description: Decommission the last Exchange Server after transferring SOA to cloud
#   - ref: https://learn.microsoft.com/exchange/decommission-on-premises-exchange
#     description: How and when to decommission your on-premises Exchange servers in a hybrid deployment
# custom:
#   id: EXR-DEP-006
#   severity: medium
#   category: dependency
#   requires: [ad.exchange, exo.inbound_connectors, exo.outbound_connectors, exo.organization_relationships, exo.intra_organization_connectors, exo.migration_endpoints]
#   remediation: >-
#     Remove the artefacts in the order of the Dependencies sheet: on-premises
#     Remove-HybridConfiguration, then in Exchange Online
#     Remove-IntraOrganizationConnector, Remove-InboundConnector /
#     Remove-OutboundConnector (and on-premises Remove-SendConnector),
#     Remove-OrganizationRelationship, the federation trust and OAuth
#     configuration, the Hybrid Agent, and last Remove-MigrationEndpoint.
package exoready.rules.dependency.hybrid_artefacts

import data.exoready.lib

starts_with_any(s, prefixes) if {
	some p in prefixes
	startswith(lower(s), lower(p))
}

hcw_connector(c, prefixes) if {
	starts_with_any(c.name, prefixes)
	lib.in_list(c.connector_type, lib.params.hybrid_connector_types)
}

# artefacts are every hybrid object found, with its removal step (the order
# of the decommission guide) and the exact command that removes it.
artefacts contains {
	"order": 1, "type": "hybrid_configuration", "name": "Hybrid Configuration", "id": lower(h.dn), "dn": h.dn, "side": "on-premises",
	"action": "Remove-HybridConfiguration  # Exchange Management Shell",
} if {
	h := input.ad.exchange.hybrid_configuration
	h != null
}

artefacts contains {
	"order": 2, "type": "intra_organization_connector", "name": c.name, "id": exo_id(c), "dn": "", "side": "Exchange Online",
	"action": sprintf("Remove-IntraOrganizationConnector -Identity %s", [lib.ps_quote(c.identity)]),
} if {
	some c in input.exo.intra_organization_connectors
}

artefacts contains {
	"order": 3, "type": "inbound_connector", "name": c.name, "id": exo_id(c), "dn": "", "side": "Exchange Online",
	"action": sprintf("Remove-InboundConnector -Identity %s", [lib.ps_quote(c.identity)]),
} if {
	some c in input.exo.inbound_connectors
	hcw_connector(c, lib.params.hybrid_inbound_connector_prefixes)
}

artefacts contains {
	"order": 3, "type": "outbound_connector", "name": c.name, "id": exo_id(c), "dn": "", "side": "Exchange Online",
	"action": sprintf("Remove-OutboundConnector -Identity %s", [lib.ps_quote(c.identity)]),
} if {
	some c in input.exo.outbound_connectors
	hcw_connector(c, lib.params.hybrid_outbound_connector_prefixes)
}

artefacts contains {
	"order": 3, "type": "send_connector", "name": c.name, "id": lower(c.dn), "dn": c.dn, "side": "on-premises",
	"action": sprintf("Remove-SendConnector -Identity %s  # Exchange Management Shell", [lib.ps_quote(c.name)]),
} if {
	some c in lib.list(input.ad.exchange.send_connectors)
	starts_with_any(c.name, lib.params.hybrid_send_connector_prefixes)
}

artefacts contains {
	"order": 4, "type": "organization_relationship", "name": r.name, "id": exo_id(r), "dn": "", "side": "Exchange Online",
	"action": sprintf("Remove-OrganizationRelationship -Identity %s", [lib.ps_quote(r.identity)]),
} if {
	some r in input.exo.organization_relationships
	starts_with_any(r.name, lib.params.hybrid_organization_relationship_prefixes)
}

artefacts contains {
	"order": 8, "type": "migration_endpoint", "name": e.identity, "id": exo_id(e), "dn": "", "side": "Exchange Online",
	"action": sprintf("Remove-MigrationEndpoint -Identity %s", [lib.ps_quote(e.identity)]),
} if {
	some e in input.exo.migration_endpoints
	lib.in_list(e.endpoint_type, lib.params.hybrid_migration_endpoint_types)
}

exo_id(o) := concat("", ["exo:", lower(o.identity)])

# checked counts the objects looked at: the hybrid configuration slot, every
# connector, relationship and endpoint, and the on-premises send connectors.
checked := sum([
	1,
	count(input.exo.intra_organization_connectors),
	count(input.exo.inbound_connectors),
	count(input.exo.outbound_connectors),
	count(input.exo.organization_relationships),
	count(input.exo.migration_endpoints),
	count(lib.list(input.ad.exchange.send_connectors)),
])

deny contains {
	"msg": sprintf("hybrid artefact %s (%s, %s) is still present: remove it at step %d of the hybrid removal order", [a.name, a.type, a.side, a.order]),
	"object": {"type": a.type, "id": a.id, "name": a.name, "dn": a.dn},
	"evidence": {"order": a.order, "type": a.type, "side": a.side},
	"remediation": a.action,
} if {
	some a in artefacts
}

# Steps 5-7 (federation trust and certificate, OAuth key credential on the
# Exchange Online service principal, Hybrid Agent) are not collected: they
# are listed for the operator whenever hybrid artefacts remain.
manual := [
	{"order": 5, "type": "federation_trust", "name": "Federation trust and its certificate (not collected: check by hand)", "action": "Get-FederationTrust | Remove-FederationTrust  # Exchange Management Shell, after Remove-OrganizationRelationship"},
	{"order": 6, "type": "oauth_credential", "name": "OAuth key credential on service principal 00000002-0000-0ff1-ce00-000000000000 (not collected: check by hand)", "action": "Remove the on-premises certificate's key credential from the Office 365 Exchange Online service principal (Microsoft Graph)"},
	{"order": 7, "type": "hybrid_agent", "name": "Hybrid Agent (not collected: check by hand)", "action": "Uninstall the Microsoft Hybrid Service on its server and remove the agent's application proxy"},
]

inventory := {"dependencies": array.concat(
	[{"order": a.order, "type": a.type, "name": a.name, "rule_id": "EXR-DEP-006", "action": a.action, "id": a.id, "dn": a.dn} | some a in artefacts],
	[object.union(m, {"rule_id": "EXR-DEP-006", "id": "", "dn": ""}) | count(artefacts) > 0; some m in manual],
)}
