package exoready.rules.dependency.smtp_relay_test

import data.exoready.rules.dependency.smtp_relay as rule

rc(name, ranges, anon) := {
	"name": name, "dn": concat("", ["CN=", name, ",CN=SMTP Receive Connectors,CN=EX01"]), "server": "EX01", "enabled": true,
	"bindings": ["0.0.0.0:25"], "remote_ip_ranges": ranges, "permission_groups": [], "anonymous_relay": anon, "relay_grantees": [], "acl_error": "",
}

full := ["0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]

test_anonymous_and_custom_range_relays_fail if {
	ins := {"ad": {"exchange": {"receive_connectors": [rc("Default Frontend EX01", full, false), rc("App Relay", ["10.20.0.0/24"], true), rc("Scanner", ["10.1.1.5"], false)]}}}
	names := {f.object.name | some f in rule.deny} with input as ins
	names == {"App Relay", "Scanner"}
	some f in rule.deny with input as ins
	f.object.name == "App Relay"
	contains(f.msg, "anonymous relay")
	contains(f.msg, "custom RemoteIPRanges 10.20.0.0/24")
	contains(f.remediation, "Remove-ReceiveConnector -Identity 'EX01\\App Relay'")
	count(rule.inventory.dependencies) == 2 with input as ins
	rule.checked == 3 with input as ins
}

test_default_connectors_pass if {
	ins := {"ad": {"exchange": {"receive_connectors": [rc("Default EX01", full, false), object.union(rc("Old relay", ["10.0.0.1"], true), {"enabled": false})]}}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_unreadable_acl_is_an_error_not_a_pass if {
	ins := {"ad": {"exchange": {"receive_connectors": [object.union(rc("Default EX01", full, null), {"acl_error": "insufficient rights"})]}}}
	count(rule.deny) == 0 with input as ins
	some e in rule.errors with input as ins
	contains(e.msg, "insufficient rights")
}
