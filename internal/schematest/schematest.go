package schematest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Draft is the $schema every schema of ours declares.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// Compile compiles schema, registered under name, asserting formats
// (date-time, ...) as the schema's contract intends.
func Compile(t testing.TB, name string, schema []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return sch
}

// Validate validates the JSON document data against sch; the error, when
// not nil, names each failing location. Data that is not JSON fails the
// test.
func Validate(t testing.TB, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("instance is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

// Case is one way of breaking a valid document that the schema must refuse.
type Case struct {
	Name string
	// Mutate changes a fresh copy of the valid document.
	Mutate func(doc map[string]any)
	// Want is part of the validation error: the field or location at fault.
	Want string
}

// Rejects runs each case as a subtest on a copy of valid (a JSON object):
// the schema must refuse the mutated document with an error containing
// Want. A schema that accepts what the contract forbids proves nothing
// when documents validate against it.
func Rejects(t *testing.T, sch *jsonschema.Schema, valid []byte, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(valid, &doc); err != nil {
				t.Fatalf("valid document: %v", err)
			}
			c.Mutate(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(t, sch, data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.Want) {
				t.Errorf("error does not point at %q:\n%v", c.Want, err)
			}
		})
	}
}

// Check walks root (a struct type) and schema together and reports every
// disagreement with t.Errorf. The schema's root must be a $ref to root's
// definition; version is the only value a "const" may hold.
func Check(t testing.TB, root reflect.Type, schema []byte, version int) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(schema, &doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if doc["$schema"] != Draft {
		t.Errorf("$schema = %v, want draft 2020-12 (%s)", doc["$schema"], Draft)
	}
	defs, _ := doc["$defs"].(map[string]any)
	w := &walker{t: t, defs: defs, version: version, seen: map[reflect.Type]bool{}, usedValues: map[string]bool{}}
	w.ref(root, doc, "$")
	used := w.usedValues
	for typ := range w.seen {
		used[typ.Name()] = true
	}
	for name := range defs {
		if !used[name] {
			t.Errorf("$defs.%s describes no Go type reachable from %s: remove it", name, root.Name())
		}
	}
}

type walker struct {
	t       testing.TB
	defs    map[string]any
	version int
	seen    map[reflect.Type]bool
	// usedValues are the definitions of non-struct values referred to.
	usedValues map[string]bool
}

var timeType = reflect.TypeFor[time.Time]()

// ref checks that node refers to the definition of struct type typ, then
// checks the definition once.
func (w *walker) ref(typ reflect.Type, node map[string]any, path string) {
	want := "#/$defs/" + typ.Name()
	if node["$ref"] != want {
		w.t.Errorf("%s: want {\"$ref\": %q} for Go type %s, got %v", path, want, typ, node)
		return
	}
	if w.seen[typ] {
		return
	}
	w.seen[typ] = true
	def := asMap(w.defs[typ.Name()])
	if def == nil {
		w.t.Errorf("$defs.%s is missing (Go type %s)", typ.Name(), typ)
		return
	}
	w.structDef(typ, def, "$defs."+typ.Name())
}

// field is one JSON member of a struct, promoted ones included.
type field struct {
	name      string
	omitempty bool
	goName    string
	typ       reflect.Type
}

// fields lists the JSON members of struct type typ as encoding/json
// writes them: untagged embedded structs contribute their own fields.
func (w *walker) fields(typ reflect.Type) []field {
	var out []field
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			out = append(out, w.fields(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			w.t.Errorf("%s.%s has no json tag", typ, f.Name)
			continue
		}
		out = append(out, field{
			name:      name,
			omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"),
			goName:    typ.Name() + "." + f.Name,
			typ:       f.Type,
		})
	}
	return out
}

func (w *walker) structDef(typ reflect.Type, def map[string]any, path string) {
	if def["type"] != "object" || def["additionalProperties"] != false {
		w.t.Errorf("%s: want type object with additionalProperties false", path)
	}
	props := asMap(def["properties"])
	required := map[string]bool{}
	for _, r := range asSlice(def["required"]) {
		s, _ := r.(string)
		required[s] = true
	}
	goFields := map[string]bool{}
	for _, f := range w.fields(typ) {
		if goFields[f.name] {
			w.t.Errorf("%s: Go type %s has JSON field %q twice", path, typ, f.name)
		}
		goFields[f.name] = true
		p, ok := props[f.name]
		if !ok {
			w.t.Errorf("%s: Go field %s (json %q) is missing from the schema", path, f.goName, f.name)
			continue
		}
		if f.omitempty == required[f.name] {
			w.t.Errorf("%s.%s: required is %v but the Go tag omitempty is %v (required must list exactly the fields always written)", path, f.name, required[f.name], f.omitempty)
		}
		w.value(f.typ, asMap(p), path+".properties."+f.name)
	}
	for name := range props {
		if !goFields[name] {
			w.t.Errorf("%s: schema property %q has no Go field in %s", path, name, typ)
		}
	}
	for name := range required {
		if !goFields[name] {
			w.t.Errorf("%s: required %q has no Go field in %s", path, name, typ)
		}
	}
}

