package exo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exoready/exoready/collector/snapshot"
)

// CSVSeparator joins the values of a multi-valued column in Get-Mailbox.csv
// (`$_.EmailAddresses -join ';'`). SMTP addresses and the other multi-valued
// Get-Mailbox properties exoready reads do not contain it.
const CSVSeparator = ";"

// fields reads typed properties from one object, case-insensitively, and
// records what it cannot read. Normalisers call it for every property and
// check problems once per object.
type fields struct {
	src      string // file name or REST call, for messages
	obj      *rawObject
	props    map[string]json.RawMessage // current level (nested objects have their own)
	prefix   string                     // dotted path of a nested object
	problems *[]string
}

func newFields(src string, o *rawObject) *fields {
	return &fields{src: src, obj: o, props: o.props, problems: new([]string)}
}

// value is one property value: raw JSON, or a CSV cell.
type value struct {
	raw  json.RawMessage
	cell string
	csv  bool
}

func (v value) isNull() bool {
	if v.csv {
		return v.cell == ""
	}
	return len(v.raw) == 0 || bytes.Equal(v.raw, []byte("null"))
}

// get returns a property by name: the exact spelling first, then any case.
// Type-companion properties ("WhenChangedUTC@data.type") never match.
func (f *fields) get(name string) (value, bool) {
	if f.prefix == "" && f.obj.slotOf != nil {
		return f.obj.slotOf.value(f.obj.slots, name)
	}
	if f.prefix == "" && f.obj.rec != nil {
		return f.obj.rec.get(name)
	}
	if f.obj.cells != nil && f.prefix == "" {
		if c, ok := f.obj.cells[name]; ok {
			return value{cell: c, csv: true}, true
		}
		for k, c := range f.obj.cells {
			if strings.EqualFold(k, name) {
				return value{cell: c, csv: true}, true
			}
		}
		return value{}, false
	}
	if r, ok := f.props[name]; ok {
		return value{raw: r}, true
	}
	for k, r := range f.props {
		if strings.EqualFold(k, name) {
			return value{raw: r}, true
		}
	}
	return value{}, false
}

// has reports whether the property exists (null counts as present).
func (f *fields) has(name string) bool {
	_, ok := f.get(name)
	return ok
}

func (f *fields) fail(name, format string, args ...any) {
	*f.problems = append(*f.problems, fmt.Sprintf("%s: property %s%s: %s", f.where(name), f.prefix, name, fmt.Sprintf(format, args...)))
}

// failObject records a problem with the object as a whole.
func (f *fields) failObject(format string, args ...any) {
	*f.problems = append(*f.problems, fmt.Sprintf("%s: %s", f.where(""), fmt.Sprintf(format, args...)))
}

// where names the object (and for CSV the line and column) in messages.
func (f *fields) where(name string) string {
	id := f.identity()
	if id != "" {
		id = fmt.Sprintf(" (%q)", id)
	}
	if f.obj.cells != nil {
		col := ""
		if c := f.column(name); c > 0 {
			col = fmt.Sprintf(", column %d", c)
		}
		return fmt.Sprintf("%s line %d%s%s", f.src, f.obj.line, col, id)
	}
	at := ""
	if f.obj.line > 0 {
		at = fmt.Sprintf(" at line %d", f.obj.line)
	}
	return fmt.Sprintf("%s object %d%s%s", f.src, f.obj.index+1, at, id)
}

func (f *fields) column(name string) int {
	if c, ok := f.obj.cols[name]; ok {
		return c
	}
	for k, c := range f.obj.cols {
		if strings.EqualFold(k, name) {
			return c
		}
	}
	return 0
}

// identityNames are the properties that name an object in messages, best first.
var identityNames = []string{"Identity", "UserPrincipalName", "PrimarySmtpAddress", "Name", "id", "displayName"}

