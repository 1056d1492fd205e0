package ad

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// entry is one directory object as read from LDAP or LDIF: its DN and its
// attribute values keyed by lower-case attribute description. Options stay in
// the key ("member;range=0-1499") until the ranges are folded into "member".
type entry struct {
	dn    string
	attrs map[string][][]byte
}

func newEntry(dn string) *entry {
	return &entry{dn: dn, attrs: make(map[string][][]byte)}
}

// fromLDAP converts a search result entry, keeping raw bytes.
func fromLDAP(le *ldap.Entry) *entry {
	e := newEntry(le.DN)
	for _, a := range le.Attributes {
		k := strings.ToLower(a.Name)
		e.attrs[k] = append(e.attrs[k], a.ByteValues...)
	}
	return e
}

func (e *entry) add(name string, v []byte) {
	k := strings.ToLower(name)
	e.attrs[k] = append(e.attrs[k], v)
}

func (e *entry) values(name string) [][]byte { return e.attrs[strings.ToLower(name)] }

// first returns the first value of an attribute, nil when absent. name is
// lower-case (the key form), so the lookup allocates nothing.
func (e *entry) first(name string) []byte {
	if v := e.attrs[name]; len(v) > 0 {
		return v[0]
	}
	return nil
}

// clone returns a deep copy of e. The LDIF reader reuses one entry and its
// value buffers for every record, so whatever keeps an entry past the
// callback keeps a clone.
func (e *entry) clone() *entry {
	c := &entry{dn: e.dn, attrs: make(map[string][][]byte, len(e.attrs))}
	for k, vs := range e.attrs {
		cv := make([][]byte, len(vs))
		for i, v := range vs {
			if v != nil {
				cv[i] = append([]byte{}, v...)
			}
		}
		c.attrs[k] = cv
	}
	return c
}

func (e *entry) has(name string) bool { return len(e.attrs[strings.ToLower(name)]) > 0 }

// str returns the first value of a single-valued attribute, "" when absent.
func (e *entry) str(name string) string {
	if v := e.values(name); len(v) > 0 {
		return string(v[0])
	}
	return ""
}

// strs returns every value, sorted, never nil.
func (e *entry) strs(name string) []string {
	vs := e.values(name)
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, string(v))
	}
	sort.Strings(out)
	return out
}

// hasClass reports whether objectClass holds c (case-insensitive).
func (e *entry) hasClass(c string) bool {
	for _, v := range e.values("objectclass") {
		if strings.EqualFold(string(v), c) {
			return true
		}
	}
	return false
}

// rangeSpec is a parsed ";range=lo-hi" attribute option; hi is -1 for "*".
type rangeSpec struct {
	base   string
	lo, hi int
}

// parseRange splits "member;range=0-1499" into its parts. ok is false when
// the key carries no range option.
func parseRange(key string) (rangeSpec, bool, error) {
	i := strings.Index(key, ";range=")
	if i < 0 {
		return rangeSpec{}, false, nil
	}
	r := rangeSpec{base: key[:i]}
	spec := key[i+len(";range="):]
	if j := strings.IndexByte(spec, ';'); j >= 0 { // further options: keep only range
		spec = spec[:j]
	}
	lo, hi, found := strings.Cut(spec, "-")
	if !found {
		return r, true, fmt.Errorf("attribute %q: range option %q is not lo-hi", key, spec)
	}
	var err error
	if r.lo, err = strconv.Atoi(lo); err != nil || r.lo < 0 {
		return r, true, fmt.Errorf("attribute %q: range start %q is not a number", key, lo)
	}
	if hi == "*" {
		r.hi = -1
	} else if r.hi, err = strconv.Atoi(hi); err != nil || r.hi < r.lo {
		return r, true, fmt.Errorf("attribute %q: range end %q is not a number at or above %d", key, hi, r.lo)
	}
	return r, true, nil
}

// rangedAttrs returns the ranged attribute keys of e, sorted by base then start.
func (e *entry) rangedAttrs() ([]rangeSpec, []string, error) {
	options := false
	for k := range e.attrs {
		if strings.IndexByte(k, ';') >= 0 {
			options = true
			break
		}
	}
	if !options {
		return nil, nil, nil
	}
	var specs []rangeSpec
	var keys []string
	for k := range e.attrs {
		r, ok, err := parseRange(k)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			specs = append(specs, r)
			keys = append(keys, k)
		}
	}
	idx := make([]int, len(specs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ra, rb := specs[idx[a]], specs[idx[b]]
		if ra.base != rb.base {
			return ra.base < rb.base
		}
		return ra.lo < rb.lo
	})
	outS := make([]rangeSpec, len(idx))
	outK := make([]string, len(idx))
	for i, j := range idx {
		outS[i], outK[i] = specs[j], keys[j]
	}
	return outS, outK, nil
}

// foldRanges merges every "attr;range=lo-hi" value list into "attr". It
// returns the attributes whose ranges do not reach "*" or leave a gap: their
// value lists are incomplete (an export that did not follow range retrieval).
func (e *entry) foldRanges() (incomplete []string, err error) {
	specs, keys, err := e.rangedAttrs()
	if err != nil || len(specs) == 0 {
		return nil, err
	}
	next := map[string]int{}
	done := map[string]bool{}
	bad := map[string]bool{}
	for i, r := range specs {
		if r.lo != next[r.base] || done[r.base] {
			bad[r.base] = true
		}
		vals := e.attrs[keys[i]]
		delete(e.attrs, keys[i])
		e.attrs[r.base] = append(e.attrs[r.base], vals...)
		if r.hi < 0 {
			done[r.base] = true
		} else {
			next[r.base] = r.hi + 1
		}
	}
	for base := range next {
		if !done[base] {
			bad[base] = true
		}
	}
	for base := range bad {
		incomplete = append(incomplete, base)
	}
	sort.Strings(incomplete)
	return incomplete, nil
}

