package exo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// reencodeHint tells how to rewrite an export in an encoding exoready reads.
const reencodeHint = "re-export with scripts/Export-ExoReady.ps1, or convert it in PowerShell: " +
	"`Get-Content FILE -Encoding Unicode | Set-Content NEW -Encoding utf8` (5.1) / `-Encoding utf8NoBOM` (7)"

// encodingError is a file that is not in an encoding exoready reads.
type encodingError struct{ msg string }

func (e *encodingError) Error() string { return e.msg }

// textStream yields the UTF-8 text of an export: UTF-8 with or without BOM,
// or UTF-16LE with BOM (what Windows PowerShell's Out-File writes). It
// refuses UTF-16 without BOM, UTF-16BE and bytes that are not UTF-8, and it
// tracks line starts so decoders can name the line of an offset.
type textStream struct {
	r     io.Reader
	off   int64   // bytes of text returned so far
	carry []byte  // trailing bytes of an incomplete rune, for validation
	check bool    // validate UTF-8 (not needed after transcoding)
	lines lineMap // newline offsets
	// Encoding names what was detected: utf-8, utf-8-bom, utf-16le.
	Encoding string
}

// newTextStream detects the encoding of r from its first bytes.
func newTextStream(r io.Reader) (*textStream, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	t := &textStream{r: br, check: true, Encoding: "utf-8"}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		t.Encoding = "utf-8-bom"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}):
		return nil, &encodingError{"the file is UTF-32: " + reencodeHint}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		_, _ = br.Discard(2)
		t.r = newUTF16Reader(br)
		t.check = false
		t.Encoding = "utf-16le"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, &encodingError{"the file is UTF-16 big-endian, which exoready does not read: " + reencodeHint}
	case looksUTF16(head, 1):
		return nil, &encodingError{"the file looks like UTF-16 without a byte-order mark, which cannot be read reliably: " + reencodeHint}
	case looksUTF16(head, 0):
		return nil, &encodingError{"the file looks like UTF-16 big-endian without a byte-order mark: " + reencodeHint}
	}
	return t, nil
}

// looksUTF16 reports whether the first code units of b are ASCII in UTF-16
// with the zero byte at position zero (0 for big-endian, 1 for little).
func looksUTF16(b []byte, zero int) bool {
	if len(b) < 4 {
		return false
	}
	n := 0
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+zero] != 0 || b[i+1-zero] == 0 {
			return false
		}
		n++
	}
	return n >= 2
}

func (t *textStream) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	chunk := p[:n]
	for i, b := range chunk {
		if b == '\n' {
			t.lines.add(t.off + int64(i))
		}
	}
	if t.check && n > 0 {
		if verr := t.validate(chunk, err != nil); verr != nil {
			return 0, verr
		}
	} else if t.check && err != nil && len(t.carry) > 0 {
		if verr := t.validate(nil, true); verr != nil {
			return 0, verr
		}
	}
	t.off += int64(n)
	return n, err
}

// validate checks chunk for UTF-8, carrying an incomplete rune at the end to
// the next call; final says no more bytes follow.
func (t *textStream) validate(chunk []byte, final bool) error {
	data := chunk
	start := t.off
	if len(t.carry) > 0 {
		data = append(t.carry, chunk...)
		start -= int64(len(t.carry))
	}
	i := 0
	for i < len(data) {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			if !final && !utf8.FullRune(data[i:]) {
				break
			}
			return &encodingError{fmt.Sprintf("line %d: byte 0x%02X is not UTF-8 (the file looks like it was written in an ANSI code page, e.g. by `Out-File -Encoding Default`): %s",
				t.lines.lineAt(start+int64(i)), data[i], reencodeHint)}
		}
		i += size
	}
	t.carry = append(t.carry[:0:0], data[i:]...)
	return nil
}

// lineAt returns the 1-based line of a text offset. Offsets asked for must
// not decrease (decoders move forward).
func (t *textStream) lineAt(off int64) int { return t.lines.lineAt(off) }

// lineMap maps offsets to lines while keeping only the newlines not yet
// passed, so memory stays bounded on large files.
type lineMap struct {
	passed  int     // newlines before pending[0]
	pending []int64 // offsets of newlines not yet passed
}

func (m *lineMap) add(off int64) { m.pending = append(m.pending, off) }

func (m *lineMap) lineAt(off int64) int {
	i := 0
	for i < len(m.pending) && m.pending[i] < off {
		i++
	}
	if i > 0 {
		m.passed += i
		m.pending = append(m.pending[:0], m.pending[i:]...)
	}
	return m.passed + 1
}
