package snapshot

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The typed decoder. Every type of the snapshot gets a decoder built once
// from its fields and their json tags (so a field added later is decoded
// like the others), reading its JSON text with a scanner of its own: no
// tokens, no intermediate values, one pass. It takes only what it can
// decode exactly as encoding/json does with DisallowUnknownFields; at
// anything else (a name not written exactly as a tag, a repeated name, an
// escaped name, invalid UTF-8, a number out of range or of the wrong form,
// a syntax error...) it gives up (fallback) and the caller reads the
// document again with encoding/json, which words the error or decodes the
// unusual text as it always did.

// fallback is the panic value with which a decoder gives up; it never
// leaves this package.
type fallback struct{ why string }

// maxNesting is the deepest the typed decoder follows; deeper documents go
// to encoding/json (whose own limit is 10,000).
const maxNesting = 1000

// decodeState is one goroutine's position in a text being decoded.
type decodeState struct {
	data  []byte
	pos   int
	depth int // containers open around pos, those outside data included
	words *interner
	link  *textLinker // set while decoding the joined view: see linkedDecoder
	buf   []byte      // unescaped string
	// linked counts joined objects linked by comparing their text.
	linked int
	arena  []byte      // the unshared strings of the objects being decoded
	fix    []stringFix // where they go
	slabs  []slab      // by slabType.id
}

func (d *decodeState) fail(why string) { panic(fallback{why}) }

// tryDecode runs fn, turning a decoder's fallback into false.
func tryDecode(fn func()) (ok bool, why string) {
	defer func() {
		if r := recover(); r != nil {
			f, isFallback := r.(fallback)
			if !isFallback {
				panic(r)
			}
			ok, why = false, f.why
		}
	}()
	fn()
	return true, ""
}

// decoderFunc decodes the value at d.pos into v (addressable), leaving
// d.pos after it.
type decoderFunc func(d *decodeState, v reflect.Value)

// The strings of one object that are not shared are made as one string,
// of which each field holds a part: one allocation per object instead of
// one per field (a 600,000-mailbox snapshot has tens of millions of
// strings). Fields are set when the object ends (flush), before anything
// can move it.

// stringFix is a string to set once its object ends: the field v, or the
// element index of the list being decoded, gets arena[off:off+n].
type stringFix struct {
	v      reflect.Value
	index  int
	off, n int
}

// Values pointed to (times, flags, the objects of sections) are made in
// slabs of a few hundred, one allocation each.

// slabType numbers a type whose values are made in slabs.
type slabType struct {
	id int
	t  reflect.Type // a slice of the type
}

var slabCount atomic.Int32

func newSlab(t reflect.Type) slabType {
	return slabType{id: int(slabCount.Add(1)) - 1, t: reflect.SliceOf(t)}
}

// slabSize is the values one slab holds.
const slabSize = 128

// slab is the free part of a goroutine's slab of one type.
type slab struct {
	free reflect.Value
	next int
}

// new returns a pointer to a new zero value of the slab's type.
func (d *decodeState) new(st slabType) reflect.Value {
	if st.id >= len(d.slabs) {
		d.slabs = append(d.slabs, make([]slab, st.id+1-len(d.slabs))...)
	}
	sl := &d.slabs[st.id]
	if !sl.free.IsValid() || sl.next == sl.free.Len() {
		sl.free, sl.next = reflect.MakeSlice(st.t, slabSize, slabSize), 0
	}
	sl.next++
	return sl.free.Index(sl.next - 1).Addr()
}

// arenaMark is where an object's strings start in d.arena and d.fix.
type arenaMark struct{ arena, fix int }

func (d *decodeState) mark() arenaMark { return arenaMark{len(d.arena), len(d.fix)} }

