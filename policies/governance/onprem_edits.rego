# METADATA
# title: On-premises edits of a cloud-managed mailbox
# description: >-
#   Once a mailbox is cloud-managed, sync ignores its Exchange attributes in
#   AD: an edit made on-premises (ADUC, ADSI Edit, Set-RemoteMailbox, a
#   provisioning script) silently never reaches Exchange Online. The rule
#   reports cloud-managed mailboxes whose AD copy differs from Exchange Online
#   and was changed in AD after Exchange Online last changed, the mark of such
#   an edit, so the change can be made where it counts and the habit stopped.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-mailbox
#     description: Set-Mailbox (Exchange Online)
# custom:
#   id: EXR-GOV-005
#   severity: medium
#   category: governance
#   requires: [joined]
#   shard: joined
#   fields:
#     joined: [id, display_name, drift, ad.dn, ad.when_changed, exo.alias, exo.guid, exo.identity, exo.is_exchange_cloud_managed, exo.primary_smtp_address, exo.user_principal_name, exo.when_changed_utc]
#   remediation: >-
#     Make the intended change in Exchange Online (Set-Mailbox, the Exchange
#     admin center), and tell whoever edits AD that this mailbox's Exchange
#     attributes are managed in the cloud now.
package exoready.rules.governance.onprem_edits

import data.exoready.lib

cloud_managed := lib.cloud_managed_joined

checked := count(cloud_managed)

deny contains {
	"msg": sprintf("%s is cloud-managed but %s %s edited in AD at %s, after Exchange Online last changed (%s): sync ignores the edit", [j.display_name, concat(", ", [d.ad_name | some d in drift]), verb(count(drift)), j.ad.when_changed, j.exo.when_changed_utc]),
	"object": lib.joined_object(j),
	"evidence": {
		"attributes": [d.attribute | some d in drift],
		"drift": drift,
		"ad_when_changed": j.ad.when_changed,
		"exo_when_changed": j.exo.when_changed_utc,
	},
	"remediation": fix(j, drift),
} if {
	some j in cloud_managed
	j.drift != null # most mailboxes have no drift at all
	drift := lib.effective_drift(j)
	count(drift) > 0
	lib.ns(j.ad.when_changed) > lib.ns(j.exo.when_changed_utc)
}

verb(1) := "was"

verb(n) := "were" if n != 1

# fix writes the Set-Mailbox line that applies the AD values in Exchange
# Online, for the attributes Set-Mailbox takes as plain values.
fix(j, drift) := concat("\n", array.concat(
	["# if the on-premises edit was intended, make it in Exchange Online:"],
	[line |
		some d in drift
		simple(d)
		line := sprintf("Set-Mailbox -Identity %s -%s %s", [lib.ps_quote(lib.ps_identity(j.exo)), d.attribute, ps_value(d.ad)])
	],
))

simple(d) if regex.match(`^(CustomAttribute[0-9]+|HiddenFromAddressListsEnabled)$`, d.attribute)

ps_value(true) := "$true"

ps_value(false) := "$false"

ps_value(v) := lib.ps_quote(v) if is_string(v)
