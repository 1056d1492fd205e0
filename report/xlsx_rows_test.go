package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
)

// hostileTexts are cell texts that need escaping of some kind.
var hostileTexts = []string{
	"plain", " leading", "trailing\t", "\nboth\r", "a & b < c > d", `"quoted" 'single'`, "tab\there", "line\nbreak",
	"cr\rhere", "ctl\x01\x1f\x7fend", "é → 😀", "bad\xffutf8", "\ufffe\uffff", "_x0041_", "a_x00e9_b", "_x005F_",
	"_x005F_x0041_", "_x12G4_", "_x", "=SUM(A1)", "snake_case_x", "",
}

// excelizeRows writes rows through excelize's StreamWriter and returns
// the XML of the rows it wrote.
func excelizeRows(t *testing.T, rows [][]any, heights []float64) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		var opts []excelize.RowOpts
		if heights[i] > 0 {
			opts = append(opts, excelize.RowOpts{Height: heights[i]})
		}
		if err := sw.SetRow(ref, r, opts...); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	x, _ := io.ReadAll(rc)
	_, x, _ = bytes.Cut(x, []byte("<sheetData>"))
	x, _, _ = bytes.Cut(x, []byte("</sheetData>"))
	return x
}

// TestBodyRowsMatchExcelize checks that the body rows written directly
// are byte for byte what excelize's StreamWriter writes for the same
// cells: texts that need escaping, styles, empty styled cells, numbers,
// booleans, row heights, columns past Z.
func TestBodyRowsMatchExcelize(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var (
		want    [][]any
		heights []float64
	)
	var got bytes.Buffer
	for r := range 300 {
		n := 1 + rnd.IntN(40)
		cells := make([]bodyCell, n)
		ref := make([]any, n)
		for i := range cells {
			style := rnd.IntN(4)
			switch rnd.IntN(6) {
			case 0: // empty
			case 1:
				cells[i].kind, cells[i].style = cellStyled, style
				ref[i] = excelize.Cell{StyleID: style}
			case 2:
				v := []any{rnd.IntN(1000) - 500, int64(rnd.Int64()), rnd.Float64() * 1e6, float64(rnd.IntN(10)), rnd.IntN(2) == 0}[rnd.IntN(5)]
				cells[i].style = style
				cells[i].setNumber(v)
				ref[i] = excelize.Cell{StyleID: style, Value: v}
			default:
				s := hostileTexts[rnd.IntN(len(hostileTexts))] + hostileTexts[rnd.IntN(len(hostileTexts))]
				if s == "" {
					continue
				}
				cells[i].kind, cells[i].style, cells[i].text = cellText, style, s
				ref[i] = excelize.Cell{StyleID: style, Value: s}
			}
		}
		h := []float64{0, 0, 18, 33.5, 409}[rnd.IntN(5)]
		want, heights = append(want, ref), append(heights, h)
		got.Write(appendRow(nil, r+2, h, cells))
	}
	ref := excelizeRows(t, want, heights)
	if !bytes.Equal(got.Bytes(), ref) {
		i := 0
		for i < got.Len() && i < len(ref) && got.Bytes()[i] == ref[i] {
			i++
		}
		t.Fatalf("rows differ from excelize's at byte %d:\n got %q\nwant %q", i,
			got.Bytes()[max(0, i-80):min(got.Len(), i+80)], ref[max(0, i-80):min(len(ref), i+80)])
	}
}

// TestBodyTextRoundTrips checks that excelize reads back every hostile
// text as written (invalid XML characters as U+FFFD), including escape
// sequences that overlap, which excelize's own writer garbles.
func TestBodyTextRoundTrips(t *testing.T) {
	texts := append([]string{"_x0041_x0042_", "__x0041__x0042__", "_x005F_x005F_"}, hostileTexts...)
	r := sampleReport()
	for i, s := range texts {
		r.Findings[0].Message = fmt.Sprintf("%d|%s", i, s)
		_, f := writeXLSX(t, r)
		got := ""
		for _, row := range rows(t, f, sheetFindings) {
			for _, c := range row {
				if strings.HasPrefix(c, fmt.Sprintf("%d|", i)) {
					got = c
				}
			}
		}
		want := fmt.Sprintf("%d|%s", i, strings.ToValidUTF8(s, "\ufffd"))
		want = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
				return '\ufffd'
			}
			return r
		}, want)
		if got != want {
			t.Errorf("text %q reads back as %q, want %q", s, got, want)
		}
	}
}

