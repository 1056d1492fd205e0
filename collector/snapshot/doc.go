// Package snapshot defines the snapshot document (schema version 1): the
// Go types whose JSON is the Rego input, its loader and validator, the
// AD ↔ Exchange Online join that fills the joined view, and the decoding of
// Exchange's recipient-type values. docs/snapshot.md describes it in prose.
package snapshot