// setString sets v to b, shared when the site keeps its texts, else once
// the object ends.
func (d *decodeState) setString(v reflect.Value, b []byte, site int) {
	if len(b) == 0 {
		v.SetString("")
		return
	}
	if s, ok := d.words.shared(b, site); ok {
		v.SetString(s)
		return
	}
	d.fix = append(d.fix, stringFix{v: v, off: len(d.arena), n: len(b)})
	d.arena = append(d.arena, b...)
}

// flush sets the fields of the strings recorded since m.
func (d *decodeState) flush(m arenaMark) {
	if len(d.fix) == m.fix {
		return
	}
	all := string(d.arena[m.arena:])
	for _, f := range d.fix[m.fix:] {
		f.v.SetString(all[f.off-m.arena : f.off-m.arena+f.n])
	}
	d.release(m)
}

// release forgets the strings recorded since m.
func (d *decodeState) release(m arenaMark) {
	clear(d.fix[m.fix:])
	d.fix = d.fix[:m.fix]
	d.arena = d.arena[:m.arena]
}

// ---------------------------------------------------------------------------
// Scanning

// ws skips white space.
func (d *decodeState) ws() {
	data := d.data
	i := d.pos
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r':
			i++
		case '\n':
			i++
			for i+8 <= len(data) && binary.LittleEndian.Uint64(data[i:]) == 0x2020202020202020 {
				i += 8
			}
		default:
			d.pos = i
			return
		}
	}
	d.pos = i
}

// peek returns the byte at d.pos; running out of text is a fallback.
func (d *decodeState) peek() byte {
	if d.pos >= len(d.data) {
		d.fail("text ends")
	}
	return d.data[d.pos]
}

// expect consumes c after white space.
func (d *decodeState) expect(c byte) {
	d.ws()
	if d.peek() != c {
		d.fail("expected " + string(c))
	}
	d.pos++
}

// literal consumes the literal word (true, false, null).
func (d *decodeState) literal(word string) {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		d.fail("bad literal")
	}
	d.pos += len(word)
}

