# METADATA
# title: SMTP relay through an on-premises receive connector
# description: >-
#   Applications and devices that relay mail through an Exchange server stop
#   working when it is removed. A receive connector that grants ANONYMOUS
#   LOGON the ms-Exch-SMTP-Accept-Any-Recipient right (read from its ACL) is an
#   anonymous relay; one restricted to custom RemoteIPRanges is the usual
#   mark of a connector made for applications. Move them to Exchange Online
#   (SMTP AUTH client submission, direct send or a connector) first.
# related_resources:
#   - ref: https://learn.microsoft.com/exchange/mail-flow/connectors/allow-anonymous-relay
#     description: Allow anonymous relay on Exchange servers
#   - ref: https://learn.microsoft.com/exchange/hybrid-deployment/decommission-last-exchange-server
#     description: Decommission the last Exchange Server after transferring SOA to cloud
# custom:
#   id: EXR-DEP-003
#   severity: critical
#   category: dependency
#   requires: [ad.exchange.receive_connectors]
#   remediation: >-
#     Find the senders (Get-MessageTrackingLog -Server <server> -EventId RECEIVE
#     | ? ConnectorId -like '*<connector>'), move each to Exchange Online SMTP
#     submission or a connector, then Remove-ReceiveConnector -Identity
#     '<server>\<connector>'.
package exoready.rules.dependency.smtp_relay

import data.exoready.lib

connectors := [c | some c in lib.list(input.ad.exchange.receive_connectors); c.enabled == true]

checked := count(connectors)

object_of(c) := {"type": "connector", "id": lower(c.dn), "name": c.name, "dn": c.dn}

anonymous(c) if c.anonymous_relay == true

custom_ranges(c) if {
	ranges := {lower(r) | some r in lib.list(c.remote_ip_ranges)}
	defaults := {lower(r) | some r in lib.params.default_receive_remote_ip_ranges}
	count(ranges - defaults) > 0
}

reasons(c) := array.concat(
	["grants ANONYMOUS LOGON Accept-Any-Recipient (anonymous relay)" | anonymous(c)],
	[sprintf("accepts only custom RemoteIPRanges %s (a relay for applications)", [concat(", ", c.remote_ip_ranges)]) | custom_ranges(c)],
)

fix(c) := sprintf("Get-MessageTrackingLog -Server %s -EventId RECEIVE -Start (Get-Date).AddDays(-30) -ResultSize Unlimited | ? ConnectorId -eq %s | Group-Object OriginalClientIp, Sender  # move those senders to Exchange Online, then: Remove-ReceiveConnector -Identity %s", [lib.ps_quote(c.server), lib.ps_quote(concat("\\", [c.server, c.name])), lib.ps_quote(concat("\\", [c.server, c.name]))])

deny contains {
	"msg": sprintf("receive connector %s on %s %s: whatever relays through it stops when the server goes", [c.name, c.server, concat(" and ", reasons(c))]),
	"object": object_of(c),
	"evidence": {
		"server": c.server,
		"bindings": c.bindings,
		"remote_ip_ranges": c.remote_ip_ranges,
		"permission_groups": c.permission_groups,
		"anonymous_relay": c.anonymous_relay,
		"relay_grantees": c.relay_grantees,
	},
	"remediation": fix(c),
} if {
	some c in connectors
	count(reasons(c)) > 0
}

errors contains {
	"msg": sprintf("the ACL of receive connector %s on %s could not be read (%s): anonymous relay not assessed; read nTSecurityDescriptor with an account allowed to (SD flags control)", [c.name, c.server, c.acl_error]),
	"object": object_of(c),
} if {
	some c in connectors
	c.anonymous_relay == null
}

# Order 0: fixed before the hybrid removal steps (1-8) and the servers (99).
inventory := {"dependencies": [{
	"order": 0,
	"type": "receive_connector",
	"name": concat("\\", [c.server, c.name]),
	"rule_id": "EXR-DEP-003",
	"action": concat("; ", reasons(c)),
	"id": lower(c.dn),
	"dn": c.dn,
} |
	some c in connectors
	count(reasons(c)) > 0
]}
