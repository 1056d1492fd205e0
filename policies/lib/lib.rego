# METADATA
# title: Shared helpers of the exoready rule pack
# description: Object ids, PowerShell quoting, versions and times used by every rule.
package exoready.lib

# params are the rule parameters (policies/params.yaml, overridable in scan.yaml).
params := data.exoready.params

# now_ns is the collection time: rules judge the tenant as it was when the
# snapshot was taken, so a saved snapshot re-evaluates to the same findings.
now_ns := time.parse_rfc3339_ns(input.collected_at)

# mailbox_id is the id of an EXO mailbox in findings; it equals the joined
# view's id (ExternalDirectoryObjectId, else Guid, lower case).
mailbox_id(m) := object_id(m.external_directory_object_id) if {
	m.external_directory_object_id != ""
} else := lower(m.guid) if {
	m.guid != ""
} else := concat("", ["exo:", lower(m.identity)])

# ad_id is the id of an AD object in findings; for a mailbox with no EXO
# partner it equals the joined view's id.
ad_id(u) := object_id(u.external_directory_object_id) if {
	u.external_directory_object_id != ""
} else := concat("", ["ad:", lower(u.object_guid)]) if {
	u.object_guid != ""
} else := concat("", ["ad:", lower(u.dn)])

# object_id normalises an ExternalDirectoryObjectId: lower case, without the
# User_/Group_/Contact_ prefix Cloud Sync writes on-premises.
object_id(s) := regex.replace(lower(trim_space(s)), `^(user|group|contact)_`, "")

mailbox_object(m) := {"type": "mailbox", "id": mailbox_id(m), "name": m.display_name, "dn": ""}

ad_object(kind, u) := {"type": kind, "id": ad_id(u), "name": u.display_name, "dn": u.dn}

tenant_object := {"type": "tenant", "id": "tenant", "name": "", "dn": ""}

# ps_quote quotes a value as a PowerShell single-quoted string. PowerShell
# also ends such strings at the typographic quotes U+2018..U+201B, so every
# one of them is doubled too.
ps_quote(s) := concat("", ["'", regex.replace(sprintf("%v", [s]), `(['‘’‚‛])`, "$1$1"), "'"])

# truthy holds for true, "True"/"true" (CSV exports) and 1.
truthy(v) if v == true

truthy(v) if {
	is_string(v)
	lower(trim_space(v)) == "true"
}

truthy(v) if {
	is_number(v)
	v == 1
}

# falsy holds for false, "False"/"false" and 0; a missing value is neither.
falsy(v) if v == false

falsy(v) if {
	is_string(v)
	lower(trim_space(v)) == "false"
}

falsy(v) if {
	is_number(v)
	v == 0
}

# valid_version holds for dotted numeric versions of 2 to 4 parts.
valid_version(v) if {
	is_string(v)
	regex.match(`^[0-9]{1,9}(\.[0-9]{1,9}){1,3}$`, trim_space(v))
}

# version_key pads a valid version to four numeric parts for comparison.
version_key(v) := array.concat(parts, array.slice([0, 0, 0, 0], 0, 4 - count(parts))) if {
	parts := [to_number(p) | some p in split(trim_space(v), ".")]
}

version_lt(a, b) if version_key(a) < version_key(b)

version_eq(a, b) if version_key(a) == version_key(b)

# in_list holds when s equals an entry of list, ignoring case.
in_list(s, list) if {
	some x in list
	lower(x) == lower(s)
}

# cloud_managed_type holds for the EXO mailbox types the flag applies to.
cloud_managed_type(t) if in_list(t, params.cloud_managed_mailbox_types)

# is_cloud_managed holds for a mailbox whose flag is true.
is_cloud_managed(m) if truthy(m.is_exchange_cloud_managed)

# synced_flippable holds for a dir-synced EXO mailbox of a type the flag applies to.
synced_flippable(m) if {
	m.is_dir_synced == true
	cloud_managed_type(m.recipient_type_details)
}

# list returns x when it is an array, else an empty array (null-safe iteration).
list(x) := x if {
	is_array(x)
} else := []

# ps_identity picks the most unambiguous identity of an EXO mailbox for
# generated PowerShell: Guid, then UPN, then primary SMTP address, then alias.
ps_identity(m) := lib_first([object.get(m, "guid", ""), object.get(m, "user_principal_name", ""), object.get(m, "primary_smtp_address", ""), object.get(m, "alias", ""), object.get(m, "identity", "")])

lib_first(values) := [v | some v in values; v != ""][0]
