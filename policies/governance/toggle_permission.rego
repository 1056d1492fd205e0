# METADATA
# title: Who can toggle IsExchangeCloudManaged
# description: >-
#   Setting IsExchangeCloudManaged moves a mailbox's source of authority, and
#   setting it back overwrites every cloud edit with the AD values, so the
#   right should be held by few, named, scoped principals. The rule finds the
#   Exchange Online roles whose Set-Mailbox role entry carries the
#   IsExchangeCloudManaged parameter (computed from Get-ManagementRoleEntry,
#   never from role names), follows their enabled, non-delegating assignments
#   through role groups, groups and assignment policies to the effective
#   principals (Get-ManagementRoleAssignment -GetEffectiveUsers, else the role
#   group members), and adds the holders of the Entra roles that can set it.
#   Every principal is listed with its grant chain and scope on the
#   Permissions sheet. It fails on more principals than allowed, direct user
#   assignments, service principals and unscoped assignments, as the
#   parameters switch them on.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments (permissions)
#   - ref: https://learn.microsoft.com/powershell/module/exchange/get-managementroleassignment
#     description: Get-ManagementRoleAssignment -GetEffectiveUsers
#   - ref: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
#     description: Microsoft Entra built-in roles
# custom:
#   id: EXR-GOV-001
#   severity: high
#   category: governance
#   requires: [exo.role_entries, exo.role_assignments, exo.role_groups, entra.role_assignments]
#   remediation: >-
#     Keep the right with a role group scoped to the mailboxes its members
#     manage: remove direct and service principal assignments
#     (Remove-ManagementRoleAssignment), scope the others
#     (Set-ManagementRoleAssignment -CustomRecipientWriteScope <scope>), and
#     trim role group members and Entra role holders to those who flip
#     mailboxes.
package exoready.rules.governance.toggle_permission

import data.exoready.lib

# toggle_roles are the roles (lower-case name -> name) whose Set-Mailbox entry
# carries the IsExchangeCloudManaged parameter.
toggle_roles[lower(e.role)] := e.role if {
	some e in input.exo.role_entries
	lower(e.name) == "set-mailbox"
	some p in lib.list(e.parameters)
	lower(p) == "isexchangecloudmanaged"
}

# grants are the enabled, non-delegating assignment rows of those roles (one
# row per effective user when exported with -GetEffectiveUsers).
grants := [a |
	some a in input.exo.role_assignments
	toggle_roles[lower(a.role)]
	a.enabled == true
	not a.delegating == true
]

role_groups[lower(g.name)] := g if some g in input.exo.role_groups

is_role_group(name) if role_groups[lower(name)]

members(name) := lib.list(role_groups[lower(name)].members)

# expand lists the member chains of a role group (up to three levels of
# nested role groups); the last element of each chain is a leaf member.
expand(g) := (direct_members(g) | nested_members(g)) | twice_nested_members(g)

direct_members(g) := {[m] | some m in members(g); not is_role_group(m)}

nested_members(g) := {[m1, m2] |
	some m1 in members(g)
	is_role_group(m1)
	some m2 in members(m1)
	not is_role_group(m2)
}

twice_nested_members(g) := {[m1, m2, m3] |
	some m1 in members(g)
	is_role_group(m1)
	some m2 in members(m1)
	is_role_group(m2)
	some m3 in members(m2)
}

assignment_id(a) := lower(a.name) if {
	a.name != ""
} else := lower(concat("\\", [a.role, a.role_assignee_name]))

principal_type(a) := "service_principal" if {
	lower(a.role_assignee_type) == "serviceprincipal"
} else := "user" if {
	a.effective_user_name != ""
} else := lower(a.role_assignee_type)

grant_label(a) := "direct assignment" if {
	lower(a.role_assignee_type) in {"user", "serviceprincipal"}
} else := sprintf("%s (%s)", [a.role_assignee_name, a.role_assignee_type])

