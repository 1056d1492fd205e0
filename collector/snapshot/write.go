package snapshot

import (
	"fmt"
	"io"
	"reflect"

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
