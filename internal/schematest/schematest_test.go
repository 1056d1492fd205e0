package schematest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.TB.Fatalf("unexpected fatal: "+format, args...)
}

type toyMeta struct {
	ID string `json:"id"`
}

type toyChild struct {
	N int `json:"n"`
}

// toySide is a named interface: its documentation says it is an object
// or null, and the schema must say so too.
type toySide interface{}

type toyRoot struct {
	SchemaVersion int `json:"schema_version"`
	toyMeta
	When  time.Time      `json:"when"`
	Until *time.Time     `json:"until"`
	Child *toyChild      `json:"child,omitempty"`
	Tags  []string       `json:"tags"`
	Free  map[string]any `json:"free"`
	Kind  string         `json:"kind"`
	Side  toySide        `json:"side"`
	Any   any            `json:"any"`
	skip  string         //nolint:unused // unexported: encoding/json and Check skip it
	Gone  string         `json:"-"`
}

// toySchema is the schema of toyRoot; each case of TestCheck breaks one
// thing in it.
const toySchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$ref": "#/$defs/toyRoot",
  "$defs": {
    "toyRoot": {
      "type": "object", "additionalProperties": false,
      "required": ["schema_version", "id", "when", "until", "tags", "free", "kind", "side", "any"],
      "properties": {
        "schema_version": {"const": 3},
        "id": {"type": "string"},
        "when": {"type": "string", "format": "date-time"},
        "until": {"type": ["string", "null"], "format": "date-time"},
        "child": {"anyOf": [{"$ref": "#/$defs/toyChild"}, {"type": "null"}]},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "free": {"type": ["object", "null"]},
        "kind": {"description": "a shared enum", "$ref": "#/$defs/kind"},
        "side": {"type": ["object", "null"]},
        "any": {}
      }
    },
    "kind": {"type": "string", "enum": ["a", "b"]},
    "toyChild": {
      "type": "object", "additionalProperties": false, "required": ["n"],
      "properties": {"n": {"type": "integer"}}
    }
  }
}`

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(root, defs map[string]any)
		want   string // "" when Check must accept
	}{
		{"matching schema", func(_, _ map[string]any) {}, ""},
		{"promoted field missing", func(_, d map[string]any) { delete(props(d, "toyRoot"), "id") }, `Go field toyMeta.ID (json "id") is missing`},
		{"schema field Go lacks", func(_, d map[string]any) { props(d, "toyChild")["m"] = map[string]any{"type": "integer"} }, `schema property "m" has no Go field`},
		{"omitempty field required", func(_, d map[string]any) {
			d["toyRoot"].(map[string]any)["required"] = append(d["toyRoot"].(map[string]any)["required"].([]any), "child")
		}, "child: required is true but the Go tag omitempty is true"},
		{"slice not nullable", func(_, d map[string]any) { props(d, "toyRoot")["tags"].(map[string]any)["type"] = "array" }, "tags: type [array], want [array null]"},
		{"time without format", func(_, d map[string]any) { delete(props(d, "toyRoot")["when"].(map[string]any), "format") }, "times need format date-time"},
		{"free-form map restricted", func(_, d map[string]any) {
			props(d, "toyRoot")["free"].(map[string]any)["additionalProperties"] = map[string]any{"type": "string"}
		}, "must not restrict its values"},
		{"wrong version", func(_, d map[string]any) { props(d, "toyRoot")["schema_version"] = map[string]any{"const": 2} }, "want the schema version 3"},
		{"open object", func(_, d map[string]any) { delete(d["toyChild"].(map[string]any), "additionalProperties") }, "additionalProperties false"},
		{"unused definition", func(_, d map[string]any) { d["Orphan"] = map[string]any{"type": "object"} }, "$defs.Orphan describes no Go type"},
		{"pointer to struct not nullable", func(_, d map[string]any) {
			props(d, "toyRoot")["child"] = map[string]any{"$ref": "#/$defs/toyChild"}
		}, "want anyOf"},
		{"shared definition of another type", func(_, d map[string]any) { d["kind"].(map[string]any)["type"] = "integer" }, "$defs.kind: type [integer], want [string]"},
		{"dangling reference", func(_, d map[string]any) { delete(d, "kind") }, `$ref "#/$defs/kind" is not a definition`},
		{"named interface without its types", func(_, d map[string]any) { delete(props(d, "toyRoot")["side"].(map[string]any), "type") }, "named interface"},
		{"any restricted", func(_, d map[string]any) { props(d, "toyRoot")["any"] = map[string]any{"type": "string"} }, "must not restrict its type"},
		{"other draft", func(r, _ map[string]any) { r["$schema"] = "http://json-schema.org/draft-07/schema#" }, "want draft 2020-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var root map[string]any
			if err := json.Unmarshal([]byte(toySchema), &root); err != nil {
				t.Fatal(err)
			}
			tt.mutate(root, root["$defs"].(map[string]any))
			schema, err := json.Marshal(root)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{TB: t}
			Check(rec, reflect.TypeFor[toyRoot](), schema, 3)
			got := strings.Join(rec.errs, "\n")
			switch {
			case tt.want == "" && got != "":
				t.Errorf("Check rejected a matching schema:\n%s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("Check reported\n%s\nwant a line containing %q", got, tt.want)
			}
		})
	}
}

func TestValidateAndEnum(t *testing.T) {
	sch := Compile(t, "toy.json", []byte(toySchema))
	good := `{"schema_version": 3, "id": "a", "when": "2026-11-20T09:00:00Z", "until": null, "tags": null, "free": {"x": [1]}, "kind": "a", "side": null, "any": 7}`
	if err := Validate(t, sch, []byte(good)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	// Formats are asserted: a date that is not RFC 3339 fails.
	bad := strings.Replace(good, "2026-11-20T09:00:00Z", "20 Nov 2026", 1)
	if err := Validate(t, sch, []byte(bad)); err == nil || !strings.Contains(err.Error(), "when") {
		t.Errorf("bad date: %v", err)
	}
	enum := []byte(`{"$defs": {"A": {"properties": {"s": {"enum": ["x", "y"]}}}}}`)
	if got := Enum(t, enum, "$defs.A.properties.s"); strings.Join(got, ",") != "x,y" {
		t.Errorf("Enum = %v", got)
	}
}

func props(defs map[string]any, name string) map[string]any {
	return defs[name].(map[string]any)["properties"].(map[string]any)
}
