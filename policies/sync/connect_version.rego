# METADATA
# title: Entra Connect Sync is recent enough for cloud-managed mailboxes
# description: >-
#   Entra Connect Sync must run 2.5.190.0 or later before any mailbox is made
#   cloud-managed: older builds keep overwriting cloud-managed Exchange
#   attributes, and 2.5.79.0 loops on ExchangeManagedAttributesUpdateNotAllowed
#   sync errors. Graph does not expose the version; it comes from the operator
#   facts written by scripts/Get-EntraConnectFacts.ps1 on the sync server.
# related_resources:
#   - ref: https://techcommunity.microsoft.com/blog/exchange/introducing-cloud-managed-remote-mailboxes-a-step-to-last-exchange-server-retire/4446042
#     description: Exchange Team blog, Introducing Cloud-Managed Remote Mailboxes (2025-08-20, updated at GA)
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-version-history
#     description: Entra Connect Sync version release history
# custom:
#   id: EXR-SYNC-001
#   severity: critical
#   category: sync
#   blocks_flip: true
#   requires: [facts.entra_connect]
#   fields:
#     exo.mailboxes: [is_exchange_cloud_managed]
#   remediation: >-
#     Upgrade Entra Connect Sync on the sync server to the minimum build or later
#     (download the current build, run the in-place upgrade), then confirm with
#     (Get-ADSyncGlobalSettings).Parameters | ? Name -eq
#     'Microsoft.Synchronize.ServerConfigurationVersion'.
package exoready.rules.sync.connect_version

import data.exoready.lib

version := trim_space(object.get(input.facts.entra_connect, "version", ""))

minimum := lib.params.connect_sync_min_version

checked := 1

cloud_managed_count := count([m |
	some m in lib.list(object.get(input, ["exo", "mailboxes"], []))
	m.is_exchange_cloud_managed != false
	lib.truthy(m.is_exchange_cloud_managed)
])

problems contains sprintf("older than the minimum %s", [minimum]) if {
	lib.valid_version(version)
	lib.version_lt(version, minimum)
}

problems contains "a known-bad build" if {
	lib.valid_version(version)
	some bad in lib.params.connect_sync_known_bad_versions
	lib.version_eq(version, bad)
}

already := sprintf("; %d mailboxes are already cloud-managed and exposed to it now", [cloud_managed_count]) if {
	cloud_managed_count > 0
} else := "; no mailbox may be made cloud-managed until it is upgraded"

deny contains {
	"msg": sprintf("Entra Connect Sync %s is %s%s", [version, concat(" and ", sort(problems)), already]),
	"object": lib.tenant_object,
	"evidence": {
		"version": version,
		"minimum": minimum,
		"known_bad": lib.params.connect_sync_known_bad_versions,
		"cloud_managed_mailboxes": cloud_managed_count,
	},
} if {
	count(problems) > 0
}

errors contains "facts.entra_connect.version is empty: run scripts/Get-EntraConnectFacts.ps1 on the Entra Connect server or fill it in the facts file" if {
	version == ""
}

errors contains sprintf("facts.entra_connect.version %q is not a version like 2.5.190.0", [version]) if {
	version != ""
	not lib.valid_version(version)
}
