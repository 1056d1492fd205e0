package jsontag

import (
	"reflect"
	"strings"
	"sync"
)

// Field is one encoded field of a struct.
type Field struct {
	Index     int
	Name      string
	OmitEmpty bool
}

var cache sync.Map // reflect.Type → []Field

// Fields returns the fields encoding/json encodes for struct type t, in
// order (embedded structs are not flattened: the snapshot has none).
func Fields(t reflect.Type) []Field {
	if f, ok := cache.Load(t); ok {
		return f.([]Field)
	}
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, Field{Index: i, Name: name, OmitEmpty: opts == "omitempty"})
	}
	cache.Store(t, out)
	return out
}

// IsEmpty is encoding/json's test for omitempty.
func IsEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
