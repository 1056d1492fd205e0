// Package evaluate runs exoready's Rego policies on a snapshot and builds
// the findings report. It loads the embedded pack and user policies, checks
// every rule's METADATA, compiles once and prepares one query per rule;
// missing inputs, rule runtime errors and malformed rule output become
// `error` findings, never a pass. It converts the decoded snapshot to the
// policies' input part by part: a rule that declares `shard` runs per slice
// of that big array, one that declares `fields` reads projected elements,
// and a rule never sees big arrays it does not read. It owns the Report,
// Finding and verdict types that every report format renders.
package evaluate
