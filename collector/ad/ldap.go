package ad

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/go-ldap/ldap/v3"
	"github.com/rs/zerolog"
)

// Options configure AD collection. The password is held here only to bind;
// it is never logged or written anywhere.
type Options struct {
	// URL is ldaps://host[:636] or ldap://host[:389] (then use StartTLS).
	URL      string
	StartTLS bool
	// BindDN is a DN or a UPN (user@corp.example).
	BindDN   string
	Password string
	// CAFile is a PEM bundle of the CAs that may sign the DC's certificate;
	// empty means the system roots.
	CAFile             string
	InsecureSkipVerify bool
	// BaseDN and ConfigDN override the naming contexts RootDSE announces
	// (live) or the files reveal (LDIF).
	BaseDN   string
	ConfigDN string
	// DialTimeout bounds connecting (default 10 s); Timeout bounds every
	// LDAP operation, one page of a search included (default 2 min).
	DialTimeout time.Duration
	Timeout     time.Duration
	// PageSize is the paged-search page size (default 1000, AD's MaxPageSize).
	PageSize uint32
	// Progress receives a one-line progress display; it stays quiet unless
	// it is a terminal. nil disables it.
	Progress io.Writer
}

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.PageSize == 0 {
		o.PageSize = 1000
	}
	o.BaseDN, o.ConfigDN = tidyDN(o.BaseDN), tidyDN(o.ConfigDN)
	return o
}

// ErrConnect marks a failure to reach, trust or bind to the DC: nothing was
// collected. Its message says what to check.
var ErrConnect = errors.New("cannot collect AD")

// searcher is the search the collector needs from a connection (wireConn,
// or a test's fake); pagedSearch prefers pageReader when it has it.
type searcher interface {
	Search(*ldap.SearchRequest) (*ldap.SearchResult, error)
}

// Collect reads the AD section live over LDAP. The error return is for
// "nothing trustworthy" (unreachable, untrusted certificate, bind refused,
// RootDSE unreadable, interrupted); searches that fail later are Errors in
// the returned status, naming the snapshot paths they leave unassessed.
func Collect(ctx context.Context, o Options) (*snapshot.AD, snapshot.SourceStatus, error) {
	o = o.withDefaults()
	st := snapshot.SourceStatus{Collected: true, Method: "ldap", Origin: redactURL(o.URL),
		Files: []snapshot.InputFile{}, Errors: []snapshot.SourceError{}}
	log := zerolog.Ctx(ctx).With().Str("component", "collector.ad").Logger()
	conn, err := connect(ctx, o, &log)
	if err != nil {
		return nil, st, err
	}
	defer conn.Close()
	// A blocked read ends when the context does: closing the connection
	// fails the outstanding request at once.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c := &collector{s: conn, o: o, log: log}
	ad, errs, err := c.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, st, ctx.Err()
		}
		return nil, st, err
	}
	st.Errors = append(st.Errors, errs...)
	st.Complete = len(st.Errors) == 0
	return ad, st, nil
}