// identity is the best name of the object for messages.
func (f *fields) identity() string {
	top := &fields{obj: f.obj, props: f.obj.props, problems: new([]string)}
	for _, k := range identityNames {
		if v, ok := top.get(k); ok {
			if s, ok := v.text(); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// textOf is v.text, with one copy of texts the object repeats (and of
// texts that take few values, when few) for objects read by readParallel.
func (f *fields) textOf(v value, few bool) (string, bool) {
	if k := f.obj.keep; k != nil && f.prefix == "" && len(v.raw) >= 2 && v.raw[0] == '"' {
		if raw := v.raw[1 : len(v.raw)-1]; bytes.IndexByte(raw, '\\') < 0 { // UTF-8: checked by the reader
			return k.text(raw, few), true
		}
	}
	return v.text()
}

// text returns a scalar as text: strings as they are, numbers as written,
// booleans as PowerShell prints them, and the "value" of a wrapper object.
func (v value) text() (string, bool) {
	if v.csv {
		return v.cell, true
	}
	if len(v.raw) == 0 {
		return "", true
	}
	switch v.raw[0] {
	case '"':
		if len(v.raw) >= 2 && bytes.IndexByte(v.raw, '\\') < 0 && utf8.Valid(v.raw) {
			return string(v.raw[1 : len(v.raw)-1]), true // no escapes: the common case
		}
		var s string
		if json.Unmarshal(v.raw, &s) != nil {
			return "", false
		}
		return s, true
	case 't':
		return "True", true
	case 'f':
		return "False", true
	case 'n':
		return "", true
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(v.raw, &m) != nil {
			return "", false
		}
		for k, r := range m {
			if strings.EqualFold(k, "value") {
				return value{raw: r}.text()
			}
		}
		return "", false
	case '[':
		return "", false
	}
	return string(v.raw), true // a number
}

// lossy matches what PowerShell writes when it flattens a collection to its
// type name (Export-Csv, or ConvertTo-Json past its -Depth).
var lossy = regexp.MustCompile(`^(System\.[A-Za-z0-9_.]+(\[\])?|System\.Collections\.[A-Za-z0-9_.` + "`" + `\[\], ]+|Microsoft\.Exchange\.[A-Za-z0-9_.` + "`" + `\[\], ]*(MultiValuedProperty|Collection)[A-Za-z0-9_.` + "`" + `\[\], ]*)$`)

func isLossy(s string) bool {
	return (strings.HasPrefix(s, "System.") || strings.HasPrefix(s, "Microsoft.Exchange.")) && lossy.MatchString(s)
}

func (f *fields) lossyProblem(name, s string) {
	if f.obj.cells != nil {
		f.fail(name, "the cell holds %q: Export-Csv flattened a multi-valued property and its values are lost; %s", s, csvHint)
		return
	}
	f.fail(name, "the value is the type name %q: ConvertTo-Json ran out of depth and the values are lost; export again with `ConvertTo-Json -Depth 5` (scripts/Export-ExoReady.ps1 does)", s)
}

// str reads a single-valued text property; absent and null read as "".
func (f *fields) str(name string) string { return f.strKept(name, false) }

// word reads a single-valued text property that takes few values (an enum
// name, a department code), keeping one copy of each value.
func (f *fields) word(name string) string { return f.strKept(name, true) }

func (f *fields) strKept(name string, few bool) string {
	v, ok := f.get(name)
	if !ok || v.isNull() {
		return ""
	}
	s, ok := f.textOf(v, few)
	if !ok {
		f.fail(name, "expected text, found %s", describeRaw(v.raw))
		return ""
	}
	if isLossy(s) {
		f.lossyProblem(name, s)
		return ""
	}
	return s
}

// guid reads a GUID property in lower case (EXO and Graph differ in case).
func (f *fields) guid(name string) string { return strings.ToLower(f.str(name)) }

// optBool reads a boolean: JSON true/false, "True"/"False" (CSV), 1/0.
// Absent, null and an empty cell read as nil.
func (f *fields) optBool(name string) *bool {
	v, ok := f.get(name)
	if !ok || v.isNull() {
		return nil
	}
	s, ok := v.text()
	if ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "$true":
			b := true
			return &b
		case "false", "0", "$false":
			b := false
			return &b
		}
	}
	f.fail(name, "expected True or False, found %s", describeValue(v))
	return nil
}

// boolean reads a boolean where unknown reads as false.
func (f *fields) boolean(name string) bool {
	b := f.optBool(name)
	return b != nil && *b
}

// timeValue reads a date in any of the forms of DOMAIN.md §7. Absent, null
// and "" read as nil; times are returned in UTC.
func (f *fields) timeValue(name string) *time.Time {
	v, ok := f.get(name)
	if !ok || v.isNull() {
		return nil
	}
	t, err := parseDateValue(v)
	if err != nil {
		f.fail(name, "%v", err)
		return nil
	}
	return t
}

func parseDateValue(v value) (*time.Time, error) {
	if !v.csv && len(v.raw) > 0 && v.raw[0] == '{' {
		// Windows PowerShell: {"value":"\/Date(..)\/","DateTime":"Tuesday, ..."}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v.raw, &m); err != nil {
			return nil, err
		}
		for k, r := range m {
			if strings.EqualFold(k, "value") {
				return parseDateValue(value{raw: r})
			}
		}
		return nil, fmt.Errorf("a date object without a \"value\": %s", describeRaw(v.raw))
	}
	s, ok := v.text()
	if !ok {
		return nil, fmt.Errorf("expected a date, found %s", describeValue(v))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := parseDate(s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

var msDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// dateLayouts are the text forms accepted besides \/Date(ms)\/: ISO 8601
// with or without zone (EXO REST, PowerShell 7), and the invariant and en-US
// forms Export-Csv writes. A time without zone is UTC (EXO's *UTC properties).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"01/02/2006 15:04:05",
	"1/2/2006 3:04:05 PM",
}

// parseDate parses one date text; see dateLayouts and msDate.
func parseDate(s string) (time.Time, error) {
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || ms > math.MaxInt64/int64(time.Millisecond) || ms < math.MinInt64/int64(time.Millisecond)+1 {
			return time.Time{}, fmt.Errorf("%q is out of range", s)
		}
		// The optional +hhmm says which zone printed it; the instant is the epoch value.
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date exoready reads (ISO 8601 like 2026-07-15T16:40:06Z, or \\/Date(ms)\\/)", s)
}

// multi reads a multi-valued property: an array, a Windows PowerShell
// {"value":[...],"Count":n} wrapper, one string for one value, or in CSV a
// cell joined with CSVSeparator. Absent reads as nil, null or empty as [].
func (f *fields) multi(name string) []string {
	v, ok := f.get(name)
	if !ok {
		return nil
	}
	out := []string{}
	if v.isNull() {
		return out
	}
	if v.csv {
		if isLossy(v.cell) {
			f.lossyProblem(name, v.cell)
			return nil
		}
		for _, p := range strings.Split(v.cell, CSVSeparator) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	raw := v.raw
	if raw[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			for k, r := range m {
				if strings.EqualFold(k, "value") {
					raw = r
				}
			}
		}
	}
	switch raw[0] {
	case '[':
		var buf [16]json.RawMessage
		items, ok := arrayElements(raw, buf[:0])
		if !ok {
			var err error
			if items, err = unmarshalArray(raw); err != nil {
				f.fail(name, "%v", err)
				return nil
			}
		}
		out = make([]string, 0, len(items))
		for _, it := range items {
			s, ok := value{raw: it}.text()
			if !ok {
				f.fail(name, "expected a list of text, found an element %s", describeRaw(it))
				return nil
			}
			if isLossy(s) {
				f.lossyProblem(name, s)
				return nil
			}
			if s != "" || (len(it) > 0 && it[0] == '"') {
				out = append(out, s)
			}
		}
		return out
	case '{':
		f.fail(name, "expected a list of text, found an object %s", describeRaw(raw))
		return nil
	}
	s, _ := value{raw: raw}.text()
	if isLossy(s) {
		f.lossyProblem(name, s)
		return nil
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// arrayElements appends the elements of a JSON array to dst, each without
// the blanks around it, as decoding into []json.RawMessage gives them; ok
// is false when raw is not an array (then dst holds nothing certain).
func arrayElements(raw []byte, dst []json.RawMessage) ([]json.RawMessage, bool) {
	if len(raw) < 2 || raw[0] != '[' {
		return dst, false
	}
	i := skipBlanks(raw, 1)
	if i < len(raw) && raw[i] == ']' {
		return dst, i+1 == len(raw)
	}
	for i < len(raw) {
		e := valueEnd(raw, i)
		if e <= i {
			return dst, false
		}
		dst = append(dst, raw[i:e:e])
		if i = skipBlanks(raw, e); i >= len(raw) {
			return dst, false
		}
		switch raw[i] {
		case ',':
			i = skipBlanks(raw, i+1)
		case ']':
			return dst, i+1 == len(raw)
		default:
			return dst, false
		}
	}
	return dst, false
}

func unmarshalArray(raw []byte) ([]json.RawMessage, error) {
	var items []json.RawMessage
	err := json.Unmarshal(raw, &items)
	return items, err
}

// enum reads an enum property by name. Windows PowerShell writes enums as
// numbers; the only numbers exoready maps are 0 to zero (when the enum has
// a None member) and those of table. Any other number is refused: guessing
// would turn "could not read" into a wrong value.
func (f *fields) enum(name, zero string, table func(int64) (string, bool)) string {
	v, ok := f.get(name)
	if !ok || v.isNull() {
		return ""
	}
	s, ok := f.textOf(v, true)
	if !ok {
		f.fail(name, "expected a name, found %s", describeValue(v))
		return ""
	}
	digits := strings.TrimSpace(s)
	if digits == "" || !strings.ContainsRune("+-0123456789", rune(digits[0])) {
		return s // a name (and no error value to allocate)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return s
	}
	if n == 0 && zero != "" {
		return zero
	}
	if table != nil {
		if name, ok := table(n); ok {
			return name
		}
	}
	f.fail(name, "the enum is the number %d, which exoready cannot map to a name: export with `ConvertTo-Json -Depth 5 -EnumsAsStrings` (PowerShell 7) or with scripts/Export-ExoReady.ps1, which writes names on Windows PowerShell 5.1 too", n)
	return ""
}

// recipientTypeName maps msExchRecipientTypeDetails numbers (DOMAIN.md §5).
func recipientTypeName(n int64) (string, bool) {
	name := snapshot.RecipientTypeName(n)
	return name, !strings.HasPrefix(name, "Unknown(")
}

// sub returns the fields of a nested object (null or absent: an empty one).
func (f *fields) sub(name string) *fields {
	s := &fields{src: f.src, obj: f.obj, prefix: f.prefix + name + ".", problems: f.problems, props: map[string]json.RawMessage{}}
	v, ok := f.get(name)
	if !ok || v.isNull() || v.csv {
		return s
	}
	if v.raw[0] != '{' || json.Unmarshal(v.raw, &s.props) != nil {
		f.fail(name, "expected an object, found %s", describeRaw(v.raw))
	}
	return s
}

// list returns the fields of each object in an array property.
func (f *fields) list(name string) []*fields {
	v, ok := f.get(name)
	if !ok || v.isNull() || v.csv {
		return nil
	}
	var items []json.RawMessage
	if v.raw[0] != '[' || json.Unmarshal(v.raw, &items) != nil {
		f.fail(name, "expected a list of objects, found %s", describeRaw(v.raw))
		return nil
	}
	out := make([]*fields, 0, len(items))
	for i, it := range items {
		s := &fields{src: f.src, obj: f.obj, prefix: fmt.Sprintf("%s%s[%d].", f.prefix, name, i), problems: f.problems, props: map[string]json.RawMessage{}}
		if len(it) == 0 || it[0] != '{' || json.Unmarshal(it, &s.props) != nil {
			f.fail(name, "element %d is not an object", i)
			continue
		}
		out = append(out, s)
	}
	return out
}

func describeValue(v value) string {
	if v.csv {
		return strconv.Quote(v.cell)
	}
	return describeRaw(v.raw)
}

// plainMap converts every property of the object to plain JSON values for
// datasets kept "as exported" (Get-OrganizationConfig, ...): dates become
// RFC 3339 UTC, PowerShell wrappers are unwrapped, numbers stay numbers,
// annotations, type companions and PowerShell remoting noise are dropped.
func (f *fields) plainMap() map[string]any {
	out := make(map[string]any, len(f.props))
	if f.obj.cells != nil {
		for k, c := range f.obj.cells {
			out[k] = plainCell(c)
		}
		return out
	}
	for k, r := range f.props {
		if strings.Contains(k, "@") || remotingNoise[k] {
			continue
		}
		v, err := plainJSON(r)
		if err != nil {
			f.fail(k, "%v", err)
			continue
		}
		out[k] = v
	}
	return out
}

// remotingNoise are properties PowerShell remoting adds to every object;
// the REST backend does not return them.
var remotingNoise = map[string]bool{
	"PSComputerName": true, "RunspaceId": true, "PSShowComputerName": true, "PSSourceJobInstanceId": true,
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)

func plainJSON(r json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return plainValue(v), nil
}

func plainValue(v any) any {
	switch x := v.(type) {
	case string:
		return plainString(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if fl, err := x.Float64(); err == nil {
			return fl
		}
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainValue(e)
		}
		return out
	case map[string]any:
		if inner, ok := wrapped(x); ok {
			return plainValue(inner)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if strings.Contains(k, "@") {
				continue
			}
			out[k] = plainValue(e)
		}
		return out
	}
	return v
}

// wrapped unwraps Windows PowerShell's {"value":[...],"Count":n} and
// {"value":"\/Date(..)\/","DateTime":"..."} forms.
func wrapped(m map[string]any) (any, bool) {
	inner, ok := m["value"]
	if !ok {
		return nil, false
	}
	for k := range m {
		if k != "value" && k != "Count" && k != "DateTime" && !strings.Contains(k, "@") {
			return nil, false
		}
	}
	return inner, true
}

// plainString turns date texts into RFC 3339 UTC; other text stays.
func plainString(s string) any {
	if msDate.MatchString(s) || isoDate.MatchString(s) {
		if t, err := parseDate(s); err == nil {
			return t.Format(time.RFC3339Nano)
		}
	}
	return s
}

func plainCell(c string) any {
	switch strings.ToLower(c) {
	case "true":
		return true
	case "false":
		return false
	case "":
		return nil
	}
	return plainString(c)
}
