package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// EvidenceReader hashes and counts every byte read through it, for the
// InputFile record of a collector's input file.
type EvidenceReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

// NewEvidenceReader wraps r.
func NewEvidenceReader(r io.Reader) *EvidenceReader {
	return &EvidenceReader{r: r, h: sha256.New()}
}

func (e *EvidenceReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.h.Write(p[:n])
	e.n += int64(n)
	return n, err
}

// InputFile returns the record of what was read so far, under path.
func (e *EvidenceReader) InputFile(path string) InputFile {
	return InputFile{Path: path, SHA256: hex.EncodeToString(e.h.Sum(nil)), Bytes: e.n}
}

// EvidenceWriter hashes and counts every byte written through it to w, for
// the digest of a file being written.
type EvidenceWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

// NewEvidenceWriter wraps w.
func NewEvidenceWriter(w io.Writer) *EvidenceWriter {
	return &EvidenceWriter{w: w, h: sha256.New()}
}

func (e *EvidenceWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.h.Write(p[:n])
	e.n += int64(n)
	return n, err
}

// Digest returns the digest of what was written so far.
func (e *EvidenceWriter) Digest() Digest {
	return Digest{SHA256: hex.EncodeToString(e.h.Sum(nil)), Bytes: e.n}
}