// isNull consumes null when it comes next.
func (d *decodeState) isNull() bool {
	if d.peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// open enters a container whose opening byte is at d.pos.
func (d *decodeState) open(c byte) {
	if d.peek() != c {
		d.fail("wrong type")
	}
	d.pos++
	d.depth++
	if d.depth > maxNesting {
		d.fail("nesting")
	}
}

// more reports whether another member or element follows in the container
// just opened (first) or after the one just read, consuming the comma; it
// consumes the closing byte when not.
func (d *decodeState) more(close byte, first bool) bool {
	d.ws()
	c := d.peek()
	if c == close {
		d.pos++
		d.depth--
		return false
	}
	if !first {
		if c != ',' {
			d.fail("expected , or " + string(close))
		}
		d.pos++
		d.ws()
	}
	return true
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainASCII reports whether none of the 8 bytes of x is a quote, a
// backslash, a control character or above 0x7F.
func plainASCII(x uint64) bool {
	zeroQuote := x ^ (swarOnes * '"')
	zeroSlash := x ^ (swarOnes * '\\')
	t := (zeroQuote-swarOnes) & ^zeroQuote | (zeroSlash-swarOnes) & ^zeroSlash | (x-swarOnes*0x20) & ^x | x
	return t&swarHighs == 0
}

// rawString reads the string at d.pos and returns its decoded bytes, valid
// only until the next call. Escapes are decoded into d.buf; an escape
// encoding/json would replace (a lone surrogate) and invalid UTF-8 are
// fallbacks.
func (d *decodeState) rawString() []byte {
	data := d.data
	if d.peek() != '"' {
		d.fail("expected a string")
	}
	start := d.pos + 1
	i := start
	high := false
	for {
		for i+8 <= len(data) && plainASCII(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		if i >= len(data) {
			d.fail("text ends in a string")
		}
		c := data[i]
		switch {
		case c == '"':
			s := data[start:i]
			d.pos = i + 1
			if high && !utf8.Valid(s) {
				d.fail("invalid UTF-8")
			}
			return s
		case c == '\\':
			return d.escapedString(start, i)
		case c < 0x20:
			d.fail("control character in a string")
		case c >= 0x80:
			high = true
		}
		i++
	}
}

// escapedString decodes a string with escapes, from its first escape at i.
func (d *decodeState) escapedString(start, i int) []byte {
	data := d.data
	b := append(d.buf[:0], data[start:i]...)
	for {
		if i >= len(data) {
			d.fail("text ends in a string")
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.buf = b
			if !utf8.Valid(b) {
				d.fail("invalid UTF-8")
			}
			return b
		case c < 0x20:
			d.fail("control character in a string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(data) {
			d.fail("text ends in a string")
		}
		i += 2
		switch data[i-1] {
		case '"', '\\', '/':
			b = append(b, data[i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := d.hex4(i)
			i += 4
			if utf16.IsSurrogate(r) {
				var r2 rune = -1
				if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					r2 = d.hex4(i + 2)
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					d.fail("lone surrogate") // encoding/json would write U+FFFD
				}
				i += 6
			}
			b = utf8.AppendRune(b, r)
		default:
			d.fail("bad escape")
		}
	}
}

func (d *decodeState) hex4(i int) rune {
	if i+4 > len(d.data) {
		d.fail("text ends in an escape")
	}
	var r rune
	for _, c := range d.data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			d.fail("bad escape")
		}
		r = r<<4 | rune(c)
	}
	return r
}

// key reads a member name and the colon after it. Names are taken only as
// written without escapes (a repeated name is found by comparing them).
func (d *decodeState) key() []byte {
	data := d.data
	if d.peek() != '"' {
		d.fail("expected a name")
	}
	start := d.pos + 1
	i := start
	for i < len(data) && data[i] != '"' {
		if data[i] == '\\' || data[i] < 0x20 {
			d.fail("escaped name")
		}
		i++
	}
	if i >= len(data) {
		d.fail("text ends in a name")
	}
	k := data[start:i]
	d.pos = i + 1
	if !utf8.Valid(k) {
		d.fail("invalid UTF-8")
	}
	d.expect(':')
	d.ws()
	return k
}

// mapKey reads a map key and the colon after it; keys may be escaped
// (two keys that decode alike are a fallback, as repeated names are).
func (d *decodeState) mapKey(site int) string {
	k := d.words.str(d.rawString(), site)
	d.expect(':')
	d.ws()
	return k
}

// number reads a JSON number and reports whether it is an integer (no
// fraction, no exponent).
func (d *decodeState) number() (text []byte, integer bool) {
	data := d.data
	start := d.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		d.fail("bad number")
	}
	integer = true
	if i < len(data) && data[i] == '.' {
		integer = false
		i++
		j := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == j {
			d.fail("bad number")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == j {
			d.fail("bad number")
		}
	}
	d.pos = i
	return data[start:i], integer
}

// skipValue returns the end of the JSON value starting at data[i], or false
// when data ends before it does (or the value is not well formed enough to
// find its end; the decoder then says so).
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			case '"':
				end, ok := skipString(data, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			}
			i++
		}
		return 0, false
	case '"':
		return skipString(data, i)
	}
	for j := i; j < len(data); j++ {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j, true
		}
	}
	return 0, false
}

// skipString returns the end of the string whose quote is at data[i].
func skipString(data []byte, i int) (int, bool) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// Shared strings

// interner keeps one copy of the texts that repeat at a place of the
// snapshot (enum names, departments, group DNs in member lists, custom
// attribute names): each place (a struct field, a list's elements, a
// map's keys or values) keeps its own texts, and is watched for its first
// values: a place whose texts do not repeat (ids, addresses) is no longer
// looked up.
type interner struct {
	sites []site
	keys  site // map keys, always interned
}

type site struct {
	words      map[string]string
	last       string // the last text: enum values often follow themselves
	seen, hits uint16
	off        bool
}

