package exoready.rules.dependency.autodiscover_scp_test

import data.exoready.rules.dependency.autodiscover_scp as rule

kw := "77378F46-2C66-4aa9-A6A6-3E7A48B19596"

scp(server, urls) := {"name": server, "dn": concat("", ["CN=", server, ",CN=Autodiscover,CN=Protocols,CN=", server]), "server": server, "urls": urls, "keywords": [kw, "Site=Default-First-Site-Name"]}

test_populated_scp_fails if {
	ins := {"ad": {"exchange": {"autodiscover_scps": [scp("EX01", ["https://autodiscover.corp/Autodiscover/Autodiscover.xml"]), scp("EX02", [])]}}}
	{f.object.name | some f in rule.deny} == {"EX01"} with input as ins
	some f in rule.deny with input as ins
	f.remediation == "Set-ClientAccessService -Identity 'EX01' -AutoDiscoverServiceInternalUri $null"
	rule.checked == 2 with input as ins
}

test_cleared_or_foreign_scp_passes if {
	other := object.union(scp("X", ["https://x"]), {"keywords": ["something-else"]})
	ins := {"ad": {"exchange": {"autodiscover_scps": [scp("EX01", []), other]}}}
	count(rule.deny) == 0 with input as ins
	rule.checked == 1 with input as ins
}

test_no_exchange_organization_passes if {
	count(rule.deny) == 0 with input as {"ad": {"exchange": {"name": "", "autodiscover_scps": null}}}
}
