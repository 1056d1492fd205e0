package snapshot_test

import (
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
	"github.com/exoready/exoready/internal/schematest"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return schematest.Compile(t, "snapshot.schema.json", snapshot.JSONSchema())
}

func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	return schematest.Validate(t, sch, data)
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

// TestSchemaMatchesGoTypes walks the Go types from Snapshot alongside the
// schema (internal/schematest): a field one side has and the other lacks,
// or a wrong type or nullability, fails.
func TestSchemaMatchesGoTypes(t *testing.T) {
	schematest.Check(t, reflect.TypeFor[snapshot.Snapshot](), snapshot.JSONSchema(), snapshot.SchemaVersion)
}

// The enums of the joined view must list exactly the package's constants.
func TestSchemaJoinedEnums(t *testing.T) {
	want := map[string][]string{
		"kind":        {snapshot.KindUser, snapshot.KindShared, snapshot.KindRoom, snapshot.KindEquipment, snapshot.KindOther},
		"location":    {snapshot.LocationRemote, snapshot.LocationOnPrem, snapshot.LocationCloud},
		"join_method": {"", snapshot.JoinExternalDirectoryObjectID, snapshot.JoinImmutableID, snapshot.JoinUPN, snapshot.JoinPrimarySMTP},
	}
	for field, values := range want {
		if got := schematest.Enum(t, snapshot.JSONSchema(), "$defs.JoinedMailbox.properties."+field); !slices.Equal(got, values) {
			t.Errorf("joined %s enum = %v, want %v", field, got, values)
		}
	}
}
