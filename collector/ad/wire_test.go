package ad

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// message builds the bytes of an LDAPMessage as a server sends it.
func messageBytes(id int64, op, ctrls *ber.Packet) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	p.AppendChild(op)
	if ctrls != nil {
		p.AppendChild(ctrls)
	}
	return p.Bytes()
}

func pagingControls(cookie string, critical bool) *ber.Packet {
	ctrls := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
	pc := ldap.NewControlPaging(0)
	pc.SetCookie([]byte(cookie))
	p := pc.Encode()
	if critical { // insert the optional criticality after the type
		q := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Control")
		q.AppendChild(p.Children[0])
		q.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, true, "Criticality"))
		q.AppendChild(p.Children[1])
		p = q
	}
	other := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "other control")
	other.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "1.2.3.4", "type"))
	ctrls.AppendChild(other)
	ctrls.AppendChild(p)
	return ctrls
}

// reference decodes a message with go-asn1-ber and go-ldap, as the
// collector did before wire.go, into the entry fromLDAP makes.
func reference(t testing.TB, b []byte) (id int64, e *entry, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	p, err := ber.ReadPacket(bytes.NewReader(b))
	if err != nil || len(p.Children) < 2 || p.Children[1].Tag != ldap.ApplicationSearchResultEntry || len(p.Children[1].Children) < 2 {
		return 0, nil, false
	}
	id, _ = p.Children[0].Value.(int64)
	op := p.Children[1]
	dn, _ := op.Children[0].Value.(string)
	le := &ldap.Entry{DN: dn}
	for _, a := range op.Children[1].Children {
		if len(a.Children) < 2 {
			return 0, nil, false
		}
		ea := &ldap.EntryAttribute{Name: a.Children[0].Data.String()}
		for _, v := range a.Children[1].Children {
			ea.ByteValues = append(ea.ByteValues, v.Data.Bytes())
		}
		le.Attributes = append(le.Attributes, ea)
	}
	return id, fromLDAP(le), true
}

func decodeAll(b []byte) (message, *entry, error) {
	msg, _, err := readMessage(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return message{}, nil, err
	}
	m, err := parseMessage(msg)
	if err != nil {
		return m, nil, err
	}
	if m.op != tagSearchEntry {
		return m, nil, nil
	}
	e, _, err := decodeEntry(m.body, attrNames{})
	return m, e, err
}

func sameEntry(a, b *entry) bool {
	if a.dn != b.dn || len(a.attrs) != len(b.attrs) {
		return false
	}
	for k, va := range a.attrs {
		vb, ok := b.attrs[k]
		if !ok || len(va) != len(vb) {
			return false
		}
		for i := range va {
			if !bytes.Equal(va[i], vb[i]) {
				return false
			}
		}
	}
	return true
}

func sampleEntries() []*ldap.Entry {
	guid := []byte{0x00, 0x80, 0xff, 0x30, 0x84, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}
	big := bytes.Repeat([]byte{0x30, 0x82, 0x00}, 30000) // a 90 KB binary value: 3-byte long-form length
	var members []string
	for i := range 300 {
		members = append(members, fmt.Sprintf("CN=m%d,OU=Users,%s", i, fakeDomain))
	}
	return []*ldap.Entry{
		{DN: "CN=u1,OU=Users," + fakeDomain, Attributes: []*ldap.EntryAttribute{
			{Name: "objectClass", ByteValues: [][]byte{[]byte("top"), []byte("user")}},
			{Name: "objectGUID", ByteValues: [][]byte{guid}},
			{Name: "nTSecurityDescriptor", ByteValues: [][]byte{big}},
			{Name: "proxyAddresses", ByteValues: [][]byte{[]byte("SMTP:u1@corp.example"), []byte(strings.Repeat("x", 200))}},
			{Name: "ProxyAddresses", ByteValues: [][]byte{[]byte("smtp:again@corp.example")}}, // repeated in another case: merged
			{Name: "description", ByteValues: [][]byte{}},                                     // no values
		}},
		{DN: "CN=Big,OU=Groups," + fakeDomain, Attributes: []*ldap.EntryAttribute{
			{Name: "member;range=0-299", ByteValues: func() (v [][]byte) {
				for _, m := range members {
					v = append(v, []byte(m))
				}
				return v
			}()},
		}},
		{DN: "", Attributes: nil},
	}
}

