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
