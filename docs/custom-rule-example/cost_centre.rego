# METADATA
# title: Cloud-managed mailboxes carry a cost centre
# description: >-
#   Acme's billing reads the cost centre from CustomAttribute2. On-premises
#   provisioning stamped it; once a mailbox is cloud-managed, only an edit in
#   Exchange Online can set it, so every cloud-managed mailbox must already
#   carry one. The attribute and the value format are parameters the rule
#   reads with defaults (custom rules can't add to policies/params.yaml).
# related_resources:
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-mailbox
#     description: Set-Mailbox -CustomAttribute2
# custom:
#   id: ACME-MBX-001
#   severity: low
#   category: mailbox
#   requires: [exo.mailboxes]
#   remediation: Set-Mailbox -Identity <mailbox> -CustomAttribute2 <cost centre> (Exchange Online PowerShell)
package acme.cost_centre

import data.exoready.lib

attribute := object.get(lib.params, "acme_cost_centre_attribute", "CustomAttribute2")

format := object.get(lib.params, "acme_cost_centre_format", `^CC-[0-9]{4}$`)

cloud_managed := [m | some m in input.exo.mailboxes; lib.is_cloud_managed(m)]

checked := count(cloud_managed)

deny contains {
	"msg": sprintf("%s is cloud-managed but its %s is %q, not a cost centre like CC-4410", [m.display_name, attribute, value]),
	"object": lib.mailbox_object(m),
	"evidence": {attribute: value, "format": format},
	"remediation": sprintf("Set-Mailbox -Identity %s -%s <cost centre>", [lib.ps_quote(lib.ps_identity(m)), attribute]),
} if {
	some m in cloud_managed
	value := object.get(custom_attributes(m), attribute, "")
	not regex.match(format, value)
}

custom_attributes(m) := m.custom_attributes if {
	is_object(m.custom_attributes)
} else := {}
