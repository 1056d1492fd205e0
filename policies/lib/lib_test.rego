package exoready.lib_test

import data.exoready.lib

test_mailbox_id_prefers_external_directory_object_id if {
	lib.mailbox_id({"external_directory_object_id": "ABC", "guid": "g", "identity": "i"}) == "abc"
	lib.mailbox_id({"external_directory_object_id": "", "guid": "G1", "identity": "i"}) == "g1"
	lib.mailbox_id({"external_directory_object_id": "", "guid": "", "identity": "Ann"}) == "exo:ann"
}

# ids with and without "_" take different bodies of mailbox_id, ad_id and
# object_id; both give what the Cloud Sync prefix rule says.
test_ids_strip_only_a_leading_cloud_sync_prefix if {
	lib.mailbox_id({"external_directory_object_id": " User_ABC ", "guid": "g", "identity": "i"}) == "abc"
	lib.mailbox_id({"external_directory_object_id": "Group_A_B", "guid": "g", "identity": "i"}) == "a_b"
	lib.mailbox_id({"external_directory_object_id": "ab_user_c", "guid": "g", "identity": "i"}) == "ab_user_c"
	lib.mailbox_id({"external_directory_object_id": " ABC ", "guid": "g", "identity": "i"}) == "abc"
	lib.ad_id({"external_directory_object_id": "CONTACT_E1", "object_guid": "AA", "dn": "CN=x"}) == "e1"
	lib.ad_id({"external_directory_object_id": "x_E1", "object_guid": "AA", "dn": "CN=x"}) == "x_e1"
	lib.object_id(" Contact_Q ") == "q"
	lib.object_id("Q") == "q"
	lib.object_id("usergroup_q") == "usergroup_q"
}

test_ad_id if {
	lib.ad_id({"external_directory_object_id": "", "object_guid": "AA-BB", "dn": "CN=x"}) == "ad:aa-bb"
	lib.ad_id({"external_directory_object_id": "E1", "object_guid": "AA", "dn": "CN=x"}) == "e1"
	lib.ad_id({"external_directory_object_id": "User_E1", "object_guid": "AA", "dn": "CN=x"}) == "e1"
}

test_ps_quote_doubles_every_single_quote_form if {
	lib.ps_quote("O'Brien") == "'O''Brien'"
	lib.ps_quote("a’b") == "'a’’b'"
	lib.ps_quote("plain") == "'plain'"
	lib.ps_quote("$(Remove-Item x)") == "'$(Remove-Item x)'"
	lib.ps_quote("‘a‚b‛") == "'‘‘a‚‚b‛‛'"
	lib.ps_quote("''") == "''''''"
	lib.ps_quote("") == "''"
	lib.ps_quote(5) == "'5'"
	lib.ps_quote(true) == "'true'"
}

test_versions if {
	lib.valid_version("2.5.190.0")
	lib.valid_version(" 2.5 ")
	not lib.valid_version("2.5.x")
	not lib.valid_version("")
	not lib.valid_version(2)
	lib.version_lt("2.5.79.0", "2.5.190.0")
	lib.version_lt("2.4.999", "2.5.0.0")
	not lib.version_lt("2.5.190.0", "2.5.190")
	lib.version_eq("2.5.190", "2.5.190.0")
	not lib.version_lt("10.0.0.0", "9.9.9.9")
}

test_truthy_and_falsy if {
	lib.truthy(true)
	lib.truthy("True")
	lib.truthy(1)
	not lib.truthy(false)
	not lib.truthy(null)
	lib.falsy("FALSE")
	not lib.falsy(null)
}

# cloud_managed_joined and flippable_joined take booleans in one pass and
# other truthy/falsy values (CSV text, numbers) in another: both count.
flag_joined(id, flag) := {
	"id": id,
	"ad": {"dn": concat("", ["CN=", id])},
	"exo": {"is_exchange_cloud_managed": flag, "is_dir_synced": true, "recipient_type_details": "UserMailbox"},
}

test_cloud_managed_joined_takes_every_truthy_flag if {
	joined := [
		flag_joined("b", true), flag_joined("s", " True "), flag_joined("n", 1),
		flag_joined("f", false), flag_joined("x", "False"), flag_joined("z", 0), flag_joined("q", "maybe"),
		{"id": "ad-only", "ad": {"dn": "CN=a"}, "exo": null},
		{"id": "exo-only", "ad": null, "exo": {"is_exchange_cloud_managed": true}},
	]
	ids := {j.id | some j in lib.cloud_managed_joined} with input.joined as joined
	ids == {"b", "s", "n"}
	count(lib.cloud_managed_joined) == 3 with input.joined as joined
}

test_flippable_joined_takes_every_falsy_flag if {
	joined := [
		flag_joined("f", false), flag_joined("x", "False"), flag_joined("z", 0),
		flag_joined("b", true), flag_joined("s", "true"), flag_joined("q", "maybe"),
		object.union(flag_joined("room", false), {"exo": {"recipient_type_details": "DiscoveryMailbox"}}),
		object.union(flag_joined("unsynced", "false"), {"exo": {"is_dir_synced": false}}),
		{"id": "ad-only", "ad": {"dn": "CN=a"}, "exo": null},
	]
	ids := {j.id | some j in lib.flippable_joined} with input.joined as joined
	ids == {"f", "x", "z"}
	count(lib.flippable_joined) == 3 with input.joined as joined
}
