package snapshot_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(snapshot.JSONSchema()))
	if err != nil {
		t.Fatalf("snapshot.schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("snapshot.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("snapshot.schema.json")
	if err != nil {
		t.Fatalf("snapshot.schema.json does not compile: %v", err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("instance is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

// allFixtures returns the demo and every variant snapshot, by name.
func allFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{"demo/snapshot.json": fixtures.DemoSnapshot()}
	names, err := fs.Glob(fixtures.Snapshots(), "*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 2 {
		t.Fatalf("only %d variant snapshots embedded", len(names))
	}
	for _, n := range names {
		data, err := fs.ReadFile(fixtures.Snapshots(), n)
		if err != nil {
			t.Fatal(err)
		}
		out["snapshots/"+n] = data
	}
	return out
}

func TestFixturesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	for name, data := range allFixtures(t) {
		t.Run(name, func(t *testing.T) {
			if err := validate(t, sch, data); err != nil {
				t.Errorf("%s does not match snapshot.schema.json:\n%v", name, err)
			}
			if _, err := snapshot.ParseSnapshot(data); err != nil {
				t.Errorf("%s does not load: %v", name, err)
			}
		})
	}
}

// A snapshot with nothing collected is all nulls; it must still be valid.
func TestEmptySnapshotMatchesSchema(t *testing.T) {
	s := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, compileSchema(t), data); err != nil {
		t.Errorf("empty snapshot rejected: %v\n%s", err, data)
	}
}

// The schema must reject what the contract forbids, or validating fixtures
// against it would prove nothing.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	var demo map[string]any
	if err := json.Unmarshal(fixtures.DemoSnapshot(), &demo); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"wrong schema_version", func(m map[string]any) { m["schema_version"] = 2 }, "schema_version"},
		{"unknown top-level field", func(m map[string]any) { m["extra"] = true }, "extra"},
		{"unknown nested field", func(m map[string]any) { first(m, "exo", "mailboxes")["is_cloud_managed"] = true }, "is_cloud_managed"},
		{"missing required field", func(m map[string]any) { delete(first(m, "ad", "users"), "home_mdb") }, "home_mdb"},
		{"bad date", func(m map[string]any) { m["collected_at"] = "20 Nov 2026" }, "collected_at"},
		{"string for boolean", func(m map[string]any) { first(m, "exo", "mailboxes")["is_dir_synced"] = "True" }, "is_dir_synced"},
		{"unknown joined kind", func(m map[string]any) { m["joined"].([]any)[0].(map[string]any)["kind"] = "mailuser" }, "kind"},
		{"custom attribute key", func(m map[string]any) {
			first(m, "ad", "users")["custom_attributes"] = map[string]any{"extensionAttribute1": "x"}
		}, "extensionAttribute1"},
		{"section not an object", func(m map[string]any) { m["facts"] = []any{} }, "facts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := deepCopy(t, demo)
			tt.mutate(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(t, sch, data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not point at %q:\n%v", tt.want, err)
			}
		})
	}
}

