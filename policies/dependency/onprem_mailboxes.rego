# METADATA
# title: Mailboxes still hosted on-premises
# description: >-
#   The last Exchange server cannot be removed while it hosts mailboxes:
#   user, shared, room, equipment or linked mailboxes (homeMDB set or an
#   on-prem recipient type) must be migrated to Exchange Online first. Built-in
#   system mailboxes (arbitration, discovery, monitoring, audit log) are listed
#   as info: they go with the server.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/decommission-on-premises-exchange
#     description: How and when to decommission your on-premises Exchange servers in a hybrid deployment
#   - ref: https://techcommunity.microsoft.com/blog/exchange/introducing-cloud-managed-remote-mailboxes-a-step-to-last-exchange-server-retire/4446042
#     description: Exchange Team blog, Introducing Cloud-Managed Remote Mailboxes
# custom:
#   id: EXR-DEP-001
#   severity: critical
#   category: dependency
#   blocks_flip: true
#   requires: [ad.users]
#   shard: ad.users
#   fields:
#     ad.users: [display_name, dn, external_directory_object_id, home_mdb, object_guid, recipient_type_details, user_principal_name]
#   remediation: >-
#     Move the mailbox to Exchange Online with a hybrid migration batch
#     (New-MigrationBatch -SourceEndpoint <endpoint> -TargetDeliveryDomain
#     <tenant>.mail.onmicrosoft.com ...), or remove it if it is no longer needed.
package exoready.rules.dependency.onprem_mailboxes

import data.exoready.lib

onprem_types := {lower(t) | some t in lib.params.onprem_mailbox_types}

system_types := {lower(t) | some t in lib.params.system_mailbox_types}

# onprem are the mailboxes hosted on-premises: those of an on-premises
# recipient type, and those of no type that have a mailbox database.
# The type sets are bound to variables once: a rule referred to inside the
# loop would be looked up again for every user.
# candidates are the users either list below may hold, found in one pass
# over the users; the lists then go over these few only.
candidates := [u |
	some u in input.ad.users
	lower(u.recipient_type_details) in types
] if types := (onprem_types | system_types) | {""}

onprem := array.concat(
	[u | some u in candidates; lower(u.recipient_type_details) in types],
	[u | some u in candidates; u.recipient_type_details == ""; u.home_mdb != ""],
) if types := onprem_types

system := [u | some u in candidates; lower(u.recipient_type_details) in types] if types := system_types

checked := count(input.ad.users)

deny contains {
	"msg": sprintf("%s %s is still hosted on-premises (database %s): migrate it to Exchange Online before removing the last server", [kind(u), u.display_name, db(u)]),
	"object": lib.ad_object("mailbox", u),
	"evidence": evidence(u),
	"remediation": sprintf("New-MoveRequest -Identity %s -Remote -RemoteHostName <hybrid endpoint> -TargetDeliveryDomain <tenant>.mail.onmicrosoft.com -RemoteCredential (Get-Credential)  # or add it to a hybrid migration batch", [lib.ps_quote(identity(u))]),
} if {
	some u in onprem
}

deny contains {
	"msg": sprintf("system mailbox %s (%s) is on database %s: it is removed with the last server", [u.display_name, u.recipient_type_details, db(u)]),
	"object": lib.ad_object("mailbox", u),
	"severity": "info",
	"evidence": evidence(u),
	"remediation": "No action before decommissioning beyond the usual order: these mailboxes are removed with their databases when the last server is uninstalled.",
} if {
	some u in system
}

kind(u) := u.recipient_type_details if u.recipient_type_details != ""

else := "mailbox"

db(u) := regex.replace(u.home_mdb, `^CN=([^,]+),.*$`, "$1") if u.home_mdb != ""

else := "unknown"

identity(u) := u.user_principal_name if u.user_principal_name != ""

else := u.dn

evidence(u) := {
	"dn": u.dn,
	"recipient_type_details": u.recipient_type_details,
	"home_mdb": u.home_mdb,
	"user_principal_name": u.user_principal_name,
}

# Order 0: mailboxes move before the hybrid removal steps (1-8) and the
# servers (99). System mailboxes go with the server and are not listed.
inventory := {"dependencies": [{
	"order": 0,
	"type": "onprem_mailbox",
	"name": u.display_name,
	"rule_id": "EXR-DEP-001",
	"action": sprintf("migrate to Exchange Online (database %s)", [db(u)]),
	"id": lib.ad_id(u),
	"dn": u.dn,
} |
	some u in onprem
]}
