package ad

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/rs/zerolog"
	"golang.org/x/text/encoding"
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
	return readLDIF(r, name, false, fn)
}

// readLDIF is parseLDIF; with reuse, fn gets the same entry each time,
// its values in buffers the next record overwrites, so it must copy what
// it keeps.
func readLDIF(r io.Reader, name string, reuse bool, fn func(*entry) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	// UTF-16 goes through a decoder. UTF-8 is read as it is, and only a
	// line that is not valid UTF-8 goes through one (which puts U+FFFD for
	// each bad sequence): a line end is never part of a sequence, so that
	// gives what decoding the whole stream gives, at a fraction of the cost.
	var fix *encoding.Decoder
	if head, _ := br.Peek(2); len(head) == 2 && (head[0] == 0xFE && head[1] == 0xFF || head[0] == 0xFF && head[1] == 0xFE) {
		br = bufio.NewReaderSize(transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder())), 256<<10)
	} else {
		if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xEF\xBB\xBF")) {
			_, _ = br.Discard(3)
		}
		fix = unicode.UTF8.NewDecoder()
	}
	p := ldifParser{name: name, fn: fn, reuse: reuse, keys: map[string]string{}}
	if reuse {
		p.ent = newEntry("")
	}
	for {
		line, err := readLine(br)
		if fix != nil && !utf8.Valid(line) {
			line, _ = fix.Bytes(line)
		}
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

	// keys maps the attribute descriptions met to their lower-case keys.
	keys map[string]string
	// reuse: every record goes into ent, its values into vals.
	reuse bool
	ent   *entry
	vals  []byte
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
	if p.reuse {
		for k, v := range e.attrs {
			if len(v) == 0 { // held by an earlier record only
				delete(e.attrs, k)
			}
		}
	}
	return p.fn(e)
}

// newRecord starts the entry of a record.
func (p *ldifParser) newRecord(dn string) *entry {
	if !p.reuse {
		return newEntry(dn)
	}
	e := p.ent
	e.dn = dn
	for k, v := range e.attrs {
		e.attrs[k] = v[:0]
	}
	p.vals = p.vals[:0]
	return e
}

