package snapshot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/internal/jsontag"
	"github.com/exoready/exoready/tools/gen"
)

// TestWriteJSONMatchesMarshal checks that the streaming writer writes
// exactly what Marshal does, on every fixture snapshot.
func TestWriteJSONMatchesMarshal(t *testing.T) {
	docs, err := fixtures.VariantSnapshots()
	if err != nil || len(docs) == 0 {
		t.Fatalf("fixture snapshots: %d %v", len(docs), err)
	}
	docs["demo"] = fixtures.DemoSnapshot()
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			s, err := snapshot.ParseSnapshot(doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := s.WriteJSON(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < len(want) && i < got.Len() && want[i] == got.Bytes()[i] {
					i++
				}
				t.Fatalf("WriteJSON differs from Marshal at byte %d: got %q, want %q", i,
					got.Bytes()[max(0, i-40):min(got.Len(), i+40)], want[max(0, i-40):min(len(want), i+40)])
			}
		})
	}
}

// TestWriteJSONLargeMatchesMarshal covers the lists long enough to be
// encoded by several workers at once.
func TestWriteJSONLargeMatchesMarshal(t *testing.T) {
	s := gen.Generate(gen.Options{Seed: 2, Mailboxes: 3000}).Snapshot()
	want, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := s.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("WriteJSON of a 3,000-mailbox snapshot differs from Marshal (%d vs %d bytes)", got.Len(), len(want))
	}
}

// TestWriteJSONDirect checks that every type of the snapshot is written
// by jsontag's own encoders, not handed to encoding/json: a field added
// with a type they do not handle would make the writer slow again.
func TestWriteJSONDirect(t *testing.T) {
	if p := jsontag.Indirect(reflect.TypeFor[snapshot.Snapshot]()); p != "" {
		t.Fatal(p, ": a snapshot type is encoded by encoding/json: give it a type jsontag.AppendIndent handles")
	}
}

// WriteFile writes what Marshal gives and returns the digest of those bytes.
func TestWriteFileDigest(t *testing.T) {
	s, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.json")
	d, err := s.WriteFile(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Marshal()
	sum := sha256.Sum256(got)
	if !bytes.Equal(got, want) || d.SHA256 != hex.EncodeToString(sum[:]) || d.Bytes != int64(len(got)) {
		t.Errorf("WriteFile wrote %d bytes (Marshal %d), digest %+v, file hash %x", len(got), len(want), d, sum)
	}
}

// An interrupted write stops with the context's error and leaves nothing
// in the folder: no snapshot.json, no temporary file.
func TestWriteFileCancelled(t *testing.T) {
	s := gen.Generate(gen.Options{Seed: 2, Mailboxes: 3000}).Snapshot()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.WriteFile(ctx, filepath.Join(dir, "snapshot.json")); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFile after cancel: %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a cancelled write left %v", entries)
	}
}
