# METADATA
# title: Cloud-managed mailboxes within the writeback tenant limit
# description: >-
#   Exchange attribute writeback supports a limited number of cloud-managed
#   mailboxes per tenant: 600,000 since general availability (2026-08-03),
#   200,000 during the preview. Beyond it, writeback does not cover every
#   cloud-managed mailbox. Applies when writeback is planned or configured.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments (writeback limits)
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/exchange-hybrid
#     description: Entra Cloud Sync Exchange hybrid writeback
# custom:
#   id: EXR-WB-003
#   severity: high
#   category: writeback
#   requires: [exo.mailboxes, entra.sync_jobs]
#   fields:
#     exo.mailboxes: [is_exchange_cloud_managed]
#   remediation: >-
#     Stay under the limit: keep mailboxes that need no cloud management
#     server-managed (Set-Mailbox -IsExchangeCloudManaged $false before the
#     next flip wave), or contact Microsoft support about the tenant limit.
package exoready.rules.writeback.mailbox_limit

import data.exoready.lib

# cloud_managed: flag true, plus another value lib.truthy holds for (as
# lib.cloud_managed_joined).
cloud_managed := count([m | some m in input.exo.mailboxes; m.is_exchange_cloud_managed == true]) + count([m |
	some m in lib.odd_flag_mailboxes
	lib.truthy(m.is_exchange_cloud_managed)
])

limit := lib.params.writeback_mailbox_limit if {
	lib.now_ns >= lib.writeback_ga_ns
} else := lib.params.writeback_preview_mailbox_limit

phase := "general availability" if {
	lib.now_ns >= lib.writeback_ga_ns
} else := "preview"

checked := 1

deny contains {
	"msg": sprintf("%d mailboxes are cloud-managed, more than the %d the Exchange writeback supports per tenant (%s)", [cloud_managed, limit, phase]),
	"object": lib.tenant_object,
	"evidence": {"cloud_managed_mailboxes": cloud_managed, "limit": limit, "phase": phase},
} if {
	lib.writeback_wanted(input.entra.sync_jobs)
	cloud_managed > limit
}
