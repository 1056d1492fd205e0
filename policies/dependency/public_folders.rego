# METADATA
# title: Public folders still served on-premises
# description: >-
#   Public folders hosted on-premises (public folder mailboxes, legacy public
#   folder databases) or an Exchange Online organization still set to
#   PublicFoldersEnabled = Remote keep the last server in use: migrate public
#   folders to Exchange Online (or retire them) first.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/decommission-on-premises-exchange
#     description: How and when to decommission your on-premises Exchange servers in a hybrid deployment
#   - ref: https://learn.microsoft.com/exchange/collaboration/public-folders/migrate-to-exchange-online
#     description: Migrate public folders to Exchange Online
# custom:
#   id: EXR-DEP-002
#   severity: critical
#   category: dependency
#   requires: [ad.users, ad.exchange.public_folder_databases, exo.organization_config]
#   fields:
#     ad.users: [display_name, dn, external_directory_object_id, home_mdb, object_guid, recipient_type_details]
#   remediation: >-
#     Migrate public folders to Exchange Online with a public folder migration
#     batch, then Set-OrganizationConfig -PublicFoldersEnabled Local in Exchange
#     Online and remove the on-premises public folder mailboxes and databases.
package exoready.rules.dependency.public_folders

import data.exoready.lib

pf_types := {lower(t) | some t in lib.params.public_folder_mailbox_types}

# pf_types is bound to a variable once, not looked up for every user.
pf_mailboxes := [u | some u in input.ad.users; lower(u.recipient_type_details) in types] if types := pf_types

pf_databases := lib.list(input.ad.exchange.public_folder_databases)

pf_setting := object.get(input.exo.organization_config, "PublicFoldersEnabled", null)

checked := (count(input.ad.users) + count(pf_databases)) + 1

deny contains {
	"msg": sprintf("public folder mailbox %s is hosted on-premises", [u.display_name]),
	"object": lib.ad_object("mailbox", u),
	"evidence": {"dn": u.dn, "recipient_type_details": u.recipient_type_details, "home_mdb": u.home_mdb},
} if {
	some u in pf_mailboxes
}

deny contains {
	"msg": sprintf("public folder database %s still exists on-premises", [d.name]),
	"object": {"type": "database", "id": lower(d.dn), "name": d.name, "dn": d.dn},
	"evidence": {"dn": d.dn, "server": d.server},
} if {
	some d in pf_databases
}

deny contains {
	"msg": sprintf("Exchange Online PublicFoldersEnabled is %v: public folders are still served from on-premises", [pf_setting]),
	"object": lib.tenant_object,
	"evidence": {"PublicFoldersEnabled": pf_setting},
	"remediation": "After migrating public folders: Set-OrganizationConfig -PublicFoldersEnabled Local (Exchange Online PowerShell).",
} if {
	is_string(pf_setting)
	lib.in_list(pf_setting, lib.params.public_folders_remote_values)
}

errors contains "Get-OrganizationConfig has no PublicFoldersEnabled property: export it with all properties" if {
	pf_setting == null
}

# Order 0: public folders move before the hybrid removal steps.
inventory := {"dependencies": array.concat(
	[{"order": 0, "type": "public_folder_mailbox", "name": u.display_name, "rule_id": "EXR-DEP-002", "action": "migrate public folders to Exchange Online", "id": lib.ad_id(u), "dn": u.dn} | some u in pf_mailboxes],
	[{"order": 0, "type": "public_folder_database", "name": d.name, "rule_id": "EXR-DEP-002", "action": "migrate legacy public folders, then remove the database", "id": lower(d.dn), "dn": d.dn} | some d in pf_databases],
)}
