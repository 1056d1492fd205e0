package snapshot_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/tools/gen"
)

// BenchmarkReadSnapshotFile reads the snapshot file of a generated
// 10,000-mailbox tenant as exoready evaluate does (hashed, decoded,
// the joined view linked).
func BenchmarkReadSnapshotFile(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	path := filepath.Join(b.TempDir(), "snapshot.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.WriteJSON(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := snapshot.ReadSnapshotFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
