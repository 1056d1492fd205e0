package jsontag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"runtime"
	"sync"
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
		sw.elements(v, prefix+"  ")
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
	if err := encodeTo(&sw.buf, v, prefix); err != nil {
		sw.err = err
		return
	}
	sw.w.Write(sw.buf.Bytes())
}

func encodeTo(buf *bytes.Buffer, v reflect.Value, prefix string) error {
	n := buf.Len()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v.Interface()); err != nil {
		return err
	}
	if buf.Len() > n {
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	return nil
}

// chunk is how many list elements one worker encodes at a time.
const chunk = 512

// elements writes the elements of a list, each on its own line after a
// comma. Long lists are encoded by one worker per processor, a chunk of
// elements at a time, and written in order.
func (sw *streamWriter) elements(v reflect.Value, prefix string) {
	n := v.Len()
	lead := "\n" + prefix
	encodeChunk := func(buf *bytes.Buffer, from int) error {
		for i := from; i < min(from+chunk, n); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(lead)
			if err := encodeTo(buf, v.Index(i), prefix); err != nil {
				return err
			}
		}
		return nil
	}
	workers := runtime.GOMAXPROCS(0)
	if n <= chunk || workers == 1 {
		sw.buf.Reset()
		if sw.err = encodeChunk(&sw.buf, 0); sw.err == nil {
			sw.w.Write(sw.buf.Bytes())
		}
		for from := chunk; from < n && sw.err == nil; from += chunk {
			sw.buf.Reset()
			if sw.err = encodeChunk(&sw.buf, from); sw.err == nil {
				sw.w.Write(sw.buf.Bytes())
			}
		}
		return
	}
	type job struct {
		from int
		out  chan *bytes.Buffer
		err  error
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*workers) // bounds the chunks held in memory
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				buf := new(bytes.Buffer)
				j.err = encodeChunk(buf, j.from)
				j.out <- buf
			}
		})
	}
	go func() {
		for from := 0; from < n; from += chunk {
			j := &job{from: from, out: make(chan *bytes.Buffer, 1)}
			order <- j
			jobs <- j
		}
		close(jobs)
		close(order)
	}()
	for j := range order {
		buf := <-j.out
		if j.err != nil && sw.err == nil {
			sw.err = j.err
		}
		if sw.err == nil {
			sw.w.Write(buf.Bytes())
		}
	}
	wg.Wait()
}