// value checks the schema of one value of Go type typ.
func (w *walker) value(typ reflect.Type, node map[string]any, path string) {
	if node == nil {
		w.t.Errorf("%s: schema is not an object", path)
		return
	}
	if ref, ok := node["$ref"].(string); ok && !isStruct(typ) {
		// A shared definition of a value (an enum, a pattern): check it
		// as if it were written here.
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def := asMap(w.defs[name])
		if !found || def == nil {
			w.t.Errorf("%s: $ref %q is not a definition of this schema", path, ref)
			return
		}
		w.usedValues[name] = true
		node = def
		path = "$defs." + name
	}
	if c, ok := node["const"]; ok { // schema_version
		if typ.Kind() != reflect.Int || c != float64(w.version) {
			w.t.Errorf("%s: const %v for Go type %s, want the schema version %d", path, c, typ, w.version)
		}
		return
	}
	switch {
	case typ == timeType:
		w.types(node, path, "string")
		w.dateTime(node, path)
	case typ.Kind() == reflect.Pointer && typ.Elem() == timeType:
		w.types(node, path, "string", "null")
		w.dateTime(node, path)
	case typ.Kind() == reflect.Pointer && typ.Elem().Kind() == reflect.Struct:
		alts := asSlice(node["anyOf"])
		if len(alts) != 2 || asMap(alts[1])["type"] != "null" {
			w.t.Errorf("%s: want anyOf [{$ref}, {type: null}] for Go type %s", path, typ)
			return
		}
		w.ref(typ.Elem(), asMap(alts[0]), path+".anyOf[0]")
	case typ.Kind() == reflect.Pointer:
		w.types(node, path, w.jsonType(typ.Elem(), path), "null")
	case typ.Kind() == reflect.Struct:
		w.ref(typ, node, path)
	case typ.Kind() == reflect.Slice:
		w.types(node, path, "array", "null")
		w.value(typ.Elem(), asMap(node["items"]), path+".items")
	case typ.Kind() == reflect.Map:
		w.types(node, path, "object", "null")
		if typ.Elem().Kind() == reflect.Interface {
			if ap, ok := node["additionalProperties"]; ok && ap != true {
				w.t.Errorf("%s: a free-form map (Go %s) must not restrict its values", path, typ)
			}
			return
		}
		w.value(typ.Elem(), asMap(node["additionalProperties"]), path+".additionalProperties")
	case typ.Kind() == reflect.Interface && typ.Name() != "":
		// A named interface stands for the values its documentation
		// names: the schema must say which JSON types those are.
		if _, ok := node["type"]; !ok {
			w.t.Errorf("%s: Go type %s is a named interface: the schema must give the JSON types it holds", path, typ)
		}
	case typ.Kind() == reflect.Interface:
		if _, ok := node["type"]; ok {
			w.t.Errorf("%s: Go type %s holds any JSON value; the schema must not restrict its type", path, typ)
		}
	default:
		w.types(node, path, w.jsonType(typ, path))
	}
}

// isStruct tells whether typ is written as a definition of its own: a
// struct other than time.Time, or a pointer to one.
func isStruct(typ reflect.Type) bool {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	return typ.Kind() == reflect.Struct && typ != timeType
}

func (w *walker) jsonType(typ reflect.Type, path string) string {
	switch typ.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	}
	w.t.Errorf("%s: no JSON type for Go type %s: extend schematest", path, typ)
	return "?"
}

func (w *walker) types(node map[string]any, path string, want ...string) {
	var got []string
	switch v := node["type"].(type) {
	case string:
		got = []string{v}
	case []any:
		for _, s := range v {
			str, _ := s.(string)
			got = append(got, str)
		}
	}
	if !slices.Equal(got, want) {
		w.t.Errorf("%s: type %v, want %v", path, got, want)
	}
}

func (w *walker) dateTime(node map[string]any, path string) {
	if node["format"] != "date-time" {
		w.t.Errorf("%s: times need format date-time", path)
	}
}

// Enum returns the string values of the "enum" of the schema node at path,
// a dotted walk through the schema document from its root (for example
// "$defs.Finding.properties.status"), so tests can compare an enum with
// the Go constants it must list.
func Enum(t testing.TB, schema []byte, path string) []string {
	t.Helper()
	var node any
	if err := json.Unmarshal(schema, &node); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	for _, part := range strings.Split(path, ".") {
		node = asMap(node)[part]
	}
	n := asMap(node)
	if n == nil {
		t.Fatalf("schema has no node at %s", path)
	}
	var out []string
	for _, v := range asSlice(n["enum"]) {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asSlice(v any) []any { s, _ := v.([]any); return s }
