package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/jsontag"
)

// bigArray is one of the snapshot's arrays with an element per directory
// object: a rule may declare `shard` on it and `fields` for it.
type bigArray struct {
	path string
	elem reflect.Type
}

var bigArrays = []bigArray{
	{"joined", reflect.TypeFor[snapshot.JoinedMailbox]()},
	{"exo.mailboxes", reflect.TypeFor[snapshot.Mailbox]()},
	{"exo.recipients", reflect.TypeFor[snapshot.Recipient]()},
	{"ad.users", reflect.TypeFor[snapshot.ADRecipient]()},
	{"ad.contacts", reflect.TypeFor[snapshot.ADRecipient]()},
	{"ad.groups", reflect.TypeFor[snapshot.ADGroup]()},
}

// get returns the array's slice in the snapshot; invalid when its section
// is null.
func (a bigArray) get(s *snapshot.Snapshot) reflect.Value {
	v := reflect.ValueOf(s).Elem()
	for part := range strings.SplitSeq(a.path, ".") {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		i := slices.IndexFunc(jsontag.Fields(v.Type()), func(f jsontag.Field) bool { return f.Name == part })
		v = v.Field(jsontag.Fields(v.Type())[i].Index)
	}
	return v
}

func bigArrayOf(path string) (bigArray, bool) {
	for _, a := range bigArrays {
		if a.path == path {
			return a, true
		}
	}
	return bigArray{}, false
}

func bigArrayPaths() string {
	var out []string
	for _, a := range bigArrays {
		out = append(out, a.path)
	}
	return strings.Join(out, ", ")
}

// projection keeps some fields of a struct: each whole, or projected again
// when it is a nested object (the "ad.dn" of a joined entry).
type projection struct {
	fields []projField
}

type projField struct {
	index     int
	name      string
	key       *ast.Term
	omitEmpty bool
	sub       *projection // nil: the whole value
}

// newProjection compiles the field list of a `fields` declaration for the
// struct type t. A name is a JSON field name; a dotted name selects inside
// a nested object. A field listed whole wins over its dotted sub-fields.
func newProjection(t reflect.Type, names []string) (*projection, error) {
	whole := map[string]bool{}
	subs := map[string][]string{}
	for _, n := range names {
		head, rest, dotted := strings.Cut(n, ".")
		if head == "" || (dotted && rest == "") {
			return nil, fmt.Errorf("%q is not a field name", n)
		}
		if dotted {
			subs[head] = append(subs[head], rest)
		} else {
			whole[head] = true
		}
	}
	known := jsontag.Fields(t)
	byName := map[string]jsontag.Field{}
	var all []string
	for _, f := range known {
		byName[f.Name] = f
		all = append(all, f.Name)
	}
	p := &projection{}
	for _, f := range known {
		if !whole[f.Name] && subs[f.Name] == nil {
			continue
		}
		pf := projField{index: f.Index, name: f.Name, key: ast.InternedTerm(f.Name), omitEmpty: f.OmitEmpty}
		if !whole[f.Name] {
			ft := t.Field(f.Index).Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() != reflect.Struct || ft == timeType {
				return nil, fmt.Errorf("%q: %s is not an object; list %s whole", f.Name+"."+subs[f.Name][0], f.Name, f.Name)
			}
			sub, err := newProjection(ft, subs[f.Name])
			if err != nil {
				return nil, fmt.Errorf("%s.%w", f.Name, err)
			}
			pf.sub = sub
		}
		p.fields = append(p.fields, pf)
	}
	var unknown []string
	for n := range whole {
		if _, ok := byName[n]; !ok {
			unknown = append(unknown, n)
		}
	}
	for n := range subs {
		if _, ok := byName[n]; !ok {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%q is not a field of the snapshot's %s (its fields: %s)", unknown[0], t.Name(), strings.Join(all, ", "))
	}
	return p, nil
}

// project converts the listed fields of struct value v.
func (c *converter) project(p *projection, v reflect.Value) *ast.Term {
	kvs := make([][2]*ast.Term, 0, len(p.fields))
	sc := c.fieldStrings(v.Type())
	for _, pf := range p.fields {
		fv := v.Field(pf.index)
		if pf.omitEmpty && jsontag.IsEmpty(fv) {
			continue
		}
		var t *ast.Term
		switch {
		case pf.sub == nil:
			t = c.field(v, pf.index, sc)
		case fv.Kind() == reflect.Pointer && fv.IsNil():
			t = ast.InternedNullTerm
		case fv.Kind() == reflect.Pointer:
			t = c.project(pf.sub, fv.Elem())
		default:
			t = c.project(pf.sub, fv)
		}
		kvs = append(kvs, [2]*ast.Term{pf.key, t})
	}
	return ast.NewTerm(ast.NewObject(kvs...))
}

// plain is the listed fields of struct value v as plain values, those
// decoding their JSON gives (json.Number for numbers, []any, map[string]any),
// without building the policies' terms.
func plain(p *projection, v reflect.Value) (map[string]any, error) {
	m := make(map[string]any, len(p.fields))
	for _, pf := range p.fields {
		fv := v.Field(pf.index)
		if pf.omitEmpty && jsontag.IsEmpty(fv) {
			continue
		}
		var x any
		var err error
		switch {
		case pf.sub == nil:
			x, err = plainValue(fv)
		case fv.Kind() == reflect.Pointer && fv.IsNil():
		case fv.Kind() == reflect.Pointer:
			x, err = plain(pf.sub, fv.Elem())
		default:
			x, err = plain(pf.sub, fv)
		}
		if err != nil {
			return nil, err
		}
		m[pf.name] = x
	}
	return m, nil
}

func plainValue(v reflect.Value) (any, error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		if v.Kind() == reflect.Interface {
			return viaJSONPlain(v)
		}
		return plainValue(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			b, err := v.Interface().(time.Time).MarshalText()
			return string(b), err
		}
		m := map[string]any{}
		for _, f := range jsontag.Fields(v.Type()) {
			fv := v.Field(f.Index)
			if f.OmitEmpty && jsontag.IsEmpty(fv) {
				continue
			}
			x, err := plainValue(fv)
			if err != nil {
				return nil, err
			}
			m[f.Name] = x
		}
		return m, nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if ss, ok := v.Interface().([]string); ok {
			l := make([]any, len(ss))
			for i, s := range ss {
				l[i] = s
			}
			return l, nil
		}
		l := make([]any, v.Len())
		for i := range l {
			x, err := plainValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		switch x := v.Interface().(type) {
		case map[string]string:
			m := make(map[string]any, len(x))
			for k, s := range x {
				m[k] = s
			}
			return m, nil
		case map[string][]string:
			m := make(map[string]any, len(x))
			for k, ss := range x {
				if ss == nil {
					m[k] = nil
					continue
				}
				l := make([]any, len(ss))
				for i, s := range ss {
					l[i] = s
				}
				m[k] = l
			}
			return m, nil
		}
		m := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			x, err := plainValue(it.Value())
			if err != nil {
				return nil, err
			}
			m[it.Key().String()] = x
		}
		return m, nil
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	}
	return viaJSONPlain(v)
}

