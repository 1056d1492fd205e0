package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseSnapshot feeds arbitrary bytes to the snapshot loader: it never
// panics, every refusal is an ErrSnapshot with words, and whatever it
// accepts marshals and loads again to the same bytes.
func FuzzParseSnapshot(f *testing.F) {
	for _, name := range []string{"minimal.json", "partial.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "snapshots", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "null", "{}", `{"schema_version":1}`, `{"schema_version":1,"collected_at":"2026-11-20T08:00:00Z"}`,
		`{"schema_version":1,"collected_at":"2026-11-20T08:00:00Z","ad":{},"sources":{"ad":{"collected":false}}}`,
		`{"schema_version":1,"collected_at":"2026-11-20T08:00:00Z","joined":[{"id":"x"}]}`,
		`{"schema_version":1,"schema_version":2}`, `{"schema_version":"1"}`, `{"schema_version":1e400}`,
		`{"schema_version":1,"collected_at":"10000-01-01T00:00:00Z"}`, "{\"schema_version\":1}\n{}", "\xEF\xBB\xBF{\"schema_version\":1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSnapshot(data)
		if err != nil {
			if !errors.Is(err, ErrSnapshot) || len(err.Error()) <= len(ErrSnapshot.Error())+2 {
				t.Fatalf("refusal without ErrSnapshot or words: %v", err)
			}
			return
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("accepted snapshot does not marshal: %v", err)
		}
		s2, err := ParseSnapshot(out)
		if err != nil {
			t.Fatalf("marshalled snapshot does not load again: %v\n%s", err, out)
		}
		out2, err := s2.Marshal()
		if err != nil || string(out2) != string(out) {
			t.Fatalf("second round trip differs (%v)", err)
		}
	})
}
