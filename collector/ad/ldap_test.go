package ad

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// fakeDC is a minimal LDAP server on 127.0.0.1 speaking the real wire
// format (BER over TCP), for what Samba cannot be made to do: enforce size
// or time limits, cut member lists at a range boundary.
type fakeDC struct {
	t      *testing.T
	ln     net.Listener
	answer func(r fakeSearch) fakeResult
	mu     sync.Mutex
	seen   []fakeSearch
}

type fakeSearch struct {
	base   string
	scope  int64
	filter string
	attrs  []string
	paged  bool
	cookie string
}

type fakeResult struct {
	entries []*ldap.Entry
	cookie  *string // nil: no paging control in the response
	code    uint16
	diag    string
}

func startFakeDC(t *testing.T, answer func(fakeSearch) fakeResult) *fakeDC {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDC{t: t, ln: ln, answer: answer}
	go d.serve()
	t.Cleanup(func() { ln.Close() })
	return d
}

func (d *fakeDC) url() string { return "ldap://" + d.ln.Addr().String() }

func (d *fakeDC) serve() {
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		go d.handle(c)
	}
}

func (d *fakeDC) handle(c net.Conn) {
	defer c.Close()
	for {
		p, err := ber.ReadPacket(c)
		if err != nil || len(p.Children) < 2 {
			return
		}
		id, _ := p.Children[0].Value.(int64)
		op := p.Children[1]
		switch op.Tag {
		case ldap.ApplicationBindRequest:
			d.write(c, id, result(ldap.ApplicationBindResponse, 0, ""), nil)
		case ldap.ApplicationUnbindRequest:
			return
		case ldap.ApplicationSearchRequest:
			s := fakeSearch{base: op.Children[0].Data.String(), scope: op.Children[1].Value.(int64)}
			s.filter, _ = ldap.DecompileFilter(op.Children[6])
			for _, a := range op.Children[7].Children {
				s.attrs = append(s.attrs, a.Data.String())
			}
			if len(p.Children) > 2 {
				for _, cp := range p.Children[2].Children {
					if ctrl, err := ldap.DecodeControl(cp); err == nil {
						if pc, ok := ctrl.(*ldap.ControlPaging); ok {
							s.paged, s.cookie = true, string(pc.Cookie)
						}
					}
				}
			}
			d.mu.Lock()
			d.seen = append(d.seen, s)
			d.mu.Unlock()
			r := d.answer(s)
			for _, e := range r.entries {
				d.write(c, id, entryPacket(e), nil)
			}
			var ctrls *ber.Packet
			if r.cookie != nil {
				ctrls = ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "Controls")
				pc := ldap.NewControlPaging(0)
				pc.SetCookie([]byte(*r.cookie))
				ctrls.AppendChild(pc.Encode())
			}
			d.write(c, id, result(ldap.ApplicationSearchResultDone, r.code, r.diag), ctrls)
		default:
			return
		}
	}
}

func (d *fakeDC) write(c net.Conn, id int64, op, ctrls *ber.Packet) {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	p.AppendChild(op)
	if ctrls != nil {
		p.AppendChild(ctrls)
	}
	_, _ = c.Write(p.Bytes())
}

func result(app ber.Tag, code uint16, diag string) *ber.Packet {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, app, nil, "Result")
	op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(code), "resultCode"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, "diagnosticMessage"))
	return op
}

func entryPacket(e *ldap.Entry) *ber.Packet {
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationSearchResultEntry, nil, "Entry")
	op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, e.DN, "objectName"))
	attrs := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
	for _, a := range e.Attributes {
		ap := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attribute")
		ap.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a.Name, "type"))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "vals")
		for _, v := range a.ByteValues {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, string(v), "val"))
		}
		ap.AppendChild(set)
		attrs.AppendChild(ap)
	}
	op.AppendChild(attrs)
	return op
}

const (
	fakeDomain = "DC=corp,DC=example,DC=test"
	fakeConfig = "CN=Configuration," + fakeDomain
)

func strp(s string) *string { return &s }

func fakeUser(i int) *ldap.Entry {
	sam := fmt.Sprintf("u%02d", i)
	return ldap.NewEntry(fmt.Sprintf("CN=%s,OU=Users,%s", sam, fakeDomain), map[string][]string{
		"objectClass": {"top", "user"}, "sAMAccountName": {sam}, "mailNickname": {sam},
		"msExchRecipientTypeDetails": {"2147483648"},
	})
}