func entryMessage(id int64, e *ldap.Entry) []byte { return messageBytes(id, entryPacket(e), nil) }

func TestDecodeEntryMatchesGoLDAP(t *testing.T) {
	for i, le := range sampleEntries() {
		b := entryMessage(int64(i+1), le)
		m, got, err := decodeAll(b)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		id, want, ok := reference(t, b)
		if !ok || m.id != id || !sameEntry(got, want) {
			t.Errorf("entry %d: decoded %+v (id %d), go-ldap %+v (id %d)", i, got, m.id, want, id)
		}
	}
	// The repeated attribute is merged in order, whatever the case of its name.
	_, e, _ := decodeAll(entryMessage(1, sampleEntries()[0]))
	if v := e.strs("proxyaddresses"); len(v) != 3 {
		t.Errorf("proxyAddresses %q", v)
	}
	if v := e.values("objectGUID"); len(v) != 1 || len(v[0]) != 16 || v[0][1] != 0x80 {
		t.Errorf("objectGUID %x", v)
	}
}

func TestLongFormLengths(t *testing.T) {
	// SEQUENCE { INTEGER 7, [APPLICATION 4] { "CN=x", SEQUENCE {} } } with
	// every length in a long form, one of them non-minimal (0x84 00 00 00 04).
	entry := []byte{0x04, 0x84, 0, 0, 0, 4, 'C', 'N', '=', 'x', 0x30, 0x81, 0}
	op := append([]byte{tagSearchEntry, 0x81, byte(len(entry))}, entry...)
	body := append([]byte{tagInteger, 1, 7}, op...)
	msg := append([]byte{tagSequence, 0x82, 0, byte(len(body))}, body...)
	m, e, err := decodeAll(msg)
	if err != nil || m.id != 7 || e.dn != "CN=x" || len(e.attrs) != 0 {
		t.Fatalf("got %+v %+v %v", m, e, err)
	}
	for name, b := range map[string][]byte{
		"indefinite length": {tagSequence, 0x80, tagInteger, 1, 1, 0, 0},
		"length of 5 bytes": {tagSequence, 0x85, 0, 0, 0, 0, 3, tagInteger, 1, 1},
		"high tag number":   {tagSequence, 5, tagInteger, 1, 1, 0x7f, 0},
		"truncated":         {tagSequence, 10, tagInteger, 1, 1},
		"not a sequence":    {0x31, 3, tagInteger, 1, 1},
		"value not OCTET STRING": append([]byte{tagSequence, 14, tagInteger, 1, 1, tagSearchEntry, 9},
			0x04, 1, 'x', 0x30, 4, 0x30, 2, 0x02, 0),
	} {
		if _, _, err := decodeAll(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSearchDoneAndPagingCookie(t *testing.T) {
	for _, critical := range []bool{false, true} {
		b := messageBytes(3, result(ldap.ApplicationSearchResultDone, 0, ""), pagingControls("next\x00page", critical))
		m, _, err := decodeAll(b)
		if err != nil {
			t.Fatal(err)
		}
		r, err := decodeResult(m.body)
		if err != nil || r.err() != nil {
			t.Fatalf("result %+v %v", r, err)
		}
		cookie, found, err := pagingCookie(m.controls)
		if err != nil || !found || string(cookie) != "next\x00page" {
			t.Errorf("critical %v: cookie %q found %v err %v", critical, cookie, found, err)
		}
	}
	m, _, _ := decodeAll(messageBytes(3, result(ldap.ApplicationSearchResultDone, ldap.LDAPResultSizeLimitExceeded, "too many"), nil))
	r, _ := decodeResult(m.body)
	err := r.err()
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || !strings.Contains(err.Error(), "too many") {
		t.Errorf("error %v", err)
	}
	if _, found, err := pagingCookie(m.controls); found || err != nil {
		t.Errorf("no controls: found %v err %v", found, err)
	}
}

// rawDC answers each request of one connection with the bytes reply
// returns, then hangs up if it says so.
func rawDC(t *testing.T, reply func(id int64, op *ber.Packet) (out []byte, hangUp bool)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for {
			p, err := ber.ReadPacket(c)
			if err != nil || len(p.Children) < 2 {
				return
			}
			id, _ := p.Children[0].Value.(int64)
			out, hangUp := reply(id, p.Children[1])
			if _, err := c.Write(out); err != nil || hangUp {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func dialRaw(t *testing.T, addr string) *wireConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &wireConn{conn: nc, br: bufio.NewReader(nc), timeout: 5 * time.Second, names: attrNames{}}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSearchEntriesOverTheWire(t *testing.T) {
	entries := sampleEntries()
	addr := rawDC(t, func(id int64, op *ber.Packet) ([]byte, bool) {
		var out []byte
		if id > 1 {
			out = append(out, entryMessage(id-1, entries[1])...) // a late answer to an earlier request: skipped
		}
		out = append(out, entryMessage(id, entries[0])...)
		ref := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultReference, nil, "Reference")
		ref.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "ldap://other.corp/DC=other", "URI"))
		out = append(out, messageBytes(id, ref, nil)...) // a continuation reference: skipped
		out = append(out, entryMessage(id, entries[1])...)
		return append(out, messageBytes(id, result(ldap.ApplicationSearchResultDone, 0, ""), pagingControls("c2", false))...), false
	})
	c := dialRaw(t, addr)
	var got []*entry
	req := ldap.NewSearchRequest(fakeDomain, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil,
		[]ldap.Control{ldap.NewControlPaging(1000)})
	for range 2 { // the second search meets a late answer to the first
		got = got[:0]
		cookie, err := c.searchEntries(req, func(e *entry, _ bool) { got = append(got, e) })
		if err != nil || string(cookie) != "c2" || len(got) != 2 || got[0].dn != entries[0].DN || got[1].dn != entries[1].DN {
			t.Fatalf("cookie %q err %v entries %d", cookie, err, len(got))
		}
	}
	res, err := c.Search(req)
	if err != nil || len(res.Entries) != 2 || res.Entries[0].GetAttributeValue("objectClass") != "top" {
		t.Fatalf("Search: %v %+v", err, res)
	}
}

func TestConnectionEnds(t *testing.T) {
	req := ldap.NewSearchRequest(fakeDomain, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)
	one := entryMessage(2, sampleEntries()[0])
	cases := map[string]struct {
		reply func(id int64) []byte
		want  string
	}{
		"cut mid-entry": {func(id int64) []byte { return append(entryMessage(id, sampleEntries()[1]), one[:len(one)/2]...) }, "unexpected EOF"},
		"notice of disconnection": {func(int64) []byte {
			return messageBytes(0, result(ldap.ApplicationExtendedResponse, ldap.LDAPResultUnavailable, "shutting down"), nil)
		}, "shutting down"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			addr := rawDC(t, func(id int64, _ *ber.Packet) ([]byte, bool) { return tc.reply(id), true })
			c := dialRaw(t, addr)
			n := 0
			_, err := c.searchEntries(req, func(*entry, bool) { n++ })
			if err == nil || !strings.Contains(err.Error(), tc.want) || !connectionLost(err) {
				t.Fatalf("err %v, want a lost connection mentioning %q", err, tc.want)
			}
			se := &searchError{base: fakeDomain, page: 1, entries: n, err: err}
			if !strings.Contains(se.Error(), "connection to the DC was lost") {
				t.Errorf("message %q", se.Error())
			}
			if _, err2 := c.searchEntries(req, func(*entry, bool) {}); !errors.Is(err2, err) && err2.Error() != err.Error() {
				t.Errorf("a broken connection must keep failing with its first error, got %v", err2)
			}
		})
	}
}

// FuzzDecodeMessage feeds arbitrary bytes to the decoder: it must never
// panic, and whatever entry it accepts, go-asn1-ber and go-ldap must read
// the same way.
func FuzzDecodeMessage(f *testing.F) {
	for i, e := range sampleEntries() {
		if i == 0 {
			continue // 90 KB: too large a seed to mutate usefully
		}
		f.Add(entryMessage(int64(i+1), e))
	}
	f.Add(entryMessage(9, fakeUser(1)))
	f.Add(messageBytes(3, result(ldap.ApplicationSearchResultDone, 0, ""), pagingControls("cookie", true)))
	f.Add(messageBytes(3, result(ldap.ApplicationSearchResultDone, 4, "limit"), nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, got, err := decodeAll(b)
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				t.Fatalf("error %v is neither malformed nor truncated", err)
			}
			return
		}
		if m.op == tagSearchDone {
			_, _ = decodeResult(m.body)
			_, _, _ = pagingCookie(m.controls)
			return
		}
		if got == nil {
			return
		}
		if le, err := decodeLDAPEntry(m.body); err != nil || le.DN != got.dn {
			t.Fatalf("decodeLDAPEntry disagrees: %v", err)
		}
		id, want, ok := reference(t, b)
		if !ok {
			return // go-asn1-ber is stricter in places (e.g. its own size limits)
		}
		if id != m.id || !sameEntry(got, want) {
			t.Fatalf("decoded %+v (id %d), go-ldap %+v (id %d)", got, m.id, want, id)
		}
	})
}

