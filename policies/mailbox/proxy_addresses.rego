# METADATA
# title: proxyAddresses hygiene
# description: >-
#   Every mail-enabled AD object needs exactly one primary address (the one
#   "SMTP:" proxy address, upper-case prefix), and no address may belong to
#   two objects: Entra Connect refuses or quarantines duplicates, so the
#   object stops syncing, and after the flip the address can no longer be
#   fixed on-premises. Fix these while AD is still the source of authority.
# related_resources:
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-syncservice-duplicate-attribute-resiliency
#     description: Entra Connect duplicate attribute resiliency (proxyAddresses)
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-remotemailbox
#     description: Set-RemoteMailbox -EmailAddresses / -PrimarySmtpAddress
# custom:
#   id: EXR-MBX-008
#   severity: medium
#   category: mailbox
#   blocks_flip: true
#   requires: [ad.users, ad.contacts, ad.groups]
#   remediation: >-
#     On-premises, give the object exactly one primary address with
#     Set-RemoteMailbox (Set-MailContact, Set-DistributionGroup) -PrimarySmtpAddress,
#     and remove a duplicated address from every object but its owner with
#     -EmailAddresses @{remove='smtp:<address>'}.
package exoready.rules.mailbox.proxy_addresses

import data.exoready.lib

# holders are every mail-enabled AD object with proxy addresses, with the
# id findings use (the joined mailbox id when the object is a joined mailbox)
# and the on-premises cmdlet that edits it.
holders := array.concat(
	array.concat(
		[h | some u in input.ad.users; count(lib.list(u.proxy_addresses)) > 0; h := holder(u, "mailbox", "Set-RemoteMailbox")],
		[h | some c in input.ad.contacts; count(lib.list(c.proxy_addresses)) > 0; h := holder(c, "contact", "Set-MailContact")],
	),
	[h | some g in input.ad.groups; count(lib.list(g.proxy_addresses)) > 0; h := holder(g, "group", "Set-DistributionGroup")],
)

joined_ids := {lower(j.ad.dn): j.id | some j in lib.list(object.get(input, "joined", [])); j.ad != null}

holder(o, kind, cmdlet) := {"obj": o, "cmdlet": cmdlet, "object": {"type": kind, "id": id, "name": o.display_name, "dn": o.dn}} if {
	id := object.get(joined_ids, lower(o.dn), lib.ad_id(o))
}

checked := count(holders)

primaries(o) := [p | some p in o.proxy_addresses; startswith(p, "SMTP:")]

deny contains {
	"msg": sprintf("%s has %d primary SMTP addresses (proxyAddresses with an upper-case SMTP: prefix), not exactly one", [h.obj.display_name, count(primaries(h.obj))]),
	"object": h.object,
	"key": "primary",
	"evidence": {"proxy_addresses": h.obj.proxy_addresses, "primary_addresses": primaries(h.obj), "mail": object.get(h.obj, "mail", "")},
	"remediation": sprintf("%s -Identity %s -PrimarySmtpAddress %s  # on-premises; the other SMTP: entries become secondary", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(chosen_primary(h.obj))]),
} if {
	some h in holders
	count(primaries(h.obj)) != 1
}

chosen_primary(o) := o.mail if {
	object.get(o, "mail", "") != ""
} else := substring(primaries(o)[0], 5, -1) if {
	count(primaries(o)) > 0
} else := "<address>"

# addresses lists every (address, holder index) pair; the address has its
# prefix and value lower-cased, so SMTP and smtp are one address.
addresses := [{"key": lower(p), "holder": i} |
	some i, h in holders
	some p in h.obj.proxy_addresses
]

# duplicates are the addresses held more than once: neighbours in the
# sorted list of every address, found in one linear pass (grouping all
# addresses first would cost far more at 600,000 mailboxes).
sorted_keys := sort([e.key | some e in addresses])

duplicates contains key if {
	some i, key in sorted_keys
	i > 0
	previous := i - 1
	key == sorted_keys[previous]
}

# owners maps each duplicated address to the holders carrying it. The
# comprehension compares addresses[j].key with the key bound outside it,
# which OPA indexes once (comprehension indexing).
owners[key] := idx if {
	some key in duplicates
	idx := {i |
		some j
		addresses[j].key == key
		i := addresses[j].holder
	}
}

deny contains {
	"msg": sprintf("%s carries %s, also carried by %s: sync refuses duplicate addresses", [h.obj.display_name, address, concat(", ", sort([holders[o].obj.display_name | some o in others]))]),
	"object": h.object,
	"key": concat(":", ["duplicate", key]),
	"evidence": {"address": address, "also_on": sort([holders[o].obj.dn | some o in others])},
	"remediation": sprintf("%s -Identity %s -EmailAddresses @{remove=%s}  # on-premises, on every object but the one that should own the address", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(address)]),
} if {
	some key, idx in owners
	count(idx) > 1
	some i in idx
	h := holders[i]
	others := idx - {i}
	address := [p | some p in h.obj.proxy_addresses; lower(p) == key][0]
}