// connect dials, secures and binds. Once connected, the end of ctx closes
// the connection: a DC that accepts and never answers the bind must not
// hold an interrupted run for the whole operation timeout.
func connect(ctx context.Context, o Options, log *zerolog.Logger) (*wireConn, error) {
	origin := redactURL(o.URL)
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return nil, fmt.Errorf("%w: --ldap-url %q is not ldaps://host[:port] or ldap://host[:port]", ErrConnect, origin)
	}
	if u.Scheme == "ldaps" && o.StartTLS {
		return nil, fmt.Errorf("%w: --start-tls is for ldap:// URLs; %s is already TLS", ErrConnect, origin)
	}
	if o.BindDN == "" {
		return nil, fmt.Errorf("%w: no bind account: give --bind-dn (a DN or a UPN such as svc-exoready@corp.example)", ErrConnect)
	}
	if o.Password == "" {
		return nil, fmt.Errorf("%w: no password for %s: set EXOREADY_LDAP_PASSWORD or give --password-file", ErrConnect, o.BindDN)
	}
	tc, err := tlsConfig(o, u.Hostname())
	if err != nil {
		return nil, err
	}
	if o.InsecureSkipVerify {
		log.Warn().Msg("TLS certificate verification is OFF (--insecure-skip-verify): anyone on the network path can pose as the DC and read the bind password; use --ca-file instead")
	}
	if u.Scheme == "ldap" && !o.StartTLS {
		log.Warn().Msg("plain ldap:// without --start-tls: the bind password and all directory data cross the network unencrypted")
	}
	dctx, cancel := context.WithTimeout(ctx, o.DialTimeout)
	defer cancel()
	conn, err := dialWire(dctx, u, &net.Dialer{}, tc, o.Timeout)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: connect to %s: %s", ErrConnect, origin, describeConnErr(err))
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if o.StartTLS {
		if err := conn.startTLS(ctx, tc); err != nil {
			conn.Close()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%w: StartTLS with %s: %s", ErrConnect, origin, describeConnErr(err))
		}
	}
	if err := conn.bind(o.BindDN, o.Password); err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: bind to %s as %s: %s", ErrConnect, origin, o.BindDN, describeBindErr(err))
	}
	log.Debug().Str("origin", origin).Msg("bound")
	return conn, nil
}

func tlsConfig(o Options, host string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.InsecureSkipVerify} //nolint:gosec // opt-in, warned about
	if o.CAFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(o.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%w: read --ca-file: %v", ErrConnect, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: --ca-file %s holds no PEM certificate", ErrConnect, o.CAFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

func describeConnErr(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var opErr *net.OpError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &certErr) && errors.As(certErr.Err, &unknownCA):
		return "the DC's TLS certificate is not signed by a trusted CA (" + err.Error() + "); give the issuing CA with --ca-file"
	case errors.As(err, &hostErr):
		return "the DC's TLS certificate does not name this host (" + err.Error() + "); use the DC name the certificate carries in --ldap-url"
	case errors.As(err, &certErr):
		return "the DC's TLS certificate was refused (" + err.Error() + "); check its validity dates and --ca-file"
	case errors.As(err, &opErr):
		return err.Error() + "; check the host and port in --ldap-url and that the DC is reachable from here"
	}
	return err.Error()
}

func describeBindErr(err error) string {
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		return "invalid credentials (" + err.Error() + "); check --bind-dn and the password (EXOREADY_LDAP_PASSWORD or --password-file)"
	case ldap.IsErrorAnyOf(err, ldap.LDAPResultStrongAuthRequired, ldap.LDAPResultConfidentialityRequired):
		return "the DC requires an encrypted connection (" + err.Error() + "); use ldaps:// or --start-tls"
	}
	return describeConnErr(err)
}

// redactURL drops credentials and query from an LDAP URL for logs and origins.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// tidyDN removes blanks around the separators of a DN given on the command
// line ("DC=corp, DC=example" → "DC=corp,DC=example"), so it compares with
// the DNs the server returns. DNs with escapes are left as given.
func tidyDN(dn string) string {
	dn = strings.TrimSpace(dn)
	if dn == "" || strings.ContainsAny(dn, `\"+`) {
		return dn
	}
	parts := strings.Split(dn, ",")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return dn
		}
		parts[i] = strings.TrimSpace(k) + "=" + strings.TrimSpace(v)
	}
	return strings.Join(parts, ",")
}

// ---------------------------------------------------------------------------
// Collection over a searcher

type collector struct {
	s    searcher
	o    Options
	log  zerolog.Logger
	prog *progress
}

