package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/jsontag"
)

// inputValue converts a decoded snapshot into the policies' input: the same
// ast.Value as decoding its JSON (numbers as JSON numbers, times as RFC 3339
// strings, nil as null), built from the Go values without a JSON round
// trip. The AD and EXO objects of the joined view are the ones of ad.users
// and exo.mailboxes: each is converted once and the two places share the
// term, which halves the input of a large tenant.
func inputValue(s *snapshot.Snapshot) (ast.Value, error) {
	v, _, err := convertSnapshot(s)
	return v, err
}

// convertSnapshot is inputValue that also returns the term of every AD
// recipient and EXO mailbox, by pointer.
func convertSnapshot(s *snapshot.Snapshot) (ast.Value, map[any]*ast.Term, error) {
	c := &converter{
		shared: map[any]*ast.Term{},
		ad:     map[string]int{},
		exo:    map[string]int{},
	}
	if s.AD != nil {
		for i := range s.AD.Users {
			c.ad[s.AD.Users[i].DN] = i
		}
	}
	if s.EXO != nil {
		for i := range s.EXO.Mailboxes {
			c.exo[s.EXO.Mailboxes[i].Guid+"\x00"+s.EXO.Mailboxes[i].Identity] = i
		}
	}
	c.snap = s
	t := c.value(reflect.ValueOf(s).Elem())
	if c.err != nil {
		return nil, nil, c.err
	}
	return t.Value, c.shared, nil
}

// viewOf is what the engine reads itself of a decoded snapshot.
func viewOf(s *snapshot.Snapshot) snapshotView {
	var v snapshotView
	v.SchemaVersion, v.CollectedAt = s.SchemaVersion, s.CollectedAt
	v.Sources = map[string]snapshot.SourceStatus{"ad": s.Sources.AD, "exo": s.Sources.EXO, "entra": s.Sources.Entra, "facts": s.Sources.Facts}
	if s.AD != nil {
		v.AD = &adView{Forest: s.AD.Forest}
	}
	if s.EXO != nil {
		v.EXO = &exoView{TenantID: s.EXO.TenantID}
	}
	if s.Entra != nil {
		v.Entra = &entraView{}
		if o := s.Entra.Organization; o != nil {
			v.Entra.Organization = &organizationView{ID: o.ID, DisplayName: o.DisplayName}
		}
	}
	return v
}

type converter struct {
	snap    *snapshot.Snapshot
	shared  map[any]*ast.Term // converted *ADRecipient / *Mailbox, by pointer
	ad, exo map[string]int    // indexes of users and mailboxes, for joined copies
	err     error
	// strs are the string terms of each struct field, by struct type and
	// field index, for the fields whose values repeat (see stringCache).
	strs map[reflect.Type][]stringCache
	keys stringCache // map keys (custom attribute names)
}

// stringCache hands out one term per distinct string of one struct field:
// enum values, departments, databases and recipient types repeat across
// thousands of elements, and a shared term saves two allocations and the
// garbage of each. A field whose values mostly differ (ids, names,
// addresses) turns its cache off after a few lookups, so it costs no map.
type stringCache struct {
	terms         map[string]*ast.Term
	looks, misses int
	off           bool
}

// stringCacheTrial is how many lookups a field gets before its cache is
// turned off when more than half of them missed.
const stringCacheTrial = 64

func (sc *stringCache) term(s string) *ast.Term {
	if sc.off {
		return ast.StringTerm(s)
	}
	if t, ok := sc.terms[s]; ok {
		sc.looks++
		return t
	}
	sc.looks++
	sc.misses++
	if sc.looks >= stringCacheTrial && 2*sc.misses > sc.looks {
		sc.off, sc.terms = true, nil
		return ast.StringTerm(s)
	}
	if sc.terms == nil {
		sc.terms = map[string]*ast.Term{}
	}
	t := ast.StringTerm(s)
	sc.terms[s] = t
	return t
}

// fieldStrings returns the string caches of struct type t's fields.
func (c *converter) fieldStrings(t reflect.Type) []stringCache {
	if sc, ok := c.strs[t]; ok {
		return sc
	}
	if c.strs == nil {
		c.strs = map[reflect.Type][]stringCache{}
	}
	sc := make([]stringCache, t.NumField())
	c.strs[t] = sc
	return sc
}

// field converts field i of struct value v, a string through its cache.
func (c *converter) field(v reflect.Value, i int, sc []stringCache) *ast.Term {
	fv := v.Field(i)
	if fv.Kind() == reflect.String {
		return sc[i].term(fv.String())
	}
	return c.value(fv)
}

// keyTerms are the interned key terms of each struct type's fields.
var keyTerms sync.Map // reflect.Type → []*ast.Term

