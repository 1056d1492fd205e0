package report

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exoready/exoready/evaluate"
)

// MinRedactKeyBytes is the shortest key Redact accepts: pseudonyms of
// guessable names are only as private as the key.
const MinRedactKeyBytes = 16

// Redact returns a copy of r in which the names, addresses, UPNs, aliases
// and directory DNs of people and recipients are replaced by pseudonyms
// (HMAC-SHA256 under key, "anon-" and 12 hex digits), and Redacted is set.
// The same value gets the same pseudonym everywhere in the report (and in
// every report redacted with the same key), so rows still correlate. r is
// not modified. What is kept: rule metadata, object ids (GUIDs), domain
// names, OU names, infrastructure names (servers, connectors, databases,
// the tenant) and configuration-partition DNs. docs/security.md has the
// details.
func Redact(r *evaluate.Report, key []byte) (*evaluate.Report, error) {
	if len(key) < MinRedactKeyBytes {
		return nil, fmt.Errorf("redaction key of %d bytes: at least %d are needed", len(key), MinRedactKeyBytes)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	if r.Redacted {
		// Already pseudonymised: a second pass would hash the pseudonyms.
		return decodeReport(data)
	}
	var tree map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	rd := &redactor{key: key, dict: map[string]string{}, lengths: map[rune][]int{}, vocabulary: vocabulary(r)}
	for k, v := range tree {
		if !keepTop[k] {
			rd.harvest(v, k, person)
		}
	}
	rd.index()
	for k, v := range tree {
		if !keepTop[k] {
			tree[k] = rd.rewrite(v, k, person)
		}
	}
	tree["redacted"] = true
	if data, err = json.Marshal(tree); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return decodeReport(data)
}

// redactionNote says in words whether a report is redacted (workbook
// Summary, summary.md).
func redactionNote(r *evaluate.Report) string {
	if r.Redacted {
		return "yes: names, addresses, UPNs, aliases and DNs of people and recipients are pseudonyms (anon-...)"
	}
	return "no: names and addresses appear as collected"
}

func decodeReport(data []byte) (*evaluate.Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out evaluate.Report
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return &out, nil
}

// keepTop are the top-level parts of findings.json that hold no tenant
// data (rule catalog, tool, timings, counts) or must stay as they are
// (the snapshot reference: hashes, forest and tenant names).
var keepTop = map[string]bool{
	"schema_version": true, "tool": true, "scan_id": true, "timings": true, "policy_pack": true,
	"complete": true, "redacted": true, "summary": true, "rules": true,
}

// keepKeys hold identifiers and catalog text, never tenant data.
var keepKeys = map[string]bool{
	"uid": true, "rule_id": true, "title": true, "severity": true, "category": true, "status": true,
	"references": true, "sha256": true, "snapshot": true, "kind": true, "type": true,
}

// nameKeys hold a name or alias of the object they describe: their whole
// value becomes a pseudonym (addresses and DNs are handled by shape).
var nameKeys = map[string]bool{
	"display_name": true, "name": true, "alias": true, "mail_nickname": true, "sam_account_name": true,
	"identity": true, "principal": true, "principals": true, "assignee": true, "principal_display_name": true,
	"effective_user_name": true, "role_assignee_name": true,
}

// infraTypes are object types that name infrastructure, not people: their
// names are kept (an auditor needs to know which connector relays).
// Unknown types, from user policies too, are treated as people.
var infraTypes = map[string]bool{
	"tenant": true, "organization": true, "server": true, "exchange_server": true, "database": true,
	"connector": true, "receive_connector": true, "send_connector": true, "inbound_connector": true,
	"outbound_connector": true, "intra_organization_connector": true, "organization_relationship": true,
	"migration_endpoint": true, "hybrid_configuration": true, "hybrid_agent": true, "federation_trust": true,
	"oauth_credential": true, "scp": true, "autodiscover_scp": true, "sync_job": true, "domain": true,
	"accepted_domain": true, "remote_domain": true,
}

// systemRecipients are recipient types Exchange creates for itself: their
// names ("Microsoft Exchange", "Discovery Search Mailbox") are product
// names, kept so that text about the product stays readable.
var systemRecipients = map[string]bool{
	"ArbitrationMailbox": true, "DiscoveryMailbox": true, "MonitoringMailbox": true, "AuditLogMailbox": true,
	"AuxAuditLogMailbox": true, "SystemMailbox": true, "SystemAttendantMailbox": true, "PublicFolderMailbox": true,
	"SupervisoryReviewPolicyMailbox": true,
}

// wellKnownContainers are CN= containers of the domain partition whose
// names say nothing about a person.
var wellKnownContainers = map[string]bool{
	"users": true, "builtin": true, "computers": true, "foreignsecurityprincipals": true,
	"managed service accounts": true, "microsoft exchange system objects": true, "monitoring mailboxes": true,
	"program data": true, "system": true,
}

var (
	// dnPattern finds a DN in text: CN= or OU= components ending in DC= ones.
	dnPattern = regexp.MustCompile(`(?i)\b(?:CN|OU)=(?:\\.|[^,\\\n])+(?:,\s?(?:CN|OU|DC)=(?:\\.|[^,\\\n])+)*,\s?DC=[A-Za-z0-9-]+`)
	// x500Pattern finds the recipient part of a legacyExchangeDN / X500 address.
	x500Pattern = regexp.MustCompile(`(?i)/cn=Recipients((?:/cn=[^/\s'",;]+)+)`)
	// emailPattern finds addresses and UPNs (SharePoint's SPO_x@SPO_y too);
	// the domain is kept.
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+!#$&*?^{|}~-]+@[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?`)
)

type redactor struct {
	key  []byte
	dict map[string]string // lower-case name → pseudonym, for free text
	// lengths lists, per lower-case first rune, the byte lengths of
	// dictionary entries starting with it, longest first.
	lengths map[rune][]int
	// vocabulary are the lower-case words of the rule catalog: a one-word
	// name that is also one of them ("info", "sales") is replaced where it
	// is a name, not in the text around it.
	vocabulary map[string]bool
}

// vocabulary collects the words of the rule catalog's text.
func vocabulary(r *evaluate.Report) map[string]bool {
	v := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWord(r) }) {
			v[w] = true
		}
	}
	for _, s := range evaluate.Severities {
		add(s)
	}
	for _, rr := range r.Rules {
		add(rr.Title)
		add(rr.Description)
		add(rr.Remediation)
		add(rr.Category)
	}
	return v
}

