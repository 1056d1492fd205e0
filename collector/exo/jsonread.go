package exo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rawObject is one exported or returned object. Property values stay raw
// until a normaliser asks for them: Get-Mailbox carries some 250 properties
// of which exoready reads about 40.
type rawObject struct {
	props propMap           // JSON: names as written
	cells map[string]string // CSV: names as in the header
	cols  map[string]int    // CSV: 1-based column of each name
	index int               // 0-based position in the file or response
	line  int               // line where the object starts, 0 when unknown
	// JSON read by readParallel: only the properties the converter reads,
	// by slot (nil: absent), instead of props.
	slots  []json.RawMessage
	slotOf *slotNames
	keep   *keeper   // one copy of repeated texts, with slots
	rec    *recorder // namesRead's recording object
}

// propMap holds an object's properties. Decoding refuses a name that
// appears twice, in any case (PowerShell names are case-insensitive):
// ConvertTo-Json never writes one, so the file was merged or edited, and
// which of the two values is true cannot be told. Taking the last one, as
// encoding/json does, could turn a mailbox cloud-managed in silence.
type propMap map[string]json.RawMessage

// duplicateError is a property name that appears twice in one object.
type duplicateError struct{ first, second string }

func (e *duplicateError) Error() string {
	if e.first == e.second {
		return fmt.Sprintf("property %q appears twice in one object (ConvertTo-Json never writes that: the file was edited or merged; export it again)", e.first)
	}
	return fmt.Sprintf("properties %q and %q are the same PowerShell property, which appears twice in one object (the file was edited or merged; export it again)", e.first, e.second)
}

func (p *propMap) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	var keys int
	if len(data) > 0 && data[0] == '{' {
		// encoding/json hands over a valid value: split it in one pass,
		// into one copy (Get-Mailbox objects carry some 230 properties).
		m, keys = splitObject(data)
	} else if err := json.Unmarshal(data, &m); err != nil { // the type error readArray reports
		return err
	}
	if m == nil { // null
		return nil
	}
	if keys != len(m) {
		return duplicateIn(data)
	}
	// Same name in another case: compare case-folded hashes, then names.
	seen := make(map[uint64]string, len(m))
	for k := range m {
		h := foldHash(k)
		if first, ok := seen[h]; ok && strings.EqualFold(first, k) {
			a, b := first, k
			if b < a {
				a, b = b, a
			}
			return &duplicateError{a, b}
		}
		seen[h] = k
	}
	*p = m
	return nil
}

// splitObject returns the properties of a valid JSON object, the values
// as raw JSON (without surrounding blanks, as encoding/json keeps them) in
// one copy of data, and the number of names read (more than the map holds
// when a name repeats).
func splitObject(data []byte) (map[string]json.RawMessage, int) {
	data = append([]byte(nil), data...) // the decoder reuses its buffer
	m := make(map[string]json.RawMessage, 64)
	n := 0
	i := skipBlanks(data, 1)
	for i < len(data) && data[i] == '"' {
		end := stringEnd(data, i)
		var key string
		if raw := data[i+1 : end-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			key = string(data[i+1 : end-1])
		} else if json.Unmarshal(data[i:end], &key) != nil {
			key = string(data[i+1 : end-1])
		}
		i = skipBlanks(data, skipBlanks(data, end)+1) // past ':'
		vEnd := valueEnd(data, i)
		m[key] = data[i:vEnd:vEnd]
		n++
		i = skipBlanks(data, vEnd)
		if i < len(data) && data[i] == ',' {
			i = skipBlanks(data, i+1)
		}
	}
	return m, n
}

func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// valueEnd returns the index after the value that starts at i.
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' && data[j] != ' ' && data[j] != '\t' && data[j] != '\r' && data[j] != '\n' {
		j++
	}
	return j
}

// topLevelKeys counts the property names of a JSON object's top level and
// passes each to fn (when not nil) as raw, still escaped, bytes.
func topLevelKeys(data []byte, fn func([]byte) bool) int {
	n, depth := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if depth == 1 {
				k := j + 1
				for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n') {
					k++
				}
				if k < len(data) && data[k] == ':' {
					n++
					if fn != nil && !fn(data[i+1:min(j, len(data))]) {
						return n
					}
				}
			}
			i = j
		}
	}
	return n
}

