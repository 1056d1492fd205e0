package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/internal/swar"
)

// The body rows of the streamed sheets are written here as SpreadsheetML
// rather than through excelize's StreamWriter, which builds several
// objects and strings per cell (at 600,000 mailboxes, 18 million cells).
// excelize still writes everything else: the sheet's head and header
// row, its tail (table, print setup), styles, the Summary. Each body is
// deflated to a temporary file, and spliced into its sheet's part when
// the workbook is assembled (see assemble).

// cellKind is what a cell of a body row holds.
type cellKind uint8

const (
	cellNone   cellKind = iota // no cell written
	cellStyled                 // a style and no value (a highlight on an empty value)
	cellText                   // an inline string
	cellNumber                 // num, written as it is
	cellBool                   // num is "1" or "0"
)

// bodyCell is one cell of the row being built.
type bodyCell struct {
	kind  cellKind
	style int
	text  string
	num   []byte
}

// bodyWriter writes the body rows of one sheet, deflated, to a
// temporary file. Rows are gathered in chunks that one worker per
// processor deflates while the next rows are built; each chunk's deflate
// output ends on a byte boundary without a final block, so the chunks
// follow one another in one deflate stream (at 600,000 mailboxes the
// Mailboxes sheet is over a gigabyte of XML: deflating it on one core
// took longer than writing it).
type bodyWriter struct {
	file  *os.File
	chunk []byte // rows not yet handed to a worker

	jobs  chan *deflateJob
	order chan *deflateJob
	done  chan struct{}
	once  sync.Once

	// Set by the goroutine writing the chunks, read after done.
	crc        uint32 // CRC-32 of the rows' XML
	size       int64  // bytes of XML
	compressed int64  // bytes of deflate output in file
	err        error
}

// deflateJob is one chunk of rows being deflated.
type deflateJob struct {
	data []byte
	out  *bytes.Buffer
	done chan struct{}
}

const bodyChunk = 1 << 20

// deflateLevel: klauspost's level 6 deflates the rows to within a few
// per cent of the standard library's default, several times faster.
const deflateLevel = 6

var (
	chunkPool   = sync.Pool{New: func() any { b := make([]byte, 0, bodyChunk+64<<10); return &b }}
	outPool     = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	deflatePool = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, deflateLevel); return w }}
)

func newBodyWriter(dir string) (*bodyWriter, error) {
	f, err := os.CreateTemp(dir, "exoready-rows-*.deflate")
	if err != nil {
		return nil, fmt.Errorf("temporary file for workbook rows: %w", err)
	}
	workers := runtime.GOMAXPROCS(0)
	bw := &bodyWriter{
		file: f, chunk: (*chunkPool.Get().(*[]byte))[:0],
		jobs: make(chan *deflateJob), order: make(chan *deflateJob, 2*workers), done: make(chan struct{}),
	}
	for range workers {
		go func() {
			zw := deflatePool.Get().(*flate.Writer)
			defer deflatePool.Put(zw)
			for j := range bw.jobs {
				zw.Reset(j.out)
				zw.Write(j.data)
				zw.Flush() // ends on a byte boundary, no final block
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(bw.done)
		for j := range bw.order {
			<-j.done
			bw.crc = crc32.Update(bw.crc, crc32.IEEETable, j.data)
			bw.size += int64(len(j.data))
			bw.compressed += int64(j.out.Len())
			if bw.err == nil {
				_, bw.err = bw.file.Write(j.out.Bytes())
			}
			data := j.data[:0]
			chunkPool.Put(&data)
			j.out.Reset()
			outPool.Put(j.out)
		}
	}()
	return bw, nil
}

// send hands the gathered rows to a worker.
func (bw *bodyWriter) send() {
	if len(bw.chunk) == 0 {
		return
	}
	j := &deflateJob{data: bw.chunk, out: outPool.Get().(*bytes.Buffer), done: make(chan struct{})}
	bw.order <- j
	bw.jobs <- j
	bw.chunk = (*chunkPool.Get().(*[]byte))[:0]
}

// row appends row number n with cells; height is the row's custom height
// in points, 0 for the default.
func (bw *bodyWriter) row(n int, height float64, cells []bodyCell) error {
	bw.chunk = appendRow(bw.chunk, n, height, cells)
	if len(bw.chunk) >= bodyChunk {
		bw.send()
	}
	return nil
}

// appendRow appends the XML of row number n.
func appendRow(b []byte, n int, height float64, cells []bodyCell) []byte {
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '"')
	if height > 0 {
		b = append(b, ` ht="`...)
		b = strconv.AppendFloat(b, height, 'f', -1, 64)
		b = append(b, `" customHeight="1"`...)
	}
	b = append(b, '>')
	for i := range cells {
		c := &cells[i]
		if c.kind == cellNone {
			continue
		}
		b = append(b, `<c r="`...)
		b = appendColumnName(b, i+1)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, '"')
		if c.style != 0 {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(c.style), 10)
			b = append(b, '"')
		}
		switch c.kind {
		case cellText:
			b = append(b, ` t="inlineStr"><is><t`...)
			if preserveSpace(c.text) {
				b = append(b, ` xml:space="preserve"`...)
			}
			b = append(b, '>')
			b = appendCellText(b, c.text)
			b = append(b, `</t></is></c>`...)
		case cellBool:
			b = append(b, ` t="b"><v>`...)
			b = append(b, c.num...)
			b = append(b, `</v></c>`...)
		case cellNumber:
			b = append(b, `><v>`...)
			b = append(b, c.num...)
			b = append(b, `</v></c>`...)
		default:
			b = append(b, `></c>`...)
		}
	}
	return append(b, `</row>`...)
}