// pseudonym is the stable replacement of one value (case does not matter).
func (rd *redactor) pseudonym(v string) string {
	m := hmac.New(sha256.New, rd.key)
	m.Write([]byte(strings.ToLower(strings.TrimSpace(v))))
	return "anon-" + hex.EncodeToString(m.Sum(nil))[:12]
}

// subject is what a part of the report describes.
type subject int

const (
	person subject = iota // a person or recipient: names are pseudonymised
	infra                 // infrastructure: names are kept
	system                // a system mailbox (and everything inside it)
)

// subjectOf tells what a map describes: a system mailbox by its recipient
// type (its own or its evidence's), else by its own type, else by its
// object's type (a finding), else as its parent.
func subjectOf(m map[string]any, parent subject) subject {
	if parent == system {
		return system
	}
	if t, ok := m["recipient_type_details"].(string); ok && systemRecipients[t] {
		return system
	}
	if e, ok := m["evidence"].(map[string]any); ok {
		if t, ok := e["recipient_type_details"].(string); ok && systemRecipients[t] {
			return system
		}
	}
	kind := func(t string) subject {
		if infraTypes[t] {
			return infra
		}
		return person
	}
	if t, ok := m["type"].(string); ok && t != "" {
		return kind(t)
	}
	if o, ok := m["object"].(map[string]any); ok {
		if t, ok := o["type"].(string); ok && t != "" {
			return kind(t)
		}
	}
	return parent
}

// harvest collects the names of people and recipients found under
// nameKeys, so that the same names are also replaced in free text.
func (rd *redactor) harvest(v any, key string, sub subject) {
	switch x := v.(type) {
	case map[string]any:
		s := subjectOf(x, sub)
		for k, c := range x {
			if !keepKeys[k] {
				rd.harvest(c, k, s)
			}
		}
	case []any:
		for _, c := range x {
			rd.harvest(c, key, sub)
		}
	case string:
		if sub == person && nameKeys[key] && isPlainName(x) {
			if n := strings.ToLower(strings.TrimSpace(x)); len(n) >= 3 && !rd.vocabulary[n] {
				rd.dict[n] = rd.pseudonym(n)
			}
		}
	}
}

// isPlainName: not empty and not an address or a DN (those are replaced by
// shape, keeping their domain).
func isPlainName(s string) bool {
	return strings.TrimSpace(s) != "" && !emailPattern.MatchString(s) && !dnPattern.MatchString(s)
}

func (rd *redactor) index() {
	for n := range rd.dict {
		b, _ := utf8.DecodeRuneInString(n)
		if !slices.Contains(rd.lengths[b], len(n)) {
			rd.lengths[b] = append(rd.lengths[b], len(n))
		}
	}
	for b := range rd.lengths {
		slices.SortFunc(rd.lengths[b], func(x, y int) int { return y - x })
	}
}