// run reads RootDSE, the configuration partition, then the domain partition.
func (c *collector) run(ctx context.Context) (*snapshot.AD, []snapshot.SourceError, error) {
	c.prog = newProgress(c.o.Progress, "AD")
	defer c.prog.done()
	domainDN, configDN := c.o.BaseDN, c.o.ConfigDN
	if domainDN == "" || configDN == "" {
		d, cfg, err := c.rootDSE()
		if err != nil {
			return nil, nil, err
		}
		if domainDN == "" {
			domainDN = d
		}
		if configDN == "" {
			configDN = cfg
		}
	}
	if domainDN == "" || configDN == "" {
		return nil, nil, fmt.Errorf("%w: RootDSE names no defaultNamingContext or configurationNamingContext; give --base-dn and --config-dn", ErrConnect)
	}
	b := newBuilder(domainDN, configDN)
	var rs readState
	var errs []snapshot.SourceError
	fail := func(err error, paths ...string) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for _, p := range paths {
			errs = append(errs, snapshot.SourceError{Path: p, Message: err.Error()})
		}
		c.log.Warn().Err(err).Strs("paths", paths).Msg("AD search failed")
		return nil
	}

	// Configuration partition: the relay right, then the Exchange organization.
	rightErr := c.searchRight(ctx, b)
	rs.rightLookedUp = rightErr == nil
	if rightErr != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		c.log.Warn().Err(rightErr).Msg("extended right lookup failed")
	}
	searches := Searches(domainDN, configDN)
	exReq := c.request(searches[0].Base, searches[0].Filter, searches[0].Attrs)
	exReq.Controls = append(exReq.Controls, &ldap.ControlMicrosoftSDFlags{ControlValue: 4}) // DACL only
	if _, err := c.pagedSearch(ctx, exReq, b.add); err == nil || isNoSuchObject(err) {
		rs.exchange = true
	} else if err := fail(err, pathExchange); err != nil {
		return nil, nil, err
	}

	// Domain partition: recipients, then the Exchange security groups.
	if _, err := c.pagedSearch(ctx, c.request(searches[1].Base, searches[1].Filter, searches[1].Attrs), b.add); err == nil {
		rs.domain = true
	} else if err := fail(err, pathUsers, pathContacts, pathGroups); err != nil {
		return nil, nil, err
	}
	if _, err := c.pagedSearch(ctx, c.request(searches[2].Base, searches[2].Filter, searches[2].Attrs), b.add); err == nil || isNoSuchObject(err) {
		rs.securityGroups = true
	} else if err := fail(err, pathSecurityGroups); err != nil {
		return nil, nil, err
	}

	ad, berrs := b.finish(rs)
	if rightErr != nil {
		// Replace the generic ACL message with the lookup's own error.
		for i := range berrs {
			if berrs[i].Path == pathReceiveConnectors {
				berrs[i].Message += ": " + rightErr.Error()
			}
		}
	}
	errs = append(errs, berrs...)
	c.log.Info().Int("entries", c.prog.n).Int("users", len(ad.Users)).Int("errors", len(errs)).Msg("AD collected")
	return ad, errs, nil
}

func (c *collector) request(base, filter string, attrs []string) *ldap.SearchRequest {
	return ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil)
}

// rootDSE reads the naming contexts the DC announces.
func (c *collector) rootDSE() (domainDN, configDN string, err error) {
	req := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"defaultNamingContext", "configurationNamingContext"}, nil)
	res, err := c.s.Search(req)
	if err != nil {
		return "", "", fmt.Errorf("%w: read RootDSE: %v", ErrConnect, err)
	}
	if len(res.Entries) == 0 {
		return "", "", fmt.Errorf("%w: RootDSE returned no entry; give --base-dn and --config-dn", ErrConnect)
	}
	e := res.Entries[0]
	return e.GetAttributeValue("defaultNamingContext"), e.GetAttributeValue("configurationNamingContext"), nil
}

// searchRight reads the rightsGuid of ms-Exch-SMTP-Accept-Any-Recipient.
// A right that does not exist is not an error here: finish reports it on
// the connectors, which cannot be analysed without it.
func (c *collector) searchRight(ctx context.Context, b *builder) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := ldap.NewSearchRequest(b.extendedRightDN(), ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"rightsGuid"}, nil)
	res, err := c.s.Search(req)
	if isNoSuchObject(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", b.extendedRightDN(), err)
	}
	for _, e := range res.Entries {
		if e != nil {
			b.add(fromLDAP(e))
		}
	}
	return nil
}

