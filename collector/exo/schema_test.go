package exo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/facts"
	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/collector/snapshot/snapshottest"
)

func snapshotOf(r *Result) *snapshot.Snapshot {
	s := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	r.Apply(s)
	return s
}

// TestSectionsMatchSchema: the exo, entra and facts sections, complete or
// with datasets missing, are valid snapshot documents.
func TestSectionsMatchSchema(t *testing.T) {
	t.Run("export", func(t *testing.T) {
		s := snapshotOf(readExport(t, fixture("ps51")))
		f, st, err := facts.ReadFile(writeFacts(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Facts, s.Sources.Facts = f, st
		snapshottest.Validate(t, s)
	})
	t.Run("partial export", func(t *testing.T) {
		dir := copyFixture(t, "ps7")
		for _, f := range []string{"Get-MoveRequest.json", "graph/organization.json"} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
		write(t, dir, "Get-RoleGroup.json", "[{")
		snapshottest.Validate(t, snapshotOf(readExport(t, dir)))
	})
	t.Run("live", func(t *testing.T) {
		fc := newFakeCloud(t)
		r, err := CollectLive(t.Context(), fc.options())
		if err != nil {
			t.Fatal(err)
		}
		snapshottest.Validate(t, snapshotOf(r))
	})
}

func writeFacts(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "facts.yaml")
	doc := "entra_connect:\n  version: 2.5.190.0\n  sync_interval_minutes: 30\n  hybrid_exchange_feature: true\ncloud_sync:\n  agent_version: \"\"\n"
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
