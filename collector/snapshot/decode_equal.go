package snapshot

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// Equality without decoding. A joined mailbox's AD and EXO objects repeat
// objects of ad.users and exo.mailboxes, half of a snapshot's text: they
// are compared, as text, with the section object the linker finds, by
// functions built like the decoders, which answer whether decoding the
// text would give a value deeply equal to the object, without decoding
// it. They answer false at anything they are unsure of; the text is then
// decoded and linked as the reference reader links it.

// equalFunc consumes the value at d.pos and reports whether the decoders
// would decode it to a value deeply equal to v. After false, d.pos is
// anywhere in the value.
type equalFunc func(d *decodeState, v reflect.Value) bool

var equalFuncs sync.Map // reflect.Type → *equalFunc, set once built

// equalOf returns the equality function of type t.
func equalOf(t reflect.Type) (equalFunc, error) {
	if f, ok := equalFuncs.Load(t); ok {
		return func(d *decodeState, v reflect.Value) bool { return (*f.(*equalFunc))(d, v) }, nil
	}
	if t == timeType {
		return equalTime, nil
	}
	if t.Kind() != reflect.Pointer && hasUnmarshaler(t) {
		return nil, fmt.Errorf("%s: %w", t, errUnsupported)
	}
	switch t.Kind() {
	case reflect.String:
		return func(d *decodeState, v reflect.Value) bool { return textEqualsString(d, v.String()) }, nil
	case reflect.Bool:
		return func(d *decodeState, v reflect.Value) bool {
			switch d.peek() {
			case 't':
				d.literal("true")
				return v.Bool()
			case 'f':
				d.literal("false")
				return !v.Bool()
			}
			d.literal("null")
			return !v.Bool()
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(d *decodeState, v reflect.Value) bool {
			if d.isNull() {
				return v.Int() == 0
			}
			text, integer := d.number()
			n, ok := parseInt(text)
			return integer && ok && n == v.Int()
		}, nil
	case reflect.Pointer:
		elem, err := equalOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(d *decodeState, v reflect.Value) bool {
			if d.isNull() {
				return v.IsNil()
			}
			return !v.IsNil() && elem(d, v.Elem())
		}, nil
	case reflect.Slice:
		if t == stringsType {
			return func(d *decodeState, v reflect.Value) bool {
				if v.CanAddr() {
					return textEqualsStrings(d, *v.Addr().Interface().(*[]string))
				}
				return textEqualsStrings(d, v.Interface().([]string))
			}, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			break
		}
		elem, err := equalOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(d *decodeState, v reflect.Value) bool {
			if d.isNull() {
				return v.IsNil()
			}
			if v.IsNil() {
				return false
			}
			d.open('[')
			n := 0
			for first := true; d.more(']', first); first = false {
				if n >= v.Len() || !elem(d, v.Index(n)) {
					return false
				}
				n++
			}
			return n == v.Len()
		}, nil
	case reflect.Map:
		// The maps of the section objects; other maps are not compared.
		switch t {
		case stringMapType:
			return func(d *decodeState, v reflect.Value) bool {
				return equalMap(d, v.Interface().(map[string]string), textEqualsString)
			}, nil
		case stringsMapType:
			return func(d *decodeState, v reflect.Value) bool {
				return equalMap(d, v.Interface().(map[string][]string), textEqualsStrings)
			}, nil
		}
	case reflect.Struct:
		sd, err := structDecoderOf(t)
		if err != nil {
			return nil, err
		}
		f := new(equalFunc)
		fields := make([]equalFunc, len(sd.fields))
		*f = func(d *decodeState, v reflect.Value) bool { return equalStruct(d, v, sd, fields) }
		equalFuncs.Store(t, f)
		for i, fd := range sd.fields {
			if fields[i], err = equalOf(t.Field(fd.index).Type); err != nil {
				equalFuncs.Delete(t)
				return nil, err
			}
		}
		return *f, nil
	}
	// Other kinds (floats, interfaces) are not compared: such a field
	// makes every joined object decoded.
	return func(*decodeState, reflect.Value) bool { return false }, nil
}

// maxEqualKeys bounds the keys of a map compared without decoding (the
// keys seen are kept to refuse a repeated one).
const maxEqualKeys = 32

// equalMap compares an object with m (nil for null), each value by val.
func equalMap[V any](d *decodeState, m map[string]V, val func(*decodeState, V) bool) bool {
	if d.isNull() {
		return m == nil
	}
	if m == nil {
		return false
	}
	d.open('{')
	var seen [maxEqualKeys][]byte
	n := 0
	for first := true; d.more('}', first); first = false {
		if n == maxEqualKeys {
			return false
		}
		k := d.rawString()
		if len(k) > 0 && len(d.buf) > 0 && &k[0] == &d.buf[0] {
			k = bytes.Clone(k) // escaped: d.buf is written again
		}
		d.expect(':')
		d.ws()
		for _, s := range seen[:n] {
			if bytes.Equal(s, k) {
				return false
			}
		}
		seen[n] = k
		n++
		e, found := m[string(k)]
		if !found || !val(d, e) {
			return false
		}
	}
	return n == len(m)
}

// textEqualsString compares a string (null decodes to "") with s.
func textEqualsString(d *decodeState, s string) bool {
	if d.isNull() {
		return s == ""
	}
	return string(d.rawString()) == s
}

// textEqualsStrings compares a list of strings (null decodes to nil) with l.
func textEqualsStrings(d *decodeState, l []string) bool {
	if d.isNull() {
		return l == nil
	}
	if l == nil {
		return false
	}
	d.open('[')
	n := 0
	for first := true; d.more(']', first); first = false {
		if n >= len(l) || !textEqualsString(d, l[n]) {
			return false
		}
		n++
	}
	return n == len(l)
}

func equalStruct(d *decodeState, v reflect.Value, sd *structDecoder, fields []equalFunc) bool {
	if d.isNull() {
		return v.IsZero()
	}
	d.open('{')
	var m members
	for first := true; d.more('}', first); first = false {
		i, ok := m.find(sd, d.key())
		if !ok || !fields[i](d, v.Field(sd.fields[i].index)) {
			return false
		}
	}
	for i, f := range sd.fields {
		if !m.has(i) && !v.Field(f.index).IsZero() {
			return false
		}
	}
	return true
}

func equalTime(d *decodeState, v reflect.Value) bool {
	var want time.Time
	if v.CanAddr() {
		want = *v.Addr().Interface().(*time.Time)
	} else {
		want = v.Interface().(time.Time)
	}
	var t time.Time
	if !d.isNull() {
		d.timeInto(&t)
	}
	// == and not Equal: reflect.DeepEqual tells times apart by location.
	return t == want
}
