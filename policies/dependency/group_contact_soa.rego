# METADATA
# title: Synced groups and contacts still mastered on-premises
# description: >-
#   IsExchangeCloudManaged applies to mailboxes only. Mail-enabled groups and
#   mail contacts synced from AD keep their Exchange attributes mastered
#   on-premises until their whole object's source of authority moves to the
#   cloud (Group SOA / Contact SOA, onPremisesSyncBehavior.isCloudManaged).
#   Until then they can only be edited with the on-premises Exchange cmdlets,
#   which go with the last server.
# related_resources:
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/how-to-group-source-of-authority-configure
#     description: Configure Group Source of Authority (SOA)
#   - ref: https://learn.microsoft.com/graph/api/onpremisessyncbehavior-update
#     description: Update onPremisesSyncBehavior (isCloudManaged) for groups and contacts
# custom:
#   id: EXR-DEP-004
#   severity: critical
#   category: dependency
#   requires: [exo.recipients]
#   shard: exo.recipients
#   fields:
#     exo.recipients: [display_name, external_directory_object_id, guid, is_cloud_managed, is_dir_synced, primary_smtp_address, recipient_type_details]
#   remediation: >-
#     Transfer the object's source of authority to the cloud with Microsoft
#     Graph: PATCH /groups/{id}/onPremisesSyncBehavior (or
#     /contacts/{id}/onPremisesSyncBehavior) with {"isCloudManaged": true},
#     e.g. Invoke-MgGraphRequest -Method PATCH -Uri
#     https://graph.microsoft.com/beta/groups/<id>/onPremisesSyncBehavior
#     -Body '{"isCloudManaged": true}'.
package exoready.rules.dependency.group_contact_soa

import data.exoready.lib

group_types := {lower(t) | some t in lib.params.soa_transfer_group_types}

contact_types := {lower(t) | some t in lib.params.soa_transfer_contact_types}

kind(r) := "group" if lower(r.recipient_type_details) in group_types

kind(r) := "contact" if lower(r.recipient_type_details) in contact_types

soa_types := group_types | contact_types

# The type set is bound to a variable once: a rule referred to inside the
# loop would be looked up again for every recipient.
in_scope := [r | some r in input.exo.recipients; lower(r.recipient_type_details) in types] if types := soa_types

checked := count(in_scope)

# pending are the synced groups and contacts whose SOA is still on-premises.
pending := [r |
	some r in in_scope
	r.is_dir_synced == true
	not lib.truthy(object.get(r, "is_cloud_managed", null))
	r.external_directory_object_id != ""
]

graph_path := {"group": "groups", "contact": "contacts"}

deny contains {
	"msg": sprintf("%s %s is synced from AD and still mastered on-premises (is_cloud_managed %v): transfer its source of authority before removing the last server", [r.recipient_type_details, r.display_name, object.get(r, "is_cloud_managed", null)]),
	"object": {"type": kind(r), "id": lib.object_id(r.external_directory_object_id), "name": r.display_name, "dn": ""},
	"evidence": {
		"recipient_type_details": r.recipient_type_details,
		"is_dir_synced": r.is_dir_synced,
		"is_cloud_managed": object.get(r, "is_cloud_managed", null),
		"primary_smtp_address": r.primary_smtp_address,
		"external_directory_object_id": r.external_directory_object_id,
	},
	"remediation": sprintf("Invoke-MgGraphRequest -Method PATCH -Uri %s -Body '{\"isCloudManaged\": true}'", [lib.ps_quote(sprintf("https://graph.microsoft.com/beta/%s/%s/onPremisesSyncBehavior", [graph_path[kind(r)], lib.object_id(r.external_directory_object_id)]))]),
} if {
	some r in pending
}

errors contains {
	"msg": sprintf("%s %s is dir-synced but has no ExternalDirectoryObjectId in the export: its SOA state cannot be checked", [r.recipient_type_details, r.display_name]),
	"object": {"type": kind(r), "id": concat("", ["exo:", lower(r.guid)]), "name": r.display_name, "dn": ""},
} if {
	some r in in_scope
	r.is_dir_synced == true
	r.external_directory_object_id == ""
}

# Order 0: fixed before the hybrid removal steps (1-8) and the servers (99).
inventory := {"dependencies": [{
	"order": 0,
	"type": kind(r),
	"name": r.display_name,
	"rule_id": "EXR-DEP-004",
	"action": "transfer the source of authority (onPremisesSyncBehavior.isCloudManaged = true)",
	"id": lib.object_id(r.external_directory_object_id),
	"dn": "",
} |
	some r in pending
]}
