package exoready.rules.governance.audit_log_test

import data.exoready.rules.governance.audit_log as rule

test_ingestion_off_fails if {
	some f in rule.deny with input as {"exo": {"admin_audit_log_config": {"UnifiedAuditLogIngestionEnabled": false}}}
	f.object.type == "tenant"
}

test_ingestion_on_passes if {
	count(rule.deny) == 0 with input as {"exo": {"admin_audit_log_config": {"UnifiedAuditLogIngestionEnabled": true}}}
	count(rule.errors) == 0 with input as {"exo": {"admin_audit_log_config": {"UnifiedAuditLogIngestionEnabled": "True"}}}
}

test_missing_property_is_an_error_not_a_pass if {
	count(rule.deny) == 0 with input as {"exo": {"admin_audit_log_config": {}}}
	count(rule.errors) == 1 with input as {"exo": {"admin_audit_log_config": {}}}
}
