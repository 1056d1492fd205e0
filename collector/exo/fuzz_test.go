package exo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/rs/zerolog"
)

// addFixtureSeeds adds every fixture file of a kind as a seed.
func addFixtureSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "exo", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzReadObjects feeds arbitrary bytes to the export JSON decoder and the
// normalisers: no panic, objects numbered in order, errors always worded.
func FuzzReadObjects(f *testing.F) {
	addFixtureSeeds(f, "*/*.json")
	addFixtureSeeds(f, "*/graph/*.json")
	for _, s := range []string{"", "null", "[]", "{}", `{"value":[{"a":1}],"Count":1}`, `{"value":1}`, `{"error":{"code":"x","message":"y"}}`,
		`[{"WhenChangedUTC":"\/Date(-62135596800000)\/"}]`, `[{"WhenChangedUTC":{"value":"\/Date(1+0100)\/"}}]`, "\xFF\xFE[\x00]\x00", "[{\"a\":\"\xE9\"}]",
		`[{"EmailAddresses":{"value":["a"],"Count":1},"RecipientTypeDetails":9223372036854775807}]`, `{"value":[]}{"value":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := newTextStream(bytes.NewReader(data))
		if err != nil {
			var enc *encodingError
			if !errors.As(err, &enc) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		n := 0
		env, err := readObjects(ts, func(o *rawObject) error {
			if o.index != n {
				t.Fatalf("object %d has index %d", n, o.index)
			}
			n++
			for _, conv := range []func(*fields){
				func(f *fields) { toMailbox(f) }, func(f *fields) { f.plainMap() },
				func(f *fields) { toSyncJob(f) }, func(f *fields) { toOrganization(f) },
			} {
				fl := newFields("fuzz.json", o)
				conv(fl)
				for _, p := range *fl.problems {
					if !strings.HasPrefix(p, "fuzz.json object ") {
						t.Fatalf("problem not naming the object: %q", p)
					}
				}
			}
			return nil
		})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if env.Objects != n {
			t.Fatalf("envelope counts %d objects, callback saw %d", env.Objects, n)
		}
	})
}

// FuzzReadCSV does the same for Get-Mailbox.csv.
func FuzzReadCSV(f *testing.F) {
	addFixtureSeeds(f, "csv/*.csv")
	addFixtureSeeds(f, "csv/*/*.csv")
	for _, s := range []string{"", "#TYPE x\n", "a,b\n1\n", "\"a\nb\",c\n1,2\n", "Identity,EmailAddresses\nx,System.Object[]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := newTextStream(bytes.NewReader(data))
		if err != nil {
			return
		}
		n := 0
		err = readCSV(ts, func(o *rawObject) error {
			if o.index != n || o.line < 2 {
				t.Fatalf("row %d: index %d line %d", n, o.index, o.line)
			}
			n++
			fl := newFields("Get-Mailbox.csv", o)
			toMailbox(fl)
			for _, p := range *fl.problems {
				if !strings.HasPrefix(p, "Get-Mailbox.csv line ") {
					t.Fatalf("problem not naming the line: %q", p)
				}
			}
			return nil
		})
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}

// BenchmarkExportParse reads a Get-Mailbox export of 5,000 mailboxes (each
// with the ~45 properties of the fixture), as UTF-8 and as UTF-16LE.
func BenchmarkExportParse(b *testing.B) {
	proto, err := os.ReadFile(filepath.Join(fixture("ps7"), "Get-Mailbox.json"))
	if err != nil {
		b.Fatal(err)
	}
	one := string(bytes.TrimSpace(proto))
	one = one[1 : strings.Index(one, "},\n  {")+1] // alice
	var sb strings.Builder
	sb.WriteString("[\n")
	const n = 5000
	for i := range n {
		if i > 0 {
			sb.WriteString(",\n")
		}
		sb.WriteString(strings.ReplaceAll(one, "0f5a8c1e-1111-4a2b-9c3d-000000000001", fmt.Sprintf("0f5a8c1e-1111-4a2b-9c3d-%012d", i)))
	}
	sb.WriteString("\n]\n")
	utf8Data := []byte(sb.String())
	u := utf16.Encode([]rune("\uFEFF" + sb.String()))
	utf16Data := make([]byte, 2*len(u))
	for i, c := range u {
		utf16Data[2*i], utf16Data[2*i+1] = byte(c), byte(c>>8)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{{"utf8", utf8Data}, {"utf16le", utf16Data}} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Get-Mailbox.json"), tc.data, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tc.data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := ReadExport(b.Context(), dir, zerolog.Nop())
				if err != nil {
					b.Fatal(err)
				}
				if len(r.EXO.Mailboxes) != n {
					b.Fatalf("%d mailboxes", len(r.EXO.Mailboxes))
				}
			}
		})
	}
}
