package snapshot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/exoready/exoready/internal/jsondup"
)

// ErrSnapshot marks a snapshot document that cannot be used (malformed,
// wrong schema version). main maps it to the usage/config exit code.
var ErrSnapshot = errors.New("invalid snapshot")

// Digest identifies a snapshot document by its SHA-256 and size.
type Digest struct {
	SHA256 string
	Bytes  int64
}

// ReadSnapshotFile reads and validates a snapshot file in one streaming
// pass: a 600,000-mailbox snapshot is gigabytes, so the file is never held
// in memory; it is hashed, checked for duplicate names and decoded as it is
// read. It returns the snapshot and the file's digest (which identifies the
// snapshot in reports).
func ReadSnapshotFile(path string) (*Snapshot, Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Digest{}, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	fast := newTally()
	if s, ok := fastRead(f, &fast); ok {
		return s, fast.digest(), nil
	}
	// Anything the fast loader does not take is read again by the
	// reference reader, which decodes it or says what is wrong.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, Digest{}, fmt.Errorf("read snapshot: %w", err)
	}
	ev := NewEvidenceReader(bufio.NewReaderSize(f, 1<<20))
	s, err := decodeSnapshot(ev, func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		return nil, Digest{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, ev.digest(), nil
}

// ParseSnapshot decodes and validates a snapshot document held in memory.
func ParseSnapshot(data []byte) (*Snapshot, error) {
	if s, ok := fastDecode(data); ok {
		return s, nil
	}
	return decodeSnapshot(bytes.NewReader(data), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// decodeSnapshot decodes the document r yields, to its end, checking for
// duplicate names on the way. Unknown fields are refused (a misspelt section
// would otherwise read as "not collected"). reopen gives the document again
// from its start, to place an error on its line and column.
//
// The sections are decoded one at a time so that the joined view, written
// last, shares the AD and EXO objects of ad.users and exo.mailboxes instead
// of holding a second copy of each (half the memory of a decoded snapshot):
// each joined mailbox is linked as it is decoded, and its copies dropped.
func decodeSnapshot(r io.Reader, reopen func() (io.ReadCloser, error)) (*Snapshot, error) {
	dups := &jsondup.Scanner{}
	dec := json.NewDecoder(io.TeeReader(r, dups))
	dec.DisallowUnknownFields()
	var s Snapshot
	err := decodeSections(dec, &s)
	if err == nil {
		err = trailing(dec)
	}
	// Read to the end, so the caller's hash covers the whole file.
	if _, cerr := io.Copy(io.Discard, io.TeeReader(r, dups)); cerr != nil && err == nil {
		err = cerr
	}
	if verr := schemaVersionError(s.SchemaVersion, err, reopen); verr != nil {
		return nil, verr
	}
	if d := dups.Found(); d != nil {
		return nil, fmt.Errorf("%w: line %d: %q appears twice in one object: the file was edited or merged; collect again", ErrSnapshot, d.Line, d.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrSnapshot, describeJSONError(reopen, err))
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	return &s, nil
}

// decodeSections decodes the top-level object field by field, and the
// sections' arrays (ad.users, exo.mailboxes...) one element at a time:
// encoding/json buffers a whole value before decoding it, which for a
// section of a 600,000-mailbox snapshot is gigabytes.
func decodeSections(dec *json.Decoder, s *Snapshot) error {
	if err := expect(dec, json.Delim('{'), reflect.TypeFor[Snapshot]()); err != nil {
		return err
	}
	return decodeFields(dec, reflect.ValueOf(s).Elem(), 2, func(key string) (bool, error) {
		if key == "ad" {
			return true, decodeAD(dec, s)
		}
		if key != "joined" {
			return false, nil
		}
		var err error
		s.Joined, err = decodeJoined(dec, newLinker(s))
		return true, err
	})
}

// decodeFields decodes the members of the object whose opening brace was
// read into the struct v, and reads the closing brace. Pointers to structs
// and slices are streamed while depth > 0; other values are decoded whole.
// special, when set, may decode a member itself (it reports true).
func decodeFields(dec *json.Decoder, v reflect.Value, depth int, special func(string) (bool, error)) error {
	fields := jsonFields(v.Type())
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if special != nil {
			done, err := special(key)
			if err != nil {
				return inField(err, key)
			}
			if done {
				continue
			}
		}
		i, ok := fields[key]
		if !ok {
			return fmt.Errorf("json: unknown field %q", key)
		}
		if err := decodeValue(dec, v.Field(i), depth); err != nil {
			return inField(err, key)
		}
	}
	_, err := dec.Token() // the closing brace
	return err
}

// decodeValue decodes the next value into f.
func decodeValue(dec *json.Decoder, f reflect.Value, depth int) error {
	t := f.Type()
	streamed := depth > 0 && (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct ||
		t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct)
	if !streamed {
		return dec.Decode(f.Addr().Interface())
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch {
	case tok == nil: // null: not collected
		f.SetZero()
		return nil
	case t.Kind() == reflect.Pointer && tok == json.Delim('{'):
		f.Set(reflect.New(t.Elem()))
		return decodeFields(dec, f.Elem(), depth-1, nil)
	case t.Kind() == reflect.Slice && tok == json.Delim('['):
		list := reflect.MakeSlice(t, 0, 16) // [] stays an empty, non-nil list
		for dec.More() {
			list = reflect.Append(list, reflect.Zero(t.Elem()))
			if err := dec.Decode(list.Index(list.Len() - 1).Addr().Interface()); err != nil {
				return err
			}
		}
		f.Set(list.Slice3(0, list.Len(), list.Len()))
		_, err := dec.Token() // the closing bracket
		return err
	}
	return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: t, Offset: dec.InputOffset()}
}

// expect reads the opening delimiter of a value of type t.
func expect(dec *json.Decoder, d json.Delim, t reflect.Type) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: t, Offset: dec.InputOffset()}
	}
	return nil
}

