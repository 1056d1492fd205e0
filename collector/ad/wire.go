package ad

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// The decoder below reads the LDAP messages of the search path (RFC 4511
// section 4.5.2: SearchResultEntry, SearchResultReference, SearchResultDone
// and its paged-results control) straight into entries. go-ldap decodes every
// response into a tree of packets with a buffer per element and then into its
// own Entry, which made the collector 5× slower than ldapsearch; here one
// message is one allocation, the attribute values are slices of it and the
// attribute names are lower-cased once per connection.
//
// LDAP uses a subset of BER (RFC 4511 section 5.1): definite lengths only,
// short or long form, and tag numbers below 31.

const (
	tagBoolean        = 0x01
	tagInteger        = 0x02
	tagOctetString    = 0x04
	tagEnumerated     = 0x0a
	tagSequence       = 0x30
	tagSet            = 0x31
	tagBindResponse   = 0x61 // [APPLICATION 1] constructed
	tagSearchEntry    = 0x64 // [APPLICATION 4]
	tagSearchDone     = 0x65 // [APPLICATION 5]
	tagSearchRef      = 0x73 // [APPLICATION 19]
	tagExtendedResult = 0x78 // [APPLICATION 24]
	tagControls       = 0xa0 // [0] constructed
)

// maxMessageSize bounds one LDAP message (an AD entry with a large
// nTSecurityDescriptor and thousands of values is a few MB): a corrupt
// length must not make the reader allocate gigabytes.
const maxMessageSize = 256 << 20

// errMalformed marks a response that is not valid LDAP BER.
var errMalformed = errors.New("malformed LDAP response")

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, a...))
}

// tlv splits the first BER element off b: its tag, its contents and what
// follows it.
func tlv(b []byte) (tag byte, body, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, malformed("element truncated after %d bytes", len(b))
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, malformed("tag 0x%02x uses the high tag number form, which LDAP does not", tag)
	}
	n, hdr, err := berLength(b[1:])
	if err != nil {
		return 0, nil, nil, err
	}
	b = b[1+hdr:]
	if n > len(b) {
		return 0, nil, nil, malformed("element of %d bytes, only %d left", n, len(b))
	}
	return tag, b[:n:n], b[n:], nil
}

// expect is tlv requiring a tag; what names the element in the error.
func expect(b []byte, want byte, what string) (body, rest []byte, err error) {
	tag, body, rest, err := tlv(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if tag != want {
		return nil, nil, malformed("%s has tag 0x%02x, want 0x%02x", what, tag, want)
	}
	return body, rest, nil
}

// berLength decodes a definite length at the start of b and returns it with
// the number of bytes it took.
func berLength(b []byte) (n, size int, err error) {
	if len(b) == 0 {
		return 0, 0, malformed("length missing")
	}
	first := b[0]
	if first < 0x80 {
		return int(first), 1, nil
	}
	k := int(first & 0x7f)
	switch {
	case k == 0:
		return 0, 0, malformed("indefinite length, which LDAP does not allow")
	case k > 4:
		return 0, 0, malformed("length of %d bytes", k)
	case len(b) < 1+k:
		return 0, 0, malformed("length truncated")
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	if n > maxMessageSize {
		return 0, 0, malformed("element of %d bytes, more than the %d accepted", n, maxMessageSize)
	}
	return n, 1 + k, nil
}

// berInt decodes a two's-complement INTEGER or ENUMERATED of up to 8 bytes.
func berInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 8 {
		return 0, malformed("integer of %d bytes", len(b))
	}
	v := int64(int8(b[0]))
	for _, c := range b[1:] {
		v = v<<8 | int64(c)
	}
	return v, nil
}

// readMessage reads one LDAPMessage from r into a new buffer holding its
// contents (messageID, protocolOp, controls). begun reports whether any byte
// of it was consumed: an error before that leaves the stream usable.
func readMessage(r *bufio.Reader) (msg []byte, begun bool, err error) {
	tag, err := r.ReadByte()
	if err != nil {
		return nil, false, err
	}
	if tag != tagSequence {
		return nil, true, malformed("message starts with tag 0x%02x, not SEQUENCE", tag)
	}
	var hdr [5]byte
	if hdr[0], err = r.ReadByte(); err != nil {
		return nil, true, noEOF(err)
	}
	size := 1
	if hdr[0] >= 0x80 {
		size += int(hdr[0] & 0x7f)
		if size > len(hdr) {
			size = len(hdr) // berLength reports the bad length
		}
		if _, err := io.ReadFull(r, hdr[1:size]); err != nil {
			return nil, true, noEOF(err)
		}
	}
	n, _, err := berLength(hdr[:size])
	if err != nil {
		return nil, true, err
	}
	if n > 1<<20 {
		// Grow with what arrives rather than trust a large length.
		var buf bytes.Buffer
		if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
			return nil, true, noEOF(err)
		}
		return buf.Bytes(), true, nil
	}
	msg = make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, true, noEOF(err)
	}
	return msg, true, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// message is one decoded LDAPMessage envelope.
