package exo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The parallel reader. A Get-Mailbox export is one JSON array of objects
// with some 230 properties each, of which a converter reads a few dozen.
// readParallel splits the array into blocks of whole elements (splitter)
// and has every processor validate and convert blocks (objectReader);
// blocks are merged in file order. It takes only a plain array of objects
// whose names are all distinct; at anything else (a wrapper, a null
// element, a syntax error, a repeated name, bytes that are not UTF-8) it
// stops at the block before and readObjects reads the rest of the file,
// so every error reads as it always did.

// blockSize is how much text the splitter hands over at a time.
const blockSize = 1 << 20

// maxFastDepth is the deepest nesting the parallel reader follows; deeper
// documents go to readObjects, whose decoder has its own limit.
const maxFastDepth = 1000

// slotNames are the top-level properties one converter reads, each given a
// slot; names that differ only in case share one (PowerShell property
// names are case-insensitive and a repeated name is refused).
type slotNames struct {
	slot  map[string]int // name as a converter asks for it → slot
	names []string       // slot → the first spelling asked for
}

func (s *slotNames) add(name string) {
	if _, ok := s.slot[name]; ok {
		return
	}
	for i, n := range s.names {
		if strings.EqualFold(n, name) {
			s.slot[name] = i
			return
		}
	}
	s.slot[name] = len(s.names)
	s.names = append(s.names, name)
}

// value returns the property of an object read by slots.
func (s *slotNames) value(slots []json.RawMessage, name string) (value, bool) {
	i, ok := s.slot[name]
	if !ok {
		// namesRead records every name a converter asks for with the
		// object empty and with every property null; a name asked for
		// only in other cases must be added to it.
		panic("exo: a converter reads property " + strconv.Quote(name) + ", which namesRead did not record")
	}
	if slots[i] == nil {
		return value{}, false
	}
	return value{raw: slots[i]}, true
}

// recorder answers a converter's questions while namesRead records them.
type recorder struct {
	names   *slotNames
	present bool
}

func (r *recorder) get(name string) (value, bool) {
	r.names.add(name)
	if r.present {
		return value{raw: json.RawMessage("null")}, true
	}
	return value{}, false
}

// namesRead records the top-level properties conv reads: it runs conv on
// an object without properties and on one whose every property is null,
// which takes both sides of the "has" tests converters make.
func namesRead(conv func(*fields)) *slotNames {
	s := &slotNames{slot: map[string]int{}}
	for _, present := range []bool{false, true} {
		conv(newFields("", &rawObject{rec: &recorder{names: s, present: present}}))
	}
	for _, n := range identityNames {
		s.add(n)
	}
	return s
}

// keeper hands out the texts of the objects one worker converts, keeping
// one copy of a text repeated within an object (Identity, Name and
// DisplayName; the addresses) and, for words, of a text repeated across
// objects (enum names, department codes): at 600,000 mailboxes copies are
// much of the sections.
type keeper struct {
	words map[string]string
	seen  []string // texts of the current object
}

// maxWords bounds the words a keeper keeps; maxSeen the texts of an object
// it compares with.
const (
	maxWords = 4096
	maxSeen  = 16
)

func newKeeper() *keeper {
	return &keeper{words: map[string]string{}, seen: make([]string, 0, maxSeen)}
}

func (k *keeper) text(raw []byte, word bool) string {
	for _, s := range k.seen {
		if s == string(raw) {
			return s
		}
	}
	if word {
		if s, ok := k.words[string(raw)]; ok {
			return s
		}
	}
	s := string(raw)
	if word && len(k.words) < maxWords {
		k.words[s] = s
	}
	if len(k.seen) < maxSeen {
		k.seen = append(k.seen, s)
	}
	return s
}

type span struct{ start, end int }

// batch is a block of text holding whole array elements.
type batch struct {
	buf   []byte
	objs  []span // elements, offsets in buf
	first int    // index of the first element in the file
	line  int    // line of buf[0]
	end   int64  // text offset after the last element
	last  bool   // the splitter stopped after this batch
	stop  bool   // ... at something readObjects must read
	done  chan struct{}
	// Set by the worker.
	part     sinkPart
	problems []string
	dropped  int
	bad      bool // an element the parallel reader does not take
}