func first(m map[string]any, section, list string) map[string]any {
	return m[section].(map[string]any)[list].([]any)[0].(map[string]any)
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// ---------------------------------------------------------------------------
// The schema against the Go types, by reflection.

type schemaWalker struct {
	t    *testing.T
	defs map[string]any
	seen map[reflect.Type]bool
}

func TestSchemaMatchesGoTypes(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(snapshot.JSONSchema(), &root); err != nil {
		t.Fatal(err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", root["$schema"])
	}
	defs, _ := root["$defs"].(map[string]any)
	w := &schemaWalker{t: t, defs: defs, seen: map[reflect.Type]bool{}}
	w.ref(reflect.TypeOf(snapshot.Snapshot{}), asMap(root), "$")
	for name := range defs {
		found := false
		for typ := range w.seen {
			found = found || typ.Name() == name
		}
		if !found {
			t.Errorf("$defs.%s describes no Go type reachable from Snapshot: remove it", name)
		}
	}
}

var timeType = reflect.TypeOf(time.Time{})

// ref checks that node refers to the definition of struct type typ, then
// checks the definition once.
func (w *schemaWalker) ref(typ reflect.Type, node map[string]any, path string) {
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

func (w *schemaWalker) structDef(typ reflect.Type, def map[string]any, path string) {
	if def["type"] != "object" || def["additionalProperties"] != false {
		w.t.Errorf("%s: want type object with additionalProperties false", path)
	}
	props := asMap(def["properties"])
	required := map[string]bool{}
	for _, r := range asSlice(def["required"]) {
		required[r.(string)] = true
	}
	goFields := map[string]bool{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			w.t.Errorf("%s.%s has no json tag", typ, f.Name)
			continue
		}
		goFields[name] = true
		p, ok := props[name]
		if !ok {
			w.t.Errorf("%s: Go field %s.%s (json %q) is missing from the schema", path, typ.Name(), f.Name, name)
			continue
		}
		omitempty := slices.Contains(strings.Split(opts, ","), "omitempty")
		if omitempty == required[name] {
			w.t.Errorf("%s.%s: required is %v but the Go tag omitempty is %v (required must list exactly the fields always written)", path, name, required[name], omitempty)
		}
		w.value(f.Type, asMap(p), path+".properties."+name)
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
func (w *schemaWalker) value(typ reflect.Type, node map[string]any, path string) {
	if node == nil {
		w.t.Errorf("%s: schema is not an object", path)
		return
	}
	if c, ok := node["const"]; ok { // schema_version
		if typ.Kind() != reflect.Int || c != float64(snapshot.SchemaVersion) {
			w.t.Errorf("%s: const %v for Go type %s, want the schema version %d", path, c, typ, snapshot.SchemaVersion)
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
		w.types(node, path, jsonType(w.t, typ.Elem(), path), "null")
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
	case typ.Kind() == reflect.Interface:
		if _, ok := node["type"]; ok {
			w.t.Errorf("%s: Go type %s holds any JSON value; the schema must not restrict its type", path, typ)
		}
	default:
		w.types(node, path, jsonType(w.t, typ, path))
	}
}

func jsonType(t *testing.T, typ reflect.Type, path string) string {
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
	t.Errorf("%s: no JSON type for Go type %s: extend the schema test", path, typ)
	return "?"
}

func (w *schemaWalker) types(node map[string]any, path string, want ...string) {
	var got []string
	switch v := node["type"].(type) {
	case string:
		got = []string{v}
	case []any:
		for _, s := range v {
			got = append(got, s.(string))
		}
	}
	if !slices.Equal(got, want) {
		w.t.Errorf("%s: type %v, want %v", path, got, want)
	}
}

func (w *schemaWalker) dateTime(node map[string]any, path string) {
	if node["format"] != "date-time" {
		w.t.Errorf("%s: times need format date-time", path)
	}
}

// The enums of the joined view must list exactly the package's constants.
func TestSchemaJoinedEnums(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(snapshot.JSONSchema(), &root); err != nil {
		t.Fatal(err)
	}
	props := asMap(asMap(asMap(root["$defs"])["JoinedMailbox"])["properties"])
	want := map[string][]string{
		"kind":        {snapshot.KindUser, snapshot.KindShared, snapshot.KindRoom, snapshot.KindEquipment, snapshot.KindOther},
		"location":    {snapshot.LocationRemote, snapshot.LocationOnPrem, snapshot.LocationCloud},
		"join_method": {"", snapshot.JoinExternalDirectoryObjectID, snapshot.JoinImmutableID, snapshot.JoinUPN, snapshot.JoinPrimarySMTP},
	}
	for field, values := range want {
		var got []string
		for _, v := range asSlice(asMap(props[field])["enum"]) {
			got = append(got, v.(string))
		}
		if !slices.Equal(got, values) {
			t.Errorf("joined %s enum = %v, want %v", field, got, values)
		}
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asSlice(v any) []any { s, _ := v.([]any); return s }
