# METADATA
# title: Cloud-managed by default could be enabled
# description: >-
#   When no mailbox is hosted on-premises, no move is in flight, no mail
#   recipient was created on-premises recently and every dir-synced mailbox is
#   already cloud-managed, making new synced mailboxes cloud-managed by default
#   is the last step before the server can go: it stops anyone from creating
#   on-premises-managed mailboxes again.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments (tenant default)
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig
#     description: Set-OrganizationConfig -ExchangeAttributesCloudManagedByDefault
# custom:
#   id: EXR-GOV-004
#   severity: info
#   category: governance
#   requires: [exo.organization_config, exo.move_requests, ad.users, exo.mailboxes]
#   fields:
#     ad.users: [display_name, home_mdb, recipient_type_details, when_created]
#     exo.mailboxes: [display_name, is_dir_synced, is_exchange_cloud_managed, recipient_type_details]
#   remediation: >-
#     Set-OrganizationConfig -ExchangeAttributesCloudManagedByDefault
#     (Exchange Online PowerShell), once provisioning of new recipients has
#     moved to the cloud.
package exoready.rules.governance.default_recommended

import data.exoready.lib
import data.exoready.lib.provisioning

not_flipped := [m.display_name |
	some m in input.exo.mailboxes
	m.is_exchange_cloud_managed != true
	m.is_dir_synced == true
	lower(m.recipient_type_details) in types
	not lib.truthy(m.is_exchange_cloud_managed)
] if types := lib.cloud_managed_types # bound once, not looked up per mailbox

checked := 1

deny contains {
	"msg": sprintf("every precondition holds (no on-premises mailbox, no move in flight, no recent on-premises recipient, all %d dir-synced mailboxes cloud-managed) but new synced mailboxes are not cloud-managed by default (%s = %v)", [count([m | some m in input.exo.mailboxes; lib.synced_flippable(m)]), lib.params.tenant_default_property, provisioning.tenant_default]),
	"object": lib.tenant_object,
	"evidence": {lib.params.tenant_default_property: provisioning.tenant_default},
} if {
	lib.falsy(provisioning.tenant_default)
	provisioning.no_blocker
	count(not_flipped) == 0
}

errors contains sprintf("Get-OrganizationConfig has no readable %s (%v): export it with all properties", [lib.params.tenant_default_property, provisioning.tenant_default]) if {
	not lib.truthy(provisioning.tenant_default)
	not lib.falsy(provisioning.tenant_default)
}
