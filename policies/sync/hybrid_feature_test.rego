package exoready.rules.sync.hybrid_feature_test

import data.exoready.rules.sync.hybrid_feature as rule

test_feature_off_fails if {
	some f in rule.deny with input as {"facts": {"entra_connect": {"hybrid_exchange_feature": false}}}
	f.object.type == "tenant"
}

test_feature_on_passes if {
	count(rule.deny) == 0 with input as {"facts": {"entra_connect": {"hybrid_exchange_feature": true}}}
	count(rule.errors) == 0 with input as {"facts": {"entra_connect": {"hybrid_exchange_feature": true}}}
}

test_missing_feature_is_an_error_not_a_pass if {
	count(rule.deny) == 0 with input as {"facts": {"entra_connect": {"version": "2.5.190.0"}}}
	count(rule.errors) == 1 with input as {"facts": {"entra_connect": {"version": "2.5.190.0"}}}
}
