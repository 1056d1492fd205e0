package snapshot_test

import (
	"reflect"
	"slices"
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
	variants, err := fixtures.VariantSnapshots()
	if err != nil {
		t.Fatal(err)
	}
	if len(variants) < 2 {
		t.Fatalf("only %d variant snapshots embedded", len(variants))
	}
	out := map[string][]byte{"demo/snapshot.json": fixtures.DemoSnapshot()}
	for n, data := range variants {
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
	schematest.Rejects(t, compileSchema(t), fixtures.DemoSnapshot(), []schematest.Case{
		{Name: "wrong schema_version", Mutate: func(m map[string]any) { m["schema_version"] = 2 }, Want: "schema_version"},
		{Name: "unknown top-level field", Mutate: func(m map[string]any) { m["extra"] = true }, Want: "extra"},
		{Name: "unknown nested field", Mutate: func(m map[string]any) { first(m, "exo", "mailboxes")["is_cloud_managed"] = true }, Want: "is_cloud_managed"},
		{Name: "missing required field", Mutate: func(m map[string]any) { delete(first(m, "ad", "users"), "home_mdb") }, Want: "home_mdb"},
		{Name: "bad date", Mutate: func(m map[string]any) { m["collected_at"] = "20 Nov 2026" }, Want: "collected_at"},
		{Name: "string for boolean", Mutate: func(m map[string]any) { first(m, "exo", "mailboxes")["is_dir_synced"] = "True" }, Want: "is_dir_synced"},
		{Name: "unknown joined kind", Mutate: func(m map[string]any) { m["joined"].([]any)[0].(map[string]any)["kind"] = "mailuser" }, Want: "kind"},
		{Name: "custom attribute key", Mutate: func(m map[string]any) {
			first(m, "ad", "users")["custom_attributes"] = map[string]any{"extensionAttribute1": "x"}
		}, Want: "extensionAttribute1"},
		{Name: "section not an object", Mutate: func(m map[string]any) { m["facts"] = []any{} }, Want: "facts"},
	})
}

func first(m map[string]any, section, list string) map[string]any {
	return m[section].(map[string]any)[list].([]any)[0].(map[string]any)
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
