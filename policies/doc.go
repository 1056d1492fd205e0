// Package policies embeds exoready's rule pack: one Rego package per rule,
// in Rego v1 with package-scoped METADATA (custom.id, severity, category,
// remediation, requires, related_resources), a _test.rego beside each,
// shared helpers in lib/, and the default rule parameters in params.yaml
// (data.exoready.params, overridable from scan.yaml). See
// docs/writing-policies.md.
package policies
