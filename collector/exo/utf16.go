package exo

import (
	"encoding/binary"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Reader turns UTF-16LE text (after its byte-order mark) into UTF-8,
// a large block at a time and ASCII four code units at a time: Windows
// PowerShell's Out-File writes UTF-16LE, so a 600,000-mailbox export can
// be 12 GB of it. It decodes as golang.org/x/text's UTF-16 decoder does,
// which exoready used before (TestUTF16ReaderMatchesXText): a surrogate
// without its pair, and an odd byte at the end, read as U+FFFD.
type utf16Reader struct {
	r          io.Reader
	src        []byte
	start, end int // src[start:end] is read and not decoded yet
	eof        bool
	err        error // of r, returned once src is decoded
	small      [utf8.UTFMax]byte
	pend       []byte // decoded into small, not returned yet
}

func newUTF16Reader(r io.Reader) *utf16Reader {
	return &utf16Reader{r: r, src: make([]byte, 256<<10)}
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if len(u.pend) > 0 {
		n := copy(p, u.pend)
		u.pend = u.pend[n:]
		return n, nil
	}
	if len(p) < utf8.UTFMax { // too small for some runes
		n, err := u.Read(u.small[:])
		if n == 0 {
			return 0, err
		}
		u.pend = u.small[:n]
		m := copy(p, u.pend)
		u.pend = u.pend[m:]
		return m, nil
	}
	for {
		if u.start < u.end {
			nDst, nSrc := decodeUTF16LE(p, u.src[u.start:u.end], u.eof)
			u.start += nSrc
			if nDst > 0 {
				return nDst, nil
			}
		}
		if u.eof {
			if u.start < u.end {
				continue // cannot happen: at the end every byte decodes
			}
			return 0, u.err
		}
		u.end = copy(u.src, u.src[u.start:u.end])
		u.start = 0
		n, err := u.r.Read(u.src[u.end:])
		u.end += n
		if err != nil {
			u.eof, u.err = true, err
		}
	}
}

// decodeUTF16LE decodes src into dst as far as both allow. Unless atEOF,
// it leaves a code unit whose pair may follow in the next block.
func decodeUTF16LE(dst, src []byte, atEOF bool) (nDst, nSrc int) {
	for nSrc < len(src) {
		// Four ASCII code units: every high byte zero, no low byte above 0x7F.
		for nSrc+8 <= len(src) && nDst+4 <= len(dst) {
			w := binary.LittleEndian.Uint64(src[nSrc:])
			if w&0xFF80FF80FF80FF80 != 0 {
				break
			}
			dst[nDst], dst[nDst+1], dst[nDst+2], dst[nDst+3] = byte(w), byte(w>>16), byte(w>>32), byte(w>>48)
			nDst += 4
			nSrc += 8
		}
		if nSrc >= len(src) {
			break
		}
		r, size, dSize := utf8.RuneError, 1, 3 // an odd byte at the end
		if nSrc+1 < len(src) {
			r, size = rune(binary.LittleEndian.Uint16(src[nSrc:])), 2
			if utf16.IsSurrogate(r) {
				if nSrc+3 < len(src) {
					if next := rune(binary.LittleEndian.Uint16(src[nSrc+2:])); 0xDC00 <= next && next <= 0xDFFF {
						r, size = utf16.DecodeRune(r, next), 4
					}
				} else if !atEOF {
					break
				}
			}
			if dSize = utf8.RuneLen(r); dSize < 0 {
				r, dSize = utf8.RuneError, 3
			}
		} else if !atEOF {
			break
		}
		if nDst+dSize > len(dst) {
			break
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc
}
