package ad

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// wireConn is the collector's LDAP connection: requests are encoded with
// go-asn1-ber and go-ldap (filters, controls, error values), responses are
// read by the decoder in wire.go. One operation at a time, on the caller's
// goroutine: the request is written, then its responses read until the
// final one; answers to an earlier request that timed out are skipped by
// message ID.
type wireConn struct {
	mu      sync.Mutex // guards conn against Close from another goroutine
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
	lastID  int64
	names   attrNames
	broken  error // set once the stream lost its framing: every later operation fails with it
	closed  sync.Once
}

// readBufferSize is the read buffer: a page of 1,000 AD entries is a few MB,
// and fewer, larger reads cost less (TLS records are 16 KB).
const readBufferSize = 64 << 10

// dialWire connects to an ldap:// or ldaps:// URL; ctx bounds the dial and,
// for ldaps, the TLS handshake.
func dialWire(ctx context.Context, u *url.URL, d *net.Dialer, tc *tls.Config, timeout time.Duration) (*wireConn, error) {
	host := u.Host
	if u.Port() == "" {
		port := "389"
		if u.Scheme == "ldaps" {
			port = "636"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	var conn net.Conn
	var err error
	if u.Scheme == "ldaps" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", host)
	} else {
		conn, err = d.DialContext(ctx, "tcp", host)
	}
	if err != nil {
		return nil, err
	}
	return &wireConn{conn: conn, br: bufio.NewReaderSize(conn, readBufferSize), timeout: timeout, names: attrNames{}}, nil
}

// Close unbinds (best effort) and closes the connection; safe to call from
// any goroutine, more than once.
func (c *wireConn) Close() error {
	c.closed.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		_ = c.conn.SetWriteDeadline(time.Now().Add(time.Second))
		// UnbindRequest; an ID of its own, since Close may run while an
		// operation is under way (0 is reserved for the server).
		_, _ = c.conn.Write([]byte{tagSequence, 8, tagInteger, 4, 0x7f, 0xff, 0xff, 0xff, 0x42, 0})
		c.conn.Close()
	})
	return nil
}

// envelope wraps a protocolOp in an LDAPMessage with the next message ID.
func (c *wireConn) envelope(op *ber.Packet, controls []ldap.Control) (*ber.Packet, int64) {
	c.lastID++
	if c.lastID >= 1<<31-1 { // the largest ID is Close's
		c.lastID = 1
	}
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, c.lastID, "MessageID"))
	p.AppendChild(op)
	if len(controls) > 0 {
		cs := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
		for _, ctl := range controls {
			cs.AppendChild(ctl.Encode())
		}
		p.AppendChild(cs)
	}
	return p, c.lastID
}

// do writes a request and hands each response with its message ID to
// handle until handle reports the last one. The operation timeout covers
// the request and all of its responses.
func (c *wireConn) do(req *ber.Packet, id int64, handle func(message) (last bool, err error)) error {
	if c.broken != nil {
		return c.broken
	}
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return c.fail(err, true)
	}
	if _, err := c.conn.Write(req.Bytes()); err != nil {
		return c.fail(err, true)
	}
	for {
		b, begun, err := readMessage(c.br)
		if err != nil {
			return c.fail(err, begun)
		}
		m, err := parseMessage(b)
		if err != nil {
			return c.fail(err, true)
		}
		if m.id == 0 { // unsolicited notification: the server is closing the connection
			msg := "the DC sent an unsolicited notification"
			if m.op == tagExtendedResult {
				if r, err := decodeResult(m.body); err == nil {
					msg = fmt.Sprintf("the DC ended the connection (result %d: %s)", r.code, r.diag)
				}
			}
			return c.fail(errors.New(msg), true)
		}
		if m.id != id {
			continue // an answer to an earlier request that timed out
		}
		last, err := handle(m)
		if err != nil || last {
			return err
		}
	}
}

// fail turns a transport or framing error into go-ldap's network error (a
// malformed response into its unexpected-response error).
// Unless the failure left the stream between two messages (a timeout
// before the next answer began), the connection is unusable from then on.
func (c *wireConn) fail(err error, broken bool) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		err = fmt.Errorf("ldap: no answer from the DC within the operation timeout of %s: %w", c.timeout, err)
	}
	code := uint16(ldap.ErrorNetwork)
	if errors.Is(err, errMalformed) {
		code = ldap.ErrorUnexpectedResponse
	}
	lerr := ldap.NewError(code, err)
	if broken {
		c.broken = lerr
	}
	return lerr
}

