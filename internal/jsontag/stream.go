package jsontag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
)

// Stream writes v as json.Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false) would, trailing newline included, without holding
// the whole document in memory: structs of the named packages are written
// field by field and slices of them element by element, so only one
// element is encoded at a time. Everything else (maps, times, plain
// values) goes through encoding/json.
func Stream(w io.Writer, v any, pkgs ...string) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	sw := &streamWriter{w: bw, pkgs: pkgs}
	rv := reflect.ValueOf(v)
	sw.value(rv, "")
	bw.WriteByte('\n')
	if sw.err != nil {
		return sw.err
	}
	return bw.Flush()
}

type streamWriter struct {
	w    *bufio.Writer
	pkgs []string
	buf  bytes.Buffer
	err  error
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// walked reports whether t is a struct of one of the packages, without
// custom JSON encoding: those are written field by field.
func (sw *streamWriter) walked(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	for _, p := range sw.pkgs {
		if t.PkgPath() == p {
			return true
		}
	}
	return false
}

// value writes v at an indentation of prefix, its first line unindented.
func (sw *streamWriter) value(v reflect.Value, prefix string) {
	if sw.err != nil {
		return
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer && sw.walked(t.Elem()):
		if v.IsNil() {
			sw.w.WriteString("null")
			return
		}
		sw.value(v.Elem(), prefix)
	case sw.walked(t):
		sw.structFields(v, prefix)
	case t.Kind() == reflect.Slice && sw.walked(t.Elem()):
		if v.IsNil() {
			sw.w.WriteString("null")
			return
		}
		if v.Len() == 0 {
			sw.w.WriteString("[]")
			return
		}
		sw.w.WriteByte('[')
		inner := prefix + "  "
		for i := range v.Len() {
			if i > 0 {
				sw.w.WriteByte(',')
			}
			sw.w.WriteString("\n" + inner)
			sw.encode(v.Index(i), inner)
		}
		sw.w.WriteString("\n" + prefix + "]")
	default:
		sw.encode(v, prefix)
	}
}

func (sw *streamWriter) structFields(v reflect.Value, prefix string) {
	inner := prefix + "  "
	n := 0
	for _, f := range Fields(v.Type()) {
		fv := v.Field(f.Index)
		if f.OmitEmpty && IsEmpty(fv) {
			continue
		}
		if n == 0 {
			sw.w.WriteByte('{')
		} else {
			sw.w.WriteByte(',')
		}
		n++
		sw.w.WriteString("\n" + inner)
		key, _ := json.Marshal(f.Name)
		sw.w.Write(key)
		sw.w.WriteString(": ")
		sw.value(fv, inner)
	}
	if n == 0 {
		sw.w.WriteString("{}")
		return
	}
	sw.w.WriteString("\n" + prefix + "}")
}

// encode writes v with encoding/json, as Marshal's encoder would at this depth.
func (sw *streamWriter) encode(v reflect.Value, prefix string) {
	sw.buf.Reset()
	enc := json.NewEncoder(&sw.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v.Interface()); err != nil {
		sw.err = err
		return
	}
	sw.w.Write(bytes.TrimSuffix(sw.buf.Bytes(), []byte{'\n'}))
}
