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
#   requires: [ad.users, ad.contacts, ad.groups, ad.duplicate_addresses]
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

# Holders are the mail-enabled AD objects with proxy addresses (a first
# address exists). Each is named by its array and index, as the
# collector's ad.duplicate_addresses view names them; kinds gives each
# array's finding type and the on-premises cmdlet that edits its objects.
kinds := {
	"users": {"type": "mailbox", "cmdlet": "Set-RemoteMailbox"},
	"contacts": {"type": "contact", "cmdlet": "Set-MailContact"},
	"groups": {"type": "group", "cmdlet": "Set-DistributionGroup"},
}

holder_obj("users", i) := input.ad.users[i]

holder_obj("contacts", i) := input.ad.contacts[i]

holder_obj("groups", i) := input.ad.groups[i]

holder(array, i) := {"obj": holder_obj(array, i), "type": kinds[array].type, "cmdlet": kinds[array].cmdlet}

checked := (holder_count(input.ad.users) + holder_count(input.ad.contacts)) + holder_count(input.ad.groups)

holder_count(objs) := count([1 | some o in objs; o.proxy_addresses[0]])

# finding_object is the finding object of a holder; a joined mailbox has the
# joined view's id, so readiness and waivers line up with the inventory.
finding_object(h) := {"type": h.type, "id": id, "name": h.obj.display_name, "dn": h.obj.dn} if {
	id := object.get(joined_ids, h.obj.dn, null)
	id != null
} else := {"type": h.type, "id": lib.ad_id(h.obj), "name": h.obj.display_name, "dn": h.obj.dn}

# joined_ids maps the DN of each holder with a finding that is a joined
# mailbox to the joined view's id, in one pass over the joined view.
joined_ids := {j.ad.dn: j.id | some j in lib.list(object.get(input, "joined", [])); j.ad.dn in dns} if {
	dns := {holder_obj(array, i).dn | some [array, i] in not_one_primary} | {h.dn | some d in input.ad.duplicate_addresses; some h in d.holders}
}

primaries(o) := [p | some p in o.proxy_addresses; startswith(p, "SMTP:")]

# not_one_primary are the holders, [array, index], with no primary address
# or several.
not_one_primary := (bad_primaries("users", input.ad.users) | bad_primaries("contacts", input.ad.contacts)) | bad_primaries("groups", input.ad.groups)

bad_primaries(array, objs) := {[array, i] |
	some i, o in objs
	o.proxy_addresses[0]
	count([p | some p in o.proxy_addresses; startswith(p, "SMTP:")]) != 1 # primaries(o), inline: no call per holder
}

deny contains {
	"msg": sprintf("%s has %d primary SMTP addresses (proxyAddresses with an upper-case SMTP: prefix), not exactly one", [h.obj.display_name, count(primaries(h.obj))]),
	"object": finding_object(h),
	"key": "primary",
	"evidence": {"proxy_addresses": h.obj.proxy_addresses, "primary_addresses": primaries(h.obj), "mail": object.get(h.obj, "mail", "")},
	"remediation": sprintf("%s -Identity %s -PrimarySmtpAddress %s  # on-premises; the other SMTP: entries become secondary", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(chosen_primary(h.obj))]),
} if {
	some [array, i] in not_one_primary
	h := holder(array, i)
}

chosen_primary(o) := o.mail if {
	object.get(o, "mail", "") != ""
} else := substring(primaries(o)[0], 5, -1) if {
	count(primaries(o)) > 0
} else := "<address>"

# A duplicated address, as the collector found it (ad.duplicate_addresses:
# the address lower-cased, prefix included, so SMTP and smtp are one
# address), fails on each of its holders, naming the others.
deny contains {
	"msg": sprintf("%s carries %s, also carried by %s: sync refuses duplicate addresses", [h.obj.display_name, ref.proxy_address, concat(", ", sort([holder_obj(o.array, o.index).display_name | some o in others]))]),
	"object": finding_object(h),
	"key": concat(":", ["duplicate", d.address]),
	"evidence": {"address": ref.proxy_address, "also_on": sort([o.dn | some o in others])},
	"remediation": sprintf("%s -Identity %s -EmailAddresses @{remove=%s}  # on-premises, on every object but the one that should own the address", [h.cmdlet, lib.ps_quote(h.obj.dn), lib.ps_quote(ref.proxy_address)]),
} if {
	some d in input.ad.duplicate_addresses
	some k, ref in d.holders
	h := holder(ref.array, ref.index)
	others := [o | some j, o in d.holders; j != k]
}
