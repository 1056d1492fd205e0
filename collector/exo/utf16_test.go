package exo

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// utf16Same checks that utf16Reader gives what x/text's decoder gives.
func utf16Same(t *testing.T, data []byte) {
	t.Helper()
	want, err := io.ReadAll(transform.NewReader(bytes.NewReader(data), unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))} {
		got, err := io.ReadAll(newUTF16Reader(r))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%x: got %q, x/text %q", data, got, want)
		}
	}
	// Small reads (json.Decoder, bufio) and a small source buffer.
	u := newUTF16Reader(bytes.NewReader(data))
	u.src = make([]byte, 5)
	got, err := io.ReadAll(iotest.OneByteReader(u))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%x: small reads give %q (%v), x/text %q", data, got, err, want)
	}
}

var utf16Seeds = [][]byte{
	{}, {'a'}, {'a', 0}, {'a', 0, 'b'}, []byte("a\x00b\x00c\x00d\x00e\x00f\x00g\x00h\x00i\x00"),
	{0xE9, 0}, {0x3D, 0xD8, 0x00, 0xDE}, {0x3D, 0xD8}, {0x3D, 0xD8, 'a', 0}, {0x00, 0xDE, 0x00, 0xDE}, {0x00, 0xDE, 'a', 0},
	{0x3D, 0xD8, 0x3D, 0xD8, 0x00, 0xDE}, {'a', 0, 'b', 0, 'c', 0, 0x80, 0, 'd', 0, 'e', 0, 'f', 0, 'g', 0},
	{'a', 0, 'b', 0, 'c', 0, 'd', 0, 0x3D, 0xD8, 0x00, 0xDE, 'x'},
}

func TestUTF16ReaderMatchesXText(t *testing.T) {
	for _, s := range utf16Seeds {
		utf16Same(t, s)
	}
	var big []byte
	for i := range 300000 {
		big = append(big, byte('a'+i%26), 0)
		if i%1000 == 0 {
			big = append(big, 0x3D, 0xD8, 0x00, 0xDE, 0xE9, 0x00, 0x00, 0xDC)
		}
	}
	utf16Same(t, big)
}

func FuzzUTF16Reader(f *testing.F) {
	for _, s := range utf16Seeds {
		f.Add(s)
	}
	f.Fuzz(utf16Same)
}
