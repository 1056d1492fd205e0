# METADATA
# title: Directory synchronization is healthy
# description: >-
#   Flipping a mailbox freezes its Exchange attributes at the values Exchange
#   Online holds; they must be the current on-premises ones, which only a
#   working directory sync delivers. Sync must be enabled on the tenant and
#   the last sync must be recent: within a few sync intervals (Entra Connect
#   Sync runs every 30 minutes by default) and never older than the hard
#   ceiling (a delta sync runs at least every 7 days).
# related_resources:
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
#     description: Entra Connect Sync scheduler (sync cycle and its interval)
#   - ref: https://learn.microsoft.com/graph/api/resources/organization
#     description: Microsoft Graph organization (onPremisesSyncEnabled, onPremisesLastSyncDateTime)
# custom:
#   id: EXR-SYNC-002
#   severity: medium
#   category: sync
#   requires: [entra.organization]
#   remediation: >-
#     On the Entra Connect server, check the scheduler with Get-ADSyncScheduler,
#     fix the errors the Synchronization Service Manager shows, then run
#     Start-ADSyncSyncCycle -PolicyType Delta and confirm the last sync time in
#     the Microsoft Entra admin center.
package exoready.rules.sync.sync_health

import data.exoready.lib

org := input.entra.organization

interval := lib.sync_interval_minutes

# max_age_ns is the allowed age of the last sync: a few intervals, capped by
# the hard ceiling.
max_age_ns := min([
	(lib.params.sync_max_missed_intervals * interval) * lib.minute_ns,
	lib.params.sync_max_age_hours * lib.hour_ns,
])

last_ns := lib.ns(org.on_premises_last_sync_date_time)

age_ns := lib.now_ns - last_ns

checked := 1

deny contains {
	"msg": "directory synchronization is disabled on the tenant (onPremisesSyncEnabled = false): on-premises changes no longer reach Exchange Online",
	"object": lib.tenant_object,
	"evidence": {"on_premises_sync_enabled": org.on_premises_sync_enabled, "on_premises_last_sync_date_time": org.on_premises_last_sync_date_time},
} if {
	lib.falsy(org.on_premises_sync_enabled)
}

deny contains {
	"msg": sprintf("the last directory sync was %s ago (%s), more than %d minutes: sync is stalled or failing", [duration(age_ns), org.on_premises_last_sync_date_time, max_age_ns / lib.minute_ns]),
	"object": lib.tenant_object,
	"evidence": {
		"on_premises_last_sync_date_time": org.on_premises_last_sync_date_time,
		"age_minutes": age_ns / lib.minute_ns,
		"sync_interval_minutes": interval,
		"max_age_minutes": max_age_ns / lib.minute_ns,
	},
} if {
	lib.truthy(org.on_premises_sync_enabled)
	age_ns > max_age_ns
}

duration(n) := sprintf("%dh%02dm", [h, m]) if {
	h := floor(n / lib.hour_ns)
	m := floor((n % lib.hour_ns) / lib.minute_ns)
}

errors contains sprintf("Graph organization has no readable onPremisesSyncEnabled (%v): export /organization with all properties", [object.get(org, "on_premises_sync_enabled", null)]) if {
	not lib.truthy(org.on_premises_sync_enabled)
	not lib.falsy(org.on_premises_sync_enabled)
}

errors contains "Graph organization has no onPremisesLastSyncDateTime although sync is enabled: the tenant has never synced, or the export lacks the property" if {
	lib.truthy(org.on_premises_sync_enabled)
	not last_ns
}
