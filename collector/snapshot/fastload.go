package snapshot

import (
	"bytes"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// The fast loader. A saved snapshot is read in one pass by the typed
// decoder (decode.go): the text is read and hashed by one goroutine, which
// walks the top-level object and the sections itself and hands the lists
// of the sections and the joined view (ad.users, exo.mailboxes, joined...)
// to every processor in batches of whole elements. It decodes the same
// values as the reader in load.go (decodeSnapshot), which remains the
// reference: whenever the fast loader meets anything it does not take,
// decodeSnapshot reads the document again and reports.

const (
	// batchSize is about how much text one batch of elements holds.
	batchSize = 1 << 20
	// bufferSize is the size of a read buffer: a batch and the start of
	// the next element.
	bufferSize = batchSize + batchSize/4
	// maxWindow bounds the text held while looking for the end of an
	// element of a list: a list not written one element per line by
	// exoready (a compact document) is left to decodeSnapshot.
	maxWindow = 64 << 20
)

// batch is a run of whole elements of one list.
type batch struct {
	text  []byte
	buf   []byte // the buffer text is in, given back when decoded
	elem  decoderFunc
	t     reflect.Type // the list's type
	depth int          // containers open around the elements
	link  *textLinker  // the joined view's linker
	// density sizes the list; shared by the batches of one list.
	density *listDensity
	done    chan struct{}
	// Set by the worker.
	list   reflect.Value
	ok     bool
	why    string
	linked int
}

// fastLoader reads one document.
type fastLoader struct {
	src  io.Reader // nil when the whole document is in buf
	hash *tally
	buf  []byte
	pos  int
	eof  bool
	d    decodeState // for the values the loader decodes itself

	pool    chan []byte // buffers given back by workers
	buffers int         // buffers made
	work    chan *batch
	workers sync.WaitGroup
	failed  atomic.Bool // a worker gave up: the document goes to the reference

	snap *Snapshot
	why  string
	// fastLinks counts joined objects linked by comparing their text.
	fastLinks int
}

var (
	snapshotDecoder     *structDecoder
	joinedDecoder       *structDecoder
	snapshotDecoderErr  error
	snapshotDecoderOnce sync.Once
)

// decoders builds the typed decoders of the snapshot once.
func decoders() error {
	snapshotDecoderOnce.Do(func() {
		snapshotDecoder, snapshotDecoderErr = structDecoderOf(reflect.TypeFor[Snapshot]())
		if snapshotDecoderErr != nil {
			return
		}
		var jd *structDecoder
		if jd, snapshotDecoderErr = structDecoderOf(reflect.TypeFor[JoinedMailbox]()); snapshotDecoderErr != nil {
			return
		}
		linked := func(t reflect.Type, candidate func(*textLinker, []byte) reflect.Value) decoderFunc {
			dec, err := decoderOf(t)
			if err != nil {
				snapshotDecoderErr = err
				return nil
			}
			equal, err := equalOf(t.Elem())
			if err != nil {
				snapshotDecoderErr = err
				return nil
			}
			return linkedDecoder(dec, equal, candidate)
		}
		joinedDecoder = jd.
			withField(reflect.TypeFor[*ADRecipient](), linked(reflect.TypeFor[*ADRecipient](), adCandidate)).
			withField(reflect.TypeFor[*Mailbox](), linked(reflect.TypeFor[*Mailbox](), mailboxCandidate))
	})
	return snapshotDecoderErr
}

// fastDecode decodes a whole document held in data, or reports false.
func fastDecode(data []byte) (*Snapshot, bool) {
	l := &fastLoader{buf: data, eof: true}
	return l.run()
}

// fastRead decodes the document r yields, hashing every byte of it into h,
// or reports false; r is then read only partly.
func fastRead(r io.Reader, h *tally) (*Snapshot, bool) {
	l := &fastLoader{src: r, hash: h, buf: make([]byte, 0, bufferSize)}
	l.buffers = 1
	return l.run()
}

func (l *fastLoader) run() (s *Snapshot, ok bool) {
	if decoders() != nil {
		return nil, false
	}
	workers := runtime.GOMAXPROCS(0)
	l.work = make(chan *batch, workers)
	l.pool = make(chan []byte, 2*workers+4)
	for range workers {
		l.workers.Go(func() {
			words := newInterner()
			for b := range l.work {
				l.decodeBatch(b, words)
			}
		})
	}
	l.d.words = newInterner()
	l.snap = &Snapshot{}
	ok, l.why = tryDecode(l.document)
	close(l.work)
	l.workers.Wait()
	if ok {
		// The fast loader takes only sections with every member, so
		// the view was read.
		settleDuplicateAddresses(l.snap.AD, true)
	}
	if !ok || l.snap.SchemaVersion != SchemaVersion || l.snap.Validate() != nil {
		return nil, false // decodeSnapshot words what is wrong
	}
	return l.snap, true
}

// document decodes the top-level object and checks nothing but white
// space follows it, to the end of the text.
func (l *fastLoader) document() {
	l.ws()
	if l.byte() != '{' {
		l.d.fail("not an object")
	}
	l.object(reflect.ValueOf(l.snap).Elem(), snapshotDecoder, 2)
	for {
		l.ws()
		if l.pos < len(l.buf) {
			l.d.fail("text after the document")
		}
		if l.eof {
			return
		}
		l.fill(1)
	}
}

// fill reads until n bytes past pos are held or the text ends.
func (l *fastLoader) fill(n int) {
	for len(l.buf)-l.pos < n && !l.eof {
		if len(l.buf) == cap(l.buf) {
			size := max(bufferSize, 2*(len(l.buf)-l.pos), n+batchSize/4)
			if size > maxWindow {
				l.d.fail("no end of element in sight")
			}
			var next []byte
			if size <= bufferSize {
				next = l.buffer()
			} else {
				next = make([]byte, 0, size)
			}
			next = append(next, l.buf[l.pos:]...)
			l.release(l.buf)
			l.buf, l.pos = next, 0
		}
		m, err := l.src.Read(l.buf[len(l.buf):cap(l.buf)])
		l.hash.add(l.buf[len(l.buf) : len(l.buf)+m])
		l.buf = l.buf[:len(l.buf)+m]
		if err == io.EOF {
			l.eof = true
		} else if err != nil {
			l.d.fail("read: " + err.Error())
		}
	}
}

// buffer returns a free buffer: one a worker gave back, a new one while
// fewer than the pool holds were made, else the next one given back.
func (l *fastLoader) buffer() []byte {
	select {
	case b := <-l.pool:
		return b[:0]
	default:
	}
	if l.buffers < cap(l.pool) {
		l.buffers++
		return make([]byte, 0, bufferSize)
	}
	return (<-l.pool)[:0]
}

// release gives a buffer back to the pool, when it is one of the pool's.
func (l *fastLoader) release(b []byte) {
	if l.src == nil || cap(b) != bufferSize {
		return
	}
	select {
	case l.pool <- b:
	default:
	}
}

// byte returns the byte at pos, reading more when needed.
func (l *fastLoader) byte() byte {
	l.fill(1)
	if l.pos >= len(l.buf) {
		l.d.fail("text ends")
	}
	return l.buf[l.pos]
}

func (l *fastLoader) ws() {
	for {
		l.fill(1)
		l.d.data, l.d.pos = l.buf, l.pos
		l.d.ws()
		l.pos = l.d.pos
		if l.pos < len(l.buf) || l.eof {
			return
		}
	}
}

// whole decodes the value at pos with dec, once all its text is held.
func (l *fastLoader) whole(dec decoderFunc, v reflect.Value) {
	for {
		end, ok := skipValue(l.buf, l.pos)
		if ok && (end < len(l.buf) || l.eof) {
			l.d.data, l.d.pos = l.buf[:end], l.pos
			mark := l.d.mark()
			dec(&l.d, v)
			if l.d.pos != end {
				l.d.fail("value ends early")
			}
			l.d.flush(mark)
			l.pos = end
			return
		}
		if l.eof {
			l.d.fail("text ends")
		}
		l.fill(len(l.buf) - l.pos + batchSize)
	}
}

// key reads a member name and its colon; the name is valid until the
// next read.
func (l *fastLoader) key() []byte {
	for {
		end, ok := skipString(l.buf, l.pos)
		if ok {
			l.fill(end - l.pos + 64) // the colon after it
			l.d.data, l.d.pos = l.buf, l.pos
			k := l.d.key()
			l.pos = l.d.pos
			l.ws()
			return k
		}
		if l.eof {
			l.d.fail("text ends")
		}
		l.fill(len(l.buf) - l.pos + 4096)
	}
}

// object decodes the members of the object at pos into the struct v.
// Pointers to structs are decoded the same way while level > 0 and lists
// of structs are decoded in batches; other members are decoded whole.
func (l *fastLoader) object(v reflect.Value, sd *structDecoder, level int) {
	l.pos++ // the opening brace
	l.d.depth++
	var m members
	for first := true; ; first = false {
		l.ws()
		switch c := l.byte(); {
		case c == '}':
			l.pos++
			l.d.depth--
			for i := range sd.fields {
				if !m.has(i) {
					// exoready writes every member; what a reader
					// does when one is missing is left to it.
					l.d.fail("member " + sd.fields[i].name + " missing")
				}
			}
			return
		case !first && c != ',':
			l.d.fail("expected , or }")
		case !first:
			l.pos++
			l.ws()
		}
		i, ok := m.find(sd, l.key())
		if !ok {
			l.d.fail("unknown or repeated name")
		}
		f := &sd.fields[i]
		fv := v.Field(f.index)
		ft := fv.Type()
		switch {
		case ft == reflect.TypeFor[[]JoinedMailbox]() && level == 2:
			l.list(fv, joinedDecoder.decode, newTextLinker(l.snap))
		case level > 0 && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && l.byte() == '{':
			fv.Set(reflect.New(ft.Elem()))
			esd, err := structDecoderOf(ft.Elem())
			if err != nil {
				l.d.fail(err.Error())
			}
			l.object(fv.Elem(), esd, level-1)
		case level > 0 && ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && l.byte() == '[':
			esd, err := structDecoderOf(ft.Elem())
			if err != nil {
				l.d.fail(err.Error())
			}
			l.list(fv, esd.decode, nil)
		default:
			l.whole(f.dec, fv)
		}
	}
}

// list decodes the array at pos into the slice v, its elements by batches
// on every processor. A batch ends after a line holding only the closing
// brace of an element, at the indentation exoready writes; the worker
// checks it holds whole elements and nothing else, so a document laid out
// otherwise decodes the same, or is left to decodeSnapshot.
func (l *fastLoader) list(v reflect.Value, elem decoderFunc, link *textLinker) {
	if l.byte() == 'n' {
		l.whole(func(d *decodeState, v reflect.Value) { d.literal("null"); v.SetZero() }, v)
		return
	}
	if l.byte() != '[' {
		l.d.fail("expected an array")
	}
	l.pos++
	l.ws()
	if l.byte() == ']' {
		l.pos++
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return
	}
	depth := l.d.depth + 1
	end := []byte("\n" + strings.Repeat(" ", 2*depth) + "}")
	closing := []byte("\n" + strings.Repeat(" ", 2*depth-2) + "]")
	var batches []*batch
	defer func() {
		for _, b := range batches {
			<-b.done
		}
	}()
	density := new(listDensity)
	for {
		if l.failed.Load() {
			l.d.fail("a batch was not taken")
		}
		cut := l.cut(end, closing)
		b := &batch{text: l.buf[l.pos:cut], buf: l.buf, elem: elem, t: v.Type(), depth: depth, link: link, density: density, done: make(chan struct{})}
		if l.src != nil {
			next := l.buffer()
			l.buf, l.pos = append(next, l.buf[cut:]...), 0
		} else {
			l.pos = cut
		}
		batches = append(batches, b)
		l.work <- b
		l.ws()
		switch l.byte() {
		case ',':
			l.pos++
			continue
		case ']':
			l.pos++
		default:
			l.d.fail("expected , or ]")
		}
		break
	}
	n := 0
	for _, b := range batches {
		<-b.done
		if !b.ok {
			l.d.fail(b.why)
		}
		n += b.list.Len()
	}
	if len(batches) == 1 && batches[0].list.Len() == batches[0].list.Cap() {
		v.Set(batches[0].list)
	} else { // one copy, without the lists' spare capacity
		all := reflect.MakeSlice(v.Type(), n, n)
		at := 0
		for _, b := range batches {
			at += reflect.Copy(all.Slice(at, n), b.list)
			b.list = reflect.Value{}
		}
		v.Set(all)
	}
	if link != nil {
		for _, b := range batches {
			l.fastLinks += b.linked
		}
	}
	batches = nil
}

// cut returns where the next batch of the list at pos ends: after the
// last line that closes an element (end) within about batchSize bytes,
// and before the line that closes the list (closing).
func (l *fastLoader) cut(end, closing []byte) int {
	for size := batchSize; ; size *= 2 {
		if size > maxWindow {
			l.d.fail("no end of element in sight")
		}
		l.fill(size)
		window := l.buf[l.pos:min(len(l.buf), l.pos+size)]
		if i := bytes.Index(window, closing); i >= 0 {
			window = window[:i]
		}
		if i := bytes.LastIndex(window, end); i >= 0 {
			return l.pos + i + len(end)
		}
		if l.eof && len(window) == len(l.buf)-l.pos {
			l.d.fail("no end of element")
		}
	}
}

// listDensity is how many bytes of text the elements of one list took
// so far, to size the next batch's list.
type listDensity struct{ text, elements atomic.Int64 }

// capacity is the number of elements about n bytes of the list hold.
func (ld *listDensity) capacity(n int) int {
	text, elements := ld.text.Load(), ld.elements.Load()
	if elements == 0 {
		return n/512 + 4
	}
	return int(int64(n)*elements*11/10/text) + 8
}

// decodeBatch decodes the elements of b.
func (l *fastLoader) decodeBatch(b *batch, words *interner) {
	defer close(b.done)
	d := &decodeState{data: b.text, depth: b.depth, words: words, link: b.link}
	b.ok, b.why = tryDecode(func() {
		d.ws()
		b.list = d.list(b.t, b.elem, b.density.capacity(len(b.text)), func() bool {
			d.ws()
			if d.pos == len(d.data) {
				return false
			}
			if d.data[d.pos] != ',' {
				d.fail("expected ,")
			}
			d.pos++
			d.ws()
			return true
		}, true)
		if d.pos != len(d.data) {
			d.fail("batch ends inside an element")
		}
	})
	if !b.ok {
		l.failed.Store(true)
	} else {
		b.density.text.Add(int64(len(b.text)))
		b.density.elements.Add(int64(b.list.Len()))
	}
	if d.link != nil {
		b.linked = d.linked
	}
	l.release(b.buf)
}

// linkedDecoder decodes the AD or EXO object of a joined mailbox. When
// the object's text would decode to a value deeply equal to the section
// object the linker finds for it (equal, decode_equal.go), it is that
// object, as decodeSnapshot would link it; the text is not decoded.
// Otherwise it is decoded and linked as decodeSnapshot links it
// (linker.share).
func linkedDecoder(dec decoderFunc, equal equalFunc, candidate func(*textLinker, []byte) reflect.Value) decoderFunc {
	return func(d *decodeState, v reflect.Value) {
		if d.link != nil && d.peek() == '{' {
			if c := candidate(d.link, d.data[d.pos:]); c.IsValid() {
				pos, depth := d.pos, d.depth
				if equal(d, c.Elem()) {
					v.Set(c)
					d.linked++
					return
				}
				d.pos, d.depth = pos, depth
			}
		}
		dec(d, v)
		if d.link != nil && !v.IsNil() {
			switch o := v.Interface().(type) {
			case *ADRecipient:
				v.Set(reflect.ValueOf(d.link.shareAD(o)))
			case *Mailbox:
				v.Set(reflect.ValueOf(d.link.shareEXO(o)))
			}
		}
	}
}

// textLinker finds the section object a joined object's text may be the
// encoding of.
type textLinker struct {
	linker
	guids map[string]int // Guid → index in exo.mailboxes; -1 when two share it
	// keyed[i] is whether exo.mailboxes[i] is the one the linker finds by
	// its Guid and Identity.
	keyed []bool
}

func newTextLinker(s *Snapshot) *textLinker {
	l := &textLinker{linker: newLinker(s)}
	if s.EXO != nil {
		l.guids = make(map[string]int, len(s.EXO.Mailboxes))
		l.keyed = make([]bool, len(s.EXO.Mailboxes))
		for i := range s.EXO.Mailboxes {
			m := &s.EXO.Mailboxes[i]
			index(l.guids, m.Guid, i)
			l.keyed[i] = l.mailboxes[mailboxKey(m)] == i
		}
	}
	return l
}

// adCandidate finds the ad.users object whose DN the object text names
// first.
func adCandidate(l *textLinker, text []byte) reflect.Value {
	dn, ok := leadingString(text, "dn")
	if !ok {
		return reflect.Value{}
	}
	if i, found := l.users[string(dn)]; found && i >= 0 {
		return reflect.ValueOf(&l.s.AD.Users[i])
	}
	return reflect.Value{}
}

// mailboxCandidate finds the exo.mailboxes object whose Guid the object
// text names first, when the linker would find it by its Guid and
// Identity (which the text then holds too, being its encoding).
func mailboxCandidate(l *textLinker, text []byte) reflect.Value {
	guid, ok := leadingString(text, "guid")
	if !ok {
		return reflect.Value{}
	}
	if i, found := l.guids[string(guid)]; found && i >= 0 && l.keyed[i] {
		return reflect.ValueOf(&l.s.EXO.Mailboxes[i])
	}
	return reflect.Value{}
}

// leadingString returns the value of the object text's first member when
// it is named name and is a string.
func leadingString(text []byte, name string) (value []byte, ok bool) {
	d := decodeState{data: text}
	ok, _ = tryDecode(func() {
		d.open('{')
		d.ws()
		if string(d.key()) != name {
			d.fail("another member")
		}
		value = d.rawString()
	})
	return value, ok
}
