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
#   fields:
#     ad.users: [display_name, dn, external_directory_object_id, mail, object_guid, proxy_addresses]
#     ad.contacts: [display_name, dn, external_directory_object_id, mail, object_guid, proxy_addresses]
#     ad.groups: [display_name, dn, external_directory_object_id, mail, object_guid, proxy_addresses]
#     joined: [id, ad.dn]
#   remediation: >-
#     On-premises, give the object exactly one primary address with
#     Set-RemoteMailbox (Set-MailContact, Set-DistributionGroup) -PrimarySmtpAddress,
#     and remove a duplicated address from every object but its owner with
#     -EmailAddresses @{remove='smtp:<address>'}.
package exoready.rules.mailbox.proxy_addresses

import data.exoready.lib

# holders are every mail-enabled AD object with proxy addresses (a first
# address exists): the users, then the contacts, then the groups.
holder_users := [u | some u in input.ad.users; u.proxy_addresses[0]]

holder_contacts := [c | some c in input.ad.contacts; c.proxy_addresses[0]]

holders := array.concat(array.concat(holder_users, holder_contacts), [g | some g in input.ad.groups; g.proxy_addresses[0]])

# holder(i) is holder i with its finding type and the on-premises cmdlet
# that edits it, told by where it sits in holders.
holder(i) := {"obj": holders[i], "type": "mailbox", "cmdlet": "Set-RemoteMailbox"} if {
	i < count(holder_users)
} else := {"obj": holders[i], "type": "contact", "cmdlet": "Set-MailContact"} if {
	i < count(holder_users) + count(holder_contacts)
} else := {"obj": holders[i], "type": "group", "cmdlet": "Set-DistributionGroup"}

checked := count(holders)

# finding_object is the finding object of a holder; a joined mailbox has the
# joined view's id, so readiness and waivers line up with the inventory.
finding_object(h) := {"type": h.type, "id": id, "name": h.obj.display_name, "dn": h.obj.dn} if {
	id := object.get(joined_ids, h.obj.dn, null)
	id != null
} else := {"type": h.type, "id": lib.ad_id(h.obj), "name": h.obj.display_name, "dn": h.obj.dn}

# joined_ids maps the DN of each holder with a finding that is a joined
# mailbox to the joined view's id, in one pass over the joined view.
joined_ids := {j.ad.dn: j.id | some j in lib.list(object.get(input, "joined", [])); j.ad.dn in dns} if {
	dns := {holders[i].dn | some i in (not_one_primary | duplicate_holders)}
}

primaries(o) := [p | some p in o.proxy_addresses; startswith(p, "SMTP:")]

# not_one_primary are the holders with no primary address or several.
not_one_primary contains i if {
	some i, o in holders
	count([p | some p in o.proxy_addresses; startswith(p, "SMTP:")]) != 1 # primaries(o), inline: no call per holder
}

deny contains {
	"msg": sprintf("%s has %d primary SMTP addresses (proxyAddresses with an upper-case SMTP: prefix), not exactly one", [h.obj.display_name, count(primaries(h.obj))]),
	"object": finding_object(h),
	"key": "primary",
	"evidence": {"proxy_addresses": h.obj.proxy_addresses, "primary_addresses": primaries(h.obj), "mail": object.get(h.obj, "mail", "")},
	"remediation": sprintf("%s -Identity %s -PrimarySmtpAddress %s  # on-premises; the other SMTP: entries become secondary", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(chosen_primary(h.obj))]),
} if {
	some i in not_one_primary
	h := holder(i)
}

chosen_primary(o) := o.mail if {
	object.get(o, "mail", "") != ""
} else := substring(primaries(o)[0], 5, -1) if {
	count(primaries(o)) > 0
} else := "<address>"

# addresses lists every [address, holder index] pair, sorted; the address
# has its prefix and value lower-cased, so SMTP and smtp are one address.
addresses := sort([[lower(p), i] | some i, o in holders; some p in o.proxy_addresses])

# duplicated lists the addresses held twice or more with the holders of each
# pair of neighbours in the sorted list: one linear pass (grouping all
# addresses first would cost far more at 600,000 mailboxes). The list is
# read through a local variable: indexing the rule itself in the loop
# would look the rule up for every address.
duplicated contains [key, sorted[n][1], next[1]] if {
	sorted := addresses
	some n, next in array.slice(sorted, 1, count(sorted))
	key := next[0]
	key == sorted[n][0]
}

# owners maps each duplicated address to the holders carrying it.
owners[key] := {i | some [k, a, b] in duplicated; k == key; some i in [a, b]} if {
	some [key, _, _] in duplicated
}

# duplicate_holders are the holders of a duplicated address.
duplicate_holders contains i if {
	some idx in owners
	count(idx) > 1
	some i in idx
}

deny contains {
	"msg": sprintf("%s carries %s, also carried by %s: sync refuses duplicate addresses", [h.obj.display_name, address, concat(", ", sort([holders[o].display_name | some o in others]))]),
	"object": finding_object(h),
	"key": concat(":", ["duplicate", key]),
	"evidence": {"address": address, "also_on": sort([holders[o].dn | some o in others])},
	"remediation": sprintf("%s -Identity %s -EmailAddresses @{remove=%s}  # on-premises, on every object but the one that should own the address", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(address)]),
} if {
	some key, idx in owners
	count(idx) > 1
	some i in idx
	h := holder(i)
	others := idx - {i}
	address := [p | some p in h.obj.proxy_addresses; lower(p) == key][0]
}
