package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// compactJSON writes what json.Encoder with SetEscapeHTML(false) writes,
// without the newline.
func TestCompactJSONMatchesEncoder(t *testing.T) {
	values := []any{
		nil, "", true, 1.5, 1e21, 1e-7, float64(math.MaxInt64), json.Number("12"), []any{}, map[string]any{},
		map[string]any{"z": 1.0, "a": []any{"x", map[string]any{"k": nil}}, "m": map[string]any{"b": false, "a": "<&>"}},
		[]string{"a", "b"}, map[string]string{"b": "2", "a": "1"},
	}
	for _, s := range hostileTexts {
		values = append(values, s, map[string]any{s: []any{s, 2.0}})
	}
	for _, f := range sampleReport().Findings {
		values = append(values, f.Evidence)
	}
	for _, v := range values {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got, want := compactJSON(v), strings.TrimSuffix(b.String(), "\n"); got != want {
			t.Errorf("compactJSON(%#v) = %s, want %s", v, got, want)
		}
	}
}
