package snapshot

import (
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
// half-written), and returns the digest of what it wrote.
func (s *Snapshot) WriteFile(path string) (Digest, error) {
	var d Digest
	err := fileio.WriteAtomic(path, func(w io.Writer) error {
		ev := NewEvidenceWriter(w)
		err := s.WriteJSON(ev)
		d = ev.Digest()
		return err
	})
	if err != nil {
		return Digest{}, err
	}
	return d, nil
}
