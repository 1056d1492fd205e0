# METADATA
# title: AD and Exchange Online differ on a mailbox that is not cloud-managed
# description: >-
#   While AD is the source of authority, Exchange Online must hold the same
#   Exchange attributes as AD after each sync. A difference means the last
#   on-premises change has not synced yet (AD changed within the last few
#   sync intervals) or sync fails for this object (older). Flipping such a
#   mailbox would freeze the Exchange Online values and lose the AD ones, so
#   it blocks the flip until both sides agree.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sync-errors
#     description: Troubleshoot errors during synchronization (Entra Connect)
# custom:
#   id: EXR-MBX-005
#   severity: medium
#   category: mailbox
#   blocks_flip: true
#   requires: [joined]
#   shard: joined
#   fields:
#     joined: [id, display_name, drift, ad.dn, ad.user_principal_name, ad.when_changed, exo.is_dir_synced, exo.is_exchange_cloud_managed, exo.recipient_type_details, exo.when_changed_utc]
#   remediation: >-
#     Pending: run Start-ADSyncSyncCycle -PolicyType Delta on the Entra Connect
#     server and scan again. Failing: read the object's export error in the
#     Synchronization Service Manager (or Entra Connect Health), correct the
#     value on-premises with Set-RemoteMailbox, then sync.
package exoready.rules.mailbox.sync_pending

import data.exoready.lib

candidates := lib.flippable_joined

checked := count(candidates)

window_ns := (lib.params.sync_max_missed_intervals * lib.sync_interval_minutes) * lib.minute_ns

deny contains {
	"msg": sprintf("%s: AD and Exchange Online differ on %s: %s", [j.display_name, concat(", ", attrs), state_text(state)]),
	"object": lib.joined_object(j),
	"evidence": {
		"state": state,
		"attributes": attrs,
		"drift": drift,
		"ad_when_changed": j.ad.when_changed,
		"exo_when_changed": j.exo.when_changed_utc,
	},
	"remediation": fix(state, j),
} if {
	some j in candidates
	j.drift != null # most mailboxes have no drift at all
	drift := lib.effective_drift(j)
	count(drift) > 0
	attrs := sort([d.attribute | some d in drift])
	state := sync_state(j)
}

sync_state(j) := "pending" if {
	lib.now_ns - lib.ns(j.ad.when_changed) <= window_ns
} else := "failing"

state_text("pending") := "changed on-premises within the last sync intervals, sync pending"

state_text("failing") := "changed on-premises long ago, so sync is failing for this object"

fix("pending", _) := "Start-ADSyncSyncCycle -PolicyType Delta  # on the Entra Connect server, then scan again"

fix("failing", j) := sprintf("Get-RemoteMailbox -Identity %s | Format-List EmailAddresses,CustomAttribute*,HiddenFromAddressListsEnabled  # on-premises: compare with Exchange Online, read the object's export error in Synchronization Service Manager, correct it with Set-RemoteMailbox, then Start-ADSyncSyncCycle -PolicyType Delta", [lib.ps_quote(identity(j))])

identity(j) := j.ad.user_principal_name if {
	j.ad.user_principal_name != ""
} else := j.ad.dn
