package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/jsontag"
)

// TestJSONStreamsEncoderBytes checks that the streaming findings.json
// writer writes exactly what json.Encoder (indent, no HTML escaping) does,
// on the sample report and on a generated larger one.
func TestJSONStreamsEncoderBytes(t *testing.T) {
	for name, r := range map[string]*evaluate.Report{"sample": sampleReport(), "big": bigReport(50)} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := (jsonWriter{}).Write(t.Context(), &got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := 0
			for i < got.Len() && i < want.Len() && got.Bytes()[i] == want.Bytes()[i] {
				i++
			}
			t.Fatalf("%s: streamed findings.json differs from json.Encoder's at byte %d: %q vs %q", name, i,
				got.Bytes()[max(0, i-40):min(got.Len(), i+40)], want.Bytes()[max(0, i-40):min(want.Len(), i+40)])
		}
	}
}

// TestJSONDirect checks that every type of findings.json is written by
// jsontag's own encoders, not handed to encoding/json.
func TestJSONDirect(t *testing.T) {
	if p := jsontag.Indirect(reflect.TypeFor[evaluate.Report]()); p != "" {
		t.Fatal(p, ": a findings.json type is encoded by encoding/json: give it a type jsontag.AppendIndent handles")
	}
}
