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
# view's id (ExternalDirectoryObjectId, else Guid, lower case). The first
# body is object_id inlined for an id without "_", which has no prefix to
# strip: a regex.replace costs several microseconds, and rules call this
# once per finding.
mailbox_id(m) := id if {
	m.external_directory_object_id != ""
	id := lower(trim_space(m.external_directory_object_id))
	indexof(id, "_") < 0
} else := object_id(m.external_directory_object_id) if {
	m.external_directory_object_id != ""
} else := lower(m.guid) if {
	m.guid != ""
} else := concat("", ["exo:", lower(m.identity)])

# ad_id is the id of an AD object in findings; for a mailbox with no EXO
# partner it equals the joined view's id.
ad_id(u) := id if {
	u.external_directory_object_id != ""
	id := lower(trim_space(u.external_directory_object_id))
	indexof(id, "_") < 0 # as in mailbox_id
} else := object_id(u.external_directory_object_id) if {
	u.external_directory_object_id != ""
} else := concat("", ["ad:", lower(u.object_guid)]) if {
	u.object_guid != ""
} else := concat("", ["ad:", lower(u.dn)])

# object_id normalises an ExternalDirectoryObjectId: lower case, without the
# User_/Group_/Contact_ prefix Cloud Sync writes on-premises.
object_id(s) := id if {
	id := lower(trim_space(s))
	indexof(id, "_") < 0 # nothing to strip: skip the regex
} else := regex.replace(lower(trim_space(s)), `^(user|group|contact)_`, "")

mailbox_object(m) := {"type": "mailbox", "id": mailbox_id(m), "name": m.display_name, "dn": ""}

ad_object(kind, u) := {"type": kind, "id": ad_id(u), "name": u.display_name, "dn": u.dn}

tenant_object := {"type": "tenant", "id": "tenant", "name": "", "dn": ""}

# ps_quote quotes a value as a PowerShell single-quoted string. PowerShell
# also ends such strings at the typographic quotes U+2018..U+201B, so every
# one of them is doubled too. A string holding none of them is quoted
# as it is: regex.match is much cheaper than regex.replace, and rules call
# this once per finding.
ps_quote(s) := concat("", ["'", s, "'"]) if {
	is_string(s)
	not regex.match(`['‘’‚‛]`, s)
} else := concat("", ["'", regex.replace(sprintf("%v", [s]), `(['‘’‚‛])`, "$1$1"), "'"])

# truthy holds for true, "True"/"true" (CSV exports) and 1. The bodies are
# tried in order and the first that holds ends the call: a boolean, what the
# snapshot's types give, costs one comparison.
truthy(v) if v == true

else if {
	is_string(v)
	lower(trim_space(v)) == "true"
} else if {
	is_number(v)
	v == 1
}

# falsy holds for false, "False"/"false" and 0; a missing value is neither.
falsy(v) if v == false

