package evaluate

import _ "embed"

//go:embed findings.schema.json
var findingsSchema []byte

// FindingsJSONSchema returns the JSON Schema (draft 2020-12) of
// findings.json, the serialised Report (docs/findings.md). Tests keep it in
// step with the Go types field by field and validate every report they
// produce against it. The slice is shared: callers must not modify it.
func FindingsJSONSchema() []byte { return findingsSchema }
