# METADATA
# title: Exchange hybrid feature stays enabled in Entra Connect
# description: >-
#   The "Exchange hybrid deployment" optional feature of Entra Connect Sync
#   (Microsoft.OptionalFeature.HybridExchange) must stay enabled after the
#   last Exchange server is gone: it writes back the attributes Exchange
#   Online needs on-premises. Graph does not expose it; it comes from the
#   operator facts written by scripts/Get-EntraConnectFacts.ps1.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/decommission-last-exchange-server
#     description: Decommission the last Exchange Server after transferring SOA to cloud
#   - ref: https://learn.microsoft.com/exchange/decommission-on-premises-exchange
#     description: How and when to decommission your on-premises Exchange servers in a hybrid deployment
# custom:
#   id: EXR-SYNC-003
#   severity: low
#   category: sync
#   requires: [facts.entra_connect]
#   remediation: >-
#     Run the Entra Connect wizard on the sync server, choose Customize
#     synchronization options, tick "Exchange hybrid deployment" under Optional
#     features and finish; confirm with (Get-ADSyncGlobalSettings).Parameters |
#     ? Name -eq 'Microsoft.OptionalFeature.HybridExchange'.
package exoready.rules.sync.hybrid_feature

import data.exoready.lib

feature := object.get(input.facts.entra_connect, "hybrid_exchange_feature", null)

checked := 1

deny contains {
	"msg": "the Exchange hybrid deployment feature is disabled in Entra Connect Sync: Exchange Online attributes are no longer written back on-premises",
	"object": lib.tenant_object,
	"evidence": {"hybrid_exchange_feature": feature},
} if {
	lib.falsy(feature)
}

errors contains "facts.entra_connect.hybrid_exchange_feature is not set: run scripts/Get-EntraConnectFacts.ps1 on the Entra Connect server or fill it in the facts file" if {
	not lib.falsy(feature)
	not lib.truthy(feature)
}
