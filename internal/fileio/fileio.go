package fileio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// Written is a file as it was written: its path, the SHA-256 (hex) and
// the size of its bytes. It is what the evidence manifest records, taken
// while the bytes went out instead of by reading the file again.
type Written struct {
	Path   string
	SHA256 string
	Bytes  int64
}

// Tally hashes and counts the bytes given to Add.
type Tally struct {
	h hash.Hash
	n int64
}

// NewTally starts an empty tally.
func NewTally() Tally { return Tally{h: sha256.New()} }

// Add hashes and counts p.
func (t *Tally) Add(p []byte) {
	t.h.Write(p)
	t.n += int64(len(p))
}

// Sum returns the SHA-256 (hex) and count of the bytes added so far.
func (t *Tally) Sum() (sha string, n int64) {
	return hex.EncodeToString(t.h.Sum(nil)), t.n
}

// HashingWriter passes every byte to W and tallies what W took.
type HashingWriter struct {
	W io.Writer
	Tally
}

func (w *HashingWriter) Write(p []byte) (int, error) {
	n, err := w.W.Write(p)
	w.Add(p[:n])
	return n, err
}

// WriteAtomicHashed writes path as WriteAtomic does and returns the
// SHA-256 and size of the bytes written.
func WriteAtomicHashed(path string, fill func(io.Writer) error) (Written, error) {
	var hw HashingWriter
	err := WriteAtomic(path, func(w io.Writer) error {
		hw = HashingWriter{W: w, Tally: NewTally()}
		return fill(&hw)
	})
	if err != nil {
		return Written{}, err
	}
	out := Written{Path: path}
	out.SHA256, out.Bytes = hw.Sum()
	return out, nil
}

// WriteAtomic writes a file through fill into a temporary file in the same
// folder, syncs it and renames it over path. On any error the temporary file
// is removed and path is left as it was.
func WriteAtomic(path string, fill func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ContextWriter returns a writer that passes writes to w until ctx is
// done, then fails them with ctx's error: a long write (gigabytes of
// snapshot.json) stops at its next buffer when the run is interrupted.
func ContextWriter(ctx context.Context, w io.Writer) io.Writer {
	return ctxWriter{ctx, w}
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// WriteFileAtomic writes data to path as WriteAtomic does.
func WriteFileAtomic(path string, data []byte) error {
	return WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// HashFile returns a file's SHA-256 (hex) and size.
func HashFile(path string) (sha string, n int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	hw := HashingWriter{W: io.Discard, Tally: NewTally()}
	if _, err = io.Copy(&hw, f); err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	sha, n = hw.Sum()
	return sha, n, nil
}