func TestCloseUnbinds(t *testing.T) {
	got := make(chan string, 1)
	addr := rawDC(t, func(id int64, op *ber.Packet) ([]byte, bool) {
		got <- fmt.Sprintf("%d %d", id, op.Tag)
		return nil, true
	})
	c := dialRaw(t, addr)
	c.Close()
	c.Close() // twice is harmless
	if s, want := <-got, fmt.Sprintf("%d %d", 1<<31-1, ldap.ApplicationUnbindRequest); s != want {
		t.Errorf("DC received id/op %s, want %s", s, want)
	}
}

// BenchmarkDecodeEntry reads a page of typical recipient entries from a
// buffered stream, as searchEntries does, against go-asn1-ber's ReadPacket
// and go-ldap's conversion, which the collector used before.
func BenchmarkDecodeEntry(b *testing.B) {
	var page []byte
	for i := range 1000 {
		e := fakeUser(i)
		e.Attributes = append(e.Attributes,
			ldap.NewEntryAttribute("objectGUID", []string{string(bytes.Repeat([]byte{byte(i)}, 16))}),
			ldap.NewEntryAttribute("proxyAddresses", []string{fmt.Sprintf("SMTP:u%d@corp.example", i), fmt.Sprintf("smtp:u%d@corp.mail.onmicrosoft.com", i), fmt.Sprintf("X500:/o=Corp/ou=Exchange/cn=Recipients/cn=u%d", i)}),
			ldap.NewEntryAttribute("displayName", []string{fmt.Sprintf("User %d", i)}),
			ldap.NewEntryAttribute("userPrincipalName", []string{fmt.Sprintf("u%d@corp.example", i)}),
			ldap.NewEntryAttribute("whenChanged", []string{"20240115103000.0Z"}),
			ldap.NewEntryAttribute("extensionAttribute1", []string{"value"}))
		page = append(page, entryMessage(int64(i+1), e)...)
	}
	b.Run("wire", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			r := bufio.NewReaderSize(bytes.NewReader(page), readBufferSize)
			names := attrNames{}
			for {
				msg, _, err := readMessage(r)
				if err != nil {
					break
				}
				m, _ := parseMessage(msg)
				if _, _, err := decodeEntry(m.body, names); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("go-ldap", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			r := bufio.NewReader(bytes.NewReader(page))
			for {
				p, err := ber.ReadPacket(r)
				if err != nil {
					break
				}
				op := p.Children[1]
				le := &ldap.Entry{DN: op.Children[0].Value.(string)}
				for _, a := range op.Children[1].Children {
					ea := &ldap.EntryAttribute{Name: a.Children[0].Value.(string)}
					for _, v := range a.Children[1].Children {
						ea.Values = append(ea.Values, v.Value.(string))
						ea.ByteValues = append(ea.ByteValues, v.ByteValue)
					}
					le.Attributes = append(le.Attributes, ea)
				}
				_ = fromLDAP(le)
			}
		}
	})
}