// result runs a request answered by one LDAPResult of the given tag.
func (c *wireConn) result(op *ber.Packet, tag byte) (ldapResult, error) {
	req, id := c.envelope(op, nil)
	var res ldapResult
	err := c.do(req, id, func(m message) (bool, error) {
		if m.op != tag {
			return true, c.fail(malformed("answer with tag 0x%02x, want 0x%02x", m.op, tag), true)
		}
		var err error
		if res, err = decodeResult(m.body); err != nil {
			return true, c.fail(err, true)
		}
		return true, nil
	})
	return res, err
}

// startTLS upgrades the connection (RFC 4511 section 4.14).
func (c *wireConn) startTLS(ctx context.Context, tc *tls.Config) error {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "Start TLS")
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, "1.3.6.1.4.1.1466.20037", "TLS Extended Command"))
	res, err := c.result(op, tagExtendedResult)
	if err != nil {
		return err
	}
	if err := res.err(); err != nil {
		return err
	}
	if c.br.Buffered() > 0 {
		return c.fail(malformed("data after the StartTLS response"), true)
	}
	tconn := tls.Client(c.conn, tc)
	if err := tconn.HandshakeContext(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	c.conn = tconn
	c.mu.Unlock()
	c.br.Reset(tconn)
	return nil
}

// bind is a simple bind (RFC 4511 section 4.2).
func (c *wireConn) bind(dn, password string) error {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationBindRequest, nil, "Bind Request")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 3, "Version"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, dn, "User Name"))
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, password, "Password"))
	res, err := c.result(op, tagBindResponse)
	if err != nil {
		return err
	}
	return res.err()
}

// searchOp encodes a SearchRequest as go-ldap does.
func searchOp(r *ldap.SearchRequest) (*ber.Packet, error) {
	filter, err := ldap.CompileFilter(r.Filter)
	if err != nil {
		return nil, err
	}
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchRequest, nil, "Search Request")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, r.BaseDN, "Base DN"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(r.Scope), "Scope"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, uint64(r.DerefAliases), "Deref Aliases"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, uint64(r.SizeLimit), "Size Limit"))
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, uint64(r.TimeLimit), "Time Limit"))
	op.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, r.TypesOnly, "Types Only"))
	op.AppendChild(filter)
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Attributes")
	for _, a := range r.Attributes {
		attrs.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a, "Attribute"))
	}
	op.AppendChild(attrs)
	return op, nil
}

// search runs one search request (one page of a paged search) and hands
// the contents of each SearchResultEntry to entry as it arrives. Search
// result references (continuation referrals to other partitions) are
// skipped, as the collector always did. It returns the paged-results cookie
// of the final response (found false without the control); a result code
// other than success is an *ldap.Error.
func (c *wireConn) search(r *ldap.SearchRequest, entry func(body []byte) error) (cookie []byte, found bool, err error) {
	op, err := searchOp(r)
	if err != nil {
		return nil, false, err
	}
	req, id := c.envelope(op, r.Controls)
	err = c.do(req, id, func(m message) (bool, error) {
		switch m.op {
		case tagSearchEntry:
			if err := entry(m.body); err != nil {
				return true, c.fail(fmt.Errorf("search result entry: %w", err), false)
			}
			return false, nil
		case tagSearchRef:
			return false, nil
		case tagSearchDone:
			res, err := decodeResult(m.body)
			if err != nil {
				return true, c.fail(fmt.Errorf("search result: %w", err), false)
			}
			if err := res.err(); err != nil {
				return true, err
			}
			if cookie, found, err = pagingCookie(m.controls); err != nil {
				return true, c.fail(err, false)
			}
			return true, nil
		}
		return true, c.fail(malformed("search answered with tag 0x%02x", m.op), false)
	})
	return cookie, found, err
}

// searchEntries is search reading entries straight into the collector's
// entries, for pagedSearch.
func (c *wireConn) searchEntries(r *ldap.SearchRequest, each func(e *entry, hasRanges bool)) ([]byte, error) {
	cookie, _, err := c.search(r, func(body []byte) error {
		e, hasRanges, err := decodeEntry(body, c.names)
		if err == nil {
			each(e, hasRanges)
		}
		return err
	})
	return cookie, err
}

// Search is searcher's form of search, for the small searches (RootDSE,
// the relay right, range retrieval): entries as go-ldap returns them,
// attribute names as the server sent them.
func (c *wireConn) Search(r *ldap.SearchRequest) (*ldap.SearchResult, error) {
	res := &ldap.SearchResult{}
	cookie, found, err := c.search(r, func(body []byte) error {
		le, err := decodeLDAPEntry(body)
		if err == nil {
			res.Entries = append(res.Entries, le)
		}
		return err
	})
	if found {
		res.Controls = append(res.Controls, &ldap.ControlPaging{Cookie: cookie})
	}
	return res, err
}