# middle is the part of AssignmentChain between the assignee and the user
# (nested groups); the chain's format is evidence, not parsed further [U].
middle(a) := [p |
	some i, p in split(a.assignment_chain, "\\")
	not skip_chain_part(a, i, p)
] if {
	a.assignment_chain != ""
} else := []

skip_chain_part(a, 0, p) if lower(p) == lower(a.role_assignee_name)

skip_chain_part(a, _, p) if lower(p) == lower(a.effective_user_name)

scope(a) := sprintf("OU %s", [a.recipient_organizational_unit_scope]) if {
	a.recipient_organizational_unit_scope != ""
} else := sprintf("custom scope %s", [a.custom_recipient_write_scope]) if {
	a.custom_recipient_write_scope != ""
} else := a.recipient_write_scope

unscoped(a) if {
	lib.in_list(a.recipient_write_scope, lib.params.unscoped_write_scopes)
	a.custom_recipient_write_scope == ""
	a.recipient_organizational_unit_scope == ""
}

exo_row(a, principal, type, via) := {
	"principal": principal, "display_name": principal, "type": type, "role": a.role,
	"via": via, "scope": scope(a), "source": "exo", "assignment": a.name, "rule_id": "EXR-GOV-001",
}

# rows are the effective principals, one per (principal, role, grant).
rows contains exo_row(a, a.effective_user_name, principal_type(a), array.concat(array.concat([grant_label(a)], middle(a)), [a.effective_user_name])) if {
	some a in grants
	a.effective_user_name != ""
}

rows contains exo_row(a, chain[count(chain) - 1], member_type(chain[count(chain) - 1]), array.concat([grant_label(a)], chain)) if {
	some a in grants
	a.effective_user_name == ""
	lower(a.role_assignee_type) == "rolegroup"
	some chain in expand(a.role_assignee_name)
}

rows contains exo_row(a, a.role_assignee_name, principal_type(a), [grant_label(a), a.role_assignee_name]) if {
	some a in grants
	a.effective_user_name == ""
	lower(a.role_assignee_type) != "rolegroup"
}

member_type(m) := "role_group (nesting not followed further)" if is_role_group(m)

else := "member"

toggle_entra_roles := {lower(t) | some t in lib.params.toggle_entra_role_template_ids}

entra_grants := [r |
	some r in input.entra.role_assignments
	lower(r.role_definition_id) in toggle_entra_roles
]

entra_principal(r) := r.principal_upn if {
	r.principal_upn != ""
} else := r.principal_display_name

entra_scope(r) := "tenant" if {
	r.directory_scope_id in {"/", ""}
} else := r.directory_scope_id

rows contains {
	"principal": entra_principal(r), "display_name": r.principal_display_name, "type": entra_type(r), "role": r.role_name,
	"via": [sprintf("%s (Entra role)", [r.role_name]), r.principal_display_name], "scope": entra_scope(r), "source": "entra",
	"assignment": r.id, "rule_id": "EXR-GOV-001",
} if {
	some r in entra_grants
}

entra_type(r) := "service_principal" if {
	lower(r.principal_type) == "serviceprincipal"
} else := lower(r.principal_type)

# principals are the distinct holders, by display name (EXO reports names,
# Entra names and UPNs).
principals := {lower(r.display_name) | some r in rows}

checked := count(rows)

inventory := {"toggle_principals": [r | some r in rows]}

assignment_object(a) := {"type": "role_assignment", "id": assignment_id(a), "name": sprintf("%s → %s", [a.role, a.role_assignee_name]), "dn": ""}

assignment_evidence(a) := {
	"role": a.role,
	"assignee": a.role_assignee_name,
	"assignee_type": a.role_assignee_type,
	"scope": scope(a),
	"principals": sort({r.principal | some r in rows; r.source == "exo"; r.assignment == a.name}),
}

