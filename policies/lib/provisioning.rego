# METADATA
# title: Preconditions of the cloud-managed-by-default tenant setting
# description: >-
#   What still ties recipient provisioning to on-premises Exchange: mailboxes
#   hosted on-premises, move requests in flight, and mail recipients created
#   on-premises recently. Shared by EXR-GOV-003 and EXR-GOV-004, which both
#   require ad.users, exo.move_requests and exo.organization_config.
package exoready.lib.provisioning

import data.exoready.lib

# tenant_default is the read-back value of the tenant default (the property
# named by the parameters), null when the export lacks it.
tenant_default := object.get(input.exo.organization_config, lib.params.tenant_default_property, null)

# The parameter lists, lower-cased once.
system_types := {lower(t) | some t in lib.params.system_mailbox_types}

public_folder_types := {lower(t) | some t in lib.params.public_folder_mailbox_types}

provisioned_types := {lower(t) | some t in lib.params.onprem_provisioned_types}

onprem_mailboxes := sort([u.display_name |
	some u in input.ad.users
	u.home_mdb != ""
	not lower(u.recipient_type_details) in system
	not lower(u.recipient_type_details) in public_folder
]) if {
	system := system_types # bound once, not looked up per user
	public_folder := public_folder_types
}

moves_in_flight := sort([sprintf("%s (%s, %s)", [r.display_name, r.direction, r.status]) |
	some r in input.exo.move_requests
	not lib.in_list(r.status, lib.params.finished_move_statuses)
])

recent_ns := (lib.params.onprem_creation_recent_days * 24) * lib.hour_ns

# created_since: a recipient created at or after this time is recent.
created_since := lib.now_ns - recent_ns

recently_created := sort([sprintf("%s (%s, created %s)", [u.display_name, u.recipient_type_details, u.when_created]) |
	some u in input.ad.users
	lower(u.recipient_type_details) in types
	lib.ns(u.when_created) >= since
]) if {
	types := provisioned_types # bound once, not looked up per user
	since := created_since
}

# blockers maps each reason the default must stay off to its objects.
blockers["mailboxes still hosted on-premises"] := onprem_mailboxes if count(onprem_mailboxes) > 0

blockers["move requests in flight"] := moves_in_flight if count(moves_in_flight) > 0

blockers[sprintf("recipients created on-premises in the last %d days", [lib.params.onprem_creation_recent_days])] := recently_created if {
	count(recently_created) > 0
}

# no_blocker holds when blockers is empty; it stops at the first list that
# is not, without computing the others.
no_blocker if {
	count(onprem_mailboxes) == 0
	count(moves_in_flight) == 0
	count(recently_created) == 0
}
