package snapshot

import _ "embed"

//go:embed snapshot.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the snapshot
// document this package reads and writes. Tests keep it in step with the Go
// types field by field. The slice is shared: callers must not modify it.
func JSONSchema() []byte { return jsonSchema }
