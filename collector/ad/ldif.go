package ad

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/rs/zerolog"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrBadInput marks an input file exoready cannot read as an export (a
// broken LDIF line, a change record). main maps it to the usage exit code.
var ErrBadInput = errors.New("bad input")

// ldifError is a parse error at a line of an LDIF file.
type ldifError struct {
	file string
	line int
	msg  string
}

func (e *ldifError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }
func (e *ldifError) Unwrap() error { return ErrBadInput }

// parseLDIF reads the LDIF records of r and calls fn for each entry. It
// accepts what ldifde -f and ldapsearch -LLL write: folded lines, base64
// ("::") values and DNs, comments, "version: 1", "changetype: add", search
// references ("ref:" records, skipped), CRLF line ends, and UTF-8 or UTF-16
// text with a byte order mark. Anything else is an error naming the line.
func parseLDIF(r io.Reader, name string, fn func(*entry) error) error {
	dec := transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	br := bufio.NewReaderSize(dec, 256<<10)
	p := ldifParser{name: name, fn: fn}
	for {
		line, err := readLine(br)
		if len(line) > 0 || err == nil {
			p.lineNo++
			if perr := p.physical(line); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: read: %w", name, err)
		}
	}
	if err := p.flushLogical(); err != nil {
		return err
	}
	return p.endRecord()
}

// readLine returns one line without its LF or CRLF end, however long.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		buf := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = br.ReadSlice('\n')
			buf = append(buf, line...)
		}
		line = buf
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return line, err
}

type ldifParser struct {
	name   string
	fn     func(*entry) error
	lineNo int

	logical     []byte // the logical line being unfolded
	logicalLine int
	inComment   bool
	hasLogical  bool

	cur        *entry
	skipRecord bool // a search reference record
	sawRecord  bool
}

func (p *ldifParser) fail(line int, format string, args ...any) error {
	return &ldifError{file: p.name, line: line, msg: fmt.Sprintf(format, args...)}
}

// physical handles one physical line.
func (p *ldifParser) physical(line []byte) error {
	if len(line) > 0 && line[0] == ' ' {
		switch {
		case p.inComment:
		case !p.hasLogical:
			return p.fail(p.lineNo, "line starts with a space but there is no line to continue (a folded line after a blank line?)")
		default:
			p.logical = append(p.logical, line[1:]...)
		}
		return nil
	}
	if err := p.flushLogical(); err != nil {
		return err
	}
	p.inComment = false
	switch {
	case len(line) == 0:
		return p.endRecord()
	case line[0] == '#':
		p.inComment = true
	default:
		p.logical = append(p.logical[:0], line...)
		p.logicalLine = p.lineNo
		p.hasLogical = true
	}
	return nil
}

func (p *ldifParser) flushLogical() error {
	if !p.hasLogical {
		return nil
	}
	p.hasLogical = false
	return p.attrLine(p.logical, p.logicalLine)
}

func (p *ldifParser) endRecord() error {
	e := p.cur
	p.cur, p.skipRecord = nil, false
	if e == nil {
		return nil
	}
	return p.fn(e)
}

// attrLine handles one unfolded "name: value" line.
func (p *ldifParser) attrLine(l []byte, at int) error {
	colon := bytes.IndexByte(l, ':')
	if colon < 0 {
		return p.fail(at, "%q has no \"attribute: value\" form: a broken or badly folded line (continuation lines must start with one space)", clip(l))
	}
	attr := string(l[:colon])
	if !validAttrDesc(attr) {
		return p.fail(at, "%q is not an attribute name", clip([]byte(attr)))
	}
	rest := l[colon+1:]
	var val []byte
	switch {
	case len(rest) > 0 && rest[0] == ':':
		enc := bytes.TrimSpace(rest[1:])
		val = make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
		n, err := base64.StdEncoding.Decode(val, enc)
		if err != nil {
			return p.fail(at, "attribute %s: the base64 value after \"::\" is corrupt: %v", attr, err)
		}
		val = val[:n]
	case len(rest) > 0 && rest[0] == '<':
		return p.fail(at, "attribute %s: values by URL (\":<\") are not supported; export the value inline", attr)
	default:
		val = append([]byte(nil), bytes.TrimLeft(rest, " ")...)
	}
	la := strings.ToLower(attr)
	if p.cur == nil {
		if la == "result" && !bytes.HasPrefix(val, []byte("0")) {
			// ldapsearch -L prints the search result as a record.
			return p.fail(at, "the export ends with LDAP result %q: the search that wrote it stopped early; export again", clip(val))
		}
		if p.skipRecord {
			return nil
		}
		switch la {
		case "version":
			if p.sawRecord || string(val) != "1" {
				return p.fail(at, "unexpected version line %q (only \"version: 1\" before the first record)", clip(l))
			}
			return nil
		case "dn":
			p.cur = newEntry(string(val))
			p.sawRecord = true
			return nil
		case "ref", "search", "result":
			// ldapsearch prints search references as ref: records and, with
			// -L, the search result as a search:/result: record.
			p.skipRecord = true
			return nil
		}
		return p.fail(at, "a record must start with \"dn:\", this one starts with %q", clip(l))
	}
	switch la {
	case "changetype":
		if !strings.EqualFold(string(val), "add") {
			return p.fail(at, "changetype %q: this is a change file, not an export; give the output of ldifde -f or ldapsearch -LLL", val)
		}
		return nil
	case "control":
		return p.fail(at, "controls belong to change files, not exports; give the output of ldifde -f or ldapsearch -LLL")
	}
	p.cur.add(attr, val)
	return nil
}

