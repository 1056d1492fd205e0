package exoready.rules.governance.default_recommended_test

import data.exoready.rules.governance.default_recommended as rule

at := "2026-11-20T08:00:00Z"

mbx(cm) := {"display_name": "m", "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": cm}

ins(on, mailboxes, users) := {
	"collected_at": at,
	"exo": {"organization_config": {"BlockExchangeProvisioningFromOnPremEnabled": on}, "move_requests": [{"display_name": "a", "direction": "Pull", "status": "Completed"}], "mailboxes": mailboxes},
	"ad": {"users": users},
}

old := {"display_name": "a", "recipient_type_details": "RemoteUserMailbox", "home_mdb": "", "when_created": "2020-01-01T00:00:00Z"}

test_all_preconditions_hold_and_default_off_recommends if {
	some f in rule.deny with input as ins(false, [mbx(true), mbx(true)], [old])
	contains(f.msg, "all 2 dir-synced mailboxes cloud-managed")
}

test_default_already_on_passes if {
	count(rule.deny) == 0 with input as ins(true, [mbx(true)], [old])
}

test_unflipped_mailbox_or_recent_creation_passes if {
	count(rule.deny) == 0 with input as ins(false, [mbx(true), mbx(false)], [old])
	recent := object.union(old, {"when_created": "2026-11-10T00:00:00Z"})
	count(rule.deny) == 0 with input as ins(false, [mbx(true)], [recent])
}

test_missing_property_is_an_error_not_a_pass if {
	i := {"collected_at": at, "exo": {"organization_config": {}, "move_requests": [], "mailboxes": []}, "ad": {"users": []}}
	count(rule.errors) == 1 with input as i
	count(rule.deny) == 0 with input as i
}
