package jsontag

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/exoready/exoready/internal/swar"
)

// AppendIndent appends v as json.Encoder with SetEscapeHTML(false) and
// SetIndent(prefix, "  ") writes it, without the trailing newline, where
// prefix is depth times two spaces. Each type gets an encoder built once
// from its fields (so a field added later is encoded like the others),
// writing the indented text directly: encoding/json encodes compactly
// and then indents, and walks maps and interfaces by reflection. Types it
// does not handle itself (custom marshalers other than time.Time, byte
// slices, arrays, non-string map keys, ",string" fields) go through
// encoding/json, so the bytes are always encoding/json's.
func AppendIndent(b []byte, v any, depth int) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	e := encoderState{b: b}
	e.anyValue(v, depth)
	return e.b, e.err
}

// appendValue appends rv with the encoder of its type.
func appendValue(b []byte, rv reflect.Value, depth int) ([]byte, error) {
	e := encoderState{b: b}
	encoderOf(rv.Type())(&e, rv, depth)
	return e.b, e.err
}

type encoderState struct {
	b   []byte
	err error
}

// encoderFunc appends v, an indented value at depth levels.
type encoderFunc func(e *encoderState, v reflect.Value, depth int)

var encoders sync.Map // reflect.Type → encoderFunc

func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encoderFunc)
	}
	// Recursive types: a forwarding function until the real one is built.
	var (
		wg sync.WaitGroup
		f  encoderFunc
	)
	wg.Add(1)
	fi, loaded := encoders.LoadOrStore(t, encoderFunc(func(e *encoderState, v reflect.Value, depth int) {
		wg.Wait()
		f(e, v, depth)
	}))
	if loaded {
		return fi.(encoderFunc)
	}
	f = newEncoder(t)
	wg.Done()
	encoders.Store(t, f)
	return f
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	numberType        = reflect.TypeFor[json.Number]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	mapAnyType        = reflect.TypeFor[map[string]any]()
	stringsType       = reflect.TypeFor[[]string]()
)

// hasMarshaler reports whether encoding/json calls a method of t's own
// to encode it. A pointer to a type with value methods is not counted:
// it encodes as null or as what it points to.
func hasMarshaler(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		e := t.Elem()
		return t.Implements(marshalerType) && !e.Implements(marshalerType) ||
			t.Implements(textMarshalerType) && !e.Implements(textMarshalerType)
	}
	return t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
}

