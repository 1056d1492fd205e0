# METADATA
# title: Dir-synced mailbox is not yet cloud-managed
# description: >-
#   Every directory-synced user, shared, room and equipment mailbox must have
#   IsExchangeCloudManaged = True before the last Exchange server goes: after
#   that, its Exchange attributes (addresses, GAL visibility, custom
#   attributes) can only be edited in Exchange Online, and editing them in AD
#   without Exchange is unsupported. Each finding says whether the mailbox can
#   be flipped now, must wait, or is blocked by another rule.
# related_resources:
#   - ref: https://techcommunity.microsoft.com/blog/exchange/introducing-cloud-managed-remote-mailboxes-a-step-to-last-exchange-server-retire/4446042
#     description: Exchange Team blog, Introducing Cloud-Managed Remote Mailboxes
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-mailbox
#     description: Set-Mailbox -IsExchangeCloudManaged
# custom:
#   id: EXR-MBX-001
#   severity: critical
#   category: mailbox
#   requires: [exo.mailboxes]
#   reports_readiness: true
#   shard: exo.mailboxes
#   fields:
#     exo.mailboxes: [alias, display_name, external_directory_object_id, guid, identity, is_dir_synced, is_exchange_cloud_managed, primary_smtp_address, recipient_type_details, user_principal_name]
#   remediation: >-
#     When the mailbox is ready (see its readiness), export its Exchange
#     attributes, then run Set-Mailbox -Identity <mailbox> -IsExchangeCloudManaged $true
#     in Exchange Online PowerShell; `exoready plan` writes per-wave scripts.
package exoready.rules.mailbox.not_cloud_managed

import data.exoready.lib

# mailboxes are the dir-synced mailboxes of the types the flag applies to.
mailboxes := [m |
	some m in input.exo.mailboxes
	m.is_dir_synced == true
	lower(m.recipient_type_details) in types
] if types := lib.cloud_managed_types # bound once, not looked up per mailbox

checked := count(mailboxes)

# not_cloud_managed are those whose flag is false, then those whose flag is
# another value lib.falsy holds for (as lib.cloud_managed_joined: a
# comparison with == costs little, != and lib.falsy are calls).
not_cloud_managed := array.concat(
	[m | some m in mailboxes; m.is_exchange_cloud_managed == false],
	[m |
		some m in lib.odd_flag_mailboxes
		m.is_dir_synced == true
		lower(m.recipient_type_details) in types
		lib.falsy(m.is_exchange_cloud_managed)
	],
) if types := lib.cloud_managed_types

deny contains {
	"msg": sprintf("%s %s is dir-synced but not cloud-managed (IsExchangeCloudManaged = False)", [m.recipient_type_details, m.display_name]),
	"object": {"type": "mailbox", "id": lib.mailbox_id(m), "name": m.display_name, "dn": ""},
	"evidence": {
		"recipient_type_details": m.recipient_type_details,
		"is_dir_synced": m.is_dir_synced,
		"is_exchange_cloud_managed": m.is_exchange_cloud_managed,
		"user_principal_name": m.user_principal_name,
		"primary_smtp_address": m.primary_smtp_address,
	},
	"remediation": sprintf("Set-Mailbox -Identity %s -IsExchangeCloudManaged $true", [lib.ps_quote(lib.ps_identity(m))]),
} if {
	some m in not_cloud_managed
}

errors contains {
	"msg": sprintf("IsExchangeCloudManaged of %s is missing from the export (%v): export Get-Mailbox with all properties", [m.display_name, object.get(m, "is_exchange_cloud_managed", null)]),
	"object": lib.mailbox_object(m),
} if {
	some m in mailboxes
	not is_boolean(m.is_exchange_cloud_managed)
	not lib.truthy(m.is_exchange_cloud_managed)
	not lib.falsy(m.is_exchange_cloud_managed)
}