// jsonFields maps the JSON names of a struct's fields to their index.
func jsonFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m
}

// decodeJoined decodes the joined view one mailbox at a time, linking each
// to the section objects it repeats.
func decodeJoined(dec *json.Decoder, link linker) ([]JoinedMailbox, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil { // null: not joined
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, &json.UnmarshalTypeError{Value: jsonKind(tok), Type: reflect.TypeFor[[]JoinedMailbox](), Offset: dec.InputOffset()}
	}
	joined := []JoinedMailbox{}
	for dec.More() {
		var j JoinedMailbox
		if err := dec.Decode(&j); err != nil {
			return nil, err
		}
		link.share(&j)
		joined = append(joined, j)
	}
	_, err = dec.Token()
	return joined, err
}

// linker finds the section object a joined mailbox repeats.
type linker struct {
	users     map[string]int // DN → index in ad.users; -1 when two share it
	mailboxes map[string]int // Guid + Identity → index in exo.mailboxes
	s         *Snapshot
}

func newLinker(s *Snapshot) linker {
	l := linker{s: s}
	if s.AD != nil {
		l.users = make(map[string]int, len(s.AD.Users))
		for i := range s.AD.Users {
			index(l.users, s.AD.Users[i].DN, i)
		}
	}
	if s.EXO != nil {
		l.mailboxes = make(map[string]int, len(s.EXO.Mailboxes))
		for i := range s.EXO.Mailboxes {
			index(l.mailboxes, mailboxKey(&s.EXO.Mailboxes[i]), i)
		}
	}
	return l
}

func index(m map[string]int, key string, i int) {
	if _, dup := m[key]; dup {
		m[key] = -1
		return
	}
	m[key] = i
}

func mailboxKey(m *Mailbox) string { return m.Guid + "\x00" + m.Identity }

// share points j's AD and EXO objects at the section objects they equal
// (deeply: a hand-edited joined view that differs keeps its own copy).
func (l linker) share(j *JoinedMailbox) {
	if j.AD != nil {
		j.AD = l.shareAD(j.AD)
	}
	if j.EXO != nil {
		j.EXO = l.shareEXO(j.EXO)
	}
}

// shareAD returns the ad.users object o equals, or o.
func (l linker) shareAD(o *ADRecipient) *ADRecipient {
	if i, ok := l.users[o.DN]; ok && i >= 0 && reflect.DeepEqual(*o, l.s.AD.Users[i]) {
		return &l.s.AD.Users[i]
	}
	return o
}

// shareEXO returns the exo.mailboxes object o equals, or o.
func (l linker) shareEXO(o *Mailbox) *Mailbox {
	if i, ok := l.mailboxes[mailboxKey(o)]; ok && i >= 0 && reflect.DeepEqual(*o, l.s.EXO.Mailboxes[i]) {
		return &l.s.EXO.Mailboxes[i]
	}
	return o
}

// inField names the top-level field in a type error of one of its values.
func inField(err error, key string) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			typ.Field = key
		} else {
			typ.Field = key + "." + typ.Field
		}
	}
	return err
}

// trailing refuses anything but white space after the document.
func trailing(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("invalid character %s after top-level value", jsonKind(tok))
}

// jsonKind names a token for an error message.
func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return "'" + t.String() + "'"
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "number"
}