const (
	siteTrial  = 256     // values a site is watched for
	maxWords   = 1 << 14 // texts one site keeps
	maxWordLen = 128     // longer texts are never interned
	keysSite   = -1
)

var siteCount atomic.Int32

// newSite numbers a place where strings are decoded.
func newSite() int { return int(siteCount.Add(1)) - 1 }

// alwaysIntern is the site of map keys (custom attribute names).
const alwaysIntern = keysSite

func newInterner() *interner { return &interner{} }

// str returns b as a string, shared with an equal earlier one when the
// site's texts repeat.
func (in *interner) str(b []byte, id int) string {
	if s, ok := in.shared(b, id); ok {
		return s
	}
	return string(b)
}

// shared returns b as a string kept by the site, or false when the site
// keeps none (its texts do not repeat, or b is long).
func (in *interner) shared(b []byte, id int) (string, bool) {
	if in == nil || len(b) > maxWordLen {
		return "", false
	}
	st := &in.keys
	if id >= 0 {
		if id >= len(in.sites) {
			in.sites = append(in.sites, make([]site, id+1-len(in.sites))...)
		}
		st = &in.sites[id]
	}
	if st.off {
		return "", false
	}
	if st.last == string(b) && st.words != nil {
		s := st.last // count may turn the site off and forget last
		st.count(true)
		return s, true
	}
	if st.words == nil {
		st.words = map[string]string{}
	}
	s, ok := st.words[string(b)]
	if !ok {
		s = string(b)
		if len(st.words) < maxWords {
			st.words[s] = s
		}
	}
	st.last = s
	if id >= 0 {
		st.count(ok)
	}
	return s, true
}

// count records whether a text of the site was found, and turns the site
// off when too few of its first texts were.
func (st *site) count(found bool) {
	if st.seen >= siteTrial {
		return
	}
	st.seen++
	if found {
		st.hits++
	}
	if st.seen == siteTrial && st.hits < siteTrial/2 {
		st.off, st.words, st.last = true, nil, ""
	}
}

// ---------------------------------------------------------------------------
// Decoders by type

var (
	errUnsupported     = errors.New("not decoded by the typed decoder")
	unmarshalerType    = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerTyp = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType           = reflect.TypeFor[time.Time]()
	stringsType        = reflect.TypeFor[[]string]()
	stringMapType      = reflect.TypeFor[map[string]string]()
	stringsMapType     = reflect.TypeFor[map[string][]string]()
	anyType            = reflect.TypeFor[any]()
)

// structDecoders caches the decoder of each struct type.
var structDecoders sync.Map // reflect.Type → *structDecoder