// finish deflates the last rows, waits for the workers and rewinds the
// file for assemble.
func (bw *bodyWriter) finish() error {
	bw.once.Do(func() {
		bw.send()
		close(bw.jobs)
		close(bw.order)
	})
	<-bw.done
	if bw.err != nil {
		return bw.err
	}
	_, err := bw.file.Seek(0, io.SeekStart)
	return err
}

func (bw *bodyWriter) remove() {
	bw.finish()
	bw.file.Close()
	os.Remove(bw.file.Name())
}

// appendColumnName appends the letters of column col (1 = A).
func appendColumnName(b []byte, col int) []byte {
	var letters [3]byte
	i := len(letters)
	for col > 0 {
		col--
		i--
		letters[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, letters[i:]...)
}

// preserveSpace: text starting or ending with white space needs
// xml:space="preserve" to keep it.
func preserveSpace(s string) bool {
	if s == "" {
		return false
	}
	isSpace := func(c byte) bool { return c == '\t' || c == '\n' || c == '\r' || c == ' ' }
	return isSpace(s[0]) || isSpace(s[len(s)-1])
}

// appendCellText appends s as the text of a cell: XML-escaped (line
// breaks kept, tabs and carriage returns as character references,
// characters XML cannot hold replaced by U+FFFD) and with every "_"
// that starts an _xHHHH_ sequence written as _x005F_, so Excel does not
// read the literal text as an escaped character. Runs of bytes that need
// none of this are found eight at a time and copied whole.
func appendCellText(b []byte, s string) []byte {
	start := 0
	for i := cellPlainFrom(s, 0); i < len(s); i = cellPlainFrom(s, i) {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || !xmlChar(r) {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				start = i + size
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch {
		case c == '_' && isEscapeSequence(s[i:]):
			b = append(b, "_x005F_"...)
		case c == '_':
			b = append(b, c)
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case c == '"':
			b = append(b, "&#34;"...)
		case c == '\'':
			b = append(b, "&#39;"...)
		case c == '\t':
			b = append(b, "&#x9;"...)
		case c == '\r':
			b = append(b, "&#xD;"...)
		default: // other control characters
			b = append(b, "\uFFFD"...)
		}
		i++
		start = i
	}
	return append(b, s[start:]...)
}

// cellPlain marks the bytes appendCellText copies as they are.
var cellPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`&<>"'_`, rune(c))
	}
	t['\n'] = true
	return t
}()

// cellPlainFrom returns the index of the first byte of s at or after i
// that appendCellText cannot copy as it is (len(s) when none).
func cellPlainFrom(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := swar.Load8(s[i : i+8])
		if (swar.Below(w, 0x20)|swar.Equal(w, '&')|swar.Equal(w, '<')|swar.Equal(w, '>')|swar.Equal(w, '"')|
			swar.Equal(w, '\'')|swar.Equal(w, '_')|swar.NonASCII(w))&swar.High != 0 {
			break
		}
	}
	for i < len(s) && cellPlain[s[i]] {
		i++
	}
	return i
}

