package exoready.rules.governance.toggle_permission_test

import data.exoready.rules.governance.toggle_permission as rule

entry(role, cmdlet, params) := {"name": cmdlet, "role": role, "parameters": params, "type": "Cmdlet"}

entries := [
	entry("Mail Recipients", "Set-Mailbox", ["Identity", "IsExchangeCloudManaged", "DisplayName"]),
	entry("Custom Helpdesk", "Set-Mailbox", ["Identity", "isexchangecloudmanaged"]),
	entry("Legal Hold", "Set-Mailbox", ["Identity", "LitigationHoldEnabled"]),
	entry("Mail Recipients", "Set-MailUser", ["IsExchangeCloudManaged"]),
]

ra(role, assignee, type, user, chain, scope) := {
	"name": concat("-", [role, assignee]), "role": role, "role_assignee": assignee, "role_assignee_name": assignee,
	"role_assignee_type": type, "effective_user_name": user, "assignment_chain": chain, "recipient_write_scope": scope,
	"custom_recipient_write_scope": "", "custom_resource_scope": "", "recipient_organizational_unit_scope": "",
	"enabled": true, "delegating": false,
}

ins(assignments, groups, entra) := {"exo": {"role_entries": entries, "role_assignments": assignments, "role_groups": groups}, "entra": {"role_assignments": entra}}

entra(role_id, name, type, display) := {"id": concat(":", [role_id, display]), "role_definition_id": role_id, "role_name": name, "principal_id": display, "principal_type": type, "principal_display_name": display, "principal_upn": "", "directory_scope_id": "/"}

ga := "62e90394-69f5-4237-9190-012177145e10"

reader := "f2ef992c-3afb-46b9-b7cf-a126ee74c451"

test_roles_come_from_entries_never_names if {
	rule.toggle_roles == {"mail recipients": "Mail Recipients", "custom helpdesk": "Custom Helpdesk"} with input as ins([], [], [])
}

test_effective_users_and_chains if {
	a := [
		ra("Mail Recipients", "Organization Management", "RoleGroup", "Jordan Lee", "Organization Management", "Organization"),
		ra("Mail Recipients", "Recipient Management", "RoleGroup", "Nina Petrova", "Recipient Management\\Helpdesk Tier 2", "Organization"),
		ra("Legal Hold", "Compliance Management", "RoleGroup", "Ingrid", "Compliance Management", "Organization"),
	]
	rows := rule.inventory.toggle_principals with input as ins(a, [], [entra(ga, "Global Administrator", "user", "Break Glass"), entra(reader, "Global Reader", "user", "Ingrid")])
	{[r.principal, r.source, r.type] | some r in rows} == {["Jordan Lee", "exo", "user"], ["Nina Petrova", "exo", "user"], ["Break Glass", "entra", "user"]}
	some r in rows
	r.principal == "Nina Petrova"
	r.via == ["Recipient Management (RoleGroup)", "Helpdesk Tier 2", "Nina Petrova"]
	r.scope == "Organization"
}

test_role_group_members_when_no_effective_users if {
	a := [ra("Mail Recipients", "Org Admins", "RoleGroup", "", "", "Organization")]
	g := [{"name": "Org Admins", "members": ["Ann", "Tier2"]}, {"name": "Tier2", "members": ["Bob"]}]
	rows := rule.inventory.toggle_principals with input as ins(a, g, [])
	{r.principal: r.via | some r in rows} == {"Ann": ["Org Admins (RoleGroup)", "Ann"], "Bob": ["Org Admins (RoleGroup)", "Tier2", "Bob"]}
}

test_delegating_and_disabled_assignments_do_not_count if {
	d := object.union(ra("Mail Recipients", "Organization Management", "RoleGroup", "Jordan Lee", "", "Organization"), {"delegating": true})
	x := object.union(ra("Mail Recipients", "Legacy", "RoleGroup", "Mateo", "", "Organization"), {"enabled": false})
	count(rule.inventory.toggle_principals) == 0 with input as ins([d, x], [], [])
	count(rule.deny) == 0 with input as ins([d, x], [], [])
}

test_direct_user_service_principal_and_unscoped_fail if {
	a := [
		ra("Custom Helpdesk", "Sam Rivera", "User", "Sam Rivera", "", "Organization"),
		ra("Mail Recipients", "HR Connector", "ServicePrincipal", "HR Connector", "", "Organization"),
		object.union(ra("Custom Helpdesk", "Helpdesk Sales", "RoleGroup", "Lena", "Helpdesk Sales", "OU"), {"recipient_organizational_unit_scope": "OU=Sales,DC=corp"}),
		ra("Mail Recipients", "Organization Management", "RoleGroup", "Jordan Lee", "Organization Management", "Organization"),
	]
	e := [entra("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "servicePrincipal", "Automation")]
	got := {[f.key, f.object.id] | some f in rule.deny} with input as ins(a, [], e)
	got == {
		["direct_user", "custom helpdesk-sam rivera"],
		["unscoped", "custom helpdesk-sam rivera"],
		["service_principal", "mail recipients-hr connector"],
		["unscoped", "mail recipients-hr connector"],
		["service_principal", "entra:29232cdf-9323-42fd-ade2-1d097af3e4de:automation"],
	}
	some f in rule.deny with input as ins(a, [], e)
	f.key == "direct_user"
	startswith(f.remediation, "Remove-ManagementRoleAssignment -Identity 'Custom Helpdesk-Sam Rivera'")
}

test_checks_are_switched_by_parameters if {
	a := [ra("Custom Helpdesk", "Sam Rivera", "User", "Sam Rivera", "", "Organization")]
	count(rule.deny) == 0 with input as ins(a, [], [])
		with data.exoready.params.toggle_fail_on_direct_user as false
		with data.exoready.params.toggle_fail_on_unscoped as false
}

test_too_many_principals_fail if {
	a := [ra("Mail Recipients", "Organization Management", "RoleGroup", u, "", "Organization") | some u in ["a", "b", "c"]]
	e := [entra(ga, "Global Administrator", "user", "a"), entra(ga, "Global Administrator", "user", "d")]
	count(rule.deny) == 0 with input as ins(a, [], e) with data.exoready.params.toggle_max_principals as 4
	some f in rule.deny with input as ins(a, [], e) with data.exoready.params.toggle_max_principals as 3
	f.key == "count"
	f.evidence.principals == 4
}

test_missing_role_entries_is_an_error_not_a_pass if {
	i := {"exo": {"role_entries": [entry("Legal Hold", "Set-Mailbox", ["Identity"])], "role_assignments": [], "role_groups": []}, "entra": {"role_assignments": []}}
	count(rule.errors) == 1 with input as i
	count(rule.deny) == 0 with input as i
}