// decoderOf returns the decoder of values of type t; strings decoded by it
// are watched as one site.
func decoderOf(t reflect.Type) (decoderFunc, error) {
	if t == timeType {
		return decodeTime, nil
	}
	if t.Kind() != reflect.Pointer && hasUnmarshaler(t) {
		return nil, fmt.Errorf("%s: %w", t, errUnsupported)
	}
	switch t.Kind() {
	case reflect.String:
		site := newSite()
		return func(d *decodeState, v reflect.Value) {
			if !d.isNull() {
				d.setString(v, d.rawString(), site)
			}
		}, nil
	case reflect.Bool:
		return decodeBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint, nil
	case reflect.Float64:
		return decodeFloat, nil
	case reflect.Interface:
		if t == anyType {
			site := newSite()
			return nullable(func(d *decodeState) reflect.Value { return reflect.ValueOf(d.anyValue(site)) }), nil
		}
	case reflect.Pointer:
		elem, err := decoderOf(t.Elem())
		if err != nil {
			return nil, err
		}
		slab := newSlab(t.Elem())
		return nullable(func(d *decodeState) reflect.Value {
			p := d.new(slab)
			elem(d, p.Elem())
			return p
		}), nil
	case reflect.Slice:
		if t == stringsType {
			site := newSite()
			return nullable(func(d *decodeState) reflect.Value { return reflect.ValueOf(d.strings(site)) }), nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			break // base64
		}
		elem, err := decoderOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(func(d *decodeState) reflect.Value {
			d.open('[')
			return d.list(t, elem, 4, func() bool { return d.more(']', false) }, d.more(']', true))
		}), nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String || hasUnmarshaler(t.Key()) {
			break
		}
		site := newSite()
		switch t {
		case stringMapType:
			return nullable(func(d *decodeState) reflect.Value { return reflect.ValueOf(d.stringMap(site)) }), nil
		case stringsMapType:
			return nullable(func(d *decodeState) reflect.Value { return reflect.ValueOf(d.stringsMap(site)) }), nil
		case reflect.TypeFor[map[string]any]():
			return nullable(func(d *decodeState) reflect.Value { return reflect.ValueOf(d.anyMap(site)) }), nil
		}
		elem, err := decoderOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(func(d *decodeState) reflect.Value {
			d.open('{')
			m := reflect.MakeMap(t)
			for first := true; d.more('}', first); first = false {
				k := reflect.New(t.Key()).Elem()
				k.SetString(d.mapKey(alwaysIntern))
				if m.MapIndex(k).IsValid() {
					d.fail("repeated name")
				}
				e := reflect.New(t.Elem()).Elem()
				elem(d, e)
				m.SetMapIndex(k, e)
			}
			return m
		}), nil
	case reflect.Struct:
		sd, err := structDecoderOf(t)
		if err != nil {
			return nil, err
		}
		return sd.decode, nil
	}
	return nil, fmt.Errorf("%s: %w", t, errUnsupported)
}

// nullable decodes a value that null sets to nil (pointers, lists, maps,
// interfaces), its other values with dec.
func nullable(dec func(d *decodeState) reflect.Value) decoderFunc {
	return func(d *decodeState, v reflect.Value) {
		if d.isNull() {
			v.SetZero()
			return
		}
		v.Set(dec(d))
	}
}

// hasUnmarshaler reports whether encoding/json would call a method of t's
// own to decode it.
func hasUnmarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(unmarshalerType) || p.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerTyp) || p.Implements(textUnmarshalerTyp)
}

// structDecoder decodes one struct type.
type structDecoder struct {
	t      reflect.Type
	fields []fieldDecoder
	byName map[string]int
	ready  chan struct{} // closed once fields are built (recursive types)
}

type fieldDecoder struct {
	name  string
	index int
	dec   decoderFunc
}

// maxFields bounds the fields of a struct the typed decoder takes (the
// names seen in one object are kept in a fixed bit set).
const maxFields = 256

func structDecoderOf(t reflect.Type) (*structDecoder, error) {
	if sd, ok := structDecoders.Load(t); ok {
		return sd.(*structDecoder), nil
	}
	sd := &structDecoder{t: t, ready: make(chan struct{})}
	if got, loaded := structDecoders.LoadOrStore(t, sd); loaded {
		return got.(*structDecoder), nil
	}
	err := sd.build()
	close(sd.ready)
	if err != nil {
		structDecoders.Delete(t)
		return nil, err
	}
	return sd, nil
}

