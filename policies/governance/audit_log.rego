# METADATA
# title: Unified audit log ingestion is enabled
# description: >-
#   Changes of IsExchangeCloudManaged, and every Exchange attribute edit made in
#   the cloud afterwards, are only audited when unified audit log ingestion is
#   on (they appear as ExchangeAdmin records, operation Set-Mailbox). Without
#   it there is no trail of who moved which mailbox's source of authority.
# related_resources:
#   - ref: https://learn.microsoft.com/powershell/module/exchange/get-adminauditlogconfig
#     description: Get-AdminAuditLogConfig
#   - ref: https://learn.microsoft.com/purview/audit-log-enable-disable
#     description: Turn auditing on or off
# custom:
#   id: EXR-GOV-002
#   severity: high
#   category: governance
#   requires: [exo.admin_audit_log_config]
#   remediation: >-
#     Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true
#     (Exchange Online PowerShell; takes up to 60 minutes to apply).
package exoready.rules.governance.audit_log

import data.exoready.lib

property := lib.params.audit_ingestion_property

value := object.get(input.exo.admin_audit_log_config, property, null)

checked := 1

deny contains {
	"msg": sprintf("%s is %v: changes of IsExchangeCloudManaged and cloud edits of Exchange attributes are not audited", [property, value]),
	"object": lib.tenant_object,
	"evidence": {property: value},
} if {
	lib.falsy(value)
}

errors contains sprintf("Get-AdminAuditLogConfig has no readable %s (%v): export it with all properties", [property, value]) if {
	not lib.falsy(value)
	not lib.truthy(value)
}
