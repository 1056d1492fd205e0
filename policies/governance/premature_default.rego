# METADATA
# title: Cloud-managed by default while recipients are still made on-premises
# description: >-
#   Set-OrganizationConfig -ExchangeAttributesCloudManagedByDefault makes every
#   new synced mailbox cloud-managed. Microsoft warns to enable it only once
#   migrations are finished and no mailboxes, mail users or remote mailboxes
#   are created on-premises any more: a recipient created on-premises after
#   that arrives without its Exchange Online object and onboarding breaks. The
#   rule fails when the default is on while mailboxes are still hosted
#   on-premises, move requests are in flight, or mail recipients were created
#   on-premises recently.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments (tenant default)
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig
#     description: Set-OrganizationConfig -ExchangeAttributesCloudManagedByDefault / -ExchangeAttributesServerManagedByDefault
# custom:
#   id: EXR-GOV-003
#   severity: critical
#   category: governance
#   requires: [exo.organization_config, exo.move_requests, ad.users]
#   fields:
#     ad.users: [display_name, home_mdb, recipient_type_details, when_created]
#   remediation: >-
#     Set-OrganizationConfig -ExchangeAttributesServerManagedByDefault
#     (Exchange Online PowerShell) until the last on-premises recipient is
#     migrated and provisioning happens in the cloud only.
package exoready.rules.governance.premature_default

import data.exoready.lib
import data.exoready.lib.provisioning

checked := 1

deny contains {
	"msg": sprintf("new synced mailboxes are cloud-managed by default (%s = %v) while %s: recipients made on-premises now arrive without their Exchange Online object", [lib.params.tenant_default_property, provisioning.tenant_default, concat("; ", sort({sprintf("%d %s", [count(v), k]) | some k, v in provisioning.blockers}))]),
	"object": lib.tenant_object,
	"evidence": {lib.params.tenant_default_property: provisioning.tenant_default, "blockers": provisioning.blockers},
} if {
	lib.truthy(provisioning.tenant_default)
	count(provisioning.blockers) > 0
}

errors contains sprintf("Get-OrganizationConfig has no readable %s (%v): export it with all properties", [lib.params.tenant_default_property, provisioning.tenant_default]) if {
	not lib.truthy(provisioning.tenant_default)
	not lib.falsy(provisioning.tenant_default)
}