// readParallel reads the array of objects in t into s and the tally, and
// reports whether that was the whole text; when not, s and the tally hold
// part of it and readObjects must read the text again. expected is about
// the size of the text. It stops early, with ctx's error, when ctx ends.
func readParallel(ctx context.Context, t *textStream, src string, s partedSink, tl *tally, expected int64) (bool, error) {
	workers := runtime.GOMAXPROCS(0)
	sp := &splitter{r: t.r, line: 1, quit: make(chan struct{}), order: make(chan *batch, 2*workers+2),
		work: make(chan *batch, workers), free: make(chan []byte, 3*workers+4)}
	go sp.run()
	var wg sync.WaitGroup
	names := s.names()
	for range workers {
		wg.Go(func() {
			r := &objectReader{names: names, slots: make([]json.RawMessage, len(names.names)), shapes: map[string]*shape{}, keep: newKeeper()}
			for b := range sp.work {
				r.convert(b, src, s)
				close(b.done)
			}
		})
	}
	defer wg.Wait()
	whole := false
	var err error
	for b := range sp.order {
		<-b.done
		if err = ctx.Err(); err != nil || b.bad {
			break
		}
		growFor(s, tl.n, len(b.objs), b.end, expected)
		s.merge(b.part)
		tl.n += len(b.objs)
		tl.note(b.problems, b.dropped)
		if cap(b.buf) == blockSize {
			select {
			case sp.free <- b.buf[:0]:
			default:
			}
		}
		if b.last {
			whole = !b.stop
			break
		}
	}
	close(sp.quit)
	for range sp.order { // let the splitter end
	}
	return whole, err
}

// growFor makes room in s for the next objects from an estimate of how
// many the rest of the text holds, so that the list is not copied each
// time it doubles.
func growFor(s partedSink, have, need int, off, expected int64) {
	if need == 0 || s.room() >= need || off <= 0 {
		return
	}
	perObject := float64(off) / float64(have+need)
	more := need
	if rest := expected - off; rest > 0 {
		more += int(float64(rest)/perObject*1.1) + 16
	}
	s.grow(more)
}

// splitter cuts the text of an array into batches of whole elements. It
// checks the text between elements; workers check the elements.
type splitter struct {
	r     io.Reader
	buf   []byte
	off   int64 // text offset of buf[0]
	line  int   // line of buf[0]
	index int   // elements in the batches sent
	eof   bool
	objs  []span
	quit  chan struct{}
	order chan *batch // batches in text order, to merge
	work  chan *batch // the same batches, to convert
	free  chan []byte // blocks merged, for reuse
}

const (
	beforeArray = iota
	firstElement
	nextElement
	afterArray
)

func (s *splitter) run() {
	defer close(s.work)
	defer close(s.order)
	state, pos := beforeArray, 0
	more := func() bool {
		if !s.refill(pos) {
			return false
		}
		pos = 0
		return true
	}
	if !more() {
		s.finish(true)
		return
	}
	for {
		j := skipBlanks(s.buf, pos)
		if j == len(s.buf) {
			if state == afterArray && s.eof {
				s.finish(false)
				return
			}
			if !more() {
				s.finish(true) // ends early, or cannot be read: readObjects says so
				return
			}
			continue
		}
		c := s.buf[j]
		switch state {
		case beforeArray:
			if c != '[' {
				s.finish(true) // one object, a wrapper, null, ...
				return
			}
			pos, state = j+1, firstElement
			continue
		case afterArray:
			s.finish(true) // another document follows
			return
		}
		if c == ']' {
			pos, state = j+1, afterArray
			continue
		}
		if state == nextElement {
			if c != ',' {
				s.finish(true)
				return
			}
			if j = skipBlanks(s.buf, j+1); j == len(s.buf) {
				if !more() {
					s.finish(true)
					return
				}
				continue
			}
			c = s.buf[j]
		}
		if c != '{' { // null, another type, or a syntax error
			s.finish(true)
			return
		}
		e := objectEnd(s.buf, j)
		if e < 0 {
			if !more() {
				s.finish(true)
				return
			}
			continue
		}
		s.objs = append(s.objs, span{j, e})
		pos, state = e, nextElement
	}
}

// refill sends the elements read so far and reads more text after
// buf[keep:]. It returns false at the end of the text.
func (s *splitter) refill(keep int) bool {
	if s.eof {
		return false
	}
	tail := s.buf[keep:]
	size := blockSize
	for len(tail) > size/2 {
		size *= 2
	}
	var next []byte
	if size == blockSize {
		select {
		case next = <-s.free:
		default:
		}
	}
	if next == nil {
		next = make([]byte, 0, size)
	}
	next = append(next, tail...)
	if len(s.objs) > 0 && !s.send(false, false) {
		return false
	}
	s.line += bytes.Count(s.buf[:keep], []byte{'\n'})
	s.off += int64(keep)
	s.buf = next
	for len(s.buf) < cap(s.buf) {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil { // io.EOF, or an error readObjects meets again
			s.eof = true
			break
		}
	}
	return true
}

// finish sends the last batch; stop says readObjects must read on.
func (s *splitter) finish(stop bool) { s.send(true, stop) }