// duplicateIn finds the name that appears twice in an object.
func duplicateIn(data []byte) error {
	seen := map[string]bool{}
	var dup string
	topLevelKeys(data, func(raw []byte) bool {
		var k string
		if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &k) != nil {
			k = string(raw)
		}
		if seen[k] {
			dup = k
			return false
		}
		seen[k] = true
		return true
	})
	return &duplicateError{dup, dup}
}

// foldHash hashes a name's simple case folding (FNV-1a of lower-case runes).
func foldHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		h ^= uint64(r)
		h *= 1099511628211
	}
	return h
}

// envelope is what surrounds the objects of a response or wrapped export:
// Graph and EXO REST {"value":[...],"@odata.nextLink":...}, Windows
// PowerShell's {"value":[...],"Count":n}, or an {"error":{...}} body.
type envelope struct {
	NextLink string
	Warnings []string
	Count    *int64
	Err      *apiError
	Objects  int // objects read
}

// apiError is the error object of Graph and the EXO REST backend.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"details"`
	InnerError *struct {
		Message string `json:"message"`
	} `json:"innererror"`
}

func (e *apiError) String() string {
	var parts []string
	head := strings.TrimSpace(e.Message)
	if e.Code != "" {
		head = e.Code + ": " + head
	}
	parts = append(parts, head)
	for _, d := range e.Details {
		if m := strings.TrimSpace(d.Message); m != "" && !strings.Contains(head, m) {
			parts = append(parts, m)
		}
	}
	if e.InnerError != nil && e.InnerError.Message != "" && !strings.Contains(head, e.InnerError.Message) {
		parts = append(parts, e.InnerError.Message)
	}
	return strings.Join(parts, "; ")
}

// syntaxError is malformed JSON, with its line.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %s", e.line, e.msg)
	}
	return e.msg
}

// readObjects streams the objects of one JSON text: an array, one object, a
// wrapper (see envelope), or several such documents one after the other
// (ConvertTo-Json run once per object). An empty text holds no objects: a
// cmdlet that returns nothing makes ConvertTo-Json write nothing.
func readObjects(t *textStream, fn func(*rawObject) error) (envelope, error) {
	var env envelope
	dec := json.NewDecoder(t)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return env, nil
		}
		if err != nil {
			return env, jsonError(t, dec, err)
		}
		switch tok {
		case json.Delim('['):
			if err := readArray(t, dec, &env, fn); err != nil {
				return env, err
			}
		case json.Delim('{'):
			if err := readTopObject(t, dec, &env, fn); err != nil {
				return env, err
			}
		case nil: // "null": ConvertTo-Json of $null
		default:
			return env, &syntaxError{t.lineAt(dec.InputOffset()), fmt.Sprintf("expected an array or an object, found %v", tok)}
		}
	}
}

// readArray reads elements up to the closing bracket (already past '[').
func readArray(t *textStream, dec *json.Decoder, env *envelope, fn func(*rawObject) error) error {
	for dec.More() {
		// More has buffered up to the element's first byte: its line is
		// the current line plus the newlines of the whitespace before it.
		line := t.lineAt(dec.InputOffset()) + leadingNewlines(dec.Buffered())
		o := &rawObject{index: env.Objects, line: line}
		if err := dec.Decode(&o.props); err != nil {
			var typ *json.UnmarshalTypeError
			var dup *duplicateError
			if errors.As(err, &dup) {
				return &syntaxError{line, fmt.Sprintf("object %d: %v", env.Objects+1, dup)}
			}
			if errors.As(err, &typ) {
				if typ.Value == "null" {
					continue
				}
				return &syntaxError{line, fmt.Sprintf("element %d is not an object but a JSON %s", env.Objects, typ.Value)}
			}
			return jsonError(t, dec, err)
		}
		if o.props == nil { // null element
			continue
		}
		env.Objects++
		if err := fn(o); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return jsonError(t, dec, err)
	}
	return nil
}