else if {
	is_string(v)
	lower(trim_space(v)) == "false"
} else if {
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

# in_list holds when s equals an entry of list, ignoring case. It lower-cases
# the whole list on every call: a check made once per object looks up a set
# of lower-cased entries computed once instead (as cloud_managed_types).
in_list(s, list) if {
	some x in list
	lower(x) == lower(s)
}

# cloud_managed_types are the EXO mailbox types the flag applies to, lower case.
cloud_managed_types := {lower(t) | some t in params.cloud_managed_mailbox_types}

# cloud_managed_type holds for the EXO mailbox types the flag applies to.
cloud_managed_type(t) if lower(t) in cloud_managed_types

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
ps_identity(m) := v if {
	v := object.get(m, "guid", "")
	v != ""
} else := v if {
	v := object.get(m, "user_principal_name", "")
	v != ""
} else := v if {
	v := object.get(m, "primary_smtp_address", "")
	v != ""
} else := v if {
	v := object.get(m, "alias", "")
	v != ""
} else := v if {
	v := object.get(m, "identity", "")
	v != ""
}

# joined_object is the finding object of a joined mailbox: its id is the
# joined view's id, so readiness and waivers line up with the inventory.
joined_object(j) := {"type": "mailbox", "id": j.id, "name": j.display_name, "dn": joined_dn(j)}

joined_dn(j) := j.ad.dn if {
	j.ad != null
} else := ""

# joined_cloud_managed holds for a joined mailbox whose EXO flag is true.
joined_cloud_managed(j) if {
	j.exo != null
	is_cloud_managed(j.exo)
}

# odd_flag_joined are the joined mailboxes whose EXO flag is neither true
# nor false (CSV text, a number, none): usually none. The rules of a shard
# group share one evaluation of it (the engine's cache per slice).
odd_flag_joined := [j |
	some j in input.joined
	not j.exo.is_exchange_cloud_managed == true
	not j.exo.is_exchange_cloud_managed == false
]

# odd_flag_mailboxes are the same among the EXO mailboxes.
odd_flag_mailboxes := [m |
	some m in input.exo.mailboxes
	not m.is_exchange_cloud_managed == true
	not m.is_exchange_cloud_managed == false
]

# cloud_managed_joined are the joined mailboxes with both an AD and a
# cloud-managed EXO side: those whose flag is true (what the snapshot's
# types give), then those whose flag is another value truthy holds for
# (CSV text, 1). A comparison with == unifies and costs little; != and
# truthy are calls, several times dearer per mailbox.
cloud_managed_joined := array.concat(
	[j |
		some j in input.joined
		j.exo.is_exchange_cloud_managed == true
		j.ad != null
	],
	[j |
		some j in odd_flag_joined
		j.ad != null
		truthy(j.exo.is_exchange_cloud_managed)
	],
)

# joined_flippable holds for a joined, dir-synced mailbox of a type the flag
# applies to that is not cloud-managed yet.
joined_flippable(j) if {
	j.exo != null
	j.ad != null
	synced_flippable(j.exo)
	falsy(j.exo.is_exchange_cloud_managed)
}

# flippable_joined are the joined mailboxes joined_flippable holds for:
# those whose flag is false, then those whose flag is another value falsy
# holds for, each with the cheap comparisons first (as cloud_managed_joined).
flippable_joined := array.concat(
	[j |
		some j in input.joined
		j.exo.is_exchange_cloud_managed == false
		j.exo.is_dir_synced == true
		j.ad != null
		lower(j.exo.recipient_type_details) in types
	],
	[j |
		some j in odd_flag_joined
		j.exo.is_dir_synced == true
		j.ad != null
		lower(j.exo.recipient_type_details) in types
		falsy(j.exo.is_exchange_cloud_managed)
	],
) if types := cloud_managed_types # bound once: a rule referred to in the loop is looked up per element

# ns parses an RFC 3339 time; undefined for null or "".
ns(t) := time.parse_rfc3339_ns(t) if {
	is_string(t)
	t != ""
}

# rfc3339 formats nanoseconds since the epoch as RFC 3339 UTC, to the second.
rfc3339(n) := time.format([n - (n % 1000000000), "UTC", "2006-01-02T15:04:05Z07:00"])

hour_ns := (60 * 60) * 1000000000

minute_ns := 60 * 1000000000

# sync_interval_minutes is the Entra Connect Sync cycle: the operator facts
# first, then Graph's onPremisesSynchronization configuration
# (synchronizationInterval, an ISO 8601 duration such as PT30M), else the
# default parameter. Read through object.get: a rule using it does not
# require facts or entra.
sync_interval_minutes := m if {
	m := object.get(input, ["facts", "entra_connect", "sync_interval_minutes"], 0)
	is_number(m)
	m > 0
} else := m if {
	m := iso_minutes(object.get(input, ["entra", "on_premises_synchronization", "configuration", "synchronizationInterval"], ""))
	m > 0
} else := params.sync_interval_minutes_default

# iso_minutes reads PT#H#M (hours and minutes) as minutes; 0 otherwise.
iso_minutes(d) := (to_number(object.get(parts, "h", 0)) * 60) + to_number(object.get(parts, "m", 0)) if {
	is_string(d)
	regex.match(`^PT([0-9]+H)?([0-9]+M)?$`, d)
	parts := {lower(substring(p, count(p) - 1, 1)): substring(p, 0, count(p) - 1) | some p in regex.find_n(`[0-9]+[HM]`, d, -1)}
} else := 0

# address_ignored holds for proxy addresses left out of drift comparisons.
address_ignored(a) if {
	some p in params.drift_ignored_address_prefixes
	startswith(lower(a), lower(p))
}

# norm_address keeps the prefix as written (its case marks the primary) and
# lower-cases the address part, as the join's drift comparison does.
norm_address(a) := concat(":", [prefix, lower(rest)]) if {
	i := indexof(a, ":")
	i > 0
	prefix := substring(a, 0, i)
	rest := substring(a, i + 1, -1)
} else := lower(a)

# address_diff lists the addresses on one side only, ignoring those the
# parameters leave out: {"ad_only": [...], "exo_only": [...]}.
address_diff(ad, exo) := {"ad_only": sort(a - e), "exo_only": sort(e - a)} if {
	a := {norm_address(x) | some x in list(ad); not address_ignored(x)}
	e := {norm_address(x) | some x in list(exo); not address_ignored(x)}
}

# effective_drift is a joined mailbox's drift without differences that only
# ignored addresses make.
effective_drift(j) := [d |
	some d in list(j.drift)
	not ignored_only(d)
]

ignored_only(d) if {
	d.attribute == "EmailAddresses"
	diff := address_diff(d.ad, d.exo)
	count(diff.ad_only) + count(diff.exo_only) == 0
}

# writeback_running holds when an Exchange writeback job of the template
# named in the parameters is scheduled to run.
writeback_running(jobs) if {
	some job in list(jobs)
	lower(job.template_id) == lower(params.writeback_job_template_id)
	in_list(job.schedule_state, params.writeback_active_states)
}

# writeback_jobs are the Exchange writeback jobs among the sync jobs.
writeback_jobs(jobs) := [job |
	some job in list(jobs)
	lower(job.template_id) == lower(params.writeback_job_template_id)
]

# writeback_wanted holds when an Exchange writeback job exists or the
# operator facts say writeback is planned.
writeback_wanted(jobs) if count(writeback_jobs(jobs)) > 0

writeback_wanted(_) if truthy(object.get(input, ["facts", "cloud_sync", "writeback_planned"], null))

# writeback_ga_ns is when Exchange writeback reached general availability.
writeback_ga_ns := time.parse_rfc3339_ns(concat("", [params.writeback_ga_date, "T00:00:00Z"]))