// viaJSONPlain converts a value of no fixed type through JSON.
func viaJSONPlain(v reflect.Value) (any, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	err = dec.Decode(&x)
	return x, err
}

// elements converts elements [lo, hi) of a big array, whole (p nil) or
// projected.
func (c *converter) elements(slice reflect.Value, lo, hi int, p *projection) *ast.Term {
	terms := make([]*ast.Term, hi-lo)
	share := slice.Type().Elem() == adRecipientPtr.Elem() || slice.Type().Elem() == mailboxPtr.Elem()
	for i := lo; i < hi; i++ {
		switch {
		case p != nil:
			terms[i-lo] = c.project(p, slice.Index(i))
		case share:
			terms[i-lo] = c.sharedObject(slice.Index(i).Addr())
		default:
			terms[i-lo] = c.value(slice.Index(i))
		}
	}
	return ast.ArrayTerm(terms...)
}

// readShardFields reads and checks the `shard` and `fields` keys of a
// rule's METADATA custom block (see docs/writing-policies.md).
func readShardFields(rm *RuleMeta, c map[string]any) error {
	if v, ok := c["shard"]; ok {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: custom.shard must be one big array path (%s), not %v", rm.ID, bigArrayPaths(), v)
		}
		if _, ok := bigArrayOf(s); !ok {
			return fmt.Errorf("%s: custom.shard %q is not a big array path; it must be one of %s", rm.ID, s, bigArrayPaths())
		}
		rm.Shard = s
	}
	v, ok := c["fields"]
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: custom.fields must map big array paths to the element fields the rule reads, e.g. joined: [id, display_name]", rm.ID)
	}
	rm.Fields = map[string][]string{}
	for _, path := range sortedKeys(m) {
		a, ok := bigArrayOf(path)
		if !ok {
			return fmt.Errorf("%s: custom.fields names %q, which is not a big array path; only %s may appear there", rm.ID, path, bigArrayPaths())
		}
		if rm.Shard != "" && path != rm.Shard {
			return fmt.Errorf("%s: custom.fields names %s, but custom.shard %s promises the rule reads no other big array", rm.ID, path, rm.Shard)
		}
		list, ok := m[path].([]any)
		if !ok || len(list) == 0 {
			return fmt.Errorf("%s: custom.fields.%s must be a non-empty list of field names", rm.ID, path)
		}
		var names []string
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("%s: custom.fields.%s entry %v is not a field name", rm.ID, path, e)
			}
			names = append(names, s)
		}
		if _, err := newProjection(a.elem, names); err != nil {
			return fmt.Errorf("%s: custom.fields.%s: %w", rm.ID, path, err)
		}
		slices.Sort(names)
		rm.Fields[path] = slices.Compact(names)
	}
	return nil
}
