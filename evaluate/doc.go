// Package evaluate runs exoready's Rego policies on a snapshot and builds
// the findings report. It loads the embedded pack and user policies, checks
// every rule's METADATA, compiles once and prepares one query per rule;
// missing inputs, rule runtime errors and malformed rule output become
// `error` findings, never a pass. It knows the snapshot only as JSON (the
// Rego input) and owns the Report, Finding and verdict types that every
// report format renders.
package evaluate
