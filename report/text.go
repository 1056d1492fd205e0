package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// excelCellLimit is the most text one Excel cell holds, in UTF-16 code units.
const excelCellLimit = 32767

// truncatedMarker ends every value cut to fit a cell; the full value stays in
// findings.json.
const truncatedMarker = "…[truncated, full value in findings.json]"

// clip returns s cut to at most limit UTF-16 code units, the cut visible
// through truncatedMarker. A surrogate pair is never split.
func clip(s string, limit int) string {
	if len(s) <= limit { // bytes >= UTF-16 units, so it fits
		return s
	}
	if utf16Len(s) <= limit {
		return s
	}
	budget := limit - utf16Len(truncatedMarker)
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > budget {
			return s[:i] + truncatedMarker
		}
		n += w
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// compactJSON renders v as one line of JSON with map keys sorted and HTML
// characters left alone.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// text renders a value read from findings.json (string, bool, number, list,
// object) as cell text. Lists of scalars are joined with sep; objects and
// lists of objects become compact JSON.
func text(v any, sep string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case []string:
		return strings.Join(x, sep)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				return compactJSON(x)
			}
			parts = append(parts, text(e, sep))
		}
		return strings.Join(parts, sep)
	default:
		return compactJSON(x)
	}
}

// numberedKeys orders the keys of a numbered family (CustomAttribute2
// before CustomAttribute10): by trailing number, then by name.
func numberedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ni, nj := trailingNumber(keys[i]), trailingNumber(keys[j])
		if ni != nj {
			return ni < nj
		}
		return keys[i] < keys[j]
	})
	return keys
}

func trailingNumber(s string) int {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return -1
	}
	return n
}

// attributeList renders a map of numbered attributes (CustomAttribute1..15,
// ExtensionCustomAttribute1..5) as "1: value; 3: a, b", skipping empty ones.
func attributeList(v any) string {
	switch m := v.(type) {
	case map[string]any:
		return numberedList(m)
	case map[string]string:
		return numberedList(m)
	case map[string][]string:
		return numberedList(m)
	}
	return text(v, ", ")
}

func numberedList[V any](m map[string]V) string {
	var b strings.Builder
	for _, k := range numberedKeys(m) {
		val := text(m[k], ", ")
		if val == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		if n := trailingNumber(k); n >= 0 {
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteString(k)
		}
		b.WriteString(": ")
		b.WriteString(val)
	}
	return b.String()
}

// number reads a count or order from findings.json: json.Number, float64 or
// int, or a numeric string. ok is false for anything else.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// firstLine returns the first line of s, for one-line contexts.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// validUTF8 replaces invalid byte sequences so every writer emits valid text.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