// standardAnswers serves RootDSE and an empty configuration partition; other
// bases go to domain.
func standardAnswers(domain func(fakeSearch) fakeResult) func(fakeSearch) fakeResult {
	return func(s fakeSearch) fakeResult {
		switch {
		case s.base == "":
			return fakeResult{entries: []*ldap.Entry{ldap.NewEntry("", map[string][]string{
				"defaultNamingContext": {fakeDomain}, "configurationNamingContext": {fakeConfig}})}}
		case strings.HasSuffix(s.base, fakeConfig):
			return fakeResult{code: ldap.LDAPResultNoSuchObject, diag: "no Exchange here"}
		}
		return domain(s)
	}
}

func fakeOptions(d *fakeDC) Options {
	return Options{URL: d.url(), BindDN: "CN=svc,DC=corp", Password: "test", PageSize: 2}
}

func TestPagingAndRangesOverTheWire(t *testing.T) {
	users := []*ldap.Entry{fakeUser(1), fakeUser(2), fakeUser(3), fakeUser(4), fakeUser(5)}
	groupDN := "CN=Big,OU=Groups," + fakeDomain
	member := func(lo, hi int) []string {
		var v []string
		for i := lo; i <= hi; i++ {
			v = append(v, fmt.Sprintf("CN=m%d", i))
		}
		return v
	}
	group := &ldap.Entry{DN: groupDN, Attributes: []*ldap.EntryAttribute{
		ldap.NewEntryAttribute("objectClass", []string{"top", "group"}),
		ldap.NewEntryAttribute("mailNickname", []string{"big"}),
		ldap.NewEntryAttribute("member;range=0-1", member(0, 1)),
	}}
	pages := map[string]fakeResult{
		"":   {entries: users[:2], cookie: strp("p2")},
		"p2": {entries: users[2:4], cookie: strp("p3")},
		"p3": {entries: []*ldap.Entry{users[4], group}, cookie: strp("")},
	}
	d := startFakeDC(t, standardAnswers(func(s fakeSearch) fakeResult {
		switch {
		case s.base == fakeDomain:
			if !s.paged {
				return fakeResult{code: ldap.LDAPResultUnwillingToPerform, diag: "paging control missing"}
			}
			r, ok := pages[s.cookie]
			if !ok {
				return fakeResult{code: ldap.LDAPResultUnwillingToPerform, diag: "bad cookie " + s.cookie}
			}
			return r
		case s.base == groupDN && s.scope == ldap.ScopeBaseObject:
			switch strings.Join(s.attrs, ",") {
			case "member;range=2-*":
				return fakeResult{entries: []*ldap.Entry{{DN: groupDN, Attributes: []*ldap.EntryAttribute{ldap.NewEntryAttribute("member;range=2-3", member(2, 3))}}}}
			case "member;range=4-*":
				return fakeResult{entries: []*ldap.Entry{{DN: groupDN, Attributes: []*ldap.EntryAttribute{ldap.NewEntryAttribute("member;range=4-*", member(4, 4))}}}}
			}
		}
		return fakeResult{code: ldap.LDAPResultNoSuchObject}
	}))
	ad, st, err := Collect(t.Context(), fakeOptions(d))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Complete {
		t.Fatalf("incomplete: %+v", st.Errors)
	}
	if len(ad.Users) != 5 || len(ad.Groups) != 1 || len(ad.Groups[0].Members) != 5 {
		t.Fatalf("users %d groups %d members %v", len(ad.Users), len(ad.Groups), ad.Groups)
	}
	if ad.SecurityGroups == nil || len(ad.SecurityGroups) != 0 {
		t.Errorf("a missing Exchange security groups OU means none: %v", ad.SecurityGroups)
	}
	if ad.Exchange == nil || ad.Exchange.Name != "" || len(ad.Exchange.Servers) != 0 {
		t.Errorf("a forest without Exchange gives an empty organization: %+v", ad.Exchange)
	}
	var domainPages int
	for _, s := range d.seen {
		if s.base == fakeDomain {
			domainPages++
			if strings.Contains(strings.Join(s.attrs, ","), "nTSecurityDescriptor") {
				t.Errorf("domain search asks for nTSecurityDescriptor")
			}
		}
	}
	if domainPages != 3 {
		t.Errorf("%d domain pages requested, want 3", domainPages)
	}
}