deny contains {
	"msg": sprintf("%d principals can set IsExchangeCloudManaged, more than the %d allowed: %s", [count(principals), lib.params.toggle_max_principals, concat(", ", sort({r.display_name | some r in rows}))]),
	"object": lib.tenant_object,
	"key": "count",
	"evidence": {"principals": count(principals), "max": lib.params.toggle_max_principals, "roles": sort({r | some r in toggle_roles})},
	"remediation": "Trim the holders to those who flip mailboxes: Remove-RoleGroupMember -Identity <role group> -Member <user> (Exchange Online), Remove-MgRoleManagementDirectoryRoleAssignment -UnifiedRoleAssignmentId <id> (Entra).",
} if {
	lib.params.toggle_max_principals > 0
	count(principals) > lib.params.toggle_max_principals
}

deny contains {
	"msg": sprintf("role %s (Set-Mailbox -IsExchangeCloudManaged) is assigned directly to user %s instead of through a role group", [a.role, a.role_assignee_name]),
	"object": assignment_object(a),
	"key": "direct_user",
	"evidence": assignment_evidence(a),
	"remediation": sprintf("Remove-ManagementRoleAssignment -Identity %s  # then grant the role through a role group: Add-RoleGroupMember -Identity <role group> -Member %s", [lib.ps_quote(a.name), lib.ps_quote(a.role_assignee_name)]),
} if {
	lib.params.toggle_fail_on_direct_user == true
	some a in grants
	lower(a.role_assignee_type) == "user"
}

deny contains {
	"msg": sprintf("role %s (Set-Mailbox -IsExchangeCloudManaged) is assigned to service principal %s: an application can move mailboxes' source of authority", [a.role, a.role_assignee_name]),
	"object": assignment_object(a),
	"key": "service_principal",
	"evidence": assignment_evidence(a),
	"remediation": sprintf("Remove-ManagementRoleAssignment -Identity %s  # or scope it: Set-ManagementRoleAssignment -Identity %s -CustomRecipientWriteScope <scope>", [lib.ps_quote(a.name), lib.ps_quote(a.name)]),
} if {
	lib.params.toggle_fail_on_service_principal == true
	some a in grants
	lower(a.role_assignee_type) == "serviceprincipal"
}

deny contains {
	"msg": sprintf("Entra role %s, which can set IsExchangeCloudManaged, is held by service principal %s", [r.role_name, r.principal_display_name]),
	"object": {"type": "role_assignment", "id": concat("", ["entra:", lower(r.id)]), "name": sprintf("%s → %s", [r.role_name, r.principal_display_name]), "dn": ""},
	"key": "service_principal",
	"evidence": {"role": r.role_name, "role_template_id": r.role_definition_id, "principal": r.principal_display_name, "principal_id": r.principal_id, "scope": entra_scope(r)},
	"remediation": sprintf("Remove-MgRoleManagementDirectoryRoleAssignment -UnifiedRoleAssignmentId %s  # give the application a scoped Exchange Online role instead", [lib.ps_quote(r.id)]),
} if {
	lib.params.toggle_fail_on_service_principal == true
	some r in entra_grants
	lower(r.principal_type) == "serviceprincipal"
}

deny contains {
	"msg": sprintf("role %s (Set-Mailbox -IsExchangeCloudManaged) is assigned to %s with scope %s: every mailbox of the organization", [a.role, a.role_assignee_name, scope(a)]),
	"object": assignment_object(a),
	"key": "unscoped",
	"evidence": assignment_evidence(a),
	"remediation": sprintf("New-ManagementScope -Name <scope> -RecipientRestrictionFilter <filter>; Set-ManagementRoleAssignment -Identity %s -CustomRecipientWriteScope <scope>", [lib.ps_quote(a.name)]),
} if {
	lib.params.toggle_fail_on_unscoped == true
	some a in grants
	unscoped(a)
	not lib.in_list(a.role_assignee_name, lib.params.toggle_unscoped_allowed_assignees)
}

errors contains "no role's Set-Mailbox entry carries IsExchangeCloudManaged in the role entries: export them with Get-ManagementRoleEntry '*\\Set-Mailbox' | ConvertTo-Json -Depth 5 (the parameter exists in every tenant since GA)" if {
	count(toggle_roles) == 0
}