type message struct {
	id       int64
	op       byte   // protocolOp tag
	body     []byte // protocolOp contents
	controls []byte // contents of [0] controls, nil when absent
}

func parseMessage(b []byte) (message, error) {
	var m message
	idb, rest, err := expect(b, tagInteger, "messageID")
	if err != nil {
		return m, err
	}
	if m.id, err = berInt(idb); err != nil {
		return m, err
	}
	if m.op, m.body, rest, err = tlv(rest); err != nil {
		return m, fmt.Errorf("protocolOp: %w", err)
	}
	if len(rest) > 0 {
		tag, ctrls, _, err := tlv(rest)
		if err != nil {
			return m, fmt.Errorf("controls: %w", err)
		}
		if tag == tagControls {
			m.controls = ctrls
		}
	}
	return m, nil
}

// ldapResult is the LDAPResult of a response (RFC 4511 section 4.1.9).
type ldapResult struct {
	code          uint16
	matched, diag string
}

func decodeResult(body []byte) (ldapResult, error) {
	var r ldapResult
	tag, cb, rest, err := tlv(body)
	if err != nil {
		return r, fmt.Errorf("resultCode: %w", err)
	}
	if tag != tagEnumerated && tag != tagInteger {
		return r, malformed("resultCode has tag 0x%02x", tag)
	}
	code, err := berInt(cb)
	if err != nil {
		return r, err
	}
	if code < 0 || code > 0xffff {
		return r, malformed("resultCode %d", code)
	}
	r.code = uint16(code)
	m, rest, err := expect(rest, tagOctetString, "matchedDN")
	if err != nil {
		return r, err
	}
	d, _, err := expect(rest, tagOctetString, "diagnosticMessage")
	if err != nil {
		return r, err
	}
	r.matched, r.diag = string(m), string(d)
	return r, nil
}

// err is the result as go-ldap reports it, so that ldap.IsErrorWithCode and
// the messages built on it work alike for every request.
func (r ldapResult) err() error {
	if r.code == ldap.LDAPResultSuccess {
		return nil
	}
	return &ldap.Error{ResultCode: r.code, MatchedDN: r.matched, Err: errors.New(r.diag)}
}

// attrNames lower-cases attribute descriptions once per connection: the
// same few dozen names come back in every entry.
type attrNames map[string]string

func (m attrNames) lower(b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := strings.ToLower(string(b))
	if len(m) < 4096 { // ranged names ("member;range=1500-2999") vary
		m[string(b)] = s
	}
	return s
}

// entryParts checks the structure of a SearchResultEntry's contents and
// returns its DN, its attribute list and how many attributes and values the
// list holds; nextAttr and nextValue then walk the list without checks.
func entryParts(body []byte) (dn, list []byte, nattr, nval int, err error) {
	dn, rest, err := expect(body, tagOctetString, "objectName")
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if list, _, err = expect(rest, tagSequence, "attributes"); err != nil {
		return nil, nil, 0, 0, err
	}
	for p := list; len(p) > 0; nattr++ {
		var a, vals []byte
		if a, p, err = expect(p, tagSequence, "attribute"); err != nil {
			return nil, nil, 0, 0, err
		}
		if _, a, err = expect(a, tagOctetString, "attribute type"); err != nil {
			return nil, nil, 0, 0, err
		}
		if vals, _, err = expect(a, tagSet, "attribute values"); err != nil {
			return nil, nil, 0, 0, err
		}
		for len(vals) > 0 {
			if _, vals, err = expect(vals, tagOctetString, "attribute value"); err != nil {
				return nil, nil, 0, 0, err
			}
			nval++
		}
	}
	return dn, list, nattr, nval, nil
}

