package snapshottest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/exoready/exoready/collector/snapshot"
)

var (
	once     sync.Once
	compiled *jsonschema.Schema
	errSch   error
)

func schema() (*jsonschema.Schema, error) {
	once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(snapshot.JSONSchema()))
		if err != nil {
			errSch = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if errSch = c.AddResource("snapshot.schema.json", doc); errSch != nil {
			return
		}
		compiled, errSch = c.Compile("snapshot.schema.json")
	})
	return compiled, errSch
}

// Validate marshals s and fails the test unless the document matches
// snapshot.schema.json and snapshot.ParseSnapshot accepts it. Statuses of
// sources not collected get the empty lists the snapshot builder writes.
func Validate(t testing.TB, s *snapshot.Snapshot) {
	t.Helper()
	sch, err := schema()
	if err != nil {
		t.Fatalf("snapshot.schema.json: %v", err)
	}
	for _, st := range []*snapshot.SourceStatus{&s.Sources.AD, &s.Sources.EXO, &s.Sources.Entra, &s.Sources.Facts} {
		if st.Files == nil {
			st.Files = []snapshot.InputFile{}
		}
		if st.Errors == nil {
			st.Errors = []snapshot.SourceError{}
		}
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
		t.Fatalf("snapshot does not match snapshot.schema.json: %v", err)
	}
	if _, err := snapshot.ParseSnapshot(data); err != nil {
		t.Fatalf("the snapshot loader refuses the snapshot: %v", err)
	}
}
