package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// tally hashes and counts bytes.
type tally struct {
	h hash.Hash
	n int64
}

func newTally() tally { return tally{h: sha256.New()} }

func (t *tally) add(p []byte) {
	t.h.Write(p)
	t.n += int64(len(p))
}

func (t *tally) digest() Digest {
	return Digest{SHA256: hex.EncodeToString(t.h.Sum(nil)), Bytes: t.n}
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

// EvidenceWriter hashes and counts every byte written through it to w, for
// the digest of a file being written.
type EvidenceWriter struct {
	w io.Writer
	tally
}

// NewEvidenceWriter wraps w.
func NewEvidenceWriter(w io.Writer) *EvidenceWriter {
	return &EvidenceWriter{w: w, tally: newTally()}
}

func (e *EvidenceWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.add(p[:n])
	return n, err
}

// Digest returns the digest of what was written so far.
func (e *EvidenceWriter) Digest() Digest { return e.digest() }