// TestCRC32Concat checks the combined CRC against the CRC of the
// concatenation.
func TestCRC32Concat(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {100, 70000}, {70000, 131073}} {
		a, b := make([]byte, n[0]), make([]byte, n[1])
		for i := range a {
			a[i] = byte(rnd.IntN(256))
		}
		for i := range b {
			b[i] = byte(rnd.IntN(256))
		}
		want := crc32.ChecksumIEEE(append(append([]byte(nil), a...), b...))
		if got := crc32Concat(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))); got != want {
			t.Errorf("lengths %v: %08x, want %08x", n, got, want)
		}
	}
}

// TestXLSXManyChunks writes a Mailboxes sheet of several deflated chunks
// and reads every row back (the zip reader checks the CRC and sizes).
func TestXLSXManyChunks(t *testing.T) {
	const n = 3000
	r := bigReport(n)
	_, f := writeXLSX(t, r)
	got := rows(t, f, sheetMailboxes)
	if len(got) != n+1 {
		t.Fatalf("%d rows, want %d", len(got), n+1)
	}
	for _, i := range []int{0, 1, n / 2, n - 1} {
		m := r.Inventory.Mailboxes[i]
		row := got[i+1]
		if row[mbName] != m.DisplayName || row[mbID] != m.ID || row[mbDN] != evaluate.Attr(m.AD, "dn") {
			t.Errorf("row %d: %q, want mailbox %s", i+1, row[:3], m.ID)
		}
	}
	if sheets := f.GetSheetList(); len(sheets) < 8 {
		t.Errorf("sheets %v", sheets)
	}
}

// appendCellTextByByte is appendCellText as first written, one byte at a
// time: the reference the faster one is checked against.
func appendCellTextByByte(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '_' && isEscapeSequence(s[i:]):
				b = append(b, "_x005F_"...)
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
			case c == '\n' || c >= 0x20:
				b = append(b, c)
			default:
				b = append(b, "\uFFFD"...)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !xmlChar(r) {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// TestCellTextEveryPosition puts every byte that is escaped, replaced or
// checked at every position of texts longer than the eight bytes tested
// at once.
func TestCellTextEveryPosition(t *testing.T) {
	var specials []string
	for c := range 0x20 {
		specials = append(specials, string(rune(c)))
	}
	specials = append(specials, "&", "<", ">", `"`, "'", "_", "_x0041_", "\x7f", "\x80", "\xff", "é", "\ufffe", "\U0001F600", "\xe2\x82", " ")
	for _, n := range []int{7, 8, 9, 16, 17} {
		for p := range n {
			for _, sp := range specials {
				s := strings.Repeat("a", p) + sp + strings.Repeat("b", n-p)
				if got, want := appendCellText(nil, s), appendCellTextByByte(nil, s); !bytes.Equal(got, want) {
					t.Fatalf("appendCellText(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}

func FuzzCellText(f *testing.F) {
	for _, s := range append([]string{"_x0041_x0042_", "a&b<c>d\"e'f_g\th\ri\nj", "\x00\x1f\x7f\xff\ufffe😀"}, hostileTexts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendCellText(nil, s), appendCellTextByByte(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendCellText(%q) = %q, want %q", s, got, want)
		}
	})
}

// BenchmarkCellText escapes the texts of a mailbox row.
func BenchmarkCellText(b *testing.B) {
	texts := []string{"CN=Victor Almeida,OU=Users,OU=Lisbon,DC=corp,DC=example,DC=test", "victor.almeida@corp.example.test",
		"SMTP:victor.almeida@corp.example.test\nsmtp:victor.almeida@contoso.mail.onmicrosoft.com\nX500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc",
		"2f1c9e1a-6b3d-4c55-9a8e-0d1e2f3a4b5c", "Victor Almeida", "RemoteUserMailbox", "José Müller", "Set-Mailbox -Identity 'victor.almeida@corp.example.test' -IsExchangeCloudManaged $true"}
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range texts {
			buf = appendCellText(buf, s)
		}
	}
}
