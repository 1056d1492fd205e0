# METADATA
# title: Drift between AD and Exchange Online on a cloud-managed mailbox
# description: >-
#   Once a mailbox is cloud-managed, Exchange Online holds the truth for its
#   Exchange attributes. The Cloud Sync writeback job copies 24 of them
#   (custom and extension custom attributes, proxyAddresses, mail, recipient
#   types) back to AD. A difference on one of those while the writeback runs
#   means the writeback fails for that mailbox (high). A difference on any
#   other attribute, or while no writeback runs, leaves a stale copy in AD
#   that on-premises applications still read (low). Proxy addresses that
#   exist on one side by design (SharePoint SPO:, the cloud X500) are ignored
#   as the parameters say.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/enable-exchange-attributes-cloud-management
#     description: Cloud-based management of Exchange attributes for Remote Mailboxes in hybrid environments (writeback)
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/exchange-hybrid
#     description: Entra Cloud Sync Exchange hybrid writeback
# custom:
#   id: EXR-MBX-004
#   severity: high
#   category: mailbox
#   requires: [joined, entra.sync_jobs]
#   shard: joined
#   fields:
#     joined: [id, display_name, drift, ad.dn, ad.when_changed, exo.is_exchange_cloud_managed, exo.when_changed_utc]
#   remediation: >-
#     Writeback attribute: open the Exchange writeback configuration in Entra
#     Cloud Sync, read its provisioning logs for the user and run Provision on
#     demand. Other attribute: decide whether anything on-premises reads it;
#     if so, refresh the AD copy with Set-ADUser, otherwise waive the finding.
package exoready.rules.mailbox.cloud_drift

import data.exoready.lib

cloud_managed := lib.cloud_managed_joined

checked := count(cloud_managed)

running := lib.writeback_running(input.entra.sync_jobs)

written_back(d) if lib.in_list(d.ad_name, lib.params.writeback_attributes)

deny contains {
	"msg": sprintf("%s: %s differs between Exchange Online and AD (%s) although the Exchange writeback job runs: writeback is failing for this mailbox", [j.display_name, d.attribute, d.ad_name]),
	"object": lib.joined_object(j),
	"key": d.attribute,
	"severity": "high",
	"evidence": evidence(j, d),
	"remediation": "In the Microsoft Entra admin center open Cloud Sync, the Exchange writeback configuration, read its provisioning logs for this user and run Provision on demand; fix the error it reports (often a duplicate proxy address in AD).",
} if {
	running
	some j in cloud_managed
	j.drift != null # most mailboxes have no drift at all
	some d in lib.effective_drift(j)
	written_back(d)
}

deny contains {
	"msg": sprintf("%s: AD keeps a stale %s (%s) %s; on-premises applications that read AD see the old value", [j.display_name, d.ad_name, d.attribute, why(d)]),
	"object": lib.joined_object(j),
	"key": d.attribute,
	"severity": "low",
	"evidence": evidence(j, d),
	"remediation": sprintf("If something on-premises reads %s, refresh the AD copy to the Exchange Online value, e.g. Set-ADUser -Identity %s -Replace @{%s=<value from Exchange Online>}; otherwise waive this finding.", [d.ad_name, lib.ps_quote(j.ad.dn), d.ad_name]),
} if {
	some j in cloud_managed
	j.drift != null # most mailboxes have no drift at all
	some d in lib.effective_drift(j)
	not stale_is_fault(d)
}

stale_is_fault(d) if {
	running
	written_back(d)
}

why(d) := "because the writeback never writes it" if {
	not written_back(d)
} else := "because no Exchange writeback job runs"

evidence(j, d) := {
	"attribute": d.attribute,
	"ad_attribute": d.ad_name,
	"ad": d.ad,
	"exo": d.exo,
	"writeback_attribute": written_back_bool(d),
	"writeback_running": running_bool,
	"ad_when_changed": j.ad.when_changed,
	"exo_when_changed": j.exo.when_changed_utc,
}

written_back_bool(d) if written_back(d)

else := false

running_bool if running

else := false