func TestServerLimits(t *testing.T) {
	cases := []struct {
		name  string
		code  uint16
		words string
	}{
		{"size limit", ldap.LDAPResultSizeLimitExceeded, "size limit"},
		{"time limit", ldap.LDAPResultTimeLimitExceeded, "time limit"},
		{"access denied", ldap.LDAPResultInsufficientAccessRights, "access denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := startFakeDC(t, standardAnswers(func(s fakeSearch) fakeResult {
				if s.base == fakeDomain {
					return fakeResult{entries: []*ldap.Entry{fakeUser(1), fakeUser(2)}, code: tc.code, diag: "administrative limit"}
				}
				return fakeResult{code: ldap.LDAPResultNoSuchObject}
			}))
			ad, st, err := Collect(t.Context(), fakeOptions(d))
			if err != nil {
				t.Fatal(err)
			}
			if st.Complete || ad.Users != nil || ad.Contacts != nil || ad.Groups != nil {
				t.Fatalf("a limited search must leave the domain datasets unassessed: %+v", st)
			}
			for _, p := range []string{pathUsers, pathContacts, pathGroups} {
				if !hasPath(st.Errors, p) {
					t.Errorf("no error for %s: %+v", p, st.Errors)
				}
			}
			msg := st.Errors[0].Message
			if !strings.Contains(msg, tc.words) || !strings.Contains(msg, fakeDomain) || !strings.Contains(msg, "after 2 entries") {
				t.Errorf("message %q should name the %s, the base and the count", msg, tc.words)
			}
		})
	}
}

// pagesSearcher serves paged results from memory and runs hook before each.
type pagesSearcher struct {
	pages [][]*ldap.Entry
	n     int
	hook  func(n int)
}

func (p *pagesSearcher) Search(req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	if p.hook != nil {
		p.hook(p.n)
	}
	if req.BaseDN == "" || req.Scope == ldap.ScopeBaseObject {
		return &ldap.SearchResult{}, nil
	}
	i := p.n
	p.n++
	res := &ldap.SearchResult{Entries: p.pages[i]}
	cookie := ""
	if i+1 < len(p.pages) {
		cookie = fmt.Sprint(i + 1)
	}
	pc := ldap.NewControlPaging(0)
	pc.SetCookie([]byte(cookie))
	res.Controls = []ldap.Control{pc}
	return res, nil
}

func TestPagedSearchStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &pagesSearcher{pages: [][]*ldap.Entry{{fakeUser(1)}, {fakeUser(2)}, {fakeUser(3)}}}
	s.hook = func(n int) {
		if n == 1 {
			cancel() // after the first page arrived, before the second is asked for
		}
	}
	c := &collector{s: s, o: Options{PageSize: 1}.withDefaults(), prog: newProgress(nil, "")}
	var got int
	n, err := c.pagedSearch(ctx, c.request(fakeDomain, "(objectClass=*)", nil), func(*entry) { got++ })
	if !errors.Is(err, context.Canceled) || n != 2 || got != 2 || s.n != 2 {
		t.Fatalf("err %v, %d entries handed over, %d searches; want cancel seen before the third page", err, got, s.n)
	}
}

func TestConnectionLostMessage(t *testing.T) {
	e := &searchError{base: fakeDomain, page: 4, entries: 30, err: ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection closed"))}
	if !strings.Contains(e.Error(), "connection to the DC was lost") || !strings.Contains(e.Error(), "page 4") {
		t.Errorf("message %q", e.Error())
	}
}

func TestOptionsRefused(t *testing.T) {
	for name, o := range map[string]Options{
		"bad scheme":          {URL: "http://dc", BindDN: "x", Password: "y"},
		"ldaps with starttls": {URL: "ldaps://dc", StartTLS: true, BindDN: "x", Password: "y"},
		"no bind dn":          {URL: "ldap://dc", Password: "y"},
		"missing CA file":     {URL: "ldaps://dc", BindDN: "x", Password: "y", CAFile: "/nonexistent/ca.pem"},
	} {
		if _, _, err := Collect(context.Background(), o); !errors.Is(err, ErrConnect) {
			t.Errorf("%s: want ErrConnect, got %v", name, err)
		}
	}
	if got := redactURL("ldaps://user:secret@dc01:636/?x=y"); got != "ldaps://dc01:636/" {
		t.Errorf("redactURL = %q", got)
	}
}