// attrLine handles one unfolded "name: value" line.
func (p *ldifParser) attrLine(l []byte, at int) error {
	colon := bytes.IndexByte(l, ':')
	if colon < 0 {
		return p.fail(at, "%q has no \"attribute: value\" form: a broken or badly folded line (continuation lines must start with one space)", clip(l))
	}
	la, ok := p.keys[string(l[:colon])]
	if !ok {
		attr := string(l[:colon])
		if !validAttrDesc(attr) {
			return p.fail(at, "%q is not an attribute name", clip([]byte(attr)))
		}
		la = strings.ToLower(attr)
		p.keys[attr] = la
	}
	rest := l[colon+1:]
	var val []byte
	switch {
	case len(rest) > 0 && rest[0] == ':':
		enc := bytes.TrimSpace(rest[1:])
		n0, dl := len(p.vals), base64.StdEncoding.DecodedLen(len(enc))
		if p.reuse {
			p.vals = slices.Grow(p.vals, dl)[:n0+dl]
			val = p.vals[n0:]
		} else {
			val = make([]byte, dl)
		}
		n, err := base64.StdEncoding.Decode(val, enc)
		if err != nil {
			return p.fail(at, "attribute %s: the base64 value after \"::\" is corrupt: %v", l[:colon], err)
		}
		val = val[:n:n]
		if p.reuse {
			p.vals = p.vals[:n0+n]
		}
	case len(rest) > 0 && rest[0] == '<':
		return p.fail(at, "attribute %s: values by URL (\":<\") are not supported; export the value inline", l[:colon])
	case p.reuse:
		n0 := len(p.vals)
		p.vals = append(p.vals, bytes.TrimLeft(rest, " ")...)
		val = p.vals[n0:len(p.vals):len(p.vals)]
	default:
		val = append([]byte(nil), bytes.TrimLeft(rest, " ")...)
	}
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
			p.cur = p.newRecord(string(val))
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
	p.cur.attrs[la] = append(p.cur.attrs[la], val)
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
	sc := newLDIFScan(newBuilder(o.BaseDN, o.ConfigDN))
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

	b := sc.b
	if b.domainDN == "" {
		b.domainDN = sc.domainDN()
	}
	domainDN, configDN := b.domainDN, b.configDN
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
	ev := snapshot.NewEvidenceReader(f)
	err = readLDIF(ev, path, true, func(e *entry) error {
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
	return ev.InputFile(path), nil
}

// ldifScan hands the entries that can matter to the builder as they are
// read, and notes the naming contexts. The configuration partition is
// recognised by its DN (CN=Configuration,DC=...) as soon as its first entry
// is read; the domain partition only once the whole export is read, so
// the builder converts domain objects before knowing their partition (see
// builder).
type ldifScan struct {
	b        *builder
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

func newLDIFScan(b *builder) *ldifScan {
	return &ldifScan{b: b, dcSuffixes: map[string]int{}, incomplete: map[string][]string{}}
}

// add takes one entry; it keeps nothing of e (the parser reuses it).
func (s *ldifScan) add(e *entry) error {
	s.total++
	lower := strings.ToLower(e.dn)
	if i := strings.Index(lower, "cn=configuration,dc="); i >= 0 && (i == 0 || lower[i-1] == ',') {
		cfg := e.dn[i:]
		if s.configDN == "" {
			s.configDN = cfg
			if s.b.configDN == "" {
				s.b.configDN = cfg
			}
		} else if !strings.EqualFold(s.configDN, cfg) {
			return fmt.Errorf("%w: %s: entries of two forests (%s and %s): export one forest", ErrBadInput, e.dn, s.configDN, cfg)
		}
	} else if !isDNSZonePartition(lower) {
		if e.hasClass("domainDNS") {
			s.domainRoots = append(s.domainRoots, e.dn)
		}
		if sfx := dcSuffix(e.dn); sfx != "" {
			if _, ok := s.dcSuffixes[sfx]; !ok {
				sfx = strings.Clone(sfx)
			}
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
	s.b.add(e)
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

// dcSuffix returns the trailing DC=... RDNs of a DN (a slice of it).
func dcSuffix(dn string) string {
	start, end := len(dn), len(dn)
	for {
		j := strings.LastIndexByte(dn[:end], ',')
		if !isDCRDN(dn[j+1 : end]) {
			break
		}
		start = j + 1
		if j < 0 {
			break
		}
		end = j
	}
	return dn[start:]
}

// isDCRDN reports whether an RDN, spaces trimmed, starts with "dc=" in any case.
func isDCRDN(rdn string) bool {
	t := strings.TrimSpace(rdn)
	return len(t) >= 3 && t[0]|0x20 == 'd' && t[1]|0x20 == 'c' && t[2] == '='
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
	for _, dnAttrs := range s.incomplete {
		dn, attrs := dnAttrs[0], dnAttrs[1:]
		var path string
		switch {
		case holds(b.final.securityGroups, dn, groupDN):
			path = pathSecurityGroups
		case holds(b.final.groups, dn, groupDN):
			path = pathGroups
		case holds(b.final.users, dn, recipientDN):
			path = pathUsers
		case holds(b.final.contacts, dn, recipientDN):
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

// holds reports whether list, ordered by lower-case DN, holds dn (in any case).
func holds[T any](list []T, dn string, dnOf func(*T) string) bool {
	_, ok := slices.BinarySearchFunc(list, dn, func(x T, dn string) int { return cmpLowerDN(dnOf(&x), dn) })
	return ok
}

func groupDN(g *snapshot.ADGroup) string         { return g.DN }
func recipientDN(r *snapshot.ADRecipient) string { return r.DN }
