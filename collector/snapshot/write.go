package snapshot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"

	"github.com/exoready/exoready/internal/jsontag"
)

// WriteJSON writes the same bytes as Marshal, without holding the whole
// document in memory: the snapshot's own structs are written field by
// field and their lists element by element, so only one element is
// encoded at a time. A 600,000-mailbox snapshot is gigabytes of JSON.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	sw := &streamWriter{w: bw}
	sw.value(reflect.ValueOf(s).Elem(), "")
	bw.WriteByte('\n')
	if sw.err != nil {
		return fmt.Errorf("encode snapshot: %w", sw.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

type streamWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

var (
	marshalerType = reflect.TypeFor[json.Marshaler]()
	snapshotPkg   = reflect.TypeFor[Snapshot]().PkgPath()
)

// ownStruct reports whether t is a struct of this package without custom
// JSON encoding: those are written field by field.
func ownStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == snapshotPkg && !t.Implements(marshalerType) && !reflect.PointerTo(t).Implements(marshalerType)
}

// value writes v at an indentation of prefix, its first line unindented.
func (sw *streamWriter) value(v reflect.Value, prefix string) {
	if sw.err != nil {
		return
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer && ownStruct(t.Elem()):
		if v.IsNil() {
			sw.w.WriteString("null")
			return
		}
		sw.value(v.Elem(), prefix)
	case ownStruct(t):
		sw.structFields(v, prefix)
	case t.Kind() == reflect.Slice && ownStruct(t.Elem()):
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
	for _, f := range jsontag.Fields(v.Type()) {
		fv := v.Field(f.Index)
		if f.OmitEmpty && jsontag.IsEmpty(fv) {
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