// xmlChar reports whether r may appear in XML text (non-ASCII runes).
func xmlChar(r rune) bool {
	return r >= 0x80 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// isEscapeSequence reports whether s starts with _xHHHH_.
func isEscapeSequence(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// setNumber makes c a number cell of v (an integer or float), or a text
// cell for values that are neither.
func (c *bodyCell) setNumber(v any) {
	c.kind, c.num = cellNumber, c.num[:0]
	switch v := v.(type) {
	case int:
		c.num = strconv.AppendInt(c.num, int64(v), 10)
	case int64:
		c.num = strconv.AppendInt(c.num, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			c.kind, c.text = cellText, fmt.Sprint(v)
			return
		}
		c.num = strconv.AppendFloat(c.num, v, 'f', -1, 64)
	case bool:
		c.kind = cellBool
		c.num = append(c.num, "0"...)
		if v {
			c.num[0] = '1'
		}
	default:
		c.kind, c.text = cellText, fmt.Sprint(v)
	}
}

// assemble copies the workbook excelize wrote (small: the streamed
// sheets hold their header rows only) to w, splicing each body into its
// sheet's part before </sheetData>. Other parts are copied compressed as
// they are.
func assemble(w io.Writer, workbook []byte, bodies map[string]*bodyWriter) error {
	zr, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		return fmt.Errorf("read back workbook: %w", err)
	}
	parts, err := sheetParts(zr)
	if err != nil {
		return err
	}
	byPart := map[string]*bodyWriter{}
	for name, body := range bodies {
		p, ok := parts[name]
		if !ok {
			return fmt.Errorf("workbook has no part for sheet %q", name)
		}
		byPart[p] = body
	}
	zw := zip.NewWriter(w)
	for _, f := range zr.File {
		body := byPart[f.Name]
		if body == nil {
			if err := zw.Copy(f); err != nil {
				return err
			}
			continue
		}
		if err := spliceSheet(zw, f, body); err != nil {
			return fmt.Errorf("sheet part %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

// spliceSheet writes the sheet part f with the body's rows before its
// </sheetData>: the part's head deflated (ending on a byte boundary),
// the body's deflate output as it is, the tail deflated with the final
// block. The CRC of the whole is combined from the CRCs of the pieces.
func spliceSheet(zw *zip.Writer, f *zip.File, body *bodyWriter) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	part, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	at := bytes.LastIndex(part, []byte("</sheetData>"))
	if at < 0 {
		return fmt.Errorf("no </sheetData>")
	}
	head, tail := part[:at], part[at:]
	var dh, dt bytes.Buffer
	fw := deflatePool.Get().(*flate.Writer)
	defer deflatePool.Put(fw)
	fw.Reset(&dh)
	fw.Write(head)
	fw.Flush()
	fw.Reset(&dt)
	fw.Write(tail)
	if err := fw.Close(); err != nil {
		return err
	}
	crc := crc32Concat(crc32.ChecksumIEEE(head), body.crc, body.size)
	crc = crc32Concat(crc, crc32.ChecksumIEEE(tail), int64(len(tail)))
	out, err := zw.CreateRaw(&zip.FileHeader{
		Name: f.Name, Method: zip.Deflate, Modified: f.Modified, CRC32: crc,
		CompressedSize64:   uint64(dh.Len()) + uint64(body.compressed) + uint64(dt.Len()),
		UncompressedSize64: uint64(len(head)) + uint64(body.size) + uint64(len(tail)),
	})
	if err != nil {
		return err
	}
	if _, err := out.Write(dh.Bytes()); err != nil {
		return err
	}
	if n, err := io.Copy(out, body.file); err != nil {
		return err
	} else if n != body.compressed {
		return fmt.Errorf("rows file holds %d bytes, %d were written to it", n, body.compressed)
	}
	_, err = out.Write(dt.Bytes())
	return err
}

var zeros [64 << 10]byte

// crc32Concat returns the CRC-32 of a followed by b from the CRC-32 of
// each and the length of b. The CRC is affine: continuing a CRC c over n
// bytes p gives L(c) xor K(p), with L linear, so L(c) is what continuing
// c and 0 over n zero bytes differ by, and crc(a b) = L(crc(a)) xor crc(b).
func crc32Concat(crcA, crcB uint32, lenB int64) uint32 {
	c, z := crcA, uint32(0)
	for n := lenB; n > 0; n -= int64(len(zeros)) {
		p := zeros[:min(n, int64(len(zeros)))]
		c = crc32.Update(c, crc32.IEEETable, p)
		z = crc32.Update(z, crc32.IEEETable, p)
	}
	return c ^ z ^ crcB
}

// sheetParts maps sheet names to their part names, from the workbook
// part and its relationships.
func sheetParts(zr *zip.Reader) (map[string]string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readXMLPart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := readXMLPart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join("xl", t)
		}
		targets[r.ID] = t
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		out[s.Name] = targets[s.RID]
	}
	return out, nil
}

func readXMLPart(zr *zip.Reader, name string, v any) error {
	rc, err := zr.Open(name)
	if err != nil {
		return fmt.Errorf("workbook part %s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("workbook part %s: %w", name, err)
	}
	return nil
}

// headerCells are the header row for excelize's stream writer.
func headerCells(cols []column, style int) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = excelize.Cell{StyleID: style, Value: c.header}
	}
	return out
}
