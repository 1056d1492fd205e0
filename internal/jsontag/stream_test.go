package jsontag

import (
	"errors"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// counted counts its encodings; each is 1 KiB of JSON.
type counted struct{ n *atomic.Int64 }

var kib = []byte(`"` + strings.Repeat("x", 1022) + `"`)

func (c counted) MarshalJSON() ([]byte, error) {
	c.n.Add(1)
	return kib, nil
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestStreamStopsAtWriteError: a write that fails (a full disk, a
// cancelled run) stops the encoding too, instead of encoding gigabytes
// nobody will write, and Stream returns the writer's error.
func TestStreamStopsAtWriteError(t *testing.T) {
	type item struct{ C counted }
	type doc struct {
		Items []item `json:"items"`
	}
	var n atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	var d doc
	d.Items = make([]item, chunk*(4*workers+40))
	for i := range d.Items {
		d.Items[i].C = counted{&n}
	}
	stop := errors.New("disk full")
	err := Stream(failingWriter{stop}, &d, reflect.TypeFor[doc]().PkgPath())
	if !errors.Is(err, stop) {
		t.Fatalf("Stream returned %v, want the writer's error", err)
	}
	// Up to the first 1 MiB written, plus the chunks queued and in the
	// workers when it failed.
	if limit := int64(chunk * (3*workers + 10)); n.Load() > limit {
		t.Errorf("%d of %d elements encoded after the writer failed (limit %d)", n.Load(), len(d.Items), limit)
	}
}