// readTopObject reads a top-level object (already past '{'): a wrapper whose
// "value" array is streamed, an error body, or one plain object.
func readTopObject(t *textStream, dec *json.Decoder, env *envelope, fn func(*rawObject) error) error {
	line := t.lineAt(dec.InputOffset() - 1)
	props := propMap{}
	names := map[string]string{} // lower-case name → name: see propMap
	sawValue := false
	var plain []string // ordinary property names, to tell a wrapper from an object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(t, dec, err)
		}
		key, _ := tok.(string)
		if first, dup := names[strings.ToLower(key)]; dup {
			return &syntaxError{t.lineAt(dec.InputOffset()), (&duplicateError{first, key}).Error()}
		}
		names[strings.ToLower(key)] = key
		if strings.EqualFold(key, "value") && !sawValue {
			vt, err := dec.Token()
			if err != nil {
				return jsonError(t, dec, err)
			}
			switch vt {
			case json.Delim('['):
				sawValue = true
				if err := readArray(t, dec, env, fn); err != nil {
					return err
				}
				continue
			case json.Delim('{'):
				return &syntaxError{t.lineAt(dec.InputOffset()), `top-level property "value" is an object: not an export of objects`}
			}
			raw, _ := json.Marshal(vt)
			props[key] = raw
			plain = append(plain, key)
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(t, dec, err)
		}
		switch {
		case strings.EqualFold(key, "@odata.nextLink"):
			if err := json.Unmarshal(raw, &env.NextLink); err != nil {
				return &syntaxError{t.lineAt(dec.InputOffset()), "@odata.nextLink is not a string"}
			}
		case strings.HasPrefix(key, "@") && strings.HasSuffix(strings.ToLower(key), "warnings"):
			var w []string
			if json.Unmarshal(raw, &w) == nil {
				env.Warnings = append(env.Warnings, w...)
			}
		case strings.HasPrefix(key, "@") || strings.Contains(key, "@"):
			// annotations (@odata.context, Count@odata.type, ...)
		case key == "Count":
			var n int64
			if json.Unmarshal(raw, &n) == nil {
				env.Count = &n
			}
			props[key] = raw
			plain = append(plain, key)
		case key == "error" && len(raw) > 0 && raw[0] == '{':
			var e apiError
			if json.Unmarshal(raw, &e) == nil && (e.Message != "" || e.Code != "") {
				env.Err = &e
			}
			props[key] = raw
			plain = append(plain, key)
		default:
			props[key] = raw
			plain = append(plain, key)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return jsonError(t, dec, err)
	}
	switch {
	case sawValue:
		for _, k := range plain {
			if k != "Count" {
				return &syntaxError{line, fmt.Sprintf("property %q beside the \"value\" array: this is neither a ConvertTo-Json wrapper nor a Graph response", k)}
			}
		}
		if env.Count != nil && *env.Count != int64(env.Objects) {
			return &syntaxError{line, fmt.Sprintf("the wrapper says Count %d but holds %d objects: the export is incomplete, export it again", *env.Count, env.Objects)}
		}
		return nil
	case env.Err != nil && len(plain) == 1:
		return nil
	case len(props) == 0:
		return nil // an empty object or annotations only
	}
	env.Count, env.Err = nil, nil // properties of the object, not an envelope
	o := &rawObject{props: props, index: env.Objects, line: line}
	env.Objects++
	return fn(o)
}

// leadingNewlines counts the newlines before the first non-space byte.
func leadingNewlines(r io.Reader) int {
	var buf [512]byte
	n := 0
	for {
		k, err := r.Read(buf[:])
		for _, b := range buf[:k] {
			switch b {
			case '\n':
				n++
			case ' ', '\t', '\r', ',':
			default:
				return n
			}
		}
		if err != nil || k == 0 {
			return n
		}
	}
}

// jsonError names the line of a decoding error.
func jsonError(t *textStream, dec *json.Decoder, err error) error {
	var enc *encodingError
	if errors.As(err, &enc) {
		return err
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		msg, off := syn.Error(), syn.Offset
		if strings.HasPrefix(msg, "invalid character 'ï'") {
			// 0xEF outside a string: most often the EF BB BF byte-order
			// mark of a second file appended to the first. (Token's
			// SyntaxError.Offset can lag behind: the decoder's is exact.)
			msg += " (a UTF-8 byte-order mark in the middle of the file? two exports were joined into one file: export each cmdlet to its own file)"
			off = max(off, dec.InputOffset())
		}
		return &syntaxError{t.lineAt(off), msg}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &syntaxError{t.lineAt(t.off), "the JSON ends early: the file is truncated, export it again"}
	}
	return &syntaxError{t.lineAt(dec.InputOffset()), err.Error()}
}

func describeRaw(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}
