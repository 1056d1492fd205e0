package snapshot

import (
	"context"
	"fmt"
	"io"
	"reflect"

	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/internal/jsontag"
)

// WriteJSON writes the same bytes as Marshal, without holding the whole
// document in memory: the snapshot's own structs are written field by
// field and their lists element by element, so only one element is
// encoded at a time. A 600,000-mailbox snapshot is gigabytes of JSON.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	if err := jsontag.Stream(w, s, reflect.TypeFor[Snapshot]().PkgPath()); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// WriteFile writes the snapshot to path as WriteJSON does, atomically (a
// temporary file renamed into place, so a failed write leaves nothing
// half-written), and returns the digest of what it wrote, taken as the
// bytes went out. It only reads the snapshot, so it may run while others
// read it too (a scan writes it while the rules run). Cancelling ctx stops
// the write at its next megabyte and removes the temporary file.
func (s *Snapshot) WriteFile(ctx context.Context, path string) (Digest, error) {
	w, err := fileio.WriteAtomicHashed(path, func(w io.Writer) error {
		return s.WriteJSON(fileio.ContextWriter(ctx, w))
	})
	if err != nil {
		return Digest{}, err
	}
	return Digest{SHA256: w.SHA256, Bytes: w.Bytes}, nil
}
