package snapshot

import (
	"io"

	"github.com/exoready/exoready/internal/fileio"
)

// tally hashes and counts bytes.
type tally struct{ fileio.Tally }

func newTally() tally { return tally{fileio.NewTally()} }

func (t *tally) add(p []byte) { t.Add(p) }

func (t *tally) digest() Digest {
	sha, n := t.Sum()
	return Digest{SHA256: sha, Bytes: n}
}

// EvidenceReader hashes and counts every byte read through it, for the
// InputFile record of a collector's input file.
type EvidenceReader struct {
	r io.Reader
	tally
}

// NewEvidenceReader wraps r.
func NewEvidenceReader(r io.Reader) *EvidenceReader {
	return &EvidenceReader{r: r, tally: newTally()}
}

func (e *EvidenceReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.add(p[:n])
	return n, err
}

// InputFile returns the record of what was read so far, under path.
func (e *EvidenceReader) InputFile(path string) InputFile {
	d := e.digest()
	return InputFile{Path: path, SHA256: d.SHA256, Bytes: d.Bytes}
}