// ---------------------------------------------------------------------------
// Value decoding

// formatGUID renders 16 raw GUID bytes in the canonical 8-4-4-4-12 form.
// AD stores the first three fields little-endian, as Windows' GUID struct does.
func formatGUID(b []byte) (string, error) {
	var s [36]byte
	out, err := appendGUID(s[:0], b)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// appendGUID appends the canonical form of 16 raw GUID bytes to dst.
func appendGUID(dst, b []byte) ([]byte, error) {
	if len(b) != 16 {
		return dst, fmt.Errorf("a GUID is 16 bytes, this value has %d", len(b))
	}
	dst = hex.AppendEncode(dst, []byte{b[3], b[2], b[1], b[0]})
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, []byte{b[5], b[4]})
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, []byte{b[7], b[6]})
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, b[8:10])
	dst = append(dst, '-')
	return hex.AppendEncode(dst, b[10:16]), nil
}

// canonicalGUIDString normalises a GUID written as text ("{AB...}" or
// "ab..."), as rightsGuid stores it, to the lower-case 8-4-4-4-12 form.
func canonicalGUIDString(s string) (string, error) {
	t := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return "", fmt.Errorf("%q is not a GUID in 8-4-4-4-12 form", s)
	}
	if _, err := hex.DecodeString(strings.ReplaceAll(t, "-", "")); err != nil {
		return "", fmt.Errorf("%q is not a GUID: %v", s, err)
	}
	return t, nil
}

// immutableID is the Entra onPremisesImmutableId form of an objectGUID.
func immutableID(raw []byte) string { return string(appendImmutableID(nil, raw)) }

// appendImmutableID appends the immutableID form of raw to dst.
func appendImmutableID(dst, raw []byte) []byte { return base64.StdEncoding.AppendEncode(dst, raw) }

// parseGeneralizedTime reads AD's GeneralizedTime ("20240115103000.0Z").
func parseGeneralizedTime(s string) (time.Time, error) {
	t, err := ber.ParseGeneralizedTime([]byte(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a GeneralizedTime like 20240115103000.0Z", s)
	}
	return t.UTC(), nil
}

// parseIntBytes is parseInt for a raw value: plain decimal numbers are
// read in place, anything else goes through parseInt.
func parseIntBytes(b []byte) (int64, error) {
	d := b
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return parseInt(string(b))
	}
	var v int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return parseInt(string(b))
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

func parseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return v, nil
}

// parseBoolBytes is parseBool for a raw value.
func parseBoolBytes(b []byte) (bool, error) {
	switch string(b) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return parseBool(string(b))
}

func parseBool(s string) (bool, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("%q is not TRUE or FALSE", s)
}

// rdnValue returns the value of a DN's first RDN ("CN=EX01,CN=Servers,..." →
// "EX01"), or the DN itself when it cannot be parsed.
func rdnValue(dn string) string {
	d, err := ldap.ParseDN(dn)
	if err != nil || len(d.RDNs) == 0 || len(d.RDNs[0].Attributes) == 0 {
		return dn
	}
	return d.RDNs[0].Attributes[0].Value
}

// rdnAfter returns the value of the RDN that follows the first RDN equal to
// marker ("CN=Protocols"), e.g. the server of a receive connector.
func rdnAfter(dn, marker string) string {
	d, err := ldap.ParseDN(dn)
	if err != nil {
		return ""
	}
	mk, mv, _ := strings.Cut(marker, "=")
	for i, r := range d.RDNs {
		if len(r.Attributes) == 1 && strings.EqualFold(r.Attributes[0].Type, mk) &&
			strings.EqualFold(r.Attributes[0].Value, mv) && i+1 < len(d.RDNs) && len(d.RDNs[i+1].Attributes) > 0 {
			return d.RDNs[i+1].Attributes[0].Value
		}
	}
	return ""
}

// hasSuffixDN reports whether dn is suffix or lies below it (case-insensitive).
func hasSuffixDN(dn, suffix string) bool {
	if suffix == "" {
		return false
	}
	if len(dn) == len(suffix) {
		return strings.EqualFold(dn, suffix)
	}
	return len(dn) > len(suffix) && dn[len(dn)-len(suffix)-1] == ',' &&
		strings.EqualFold(dn[len(dn)-len(suffix):], suffix)
}

// dnsNameOf turns "DC=corp,DC=example,DC=test" (or a DN ending in it) into
// "corp.example.test".
func dnsNameOf(dn string) string {
	d, err := ldap.ParseDN(dn)
	if err != nil {
		return ""
	}
	var labels []string
	for _, r := range d.RDNs {
		if len(r.Attributes) == 1 && strings.EqualFold(r.Attributes[0].Type, "DC") {
			labels = append(labels, strings.ToLower(r.Attributes[0].Value))
		} else {
			labels = labels[:0]
		}
	}
	return strings.Join(labels, ".")
}
