package jsontag

import (
	"bufio"
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
// chunk of elements is encoded at a time. Values are encoded with
// AppendIndent.
func Stream(w io.Writer, v any, pkgs ...string) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	sw := &streamWriter{w: bw, pkgs: pkgs}
	rv := reflect.ValueOf(v)
	sw.value(rv, 0)
	bw.WriteByte('\n')
	if sw.err != nil {
		return sw.err
	}
	return bw.Flush()
}

type streamWriter struct {
	w    *bufio.Writer
	pkgs []string
	buf  []byte
	err  error
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// walked reports whether t is a struct of one of the packages, without
// custom JSON encoding: those are written field by field.
func (sw *streamWriter) walked(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || hasMarshaler(t) {
		return false
	}
	for _, p := range sw.pkgs {
		if t.PkgPath() == p {
			return true
		}
	}
	return false
}

// value writes v at an indentation of depth, its first line unindented.
func (sw *streamWriter) value(v reflect.Value, depth int) {
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
		sw.value(v.Elem(), depth)
	case sw.walked(t):
		sw.structFields(v, depth)
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
		sw.elements(v, depth+1)
		sw.w.Write(newline(sw.buf[:0], depth))
		sw.w.WriteByte(']')
	default:
		sw.encode(v, depth)
	}
}

func (sw *streamWriter) structFields(v reflect.Value, depth int) {
	fields, ok := structFields(v.Type())
	if !ok {
		sw.encode(v, depth)
		return
	}
	n := 0
	for _, f := range fields {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && IsEmpty(fv) {
			continue
		}
		if n == 0 {
			sw.w.WriteByte('{')
		} else {
			sw.w.WriteByte(',')
		}
		n++
		sw.w.Write(newline(sw.buf[:0], depth+1))
		sw.w.WriteString(f.key)
		sw.value(fv, depth+1)
	}
	if n == 0 {
		sw.w.WriteString("{}")
		return
	}
	sw.w.Write(newline(sw.buf[:0], depth))
	sw.w.WriteByte('}')
}

// encode writes v at this depth.
func (sw *streamWriter) encode(v reflect.Value, depth int) {
	sw.buf, sw.err = appendValue(sw.buf[:0], v, depth)
	sw.write(sw.buf)
}

// write writes encoded bytes unless an error came first, and keeps the
// writer's error: a failed or cancelled write stops the encoding too.
func (sw *streamWriter) write(b []byte) {
	if sw.err == nil {
		_, sw.err = sw.w.Write(b)
	}
}

// chunk is how many list elements one worker encodes at a time.
const chunk = 512

// elements writes the elements of a list at depth, each on its own line
// after a comma. Long lists are encoded by one worker per processor, a
// chunk of elements at a time, and written in order.
func (sw *streamWriter) elements(v reflect.Value, depth int) {
	n := v.Len()
	enc := encoderOf(v.Type().Elem())
	encodeChunk := func(b []byte, from int) ([]byte, error) {
		e := encoderState{b: b}
		for i := from; i < min(from+chunk, n) && e.err == nil; i++ {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = newline(e.b, depth)
			enc(&e, v.Index(i), depth)
		}
		return e.b, e.err
	}
	workers := runtime.GOMAXPROCS(0)
	if n <= chunk || workers == 1 {
		for from := 0; from < n && sw.err == nil; from += chunk {
			sw.buf, sw.err = encodeChunk(sw.buf[:0], from)
			sw.write(sw.buf)
		}
		return
	}
	type job struct {
		from int
		out  chan *[]byte
		err  error
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*workers) // bounds the chunks held in memory
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				buf := bufPool.Get().(*[]byte)
				*buf, j.err = encodeChunk((*buf)[:0], j.from)
				j.out <- buf
			}
		})
	}
	stop := make(chan struct{}) // closed at the first error: no more chunks
	stopped := false
	go func() {
	produce:
		for from := 0; from < n; from += chunk {
			j := &job{from: from, out: make(chan *[]byte, 1)}
			select {
			case order <- j:
			case <-stop:
				break produce
			}
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
		sw.write(*buf)
		if sw.err != nil && !stopped {
			close(stop)
			stopped = true
		}
		bufPool.Put(buf)
	}
	wg.Wait()
}

var bufPool = sync.Pool{New: func() any { return new([]byte) }}
