// Package schematest keeps a hand-written JSON Schema (draft 2020-12) in
// step with the Go types it describes, for tests. Check walks the Go types
// from a root struct by reflection, alongside the schema, and fails the test
// on every field one side has and the other lacks, on a wrong JSON type or
// nullability, on a required list that disagrees with omitempty, and on a
// definition no Go type uses. Compile and Validate run a real validator
// (santhosh-tekuri/jsonschema, formats asserted) on documents.
//
// The schema conventions Check expects, shared by snapshot.schema.json and
// findings.schema.json:
//   - every Go struct is a definition "$defs/<TypeName>" with type object,
//     additionalProperties false, one property per JSON field, and required
//     listing exactly the fields without omitempty; a struct-typed value is
//     {"$ref": "#/$defs/<TypeName>"} (descriptions may sit beside it);
//   - a pointer to a struct is {"anyOf": [{"$ref": ...}, {"type": "null"}]};
//     slices, maps and other pointers add "null" to their type, because
//     encoding/json writes nil as null;
//   - time.Time is a string with format date-time;
//   - map[string]any and any are free-form: the schema must not restrict
//     their values; a named interface type (type Attributes interface{})
//     stands for the values its documentation names, and the schema must
//     give their JSON types;
//   - a "const" stands only on an int field and equals the schema version;
//   - any other value may be {"$ref": "#/$defs/<name>"} to a definition
//     shared by several fields (an enum, a pattern), checked as if it were
//     written in place.
//
// Embedded structs without a json tag have their fields promoted, as
// encoding/json does.
package schematest