// schemaVersionError explains a document of another schema version, or no
// snapshot at all, before any other error: its fields would otherwise be
// reported as unknown. When decoding stopped early, the version is read
// again from the start.
func schemaVersionError(v int, decodeErr error, reopen func() (io.ReadCloser, error)) error {
	var seen *int
	readable := decodeErr == nil
	if v != 0 {
		seen = &v
	} else if rc, err := reopen(); err == nil {
		var head struct {
			SchemaVersion *int `json:"schema_version"`
		}
		readable = json.NewDecoder(bufio.NewReaderSize(rc, 1<<20)).Decode(&head) == nil
		rc.Close()
		seen = head.SchemaVersion
	}
	switch {
	case seen == nil && !readable:
		return nil // not JSON, or broken before the version: say where
	case seen == nil:
		return fmt.Errorf("%w: no schema_version: this is not an exoready snapshot", ErrSnapshot)
	case *seen != SchemaVersion:
		return fmt.Errorf("%w: schema_version %d is not supported (this exoready reads version %d); re-collect with this version or use a matching exoready",
			ErrSnapshot, *seen, SchemaVersion)
	}
	return nil
}

// Validate checks what JSON decoding cannot: required values and the
// agreement between sections and their collection status.
func (s *Snapshot) Validate() error {
	if s.CollectedAt.IsZero() {
		return errors.New("collected_at is missing")
	}
	sections := []struct {
		name      string
		present   bool
		collected bool
	}{
		{"ad", s.AD != nil, s.Sources.AD.Collected},
		{"exo", s.EXO != nil, s.Sources.EXO.Collected},
		{"entra", s.Entra != nil, s.Sources.Entra.Collected},
		{"facts", s.Facts != nil, s.Sources.Facts.Collected},
	}
	for _, sec := range sections {
		if sec.present && !sec.collected {
			return fmt.Errorf("section %q is present but sources.%s.collected is false", sec.name, sec.name)
		}
	}
	if err := validateDuplicateAddresses(s.AD); err != nil {
		return err
	}
	for i, j := range s.Joined {
		if j.ID == "" {
			return fmt.Errorf("joined[%d] has no id", i)
		}
		if j.AD == nil && j.EXO == nil {
			return fmt.Errorf("joined[%d] (%s) has neither an ad nor an exo object", i, j.ID)
		}
	}
	return nil
}

// Marshal encodes the snapshot deterministically (fixed field order, sorted
// map keys, two-space indent, trailing newline).
func (s *Snapshot) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Complete reports whether every collected source is complete. A source not
// asked for does not make the snapshot incomplete: the rules that need it
// report "not assessed" on their own.
func (s *Snapshot) Complete() bool {
	for _, st := range []SourceStatus{s.Sources.AD, s.Sources.EXO, s.Sources.Entra, s.Sources.Facts} {
		if st.Collected && !st.Complete {
			return false
		}
	}
	return true
}

// describeJSONError turns a decoding error into "line L, column C: ...".
// The sections were decoded one at a time, so the offsets encoding/json
// gave are relative to the value being decoded: the place is found by
// decoding the document again from the start, whole, as a plain
// json.Unmarshal would. Only a broken document pays for holding it.
func describeJSONError(reopen func() (io.ReadCloser, error), err error) string {
	rc, rerr := reopen()
	if rerr != nil {
		return err.Error()
	}
	data, rerr := io.ReadAll(rc)
	rc.Close()
	if rerr != nil {
		return err.Error()
	}
	var head struct{}
	whole := json.Unmarshal(data, &head) // syntax errors, with their place
	if whole == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		whole = dec.Decode(&Snapshot{}) // type errors, unknown fields
	}
	if whole == nil {
		return err.Error()
	}
	return placeJSONError(data, whole)
}

func placeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &syn):
		l, c := lineCol(data, syn.Offset)
		return fmt.Sprintf("line %d, column %d: %v", l, c, syn)
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		return fmt.Sprintf("line %d, column %d: field %q: expected %s, found JSON %s", l, c, typ.Field, typ.Type, typ.Value)
	case errors.As(err, &tpe):
		// encoding/json gives a time's error no position: find the value.
		where := ""
		if i := bytes.Index(data, []byte(`"`+tpe.Value+`"`)); i >= 0 {
			l, _ := lineCol(data, int64(i)+1)
			where = fmt.Sprintf("line %d: ", l)
		}
		return fmt.Sprintf("%s%q is not an RFC 3339 time (UTC, years 0000 to 9999)", where, tpe.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "document ends early (truncated file?)"
	}
	return err.Error()
}

// lineCol converts the offset encoding/json reports (the error occurred
// after reading off bytes) into the 1-based line and column of the byte that
// caused it; columns count characters, not bytes.
func lineCol(data []byte, off int64) (int, int) {
	off-- // the offending byte is the last one read
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		switch {
		case b == '\n':
			line++
			col = 1
		case b&0xC0 != 0x80: // not a UTF-8 continuation byte
			col++
		}
	}
	return line, col
}
