package exoready.rules.mailbox.cloud_drift_test

import data.exoready.rules.mailbox.cloud_drift as rule

joined(id, cm, drift) := {
	"id": id, "display_name": id, "drift": drift,
	"ad": {"dn": concat("", ["CN=", id, ",DC=corp"]), "when_changed": "2026-11-01T00:00:00Z"},
	"exo": {"guid": id, "recipient_type_details": "UserMailbox", "is_dir_synced": true, "is_exchange_cloud_managed": cm, "when_changed_utc": "2026-11-19T00:00:00Z"},
}

proxy_drift(ad, exo) := {"attribute": "EmailAddresses", "ad_name": "proxyAddresses", "ad": ad, "exo": exo}

hidden_drift := {"attribute": "HiddenFromAddressListsEnabled", "ad_name": "msExchHideFromAddressLists", "ad": false, "exo": true}

job(state) := {"template_id": "Entra2ADExchangeOnlineAttributeWriteback", "schedule_state": state}

test_writeback_attribute_while_writeback_runs_is_high if {
	ins := {"joined": [joined("a", true, [proxy_drift(["SMTP:a@x"], ["SMTP:a@x", "smtp:b@x"]), hidden_drift])], "entra": {"sync_jobs": [job("Active")]}}
	sev := {f.key: f.severity | some f in rule.deny} with input as ins
	sev == {"EmailAddresses": "high", "HiddenFromAddressListsEnabled": "low"}
}

test_writeback_attribute_without_writeback_is_low if {
	ins := {"joined": [joined("a", true, [proxy_drift(["SMTP:a@x"], ["SMTP:a@x", "smtp:b@x"])])], "entra": {"sync_jobs": [job("Disabled")]}}
	some f in rule.deny with input as ins
	f.severity == "low"
	contains(f.msg, "no Exchange writeback job runs")
	f.evidence.writeback_running == false
}

test_ignored_address_prefixes_are_not_drift if {
	d := proxy_drift(["SMTP:a@x"], ["SMTP:a@x", "SPO:SPO_1@SPO_2", "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc"])
	count(rule.deny) == 0 with input as {"joined": [joined("a", true, [d])], "entra": {"sync_jobs": [job("Active")]}}
}

test_not_cloud_managed_is_out_of_scope if {
	ins := {"joined": [joined("a", false, [hidden_drift]), joined("b", true, [])], "entra": {"sync_jobs": []}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_remediation_quotes_the_dn if {
	j := object.union(joined("a", true, [hidden_drift]), {"ad": {"dn": "CN=O'Brien,DC=corp"}})
	some f in rule.deny with input as {"joined": [j], "entra": {"sync_jobs": []}}
	contains(f.remediation, "-Identity 'CN=O''Brien,DC=corp'")
}

test_unknown_flag_is_left_to_mbx_001 if {
	ins := {"joined": [joined("a", null, [hidden_drift])], "entra": {"sync_jobs": [job("Active")]}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 0 with input as ins
}