func keysOf(t reflect.Type, fields []jsontag.Field) []*ast.Term {
	if k, ok := keyTerms.Load(t); ok {
		return k.([]*ast.Term)
	}
	keys := make([]*ast.Term, len(fields))
	for i, f := range fields {
		keys[i] = ast.InternedTerm(f.Name)
	}
	keyTerms.Store(t, keys)
	return keys
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	adRecipientPtr = reflect.TypeFor[*snapshot.ADRecipient]()
	mailboxPtr     = reflect.TypeFor[*snapshot.Mailbox]()
)

func (c *converter) value(v reflect.Value) *ast.Term {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ast.InternedNullTerm
		}
		if v.Type() == adRecipientPtr || v.Type() == mailboxPtr {
			return c.sharedObject(v)
		}
		return c.value(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			b, err := v.Interface().(time.Time).MarshalText()
			if err != nil {
				c.err = fmt.Errorf("convert snapshot for policies: %w", err)
				return ast.InternedNullTerm
			}
			return ast.StringTerm(string(b))
		}
		fields := jsontag.Fields(v.Type())
		keys := keysOf(v.Type(), fields)
		sc := c.fieldStrings(v.Type())
		kvs := make([][2]*ast.Term, 0, len(fields))
		for i, f := range fields {
			if f.OmitEmpty && jsontag.IsEmpty(v.Field(f.Index)) {
				continue
			}
			kvs = append(kvs, [2]*ast.Term{keys[i], c.field(v, f.Index, sc)})
		}
		return ast.NewTerm(ast.NewObject(kvs...))
	case reflect.Slice:
		if v.IsNil() {
			return ast.InternedNullTerm
		}
		n := v.Len()
		terms := make([]*ast.Term, n)
		share := v.Type().Elem() == adRecipientPtr.Elem() || v.Type().Elem() == mailboxPtr.Elem()
		for i := range n {
			if share {
				terms[i] = c.sharedObject(v.Index(i).Addr())
			} else {
				terms[i] = c.value(v.Index(i))
			}
		}
		return ast.ArrayTerm(terms...)
	case reflect.Map:
		if v.IsNil() {
			return ast.InternedNullTerm
		}
		if v.Type().Elem().Kind() == reflect.Interface {
			return c.viaJSON(v)
		}
		kvs := make([][2]*ast.Term, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			kvs = append(kvs, [2]*ast.Term{c.keys.term(it.Key().String()), c.value(it.Value())})
		}
		return ast.NewTerm(ast.NewObject(kvs...))
	case reflect.String:
		// Not ast.InternedTerm: OPA's table holds a few hundred short
		// words, and looking a long string up hashes all of it.
		return ast.StringTerm(v.String())
	case reflect.Bool:
		return ast.InternedTerm(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n >= -1 && n <= 512 {
			return ast.InternedTerm(int(n))
		}
		return ast.NumberTerm(json.Number(strconv.FormatInt(n, 10)))
	case reflect.Interface:
		if v.IsNil() {
			return ast.InternedNullTerm
		}
		return c.viaJSON(v)
	}
	return c.viaJSON(v)
}

// sharedObject converts an AD recipient or EXO mailbox once. A joined
// entry decoded from JSON holds a copy, not a pointer into the section: it
// shares the section's term when the copy is identical.
func (c *converter) sharedObject(p reflect.Value) *ast.Term {
	key := p.Interface()
	if t, ok := c.shared[key]; ok {
		return t
	}
	var orig any
	switch o := key.(type) {
	case *snapshot.ADRecipient:
		if i, ok := c.ad[o.DN]; ok && &c.snap.AD.Users[i] != o && reflect.DeepEqual(*o, c.snap.AD.Users[i]) {
			orig = &c.snap.AD.Users[i]
		}
	case *snapshot.Mailbox:
		if i, ok := c.exo[o.Guid+"\x00"+o.Identity]; ok && &c.snap.EXO.Mailboxes[i] != o && reflect.DeepEqual(*o, c.snap.EXO.Mailboxes[i]) {
			orig = &c.snap.EXO.Mailboxes[i]
		}
	}
	if orig != nil {
		t := c.sharedObject(reflect.ValueOf(orig))
		c.shared[key] = t
		return t
	}
	t := c.value(p.Elem())
	c.shared[key] = t
	return t
}

// viaJSON converts a value of no fixed type (Get-OrganizationConfig's
// properties) through JSON, exactly as decoding the snapshot would.
func (c *converter) viaJSON(v reflect.Value) *ast.Term {
	b, err := json.Marshal(v.Interface())
	if err == nil {
		var val ast.Value
		if val, err = ast.ValueFromReader(bytes.NewReader(b)); err == nil {
			return ast.NewTerm(val)
		}
	}
	c.err = fmt.Errorf("convert snapshot for policies: %w", err)
	return ast.InternedNullTerm
}