// validAttrDesc accepts an attribute type (name or OID) with options.
func validAttrDesc(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == ';' || c == '.' || c == '=' || c == '*') && i > 0:
		default:
			return false
		}
	}
	return true
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// ---------------------------------------------------------------------------
// ReadLDIF

// ReadLDIF builds the AD section from LDIF exports of the domain and the
// configuration partitions (one file holding both, or one file each). Base
// DN and configuration DN come from the files unless o.BaseDN / o.ConfigDN
// are set. Partial problems (a partition missing, member lists cut by range
// retrieval, unreadable ACLs) are Errors in the status; the error return is
// for files that cannot be read or parsed at all.
func ReadLDIF(ctx context.Context, paths []string, o Options) (*snapshot.AD, snapshot.SourceStatus, error) {
	st := snapshot.SourceStatus{Collected: true, Method: "ldif", Origin: strings.Join(paths, ", "),
		Files: []snapshot.InputFile{}, Errors: []snapshot.SourceError{}}
	if len(paths) == 0 {
		return nil, st, fmt.Errorf("%w: no LDIF file given", ErrBadInput)
	}
	log := zerolog.Ctx(ctx).With().Str("component", "collector.ad").Logger()
	sc := newLDIFScan()
	prog := newProgress(o.Progress, "AD LDIF")
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		f, err := scanFile(ctx, path, sc, prog)
		if err != nil {
			return nil, st, err
		}
		st.Files = append(st.Files, f)
		log.Debug().Str("file", path).Int("entries", sc.total).Msg("LDIF read")
	}
	prog.done()

	domainDN, configDN := o.BaseDN, o.ConfigDN
	if domainDN == "" {
		domainDN = sc.domainDN()
	}
	if configDN == "" {
		configDN = sc.configDN
	}
	b := newBuilder(domainDN, configDN)
	for _, e := range sc.kept {
		b.add(e)
	}
	rs := readState{
		domain:        domainDN != "" && sc.sawDomain(domainDN),
		exchange:      configDN != "" && strings.EqualFold(configDN, sc.configDN),
		rightLookedUp: true,
	}
	rs.securityGroups = rs.domain
	ad, errs := b.finish(rs)
	st.Errors = append(st.Errors, sc.rangeErrors(b)...)
	st.Errors = append(st.Errors, errs...)
	files := strings.Join(paths, ", ")
	if !rs.domain {
		msg := fmt.Sprintf("%s hold no entry of the domain partition; export it too (ldifde -f domain.ldf -d <domain DN> -p subtree, or ldapsearch -LLL -b <domain DN>)", files)
		for _, p := range []string{pathUsers, pathContacts, pathGroups, pathSecurityGroups} {
			st.Errors = append(st.Errors, snapshot.SourceError{Path: p, Message: msg})
		}
	}
	if !rs.exchange {
		st.Errors = append(st.Errors, snapshot.SourceError{Path: pathExchange, Message: fmt.Sprintf(
			"%s hold no entry of the configuration partition; export it too (ldifde -f config.ldf -d CN=Configuration,<forest DN> -p subtree, or ldapsearch -LLL -b CN=Configuration,<forest DN>)", files)})
	}
	st.Complete = len(st.Errors) == 0
	log.Info().Int("entries", sc.total).Int("users", len(ad.Users)).Bool("complete", st.Complete).Msg("AD LDIF collected")
	return ad, st, nil
}

// scanFile parses one LDIF file into sc and returns its evidence record.
func scanFile(ctx context.Context, path string, sc *ldifScan, prog *progress) (snapshot.InputFile, error) {
	in := snapshot.InputFile{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return in, fmt.Errorf("%w: read LDIF: %v", ErrBadInput, err)
	}
	defer f.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(f, h), h: h}
	err = parseLDIF(cr, path, func(e *entry) error {
		if sc.total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		prog.add(1)
		return sc.add(e)
	})
	if err != nil {
		return in, err
	}
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	in.Bytes = cr.n
	return in, nil
}

type countingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ldifScan keeps the entries that can matter and notes the naming contexts.
type ldifScan struct {
	kept     []*entry
	total    int
	configDN string
	// domainRoots are domainDNS entries outside the configuration partition.
	domainRoots []string
	// dcSuffixes counts the DC=... suffixes of entries outside the configuration partition.
	dcSuffixes map[string]int
	// incomplete lists, per lower-case DN, the DN and the attributes an
	// export cut at a range boundary.
	incomplete map[string][]string
}

func newLDIFScan() *ldifScan {
	return &ldifScan{dcSuffixes: map[string]int{}, incomplete: map[string][]string{}}
}

func (s *ldifScan) add(e *entry) error {
	s.total++
	lower := strings.ToLower(e.dn)
	if i := strings.Index(lower, "cn=configuration,dc="); i >= 0 && (i == 0 || lower[i-1] == ',') {
		cfg := e.dn[i:]
		if s.configDN == "" {
			s.configDN = cfg
		} else if !strings.EqualFold(s.configDN, cfg) {
			return fmt.Errorf("%w: %s: entries of two forests (%s and %s): export one forest", ErrBadInput, e.dn, s.configDN, cfg)
		}
	} else if !isDNSZonePartition(lower) {
		if e.hasClass("domainDNS") {
			s.domainRoots = append(s.domainRoots, e.dn)
		}
		if sfx := dcSuffix(e.dn); sfx != "" {
			s.dcSuffixes[sfx]++
		}
	}
	if !keepForBuilder(e, lower) {
		return nil
	}
	inc, err := e.foldRanges()
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadInput, e.dn, err)
	}
	if len(inc) > 0 {
		s.incomplete[lower] = append([]string{e.dn}, inc...)
	}
	s.kept = append(s.kept, e)
	return nil
}

func isDNSZonePartition(lowerDN string) bool {
	return strings.Contains(lowerDN, "dc=domaindnszones,") || strings.Contains(lowerDN, "dc=forestdnszones,")
}

// keepForBuilder is a cheap pre-filter: entries the builder could classify.
func keepForBuilder(e *entry, lowerDN string) bool {
	if strings.Contains(lowerDN, ",cn=microsoft exchange,cn=services,cn=configuration,") ||
		strings.Contains(lowerDN, ",cn=extended-rights,cn=configuration,") {
		return true
	}
	return e.hasClass("group") || isMailEnabled(e)
}

// dcSuffix returns the trailing DC=... RDNs of a DN.
func dcSuffix(dn string) string {
	parts := strings.Split(dn, ",")
	i := len(parts)
	for i > 0 && strings.HasPrefix(strings.ToLower(strings.TrimSpace(parts[i-1])), "dc=") {
		i--
	}
	if i == len(parts) {
		return ""
	}
	return strings.Join(parts[i:], ",")
}

// domainDN is the domain partition's root: the domainDNS entry (the shortest,
// when an export holds child domains too), or else the most common DC suffix.
func (s *ldifScan) domainDN() string {
	if len(s.domainRoots) > 0 {
		best := s.domainRoots[0]
		for _, d := range s.domainRoots[1:] {
			if len(d) < len(best) {
				best = d
			}
		}
		return best
	}
	best, n := "", 0
	for _, k := range sortedKeys(s.dcSuffixes) {
		if s.dcSuffixes[k] > n {
			best, n = k, s.dcSuffixes[k]
		}
	}
	return best
}

// sawDomain reports whether any entry lies in the domain partition dn.
func (s *ldifScan) sawDomain(dn string) bool {
	for k := range s.dcSuffixes {
		if hasSuffixDN(k, dn) {
			return true
		}
	}
	return false
}

// rangeErrors reports recipients whose multi-valued attributes (member of
// large groups) an export cut at a range boundary: ldapsearch does not
// follow range retrieval, ldifde does.
func (s *ldifScan) rangeErrors(b *builder) []snapshot.SourceError {
	byPath := map[string][]string{}
	for key, dnAttrs := range s.incomplete {
		dn, attrs := dnAttrs[0], dnAttrs[1:]
		var path string
		switch {
		case has(b.sgObjs, key):
			path = pathSecurityGroups
		case has(b.groupObjs, key):
			path = pathGroups
		case has(b.users, key):
			path = pathUsers
		case has(b.contacts, key):
			path = pathContacts
		default:
			continue
		}
		byPath[path] = append(byPath[path], fmt.Sprintf("%s (%s)", dn, strings.Join(attrs, ", ")))
	}
	var out []snapshot.SourceError
	for _, p := range sortedKeys(byPath) {
		objs := byPath[p]
		sort.Strings(objs)
		out = append(out, snapshot.SourceError{Path: p, Message: "value lists cut by range retrieval in the export (it did not fetch the remaining ranges): " +
			joinLimited(objs, 10) + "; export with ldifde, which follows ranges, or collect live"})
	}
	return out
}

func has[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
