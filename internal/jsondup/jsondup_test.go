package jsondup

import (
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		in   string
		name string
		line int
	}{
		{`{"a": 1, "b": 2}`, "", 0},
		{"{\"complete\": false,\n \"complete\": true}", "complete", 2},
		{`{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}`, "", 0},
		{`{"a": {"x": 1, "y": {"z": 1}, "x": 2}}`, "x", 1},
		{`{"s": "a\"b", "a\"b": 1, "t": "\"s\": 1"}`, "", 0},
		{`{"a\"b": 1, "a\"b": 2}`, `a\"b`, 1},
		{`[{"a": 1}, {"a": 1}]`, "", 0},
		{`{"a": 1, "a"`, "", 0},             // broken: the decoder reports it
		{`{"a": 1}{"a": 2}`, "", 0},         // two documents, one name each
		{`"a": 1, "a": 2`, "", 0},           // names outside any object
		{strings.Repeat("[", 20000), "", 0}, // deeper than the decoder allows
	}
	for _, tt := range tests {
		d := Find([]byte(tt.in))
		switch {
		case tt.name == "" && d != nil:
			t.Errorf("Find(%.40q) = %+v, want none", tt.in, d)
		case tt.name != "" && (d == nil || d.Name != tt.name || d.Line != tt.line):
			t.Errorf("Find(%.40q) = %+v, want %q on line %d", tt.in, d, tt.name, tt.line)
		}
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"a":1}}`, `[{"a":1},{"a":1}]`, `{"a\"":1}`, "{\n\"a\":1,\n\"b\":{\"c\":[1,{\"c\":2}]}}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Scanner
		half := len(data) / 2
		s.Write(data[:half])
		s.Write(data[half:])
		if a, b := s.Found(), Find(data); (a == nil) != (b == nil) || (a != nil && *a != *b) {
			t.Fatalf("in two pieces: %+v, whole: %+v", a, b)
		}
		if d := Find(data); d != nil && (d.Line < 1 || d.Line > strings.Count(string(data), "\n")+1 || !strings.Contains(string(data), `"`+d.Name+`"`)) {
			t.Fatalf("implausible duplicate %+v", d)
		}
	})
}

// TestScannerInPieces: a document written to the Scanner in pieces of any
// size gives what Find gives on the whole, since a snapshot of gigabytes is
// checked while it is read.
func TestScannerInPieces(t *testing.T) {
	docs := []string{
		"{\"complete\": false,\n \"complete\": true}",
		`{"a": {"x": 1, "y": {"z": 1}, "x": 2}}`,
		`{"s": "a\"b", "a\"b": 1, "t": "\"s\": 1"}`,
		`{"a\"b": 1, "a\\": 2, "a\"b"` + "\n\t :3}",
		`[{"a": 1}, {"a": 1}]`,
		`{"a": 1, "a"`,
		"{\"a\": \"x\ny\", \"a\": 1}",
	}
	for _, doc := range docs {
		want := Find([]byte(doc))
		for size := 1; size <= len(doc); size++ {
			var s Scanner
			for i := 0; i < len(doc); i += size {
				s.Write([]byte(doc[i:min(i+size, len(doc))]))
			}
			if got := s.Found(); (got == nil) != (want == nil) || (got != nil && *got != *want) {
				t.Fatalf("%q in pieces of %d: %+v, whole: %+v", doc, size, got, want)
			}
		}
	}
}