func newEncoder(t reflect.Type) encoderFunc {
	switch {
	case t == timeType:
		return timeEncoder
	case t == numberType:
		return numberEncoder
	case hasMarshaler(t):
		return fallbackEncoder
	}
	switch t.Kind() {
	case reflect.String:
		return func(e *encoderState, v reflect.Value, _ int) { e.b = appendString(e.b, v.String()) }
	case reflect.Bool:
		return func(e *encoderState, v reflect.Value, _ int) { e.b = strconv.AppendBool(e.b, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(e *encoderState, v reflect.Value, _ int) { e.b = strconv.AppendInt(e.b, v.Int(), 10) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(e *encoderState, v reflect.Value, _ int) { e.b = strconv.AppendUint(e.b, v.Uint(), 10) }
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(e *encoderState, v reflect.Value, depth int) {
			if !appendFloatOK(&e.b, v.Float(), bits) {
				fallbackEncoder(e, v, depth)
			}
		}
	case reflect.Interface:
		return func(e *encoderState, v reflect.Value, depth int) {
			if v.IsNil() {
				e.b = append(e.b, "null"...)
				return
			}
			e.anyValue(v.Interface(), depth)
		}
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(e *encoderState, v reflect.Value, depth int) {
			if v.IsNil() {
				e.b = append(e.b, "null"...)
				return
			}
			elem(e, v.Elem(), depth)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return fallbackEncoder // base64
		}
		if t.Elem().Kind() == reflect.String && !hasMarshaler(t.Elem()) {
			return stringSliceEncoder
		}
		elem := encoderOf(t.Elem())
		return func(e *encoderState, v reflect.Value, depth int) {
			e.list(v.IsNil(), v.Len(), depth, func(i int) { elem(e, v.Index(i), depth+1) })
		}
	case reflect.Map:
		switch t {
		case mapAnyType:
			return func(e *encoderState, v reflect.Value, depth int) { e.mapAny(v.Interface().(map[string]any), depth) }
		case reflect.TypeFor[map[string]string]():
			return func(e *encoderState, v reflect.Value, depth int) {
				m := v.Interface().(map[string]string)
				sortedMap(e, m, depth, func(s string) { e.b = appendString(e.b, s) })
			}
		case reflect.TypeFor[map[string][]string]():
			return func(e *encoderState, v reflect.Value, depth int) {
				m := v.Interface().(map[string][]string)
				sortedMap(e, m, depth, func(s []string) { e.strings(s, depth+1) })
			}
		}
		if t.Key().Kind() != reflect.String || hasMarshaler(t.Key()) {
			return fallbackEncoder
		}
		elem := encoderOf(t.Elem())
		return func(e *encoderState, v reflect.Value, depth int) {
			var keys []reflect.Value
			if v.Len() > 0 {
				keys = v.MapKeys()
				slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			}
			e.object(v.IsNil(), len(keys), depth, func(i int) string { return keys[i].String() },
				func(i int) { elem(e, v.MapIndex(keys[i]), depth+1) })
		}
	case reflect.Struct:
		return structEncoder(t)
	}
	return fallbackEncoder
}

// structField is one encoded field of a struct, embedded ones flattened.
type structField struct {
	index     []int
	key       string // `"name": `
	omitEmpty bool
	enc       encoderFunc
}

func structEncoder(t reflect.Type) encoderFunc {
	fields, ok := structFields(t)
	if !ok {
		return fallbackEncoder
	}
	return func(e *encoderState, v reflect.Value, depth int) {
		n := 0
		for i := range fields {
			f := &fields[i]
			fv := v
			for _, x := range f.index {
				fv = fv.Field(x)
			}
			if f.omitEmpty && IsEmpty(fv) {
				continue
			}
			if n == 0 {
				e.b = append(e.b, '{')
			} else {
				e.b = append(e.b, ',')
			}
			n++
			e.b = newline(e.b, depth+1)
			e.b = append(e.b, f.key...)
			f.enc(e, fv, depth+1)
		}
		if n == 0 {
			e.b = append(e.b, "{}"...)
			return
		}
		e.b = newline(e.b, depth)
		e.b = append(e.b, '}')
	}
}

// structFields lists the fields encoding/json encodes for t, embedded
// structs without a tag flattened. ok is false for what this encoder
// leaves to encoding/json: embedded pointers or tagged embedded structs,
// field names that collide, tag options other than omitempty.
func structFields(t reflect.Type) (fields []structField, ok bool) {
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int) bool
	walk = func(t reflect.Type, index []int) bool {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if sf.Anonymous {
				if sf.Type.Kind() != reflect.Struct || tag != "" {
					return false
				}
				if !walk(sf.Type, append(slices.Clip(index), i)) {
					return false
				}
				continue
			}
			if !sf.IsExported() || tag == "-" {
				continue
			}
			if name == "-" || opts != "" && opts != "omitempty" {
				return false
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] || !validTagName(name) {
				return false
			}
			seen[name] = true
			key := appendString(nil, name)
			fields = append(fields, structField{
				index: append(slices.Clip(index), i), key: string(append(key, ": "...)),
				omitEmpty: opts == "omitempty", enc: encoderOf(sf.Type),
			})
		}
		return true
	}
	return fields, walk(t, nil)
}

// validTagName accepts names encoding/json would take from a tag as they
// are; others go to encoding/json.
func validTagName(s string) bool {
	for _, c := range s {
		if c != '_' && c != '-' && c != '.' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return s != ""
}

// anyValue appends a dynamic value: the types decoded JSON and the
// engine's results hold are switched on directly.
func (e *encoderState) anyValue(v any, depth int) {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		e.b = appendString(e.b, x)
	case bool:
		e.b = strconv.AppendBool(e.b, x)
	case float64:
		if !appendFloatOK(&e.b, x, 64) {
			e.fallback(x, depth)
		}
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case json.Number:
		if !appendNumberOK(&e.b, x) {
			e.fallback(x, depth)
		}
	case map[string]any:
		e.mapAny(x, depth)
	case []any:
		e.list(x == nil, len(x), depth, func(i int) { e.anyValue(x[i], depth+1) })
	case []string:
		e.strings(x, depth)
	default:
		rv := reflect.ValueOf(v)
		encoderOf(rv.Type())(e, rv, depth)
	}
}

var keyPool = sync.Pool{New: func() any { return new([]string) }}

func (e *encoderState) mapAny(m map[string]any, depth int) {
	sortedMap(e, m, depth, func(v any) { e.anyValue(v, depth+1) })
}

// sortedMap appends m as an object, keys sorted, each value written by val.
func sortedMap[V any](e *encoderState, m map[string]V, depth int, val func(V)) {
	kp := keyPool.Get().(*[]string)
	keys := (*kp)[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.object(m == nil, len(keys), depth, func(i int) string { return keys[i] },
		func(i int) { val(m[keys[i]]) })
	clear(keys)
	*kp = keys[:0]
	keyPool.Put(kp)
}

// list appends n elements, each written by elem(i), as an indented
// array; null when isNil.
func (e *encoderState) list(isNil bool, n, depth int, elem func(i int)) {
	e.container('[', ']', isNil, n, depth, elem)
}

// object appends n members, key(i) with the value written by val(i), as
// an indented object; null when isNil.
func (e *encoderState) object(isNil bool, n, depth int, key func(i int) string, val func(i int)) {
	e.container('{', '}', isNil, n, depth, func(i int) {
		e.b = appendString(e.b, key(i))
		e.b = append(e.b, ": "...)
		val(i)
	})
}

// container appends n items, each written by item(i), one per indented
// line between open and close; null when isNil, open and close alone when
// empty.
func (e *encoderState) container(open, close byte, isNil bool, n, depth int, item func(i int)) {
	switch {
	case isNil:
		e.b = append(e.b, "null"...)
		return
	case n == 0:
		e.b = append(e.b, open, close)
		return
	}
	e.b = append(e.b, open)
	for i := range n {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = newline(e.b, depth+1)
		item(i)
	}
	e.b = newline(e.b, depth)
	e.b = append(e.b, close)
}

func (e *encoderState) strings(x []string, depth int) {
	e.list(x == nil, len(x), depth, func(i int) { e.b = appendString(e.b, x[i]) })
}

func stringSliceEncoder(e *encoderState, v reflect.Value, depth int) {
	if v.Type() == stringsType {
		e.strings(v.Interface().([]string), depth)
		return
	}
	e.list(v.IsNil(), v.Len(), depth, func(i int) { e.b = appendString(e.b, v.Index(i).String()) })
}

func timeEncoder(e *encoderState, v reflect.Value, depth int) {
	var t time.Time
	if v.CanAddr() {
		t = *v.Addr().Interface().(*time.Time) // no copy on the heap
	} else {
		t = v.Interface().(time.Time)
	}
	if y := t.Year(); y < 0 || y > 9999 {
		fallbackEncoder(e, v, depth) // encoding/json's error
		return
	}
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

func numberEncoder(e *encoderState, v reflect.Value, depth int) {
	if !appendNumberOK(&e.b, json.Number(v.String())) {
		fallbackEncoder(e, v, depth)
	}
}

func fallbackEncoder(e *encoderState, v reflect.Value, depth int) {
	e.fallback(v.Interface(), depth)
}

// fallback appends v with encoding/json itself.
func (e *encoderState) fallback(v any, depth int) {
	if e.err != nil {
		return
	}
	buf := bytes.NewBuffer(e.b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat("  ", depth), "  ")
	if err := enc.Encode(v); err != nil {
		e.err = err
		return
	}
	e.b = buf.Bytes()
	e.b = e.b[:len(e.b)-1] // Encode's newline
}

const spaces = "                                                                "

func newline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for n := 2 * depth; n > 0; {
		k := min(n, len(spaces))
		b = append(b, spaces[:k]...)
		n -= k
	}
	return b
}

// appendFloatOK appends f as encoding/json does; false for NaN and
// infinities, which encoding/json refuses.
func appendFloatOK(b *[]byte, f float64, bits int) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	out := strconv.AppendFloat(*b, f, format, -1, bits)
	if format == 'e' {
		// e-09 → e-9
		if n := len(out); n >= 4 && out[n-4] == 'e' && out[n-3] == '-' && out[n-2] == '0' {
			out[n-2] = out[n-1]
			out = out[:n-1]
		}
	}
	*b = out
	return true
}

// appendNumberOK appends a json.Number; false when it is not a valid
// JSON number (encoding/json's error).
func appendNumberOK(b *[]byte, n json.Number) bool {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !validNumber(s) {
		return false
	}
	*b = append(*b, s...)
	return true
}

// validNumber reports whether s is a JSON number.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

const hexDigits = "0123456789abcdef"

// plain marks the bytes a JSON string holds as they are: printable ASCII
// but the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s quoted as encoding/json does without HTML
// escaping: control characters, quote and backslash escaped, invalid
// UTF-8 replaced by \ufffd, U+2028 and U+2029 escaped. Runs of plain
// bytes are found eight at a time and copied whole.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := plainFrom(s, 0); i < len(s); i = plainFrom(s, i) {
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainFrom returns the index of the first byte of s at or after i that is
// not plain (len(s) when none is), testing eight bytes at a time; the last
// eight bytes of s are tested as one word too, overlapping those before.
func plainFrom(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if !allPlain(swar.Load8(s[i : i+8])) {
			break
		}
	}
	if i+8 > len(s) && len(s) >= 8 && i < len(s) && allPlain(swar.Load8(s[len(s)-8:])) {
		return len(s)
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}

// allPlain tells whether the eight bytes of w are all plain: none below
// 0x20, none a quote or backslash, none 0x80 or above.
func allPlain(w uint64) bool {
	return (swar.Below(w, 0x20)|swar.Equal(w, '"')|swar.Equal(w, '\\')|swar.NonASCII(w))&swar.High == 0
}

// Indirect names the first part of type t (a path of fields from t)
// that is handed to encoding/json rather than encoded directly, or ""
// when there is none (time.Time and json.Number are direct; interface
// values are judged by their dynamic types when encoded). Writers test
// it on their document types, so a field added later with a type that
// would make them slow again is noticed.
func Indirect(t reflect.Type) string {
	return indirect(t, t.String(), map[reflect.Type]bool{})
}

func indirect(t reflect.Type, path string, seen map[reflect.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch {
	case t == timeType || t == numberType:
		return ""
	case hasMarshaler(t):
		return path + " (" + t.String() + " has its own marshaler)"
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface:
		return ""
	case reflect.Pointer:
		return indirect(t.Elem(), path, seen)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return path + " (byte slice)"
		}
		return indirect(t.Elem(), path+"[]", seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String || hasMarshaler(t.Key()) {
			return path + " (map key " + t.Key().String() + ")"
		}
		return indirect(t.Elem(), path+"[]", seen)
	case reflect.Struct:
		fields, ok := structFields(t)
		if !ok {
			return path + " (struct " + t.String() + ": embedded pointer, name clash or tag option)"
		}
		for _, f := range fields {
			sf := t.FieldByIndex(f.index)
			if p := indirect(sf.Type, path+"."+sf.Name, seen); p != "" {
				return p
			}
		}
		return ""
	}
	return path + " (" + t.Kind().String() + ")"
}
