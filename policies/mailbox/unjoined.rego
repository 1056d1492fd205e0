# METADATA
# title: Mailbox with no partner on the other side
# description: >-
#   Every dir-synced mailbox in Exchange Online should have its AD remote
#   mailbox, and every AD remote mailbox its Exchange Online mailbox. An
#   Exchange Online mailbox whose AD object is no longer a mailbox (its
#   Exchange attributes were cleared) cannot be managed or flipped safely;
#   an AD remote mailbox without a mailbox in Exchange Online (no licence, a
#   provisioning error) is a recipient that receives no mail. The join tries
#   msDS-ExternalDirectoryObjectId, objectGUID/ImmutableId, UPN and primary
#   SMTP address before giving up.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments
#   - ref: https://learn.microsoft.com/powershell/module/exchange/enable-remotemailbox
#     description: Enable-RemoteMailbox
# custom:
#   id: EXR-MBX-006
#   severity: medium
#   category: mailbox
#   blocks_flip: true
#   requires: [joined]
#   shard: joined
#   fields:
#     joined: [id, display_name, ad.dn, ad.recipient_type_details, ad.target_address, ad.user_principal_name, ad.when_created, exo.external_directory_object_id, exo.immutable_id, exo.is_dir_synced, exo.primary_smtp_address, exo.recipient_type_details, exo.user_principal_name]
#   remediation: >-
#     Exchange Online only: find the user's AD object and restore its remote
#     mailbox with Enable-RemoteMailbox (on-premises) before flipping. AD only:
#     license the user so Exchange Online creates the mailbox, or remove the
#     stale remote mailbox with Disable-RemoteMailbox.
package exoready.rules.mailbox.unjoined

import data.exoready.lib

exo_only := [j |
	some j in input.joined
	j.ad == null
	j.exo.is_dir_synced == true
	lib.cloud_managed_type(j.exo.recipient_type_details)
]

ad_only := [j |
	some j in input.joined
	j.exo == null
	j.ad != null
	regex.match(`(?i)^remote.*mailbox$`, j.ad.recipient_type_details)
]

checked := count(input.joined)

deny contains {
	"msg": sprintf("%s %s is dir-synced in Exchange Online but no AD mailbox object matches it (ExternalDirectoryObjectId, ImmutableId, UPN and primary SMTP address all failed to join)", [j.exo.recipient_type_details, j.display_name]),
	"object": lib.joined_object(j),
	"key": "exo_only",
	"evidence": {
		"side": "exo",
		"external_directory_object_id": j.exo.external_directory_object_id,
		"immutable_id": object.get(j.exo, "immutable_id", ""),
		"user_principal_name": j.exo.user_principal_name,
		"primary_smtp_address": j.exo.primary_smtp_address,
	},
	"remediation": sprintf("# on-premises, find the AD user whose UPN is %s, then restore its remote mailbox:\nEnable-RemoteMailbox -Identity %s -RemoteRoutingAddress <alias>@<tenant>.mail.onmicrosoft.com", [lib.ps_quote(j.exo.user_principal_name), lib.ps_quote(j.exo.user_principal_name)]),
} if {
	some j in exo_only
}

deny contains {
	"msg": sprintf("AD %s %s has no mailbox in Exchange Online (created %s): it receives no mail", [j.ad.recipient_type_details, j.display_name, object.get(j.ad, "when_created", "at an unknown time")]),
	"object": lib.joined_object(j),
	"key": "ad_only",
	"evidence": {
		"side": "ad",
		"dn": j.ad.dn,
		"user_principal_name": j.ad.user_principal_name,
		"target_address": j.ad.target_address,
		"when_created": object.get(j.ad, "when_created", null),
	},
	"remediation": sprintf("Assign an Exchange Online licence to %s so its mailbox is created, or, if it is not needed, run on-premises: Disable-RemoteMailbox -Identity %s", [lib.ps_quote(j.ad.user_principal_name), lib.ps_quote(j.ad.dn)]),
} if {
	some j in ad_only
}
