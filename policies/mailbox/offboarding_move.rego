# METADATA
# title: Offboarding move on a cloud-managed mailbox
# description: >-
#   A mailbox moved from Exchange Online back on-premises (an offboarding,
#   outbound move) must have IsExchangeCloudManaged set back to False before
#   the move; otherwise directory sync breaks for it. Offboarding moves are
#   recognised by the move request direction and the mailbox move flags named
#   in the policy parameters.
# related_resources:
#   - ref: https://techcommunity.microsoft.com/blog/exchange/introducing-cloud-managed-remote-mailboxes-a-step-to-last-exchange-server-retire/4446042
#     description: Exchange Team blog, Introducing Cloud-Managed Remote Mailboxes (offboarding)
#   - ref: https://learn.microsoft.com/powershell/module/exchange/get-moverequest
#     description: Get-MoveRequest
# custom:
#   id: EXR-MBX-003
#   severity: critical
#   category: mailbox
#   blocks_flip: true
#   requires: [exo.mailboxes, exo.move_requests]
#   shard: exo.mailboxes
#   fields:
#     exo.mailboxes: [alias, display_name, exchange_guid, external_directory_object_id, guid, identity, is_exchange_cloud_managed, mailbox_move_flags, mailbox_move_remote_host_name, mailbox_move_status, primary_smtp_address, user_principal_name]
#   remediation: >-
#     Suspend the move, set the flag back to False, wait one sync cycle, then
#     resume: Suspend-MoveRequest -Identity <mailbox>; Set-Mailbox -Identity
#     <mailbox> -IsExchangeCloudManaged $false; Resume-MoveRequest -Identity <mailbox>.
package exoready.rules.mailbox.offboarding_move

import data.exoready.lib

# cloud_managed: flag true, then another value lib.truthy holds for (as
# lib.cloud_managed_joined).
cloud_managed := array.concat(
	[m | some m in input.exo.mailboxes; m.is_exchange_cloud_managed == true],
	[m |
		some m in lib.odd_flag_mailboxes
		lib.truthy(m.is_exchange_cloud_managed)
	],
)

checked := count(cloud_managed)

offboarding_directions := {lower(d) | some d in lib.params.offboarding_move_directions}

offboarding_ignored_statuses := {lower(s) | some s in lib.params.offboarding_ignored_statuses}

# request_key is how a move request names its mailbox: by ExchangeGuid,
# else ExternalDirectoryObjectId, else alias (lower case).
request_key(r) := ["guid", lower(r.exchange_guid)] if {
	r.exchange_guid != ""
} else := ["edoid", lower(r.external_directory_object_id)] if {
	r.external_directory_object_id != ""
} else := ["alias", lower(r.alias)] if {
	r.alias != ""
}

# mailbox_key_fields name, per kind of key, the mailbox field a move request
# may name it by.
mailbox_key_fields := {"guid": "exchange_guid", "edoid": "external_directory_object_id", "alias": "alias"}

# offboarding_requests are few; matching them to mailboxes goes through the
# sets of their key values, so the cost grows with the mailboxes, not with
# mailboxes times requests. The engine evaluates the rule once per slice of
# the mailboxes, each time over all move requests: the parameter sets are
# lower-cased and bound once.
offboarding_requests := [r |
	some r in input.exo.move_requests
	lower(r.direction) in directions
	not lower(r.status) in ignored
] if {
	directions := offboarding_directions
	ignored := offboarding_ignored_statuses
}

# requested maps each kind of key the offboarding requests use to the values
# they name; a kind no request uses is absent, so mailboxes are not looked
# up by it.
requested[kind] contains value if {
	some r in offboarding_requests
	[kind, value] := request_key(r)
}

fix(m) := sprintf("Suspend-MoveRequest -Identity %s; Set-Mailbox -Identity %s -IsExchangeCloudManaged $false; # wait one sync cycle, then: Resume-MoveRequest -Identity %s", [id, id, id]) if {
	id := lib.ps_quote(lib.ps_identity(m))
}

deny contains {
	"msg": sprintf("%s is cloud-managed but has an offboarding move request (%s, status %s, to %s): set IsExchangeCloudManaged to False before moving it on-premises", [m.display_name, r.direction, r.status, r.remote_host_name]),
	"object": lib.mailbox_object(m),
	"key": "move_request",
	"evidence": {
		"move_request": r.identity,
		"direction": r.direction,
		"flags": r.flags,
		"status": r.status,
		"remote_host_name": r.remote_host_name,
		"is_exchange_cloud_managed": m.is_exchange_cloud_managed,
	},
	"remediation": fix(m),
} if {
	some kind, values in requested
	field := mailbox_key_fields[kind]
	some m in cloud_managed
	value := lower(m[field]) # absent: undefined; object.get gave "", which no request names
	value in values
	some r in offboarding_requests
	request_key(r) == [kind, value]
}

offboarding_flags := {lower(f) | some f in lib.params.offboarding_mailbox_move_flags}

move_flagged(flags) if {
	some flag in split(flags, ",")
	lower(trim_space(flag)) in offboarding_flags
}

deny contains {
	"msg": sprintf("%s is cloud-managed and its mailbox move flags (%s) show an offboarding move", [m.display_name, m.mailbox_move_flags]),
	"object": lib.mailbox_object(m),
	"key": "mailbox_move_flags",
	"evidence": {
		"mailbox_move_flags": m.mailbox_move_flags,
		"mailbox_move_status": object.get(m, "mailbox_move_status", ""),
		"mailbox_move_remote_host_name": object.get(m, "mailbox_move_remote_host_name", ""),
	},
	"remediation": fix(m),
} if {
	some m in cloud_managed
	move_flagged(m.mailbox_move_flags) # absent: undefined, as move_flagged("") is
}