func isNoSuchObject(err error) bool { return ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) }

// recipientFilter selects mail-enabled users, contacts and groups; the
// builder applies the same test (isMailEnabled) to LDIF entries.
func recipientFilter() string {
	var sb strings.Builder
	sb.WriteString("(&(|(objectClass=user)(objectClass=contact)(objectClass=group))(!(objectClass=computer))(|")
	for _, a := range mailEnabledAttrs {
		sb.WriteString("(" + a + "=*)")
	}
	sb.WriteString("))")
	return sb.String()
}

// exchangeFilter selects the configuration objects the builder classifies.
func exchangeFilter() string {
	return "(|(objectClass=msExchOrganizationContainer)(objectClass=msExchExchangeServer)" +
		"(objectClass=msExchSmtpReceiveConnector)(objectClass=msExchRoutingSMTPConnector)" +
		"(objectClass=msExchPrivateMDB)(objectClass=msExchPublicMDB)(objectClass=msExchAcceptedDomain)" +
		"(objectClass=msExchCoexistenceRelationship)(cn=Hybrid Configuration)" +
		"(&(objectClass=serviceConnectionPoint)(keywords=" + autodiscoverKeyword + ")))"
}

// searchError is a search that stopped before its end.
type searchError struct {
	base    string
	page    int
	entries int
	err     error
}

func (e *searchError) Unwrap() error { return e.err }

func (e *searchError) Error() string {
	where := fmt.Sprintf("search of %s stopped after %d entries (page %d)", e.base, e.entries, e.page)
	switch {
	case ldap.IsErrorWithCode(e.err, ldap.LDAPResultSizeLimitExceeded):
		return where + ": the server's size limit was reached (" + e.err.Error() + "); ask the directory admins to lift the size limit (LDAP policy MaxResultSetSize) for the collection account"
	case ldap.IsErrorWithCode(e.err, ldap.LDAPResultTimeLimitExceeded):
		return where + ": the server's time limit was reached (" + e.err.Error() + "); raise the LDAP policy MaxQueryDuration or collect off-peak"
	case ldap.IsErrorWithCode(e.err, ldap.LDAPResultInsufficientAccessRights):
		return where + ": access denied (" + e.err.Error() + "); the collection account needs read access there"
	case connectionLost(e.err):
		return where + ": the connection to the DC was lost (" + e.err.Error() + "); check the DC and the network, then collect again"
	}
	return where + ": " + e.err.Error()
}

// connectionLost reports whether err means the connection to the DC broke.
func connectionLost(err error) bool {
	var opErr *net.OpError
	return ldap.IsErrorWithCode(err, ldap.ErrorNetwork) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &opErr)
}

// pagedSearch runs req with the paged-results control, one request per
// page, copying the cookie forward until the server returns an empty one.
// It checks the context between pages and hands every entry to add as soon
// as it is read (one with ranged attributes at the end of its page, once
// range retrieval completed it). On error the entries already handed over
// are incomplete: the caller discards the dataset.
func (c *collector) pagedSearch(ctx context.Context, req *ldap.SearchRequest, add func(*entry)) (int, error) {
	paging := ldap.NewControlPaging(c.o.PageSize)
	req.Controls = append(req.Controls, paging)
	n := 0
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		start := time.Now()
		read := 0
		// Entries go to add as they arrive, so that building them overlaps
		// the server producing the rest of the page; those with ranged
		// attributes wait for the end of the page, since range retrieval
		// needs the connection.
		var ranged []*entry
		cookie, err := c.page(req, func(e *entry, hasRanges bool) {
			read++
			if hasRanges {
				ranged = append(ranged, e)
				return
			}
			add(e)
			n++
		})
		if err != nil {
			if isNoSuchObject(err) {
				return n, err
			}
			n += len(ranged) // read, but part of a dataset now incomplete
			return n, &searchError{base: req.BaseDN, page: page, entries: n, err: err}
		}
		for _, e := range ranged {
			if err := c.completeRanges(ctx, e); err != nil {
				return n, &searchError{base: req.BaseDN, page: page, entries: n, err: err}
			}
			add(e)
			n++
		}
		c.prog.add(read)
		c.log.Debug().Str("base_dn", req.BaseDN).Int("page", page).Int("entries", read).Dur("elapsed", time.Since(start)).Msg("page fetched")
		if len(cookie) == 0 {
			return n, nil // last page (or a server that ignores paging and sent everything)
		}
		paging.SetCookie(cookie)
	}
}