func (rd *redactor) rewrite(v any, key string, sub subject) any {
	switch x := v.(type) {
	case map[string]any:
		s := subjectOf(x, sub)
		for k, c := range x {
			if !keepKeys[k] {
				x[k] = rd.rewrite(c, k, s)
			}
		}
		return x
	case []any:
		for i, c := range x {
			x[i] = rd.rewrite(c, key, sub)
		}
		return x
	case string:
		if sub == person && nameKeys[key] && isPlainName(x) {
			return rd.pseudonym(x)
		}
		return rd.text(x)
	}
	return v
}

// text replaces every DN, X500 recipient name, address and known name in
// s. DNs are handled whole (a configuration-partition DN keeps its
// "CN=Microsoft Exchange"), the rest of the text around them.
func (rd *redactor) text(s string) string {
	locs := dnPattern.FindAllStringIndex(s, -1)
	if locs == nil {
		return rd.prose(s)
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		b.WriteString(rd.prose(s[last:l[0]]))
		b.WriteString(rd.dn(s[l[0]:l[1]]))
		last = l[1]
	}
	b.WriteString(rd.prose(s[last:]))
	return b.String()
}

// prose replaces X500 recipient names, addresses and known names.
func (rd *redactor) prose(s string) string {
	s = x500Pattern.ReplaceAllStringFunc(s, func(m string) string {
		parts := strings.Split(m, "/")
		for i, p := range parts {
			if i > 1 && len(p) > 3 && strings.EqualFold(p[:3], "cn=") {
				parts[i] = p[:3] + rd.pseudonym(p[3:])
			}
		}
		return strings.Join(parts, "/")
	})
	s = emailPattern.ReplaceAllStringFunc(s, func(m string) string {
		at := strings.LastIndexByte(m, '@')
		return rd.pseudonym(m[:at]) + m[at:]
	})
	return rd.names(s)
}

// dn pseudonymises the CN values of a domain-partition DN; OU and DC
// components stay, and configuration-partition DNs (servers, connectors,
// databases) are kept whole.
func (rd *redactor) dn(d string) string {
	rdns := splitDN(d)
	for _, r := range rdns {
		v := strings.ToLower(strings.TrimSpace(r))
		if v == "cn=configuration" || v == "cn=schema" {
			return d
		}
	}
	for i, r := range rdns {
		lead := len(r) - len(strings.TrimLeft(r, " "))
		attr, val, ok := strings.Cut(r[lead:], "=")
		if !ok || !strings.EqualFold(attr, "cn") || wellKnownContainers[strings.ToLower(unescapeDN(val))] {
			continue
		}
		rdns[i] = r[:lead] + attr + "=" + rd.pseudonym(unescapeDN(val))
	}
	return strings.Join(rdns, ",")
}

// splitDN splits at commas that are not escaped.
func splitDN(d string) []string {
	var out []string
	start := 0
	for i := 0; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case ',':
			out = append(out, d[start:i])
			start = i + 1
		}
	}
	return append(out, d[start:])
}

// unescapeDN undoes RFC 4514 escapes: \, \+ ... and \XX hex bytes.
func unescapeDN(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 >= len(v) {
			b.WriteByte(v[i])
			continue
		}
		if i+2 < len(v) {
			if x, err := hex.DecodeString(v[i+1 : i+3]); err == nil {
				b.Write(x)
				i += 2
				continue
			}
		}
		b.WriteByte(v[i+1])
		i++
	}
	return b.String()
}

// names replaces the harvested names where they stand as whole words.
func (rd *redactor) names(s string) string {
	if len(rd.dict) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if lens, ok := rd.lengths[unicode.ToLower(r)]; ok && wordStart(s, i) {
			matched := 0
			for _, n := range lens {
				if i+n <= len(s) && wordEnd(s, i+n) {
					if p, ok := rd.dict[strings.ToLower(s[i:i+n])]; ok {
						b.WriteString(s[last:i])
						b.WriteString(p)
						matched = n
						break
					}
				}
			}
			if matched > 0 {
				i += matched
				last = i
				continue
			}
		}
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordStart: a name starting with a letter must not continue a word.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	p, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWord(r) || !isWord(p)
}

// wordEnd: a name ending in a letter must not be followed by one.
func wordEnd(s string, j int) bool {
	if j == len(s) {
		return true
	}
	if !utf8.RuneStart(s[j]) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	p, _ := utf8.DecodeLastRuneInString(s[:j])
	return !isWord(r) || !isWord(p)
}
