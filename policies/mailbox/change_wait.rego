# METADATA
# title: Recently changed on-premises; wait before flipping
# description: >-
#   After an on-premises change of a remote mailbox (Set-RemoteMailbox, or any
#   edit that moves AD whenChanged), Microsoft asks to wait one sync cycle
#   plus 24 hours before making the mailbox cloud-managed, so the change has
#   reached Exchange Online and settled. Each finding gives the earliest safe
#   time (whenChanged + sync interval + the wait parameter); the mailbox's
#   readiness is "wait until" that time instead of "blocked".
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
#     description: Entra Connect Sync scheduler (sync cycle and its interval)
# custom:
#   id: EXR-MBX-002
#   severity: medium
#   category: mailbox
#   blocks_flip: true
#   requires: [joined]
#   shard: joined
#   fields:
#     joined: [id, display_name, ad.dn, ad.when_changed, exo.alias, exo.guid, exo.identity, exo.is_dir_synced, exo.is_exchange_cloud_managed, exo.primary_smtp_address, exo.recipient_type_details, exo.user_principal_name]
#   remediation: >-
#     Do not flip the mailbox before the time given in the finding
#     (evidence.wait_until); then run Set-Mailbox -Identity <mailbox>
#     -IsExchangeCloudManaged $true.
package exoready.rules.mailbox.change_wait

import data.exoready.lib

candidates := lib.flippable_joined

checked := count(candidates)

interval := lib.sync_interval_minutes

wait_ns := (interval * lib.minute_ns) + (lib.params.flip_wait_hours_after_change * lib.hour_ns)

# changed_after: a mailbox changed after this time must still wait
# (changed + wait_ns is after the collection time).
changed_after := lib.now_ns - wait_ns

deny contains {
	"msg": sprintf("%s was changed on-premises at %s: wait until %s (one %d-minute sync cycle + %d h) before flipping it", [j.display_name, j.ad.when_changed, until, interval, lib.params.flip_wait_hours_after_change]),
	"object": lib.joined_object(j),
	"evidence": {
		"ad_when_changed": j.ad.when_changed,
		"wait_until": until,
		"sync_interval_minutes": interval,
		"wait_hours_after_change": lib.params.flip_wait_hours_after_change,
	},
	"remediation": sprintf("# not before %s:\nSet-Mailbox -Identity %s -IsExchangeCloudManaged $true", [until, lib.ps_quote(lib.ps_identity(j.exo))]),
} if {
	after := changed_after # bound once, not looked up per mailbox
	some j in candidates
	changed := lib.ns(j.ad.when_changed)
	changed > after
	until := lib.rfc3339((changed + wait_ns) + 999999999)
}

errors contains {
	"msg": sprintf("AD whenChanged of %s is missing: the earliest safe flip time cannot be computed (read whenChanged from AD)", [j.display_name]),
	"object": lib.joined_object(j),
} if {
	some j in candidates
	not lib.ns(j.ad.when_changed)
}
