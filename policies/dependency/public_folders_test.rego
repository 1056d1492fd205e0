package exoready.rules.dependency.public_folders_test

import data.exoready.rules.dependency.public_folders as rule

pf := {"dn": "CN=PF1,OU=Users,DC=corp", "object_guid": "pf1", "external_directory_object_id": "", "display_name": "PF1", "recipient_type_details": "PublicFolderMailbox", "home_mdb": "CN=DB01"}

user := {"dn": "CN=U,DC=corp", "object_guid": "u", "external_directory_object_id": "", "display_name": "U", "recipient_type_details": "RemoteUserMailbox", "home_mdb": ""}

test_pf_mailbox_database_and_remote_setting_fail if {
	ins := {
		"ad": {"users": [pf, user], "exchange": {"public_folder_databases": [{"name": "PFDB", "dn": "CN=PFDB,CN=x", "server": "EX01"}]}},
		"exo": {"organization_config": {"PublicFoldersEnabled": "Remote"}},
	}
	types := {f.object.type | some f in rule.deny} with input as ins
	types == {"mailbox", "database", "tenant"}
	count(rule.deny) == 3 with input as ins
}

test_no_public_folders_passes if {
	ins := {"ad": {"users": [user], "exchange": {"public_folder_databases": []}}, "exo": {"organization_config": {"PublicFoldersEnabled": "Local"}}}
	count(rule.deny) == 0 with input as ins
	count(rule.errors) == 0 with input as ins
	rule.checked == 2 with input as ins
}

test_missing_setting_is_an_error if {
	ins := {"ad": {"users": [], "exchange": {"public_folder_databases": null}}, "exo": {"organization_config": {}}}
	count(rule.errors) == 1 with input as ins
	count(rule.deny) == 0 with input as ins
}

test_public_folders_are_listed_as_dependencies if {
	ins := {"ad": {"users": [pf], "exchange": {"public_folder_databases": [{"name": "PFDB", "dn": "CN=PFDB,CN=x", "server": "EX01"}]}}, "exo": {"organization_config": {"PublicFoldersEnabled": "Local"}}}
	{r.type | some r in rule.inventory.dependencies} == {"public_folder_mailbox", "public_folder_database"} with input as ins
}