func (s *splitter) send(last, stop bool) bool {
	b := &batch{buf: s.buf, objs: s.objs, first: s.index, line: s.line, last: last, stop: stop, done: make(chan struct{})}
	if len(s.objs) > 0 {
		b.end = s.off + int64(s.objs[len(s.objs)-1].end)
	}
	s.index += len(s.objs)
	s.objs = nil
	select {
	case s.order <- b:
	case <-s.quit:
		return false
	}
	select {
	case s.work <- b:
	case <-s.quit:
		close(b.done)
		return false
	}
	return true
}

// objectEnd returns the offset after the object or array that starts at
// data[i], or -1 when data ends first. It follows strings and brackets
// only: the worker validates the element.
func objectEnd(data []byte, i int) int {
	depth := 0
	for j := i; j < len(data); j++ {
		switch data[j] {
		case '"':
			k := j + 1
			for {
				q := bytes.IndexByte(data[k:], '"')
				if q < 0 {
					return -1
				}
				k += q
				b := 0
				for k-1-b > j && data[k-1-b] == '\\' {
					b++
				}
				if b%2 == 0 {
					break
				}
				k++
			}
			j = k
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// shape is the property names of an object as written, in order, with the
// slot each fills (-1: not read). An export repeats a few shapes for all
// its objects: an object whose names match a known shape needs neither the
// duplicate check nor name matching.
type shape struct {
	keys  [][]byte
	slots []int
}

// maxShapes bounds the shapes an objectReader remembers.
const maxShapes = 256

// objectReader validates and reads one element at a time, on one worker.
type objectReader struct {
	names  *slotNames
	keep   *keeper
	slots  []json.RawMessage // of the last object
	props  propMap           // of the last object, when not by slots
	cur    *shape
	shapes map[string]*shape // by signature
	keys   []span            // of the last object: names with their quotes
	vals   []span
	sig    []byte
}

const (
	readBySlots = iota
	readByProps // valid, but its names cannot be matched by slot
	readRefused // for readObjects to read and word
)

// convert reads and converts the elements of one batch.
func (r *objectReader) convert(b *batch, src string, s partedSink) {
	part := s.newPart(len(b.objs))
	line, prev := b.line, 0
	var o rawObject
	var problems []string
	f := &fields{src: src, obj: &o, problems: &problems}
	for k, sp := range b.objs {
		line += bytes.Count(b.buf[prev:sp.start], []byte{'\n'})
		prev = sp.start
		o = rawObject{index: b.first + k, line: line}
		switch r.read(b.buf[sp.start:sp.end]) {
		case readRefused:
			b.bad = true
			return
		case readByProps:
			o.props = r.props
		default:
			o.slots, o.slotOf, o.keep = r.slots, r.names, r.keep
			r.keep.seen = r.keep.seen[:0]
		}
		f.props, problems = o.props, problems[:0]
		part.add(f)
		for _, p := range problems {
			if len(b.problems) < maxProblems {
				b.problems = append(b.problems, p)
			} else {
				b.dropped++
			}
		}
	}
	b.part = part
}

// read validates one object (data holds it exactly) and reads its
// properties into slots, or into props when it must.
func (r *objectReader) read(data []byte) int {
	clear(r.slots)
	r.props = nil
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	sh := r.cur
	match := sh != nil
	i := skipBlanks(data, 1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for pos := 0; ; pos++ {
			if i >= len(data) || data[i] != '"' {
				return readRefused
			}
			ke := scanString(data, i)
			if ke < 0 {
				return readRefused
			}
			slot := -1
			if match {
				if pos < len(sh.keys) && bytes.Equal(sh.keys[pos], data[i+1:ke-1]) {
					slot = sh.slots[pos]
				} else {
					match = false
				}
			}
			r.keys = append(r.keys, span{i, ke})
			if i = skipBlanks(data, ke); i >= len(data) || data[i] != ':' {
				return readRefused
			}
			vs := skipBlanks(data, i+1)
			ve := scanValue(data, vs, 1)
			if ve < 0 {
				return readRefused
			}
			r.vals = append(r.vals, span{vs, ve})
			if slot >= 0 {
				r.slots[slot] = data[vs:ve:ve]
			}
			if i = skipBlanks(data, ve); i >= len(data) {
				return readRefused
			}
			if data[i] == ',' {
				i = skipBlanks(data, i+1)
				continue
			}
			if data[i] != '}' {
				return readRefused
			}
			i++
			break
		}
	}
	if i != len(data) {
		return readRefused
	}
	if match && len(r.keys) == len(sh.keys) {
		return readBySlots
	}
	return r.otherShape(data)
}

// otherShape reads an object whose names differ from the current shape.
func (r *objectReader) otherShape(data []byte) int {
	r.sig = r.sig[:0]
	for _, k := range r.keys {
		r.sig = strconv.AppendInt(r.sig, int64(k.end-k.start), 10)
		r.sig = append(r.sig, data[k.start:k.end]...)
	}
	sh, known := r.shapes[string(r.sig)]
	if !known {
		// The names repeat or differ only in case: readObjects words it.
		var m propMap
		if m.UnmarshalJSON(data) != nil {
			return readRefused
		}
		sh = &shape{keys: make([][]byte, len(r.keys)), slots: make([]int, len(r.keys))}
		taken := make([]bool, len(r.names.names))
		for p, k := range r.keys {
			sh.keys[p] = bytes.Clone(data[k.start+1 : k.end-1])
			sh.slots[p] = -1
			name := keyText(data[k.start:k.end])
			for slot, n := range r.names.names {
				if strings.EqualFold(name, n) {
					if taken[slot] { // two names for one property ("ſ" folds to "s"): ask props
						r.props = m
						return readByProps
					}
					taken[slot] = true
					sh.slots[p] = slot
				}
			}
		}
		if len(r.shapes) < maxShapes {
			r.shapes[string(r.sig)] = sh
		}
	}
	r.cur = sh
	for p, v := range r.vals {
		if slot := sh.slots[p]; slot >= 0 {
			r.slots[slot] = data[v.start:v.end:v.end]
		}
	}
	return readBySlots
}

// keyText returns the text of a valid JSON string (with its quotes).
func keyText(quoted []byte) string {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return string(raw)
	}
	return s
}

// stringPlain[c] is true for the bytes a JSON string holds as they are
// (ASCII, printable, neither quote nor backslash).
var stringPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString validates the string at data[i] ('"') and returns the offset
// after it, or -1. Besides JSON, the text must be UTF-8, as textStream
// checks.
func scanString(data []byte, i int) int {
	j := i + 1
	for {
		for j+4 <= len(data) && stringPlain[data[j]] && stringPlain[data[j+1]] && stringPlain[data[j+2]] && stringPlain[data[j+3]] {
			j += 4
		}
		for j < len(data) && stringPlain[data[j]] {
			j++
		}
		if j >= len(data) {
			return -1
		}
		switch c := data[j]; {
		case c == '"':
			return j + 1
		case c == '\\':
			if j+1 >= len(data) {
				return -1
			}
			switch data[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(data) || !isHex(data[j+2]) || !isHex(data[j+3]) || !isHex(data[j+4]) || !isHex(data[j+5]) {
					return -1
				}
				j += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default:
			r, size := utf8.DecodeRune(data[j:])
			if r == utf8.RuneError && size <= 1 {
				return -1
			}
			j += size
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanValue validates the value at data[i] and returns the offset after
// it, or -1.
func scanValue(data []byte, i, depth int) int {
	if i >= len(data) {
		return -1
	}
	switch c := data[i]; {
	case c == '"':
		return scanString(data, i)
	case c == '{' || c == '[':
		return scanContainer(data, i, depth+1)
	case c == 't':
		return literal(data, i, "true")
	case c == 'f':
		return literal(data, i, "false")
	case c == 'n':
		return literal(data, i, "null")
	case c == '-' || isDigit(c):
		return scanNumber(data, i)
	}
	return -1
}

func literal(data []byte, i int, word string) int {
	if bytes.HasPrefix(data[i:], []byte(word)) {
		return i + len(word)
	}
	return -1
}

func scanNumber(data []byte, i int) int {
	j := i
	if data[j] == '-' {
		j++
	}
	switch {
	case j < len(data) && data[j] == '0':
		j++
	case j < len(data) && isDigit(data[j]):
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	default:
		return -1
	}
	if j < len(data) && data[j] == '.' {
		j++
		if j >= len(data) || !isDigit(data[j]) {
			return -1
		}
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		j++
		if j < len(data) && (data[j] == '+' || data[j] == '-') {
			j++
		}
		if j >= len(data) || !isDigit(data[j]) {
			return -1
		}
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	}
	return j
}

// scanContainer validates the object or array at data[i].
func scanContainer(data []byte, i, depth int) int {
	if depth > maxFastDepth {
		return -1
	}
	closer := byte(']')
	if data[i] == '{' {
		closer = '}'
	}
	i = skipBlanks(data, i+1)
	if i < len(data) && data[i] == closer {
		return i + 1
	}
	for {
		if closer == '}' { // a name first
			if i >= len(data) || data[i] != '"' {
				return -1
			}
			if i = scanString(data, i); i < 0 {
				return -1
			}
			if i = skipBlanks(data, i); i >= len(data) || data[i] != ':' {
				return -1
			}
			i = skipBlanks(data, i+1)
		}
		if i = scanValue(data, i, depth); i < 0 {
			return -1
		}
		if i = skipBlanks(data, i); i >= len(data) {
			return -1
		}
		switch data[i] {
		case ',':
			i = skipBlanks(data, i+1)
		case closer:
			return i + 1
		default:
			return -1
		}
	}
}
