package exoready.rules.dependency.hybrid_artefacts_test

import data.exoready.rules.dependency.hybrid_artefacts as rule

hcw := "1e7b2d1c-4b6f-4e1a-9d3f-2a0c9b8e7f61"

full := {
	"ad": {"exchange": {
		"hybrid_configuration": {"dn": "CN=Hybrid Configuration,CN=Org", "domains": [], "features": []},
		"send_connectors": [{"name": "Internet", "dn": "CN=Internet"}, {"name": concat("", ["Outbound to Office 365 - ", hcw]), "dn": "CN=OutboundO365"}],
	}},
	"exo": {
		"intra_organization_connectors": [{"name": "HybridIOC", "identity": "HybridIOC"}],
		"inbound_connectors": [
			{"name": concat("", ["Inbound from ", hcw]), "identity": concat("", ["Inbound from ", hcw]), "connector_type": "OnPremises"},
			{"name": "Partner TLS", "identity": "Partner TLS", "connector_type": "Partner"},
		],
		"outbound_connectors": [{"name": concat("", ["Outbound to ", hcw]), "identity": concat("", ["Outbound to ", hcw]), "connector_type": "OnPremises"}],
		"organization_relationships": [
			{"name": concat("", ["O365 to On-Premises - ", hcw]), "identity": concat("", ["O365 to On-Premises - ", hcw])},
			{"name": "Fabrikam Free/Busy", "identity": "Fabrikam Free/Busy"},
		],
		"migration_endpoints": [{"identity": "Hybrid Migration Endpoint - EWS (Default Web Site)", "endpoint_type": "ExchangeRemoteMove"}],
	},
}

test_every_hcw_artefact_is_listed_in_removal_order if {
	types := {[f.evidence.order, f.object.type] | some f in rule.deny} with input as full
	types == {
		[1, "hybrid_configuration"], [2, "intra_organization_connector"], [3, "inbound_connector"],
		[3, "outbound_connector"], [3, "send_connector"], [4, "organization_relationship"], [8, "migration_endpoint"],
	}
	orders := [r.order | some r in rule.inventory.dependencies] with input as full
	sort(orders) == [1, 2, 3, 3, 3, 4, 5, 6, 7, 8]
	some f in rule.deny with input as full
	f.object.type == "organization_relationship"
	f.remediation == concat("", ["Remove-OrganizationRelationship -Identity 'O365 to On-Premises - ", hcw, "'"])
}

test_partner_objects_are_not_hybrid_artefacts if {
	names := {f.object.name | some f in rule.deny} with input as full
	not "Partner TLS" in names
	not "Fabrikam Free/Busy" in names
	not "Internet" in names
}

test_clean_tenant_passes if {
	clean := {
		"ad": {"exchange": {"hybrid_configuration": null, "send_connectors": [{"name": "Internet", "dn": "CN=Internet"}]}},
		"exo": {"intra_organization_connectors": [], "inbound_connectors": [], "outbound_connectors": [], "organization_relationships": [], "migration_endpoints": []},
	}
	count(rule.deny) == 0 with input as clean
	count(rule.inventory.dependencies) == 0 with input as clean
}

test_missing_send_connectors_still_judge_the_rest if {
	partial := object.union(full, {"ad": {"exchange": {"send_connectors": null}}})
	types := {f.object.type | some f in rule.deny} with input as partial
	not "send_connector" in types
	"hybrid_configuration" in types
	rule.checked == 8 with input as partial
}