// nextAttr splits the first attribute off a list entryParts accepted.
func nextAttr(list []byte) (typ, vals, rest []byte) {
	a, rest, _ := expect(list, tagSequence, "")
	typ, a, _ = expect(a, tagOctetString, "")
	vals, _, _ = expect(a, tagSet, "")
	return typ, vals, rest
}

// nextValue splits the first value off an attribute's values.
func nextValue(vals []byte) (v, rest []byte) {
	v, rest, _ = expect(vals, tagOctetString, "")
	return v, rest
}

// decodeEntry reads the contents of a SearchResultEntry. The entry's values
// are slices of body, which the caller must not reuse. Attribute names are
// lower-cased as fromLDAP does, and repeated attributes merged. hasRanges
// reports an attribute with a range option ("member;range=0-1499").
func decodeEntry(body []byte, names attrNames) (e *entry, hasRanges bool, err error) {
	dn, list, nattr, nval, err := entryParts(body)
	if err != nil {
		return nil, false, err
	}
	e = &entry{dn: string(dn), attrs: make(map[string][][]byte, nattr)}
	all := make([][]byte, 0, nval)
	for len(list) > 0 {
		var typ, vals, v []byte
		typ, vals, list = nextAttr(list)
		start := len(all)
		for len(vals) > 0 {
			v, vals = nextValue(vals)
			all = append(all, v)
		}
		k := names.lower(typ)
		hasRanges = hasRanges || strings.Contains(k, ";range=")
		vs := all[start:len(all):len(all)]
		if prev, ok := e.attrs[k]; ok {
			vs = append(prev, vs...)
		}
		e.attrs[k] = vs
	}
	return e, hasRanges, nil
}

// decodeLDAPEntry reads a SearchResultEntry as a go-ldap Entry, attribute
// names as the server sent them.
func decodeLDAPEntry(body []byte) (*ldap.Entry, error) {
	dn, list, _, _, err := entryParts(body)
	if err != nil {
		return nil, err
	}
	le := &ldap.Entry{DN: string(dn)}
	for len(list) > 0 {
		var typ, vals, v []byte
		typ, vals, list = nextAttr(list)
		ea := &ldap.EntryAttribute{Name: string(typ), Values: []string{}, ByteValues: [][]byte{}}
		for len(vals) > 0 {
			v, vals = nextValue(vals)
			ea.Values = append(ea.Values, string(v))
			ea.ByteValues = append(ea.ByteValues, v)
		}
		le.Attributes = append(le.Attributes, ea)
	}
	return le, nil
}

// pagingCookie finds the paged-results control (RFC 2696) among a response's
// controls and returns its cookie; found is false when there is none.
func pagingCookie(controls []byte) (cookie []byte, found bool, err error) {
	for p := controls; len(p) > 0; {
		var c, typ []byte
		if c, p, err = expect(p, tagSequence, "control"); err != nil {
			return nil, false, err
		}
		if typ, c, err = expect(c, tagOctetString, "controlType"); err != nil {
			return nil, false, err
		}
		if string(typ) != ldap.ControlTypePaging {
			continue
		}
		tag, v, rest, err := tlv(c)
		if err == nil && tag == tagBoolean { // criticality
			tag, v, _, err = tlv(rest)
		}
		if err != nil || tag != tagOctetString {
			return nil, false, malformed("paged results control without a value")
		}
		seq, _, err := expect(v, tagSequence, "paged results value")
		if err != nil {
			return nil, false, err
		}
		_, seq, err = expect(seq, tagInteger, "paged results size")
		if err != nil {
			return nil, false, err
		}
		cookie, _, err = expect(seq, tagOctetString, "paged results cookie")
		if err != nil {
			return nil, false, err
		}
		return cookie, true, nil
	}
	return nil, false, nil
}
