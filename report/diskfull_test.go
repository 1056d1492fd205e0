package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/exoready/exoready/internal/fileio"
)

// fullDisk accepts n bytes, then fails every write as a full disk does.
type fullDisk struct {
	w io.Writer
	n int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.n {
		k, _ := d.w.Write(p[:d.n])
		d.n = 0
		return k, syscall.ENOSPC
	}
	d.n -= len(p)
	return d.w.Write(p)
}

// The disk fills while the workbook is written: the error says so, the
// workbook of the previous run stays as it was, and no temporary file is
// left. (cmd/exoready's TestDrills does the same to the binary with a
// file size limit.)
func TestWorkbookOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(path, []byte("the previous run's workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := New("xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, room := range []int{0, 100, 4096, 20000} {
		err := fileio.WriteAtomic(path, func(out io.Writer) error {
			return w.Write(t.Context(), &fullDisk{w: out, n: room}, sampleReport())
		})
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("room for %d bytes: error %v, want ENOSPC", room, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "the previous run's workbook" {
			t.Fatalf("room for %d bytes: the previous workbook was changed", room)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Fatalf("room for %d bytes: temporary file %s left", room, e.Name())
			}
		}
	}
}
