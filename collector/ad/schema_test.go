package ad

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/exoready/exoready/collector/snapshot"
)

// validateAgainstSchema wraps an AD section in a snapshot and checks it
// against the published snapshot JSON Schema: what the collector writes is
// the Rego input contract.
func validateAgainstSchema(t *testing.T, ad *snapshot.AD, st snapshot.SourceStatus) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(snapshot.JSONSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("snapshot.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("snapshot.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), AD: ad}
	s.Sources.AD = st
	for _, other := range []*snapshot.SourceStatus{&s.Sources.EXO, &s.Sources.Entra, &s.Sources.Facts} {
		other.Files, other.Errors = []snapshot.InputFile{}, []snapshot.SourceError{}
	}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("AD section does not match snapshot.schema.json: %v", err)
	}
	if _, err := snapshot.ParseSnapshot(data); err != nil {
		t.Fatalf("snapshot loader refuses the AD section: %v", err)
	}
}

func TestLDIFSnapshotMatchesSchema(t *testing.T) {
	ad, st, err := ReadLDIF(context.Background(), []string{writeForest(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	validateAgainstSchema(t, ad, st)
}