// pageReader is a searcher that reads a page of search results straight
// into entries (wireConn); page falls back to Search for the others.
type pageReader interface {
	searchEntries(req *ldap.SearchRequest, each func(e *entry, hasRanges bool)) (cookie []byte, err error)
}

// page runs one search request, hands each entry to each (those read
// before an error too) and returns the paged-results cookie.
func (c *collector) page(req *ldap.SearchRequest, each func(e *entry, hasRanges bool)) ([]byte, error) {
	if pr, ok := c.s.(pageReader); ok {
		return pr.searchEntries(req, each)
	}
	res, err := c.s.Search(req)
	if res != nil {
		for _, le := range res.Entries {
			if le != nil {
				e := fromLDAP(le)
				specs, _, _ := e.rangedAttrs()
				each(e, len(specs) > 0)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if pc, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
		return pc.Cookie, nil
	}
	return nil, nil
}

// completeRanges follows range retrieval: an attribute returned as
// "member;range=0-1499" is fetched on with "member;range=1500-*" until the
// server marks the last range with "*".
func (c *collector) completeRanges(ctx context.Context, e *entry) error {
	specs, keys, err := e.rangedAttrs()
	if err != nil || len(specs) == 0 {
		return err
	}
	type state struct {
		next int
		done bool
	}
	attrs := map[string]*state{}
	var order []string
	for i, r := range specs {
		s, ok := attrs[r.base]
		if !ok {
			s = &state{}
			attrs[r.base] = s
			order = append(order, r.base)
		}
		e.attrs[r.base] = append(e.attrs[r.base], e.attrs[keys[i]]...)
		delete(e.attrs, keys[i])
		if r.hi < 0 {
			s.done = true
		} else if r.hi+1 > s.next {
			s.next = r.hi + 1
		}
	}
	for _, base := range order {
		s := attrs[base]
		for !s.done {
			if err := ctx.Err(); err != nil {
				return err
			}
			want := fmt.Sprintf("%s;range=%d-*", base, s.next)
			req := ldap.NewSearchRequest(e.dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", []string{want}, nil)
			res, err := c.s.Search(req)
			if err != nil {
				return fmt.Errorf("range retrieval of %s on %s: %w", want, e.dn, err)
			}
			got := false
			for _, le := range res.Entries {
				if le == nil {
					continue
				}
				for _, a := range le.Attributes {
					r, ok, err := parseRange(strings.ToLower(a.Name))
					if err != nil {
						return fmt.Errorf("range retrieval on %s: %w", e.dn, err)
					}
					if !ok || r.base != base {
						continue
					}
					if r.lo != s.next {
						return fmt.Errorf("range retrieval of %s on %s: asked for values from %d, the server sent %s", base, e.dn, s.next, a.Name)
					}
					got = true
					e.attrs[base] = append(e.attrs[base], a.ByteValues...)
					if r.hi < 0 {
						s.done = true
					} else {
						s.next = r.hi + 1
					}
				}
			}
			if !got {
				return fmt.Errorf("range retrieval of %s on %s: the server returned no further range", base, e.dn)
			}
		}
	}
	return nil
}
