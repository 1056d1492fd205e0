package ad

import (
	"context"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/collector/snapshot/snapshottest"
)

// validateAgainstSchema wraps an AD section in a snapshot and checks it
// against the published snapshot JSON Schema: what the collector writes is
// the Rego input contract.
func validateAgainstSchema(t *testing.T, ad *snapshot.AD, st snapshot.SourceStatus) {
	t.Helper()
	s := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), AD: ad}
	s.Sources.AD = st
	snapshottest.Validate(t, s)
}

func TestLDIFSnapshotMatchesSchema(t *testing.T) {
	ad, st, err := ReadLDIF(context.Background(), []string{writeForest(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	validateAgainstSchema(t, ad, st)
}