// build lists the fields encoding/json decodes. Anything that changes how
// encoding/json matches names (embedded structs, tag options other than
// omitempty) is left to encoding/json.
func (sd *structDecoder) build() error {
	t := sd.t
	sd.byName = map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous {
			return fmt.Errorf("%s.%s (embedded): %w", t, f.Name, errUnsupported)
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if opts != "" && opts != "omitempty" {
			return fmt.Errorf("%s.%s (,%s): %w", t, f.Name, opts, errUnsupported)
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := sd.byName[name]; dup {
			return fmt.Errorf("%s: two fields named %q: %w", t, name, errUnsupported)
		}
		dec, err := decoderOf(f.Type)
		if err != nil {
			return err
		}
		sd.byName[name] = len(sd.fields)
		sd.fields = append(sd.fields, fieldDecoder{name: name, index: i, dec: dec})
	}
	if len(sd.fields) > maxFields {
		return fmt.Errorf("%s: more than %d fields: %w", t, maxFields, errUnsupported)
	}
	return nil
}

// withField returns a copy of sd whose fields of type ft are decoded by dec.
func (sd *structDecoder) withField(ft reflect.Type, dec decoderFunc) *structDecoder {
	c := *sd
	c.fields = append([]fieldDecoder(nil), sd.fields...)
	for i := range c.fields {
		if sd.t.Field(c.fields[i].index).Type == ft {
			c.fields[i].dec = dec
		}
	}
	return &c
}

func (sd *structDecoder) decode(d *decodeState, v reflect.Value) {
	<-sd.ready
	if d.isNull() {
		return
	}
	d.open('{')
	mark := d.mark()
	var m members
	for first := true; d.more('}', first); first = false {
		i, ok := m.find(sd, d.key())
		if !ok {
			d.fail("unknown or repeated name")
		}
		f := &sd.fields[i]
		f.dec(d, v.Field(f.index))
	}
	d.flush(mark)
}

// members tracks the names read in one object.
type members struct {
	seen [maxFields / 64]uint64
	next int // the field expected next: encoders write them in order
}

// find returns the field named k, or false when no field is named k or
// its name was read before in the object.
func (m *members) find(sd *structDecoder, k []byte) (int, bool) {
	i := m.next
	if i >= len(sd.fields) || sd.fields[i].name != string(k) {
		var ok bool
		if i, ok = sd.byName[string(k)]; !ok {
			return 0, false
		}
	}
	if m.seen[i/64]&(1<<(i%64)) != 0 {
		return 0, false
	}
	m.seen[i/64] |= 1 << (i % 64)
	m.next = i + 1
	return i, true
}

// has reports whether field i was read.
func (m *members) has(i int) bool { return m.seen[i/64]&(1<<(i%64)) != 0 }

func decodeBool(d *decodeState, v reflect.Value) {
	switch d.peek() {
	case 't':
		d.literal("true")
		v.SetBool(true)
	case 'f':
		d.literal("false")
		v.SetBool(false)
	case 'n':
		d.literal("null")
	default:
		d.fail("not a bool")
	}
}

func decodeInt(d *decodeState, v reflect.Value) {
	if d.isNull() {
		return
	}
	text, integer := d.number()
	if !integer {
		d.fail("not an integer")
	}
	n, ok := parseInt(text)
	if !ok || v.OverflowInt(n) {
		d.fail("integer out of range")
	}
	v.SetInt(n)
}

// parseInt converts a well-formed JSON integer without allocating.
func parseInt(text []byte) (int64, bool) {
	neg := text[0] == '-'
	if neg {
		text = text[1:]
	}
	if len(text) > 18 {
		n, err := strconv.ParseInt(string(text), 10, 64)
		if neg {
			n, err = strconv.ParseInt("-"+string(text), 10, 64)
		}
		return n, err == nil
	}
	var n int64
	for _, c := range text {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func decodeUint(d *decodeState, v reflect.Value) {
	if d.isNull() {
		return
	}
	text, integer := d.number()
	if !integer {
		d.fail("not an integer")
	}
	n, err := strconv.ParseUint(string(text), 10, 64)
	if err != nil || v.OverflowUint(n) {
		d.fail("integer out of range")
	}
	v.SetUint(n)
}

func decodeFloat(d *decodeState, v reflect.Value) {
	if d.isNull() {
		return
	}
	v.SetFloat(d.float())
}

func (d *decodeState) float() float64 {
	text, _ := d.number()
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		d.fail("number out of range")
	}
	return f
}

// decodeTime decodes a time as encoding/json does (time.Time's
// UnmarshalJSON, given the text with its quotes).
func decodeTime(d *decodeState, v reflect.Value) {
	if !d.isNull() {
		d.timeInto(v.Addr().Interface().(*time.Time))
	}
}

func (d *decodeState) timeInto(t *time.Time) {
	start := d.pos
	if d.peek() != '"' {
		d.fail("time is not a string")
	}
	end, ok := skipString(d.data, start)
	if !ok {
		d.fail("text ends in a string")
	}
	if t.UnmarshalJSON(d.data[start:end]) != nil {
		d.fail("time")
	}
	d.pos = end
}

// strings decodes a list of strings.
func (d *decodeState) strings(site int) []string {
	d.open('[')
	list := []string{}
	mark := d.mark()
	for first := true; d.more(']', first); first = false {
		if d.isNull() {
			list = append(list, "")
			continue
		}
		b := d.rawString()
		if s, ok := d.words.shared(b, site); ok {
			list = append(list, s)
			continue
		}
		d.fix = append(d.fix, stringFix{index: len(list), off: len(d.arena), n: len(b)})
		d.arena = append(d.arena, b...)
		list = append(list, "")
	}
	if len(d.fix) > mark.fix {
		all := string(d.arena[mark.arena:])
		for _, f := range d.fix[mark.fix:] {
			list[f.index] = all[f.off-mark.arena : f.off-mark.arena+f.n]
		}
		d.release(mark)
	}
	return list
}

// decodeMap decodes an object into a new map, each value by val.
func decodeMap[V any](d *decodeState, val func() V) map[string]V {
	d.open('{')
	m := map[string]V{}
	for first := true; d.more('}', first); first = false {
		k := d.mapKey(alwaysIntern)
		if _, dup := m[k]; dup {
			d.fail("repeated name")
		}
		m[k] = val()
	}
	return m
}

// str decodes a string, null as "" (a value encoding/json leaves alone).
func (d *decodeState) str(site int) string {
	if d.isNull() {
		return ""
	}
	return d.words.str(d.rawString(), site)
}

func (d *decodeState) stringMap(site int) map[string]string {
	return decodeMap(d, func() string { return d.str(site) })
}

func (d *decodeState) stringsMap(site int) map[string][]string {
	return decodeMap(d, func() []string {
		if d.isNull() {
			return nil
		}
		return d.strings(site)
	})
}

func (d *decodeState) anyMap(site int) map[string]any {
	return decodeMap(d, func() any { return d.anyValue(site) })
}

// anyValue decodes a value as encoding/json does into an interface:
// map[string]any, []any, string, float64, bool or nil.
func (d *decodeState) anyValue(site int) any {
	switch c := d.peek(); {
	case c == '{':
		return d.anyMap(site)
	case c == '[':
		d.open('[')
		list := []any{}
		for first := true; d.more(']', first); first = false {
			list = append(list, d.anyValue(site))
		}
		return list
	case c == '"':
		return d.words.str(d.rawString(), site)
	case c == 't':
		d.literal("true")
		return true
	case c == 'f':
		d.literal("false")
		return false
	case c == 'n':
		d.literal("null")
		return nil
	}
	return d.float()
}

// list decodes the elements of an opened array into a new slice of type t
// (an empty array into an empty, non-nil slice), starting with capacity
// capHint; more is called after each element, first is the answer before
// the first.
func (d *decodeState) list(t reflect.Type, elem decoderFunc, capHint int, more func() bool, first bool) reflect.Value {
	if !first {
		return reflect.MakeSlice(t, 0, 0)
	}
	list := reflect.MakeSlice(t, capHint, capHint)
	n := 0
	for {
		if n == list.Len() {
			grown := reflect.MakeSlice(t, 2*n, 2*n)
			reflect.Copy(grown, list)
			list = grown
		}
		elem(d, list.Index(n))
		n++
		if !more() {
			return list.Slice3(0, n, n)
		}
	}
}
