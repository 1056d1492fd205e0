package exoready.rules.dependency.exchange_servers_test

import data.exoready.rules.dependency.exchange_servers as rule

srv(name, version) := {"name": name, "dn": concat("", ["CN=", name, ",CN=Servers"]), "serial_number": "Version 15.2", "version": version, "role_names": ["Mailbox"]}

test_two_servers_are_reported if {
	ins := {"ad": {"exchange": {"servers": [srv("EX01", "15.2.1544.4"), srv("EX02", "15.2.1258.12")]}}}
	some f in rule.deny with input as ins
	contains(f.msg, "EX01 15.2.1544.4, EX02 15.2.1258.12")
	count(rule.inventory.dependencies) == 2 with input as ins
	rule.checked == 2 with input as ins
}

test_one_server_passes if {
	count(rule.deny) == 0 with input as {"ad": {"exchange": {"servers": [srv("EX01", "")]}}}
	count(rule.inventory.dependencies) == 1 with input as {"ad": {"exchange": {"servers": [srv("EX01", "")]}}}
}

test_limit_is_policy_data if {
	ins := {"ad": {"exchange": {"servers": [srv("EX01", ""), srv("EX02", "")]}}}
	count(rule.deny) == 0 with input as ins with data.exoready.params.max_exchange_servers as 2
}

test_no_organization_checks_nothing if {
	rule.checked == 0 with input as {"ad": {"exchange": {"name": "", "servers": null}}}
}
