# METADATA
# title: Cloud Sync provisioning agent is recent enough for writeback
# description: >-
#   Writing cloud-managed Exchange attributes back to AD is done by Entra
#   Cloud Sync, whose provisioning agent must be 1.1.1107.0 or later. The
#   rule applies when writeback is planned (operator facts) or a writeback
#   job already exists; the agent version comes from the facts written by
#   scripts/Get-EntraConnectFacts.ps1 (empty when no agent is installed).
# related_resources:
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/reference-version-history
#     description: Entra Cloud Sync provisioning agent version history
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/exchange-hybrid
#     description: Entra Cloud Sync Exchange hybrid writeback
# custom:
#   id: EXR-WB-001
#   severity: high
#   category: writeback
#   requires: [facts.cloud_sync, entra.sync_jobs]
#   remediation: >-
#     Install or upgrade the Microsoft Entra provisioning agent on the agent
#     servers to the minimum version or later (download it from the Microsoft
#     Entra admin center, Cloud Sync, Agents), then rerun the facts script.
package exoready.rules.writeback.agent_version

import data.exoready.lib

version := trim_space(object.get(input.facts.cloud_sync, "agent_version", ""))

minimum := lib.params.cloud_sync_agent_min_version

wanted if lib.writeback_wanted(input.entra.sync_jobs)

checked := 1

deny contains {
	"msg": sprintf("Exchange writeback is planned or configured but no Cloud Sync provisioning agent is installed (minimum %s)", [minimum]),
	"object": lib.tenant_object,
	"evidence": {"agent_version": version, "minimum": minimum, "writeback_jobs": count(lib.writeback_jobs(input.entra.sync_jobs))},
} if {
	wanted
	version == ""
}

deny contains {
	"msg": sprintf("Cloud Sync provisioning agent %s is older than %s, the minimum for Exchange attribute writeback", [version, minimum]),
	"object": lib.tenant_object,
	"evidence": {"agent_version": version, "minimum": minimum, "writeback_jobs": count(lib.writeback_jobs(input.entra.sync_jobs))},
} if {
	wanted
	lib.valid_version(version)
	lib.version_lt(version, minimum)
}

errors contains sprintf("facts.cloud_sync.agent_version %q is not a version like 1.1.1107.0", [version]) if {
	wanted
	version != ""
	not lib.valid_version(version)
}
