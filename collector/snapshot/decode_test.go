package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/fixtures"
)

// referenceDecode decodes data with the reference reader alone.
func referenceDecode(data []byte) (*Snapshot, error) {
	return decodeSnapshot(bytes.NewReader(data), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// links lists, for each joined mailbox, the index in ad.users and in
// exo.mailboxes of the object it points at, -1 for its own object and -2
// for none.
func links(s *Snapshot) [][2]int {
	var out [][2]int
	for _, j := range s.Joined {
		l := [2]int{-2, -2}
		if j.AD != nil && s.AD == nil {
			l[0] = -1
		} else if j.AD != nil {
			l[0] = -1
			for i := range s.AD.Users {
				if j.AD == &s.AD.Users[i] {
					l[0] = i
				}
			}
		}
		if j.EXO != nil && s.EXO == nil {
			l[1] = -1
		} else if j.EXO != nil {
			l[1] = -1
			for i := range s.EXO.Mailboxes {
				if j.EXO == &s.EXO.Mailboxes[i] {
					l[1] = i
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// sameAsReference checks that the fast loader, when it takes data, gives
// what the reference reader gives, links included; it reports whether
// the fast loader took it.
func sameAsReference(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, ok := fastDecode(data)
	if !ok {
		return false
	}
	ref, err := referenceDecode(data)
	if err != nil {
		t.Fatalf("%s: the fast loader takes what the reference refuses: %v", name, err)
	}
	if d := firstDiff(reflect.ValueOf(fast), reflect.ValueOf(ref), "snapshot"); d != "" {
		t.Fatalf("%s: the fast loader decodes otherwise: %s", name, d)
	}
	if fl, rl := links(fast), links(ref); !reflect.DeepEqual(fl, rl) {
		t.Fatalf("%s: joined view linked otherwise:\nfast %v\nref  %v", name, fl, rl)
	}
	return true
}

// The snapshot's types are all decoded by the typed decoder: a field
// added to them later is covered, or this fails and says which.
func TestTypedDecoderCoversSnapshot(t *testing.T) {
	if err := decoders(); err != nil {
		t.Fatal(err)
	}
}

// Every snapshot of fixtures/ decodes as the reference reader decodes it;
// those exoready wrote are taken by the fast loader, the others (hostile
// files) are left to the reference reader.
func TestFastLoaderFixtures(t *testing.T) {
	all := map[string][]byte{"demo/snapshot.json": fixtures.DemoSnapshot()}
	err := fs.WalkDir(fixtures.Snapshots(), ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := fs.ReadFile(fixtures.Snapshots(), path)
		all["snapshots/"+path] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hostile, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "hostile", "snapshot-*", "snapshot.json"))
	if len(all) < 3 || len(hostile) == 0 {
		t.Fatalf("found %d fixtures and %d hostile snapshots", len(all), len(hostile))
	}
	for name, data := range all {
		if !sameAsReference(t, name, data) {
			t.Errorf("%s: left to the reference reader", name)
		}
	}
	for _, path := range hostile {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sameAsReference(t, path, data)
		if _, err := ParseSnapshot(data); err == nil {
			t.Errorf("%s: accepted", path)
		}
	}
}

// Links by text: the demo's joined objects are the section objects, found
// without decoding them.
func TestFastLoaderLinksByText(t *testing.T) {
	l := &fastLoader{buf: fixtures.DemoSnapshot(), eof: true}
	s, ok := l.run()
	if !ok {
		t.Fatal(l.why)
	}
	n := 0
	for _, l := range links(s) {
		for _, i := range l {
			if i >= 0 {
				n++
			}
		}
	}
	if l.fastLinks != n || n < 100 {
		t.Errorf("%d of the %d joined objects linked to the sections were found by their text", l.fastLinks, n)
	}
}

// Texts the decoders see rarely: escapes, non-ASCII, nulls where a value
// is expected, numbers at their limits, members out of order, names that
// encoding/json matches without their case. Each document is the minimal
// one with one member replaced.
func TestFastLoaderAgreesOnEdges(t *testing.T) {
	const doc = `{
  "schema_version": 1,
  "collected_at": "2026-11-20T08:00:00Z",
  "sources": {
    "ad": {"collected": true, "complete": true, "files": [], "errors": []},
    "exo": {"collected": false, "complete": false, "files": null, "errors": null},
    "entra": {"collected": false, "complete": false, "files": null, "errors": null},
    "facts": {"collected": false, "complete": false, "files": null, "errors": null}
  },
  "ad": {"forest": "corp.example.test", "domain_dn": "", "config_dn": "", "users": [
      {
        "dn": "CN=a,DC=x",
        "user_account_control": 512,
        "proxy_addresses": ["SMTP:a@x"],
        "when_created": "2026-01-02T03:04:05.123456789Z"
      }
    ], "contacts": [], "groups": [], "security_groups": [], "exchange": null},
  "exo": null,
  "entra": null,
  "facts": null,
  "joined": null
}
`
	edits := []struct{ old, new string }{
		{`"CN=a,DC=x"`, `"CN=\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r,DC=x"`},
		{`"CN=a,DC=x"`, `"CN=Zoë 😀,DC=x"`},
		{`"CN=a,DC=x"`, `"CN=\ud800,DC=x"`},
		{`"CN=a,DC=x"`, "\"CN=\xff,DC=x\""},
		{`"CN=a,DC=x"`, `null`},
		{`"CN=a,DC=x"`, `1`},
		{`512`, `null`},
		{`512`, `-0`},
		{`512`, `9223372036854775807`},
		{`512`, `9223372036854775808`},
		{`512`, `-9223372036854775808`},
		{`512`, `5.0`},
		{`512`, `5e2`},
		{`512`, `0512`},
		{`"dn"`, `"DN"`},
		{`"dn"`, `"d\u006e"`},
		{`"user_account_control": 512,`, `"user_account_control": 512, "dn": "again",`},
		{`["SMTP:a@x"]`, `[]`},
		{`["SMTP:a@x"]`, `null`},
		{`["SMTP:a@x"]`, `[null, "x"]`},
		{`["SMTP:a@x"]`, `"x"`},
		{`"2026-01-02T03:04:05.123456789Z"`, `null`},
		{`"2026-01-02T03:04:05.123456789Z"`, `"2026-01-02T03:04:05+01:00"`},
		{`"2026-01-02T03:04:05.123456789Z"`, `"2026-01-02T03:04:05+00:00"`},
		{`"2026-01-02T03:04:05.123456789Z"`, `"2026-01-02 03:04:05Z"`},
		{`"forest": "corp.example.test",`, `"forest": "corp.example.test", "extra": 1,`},
		{`"exchange": null`, `"exchange": {"name": "", "dn": "", "object_version": 1, "servers": null, "receive_connectors": [], "send_connectors": [], "mailbox_databases": [], "public_folder_databases": [], "accepted_domains": [], "autodiscover_scps": [], "hybrid_configuration": null}`},
		{`"entra": null`, `"entra": {"organization": null, "role_assignments": [], "on_premises_synchronization": {"a": [1, 2.5, -3e-2, true, false, null, "x", {}, []], "b": {"c": null}}, "sync_jobs": []}`},
		{`"schema_version": 1,`, `"schema_version": 1, "schema_version": 1,`},
		{"\n}\n", "\n}\n  \n"},
		{"\n}\n", "\n} x"},
		{`"joined": null`, `"joined": []`},
	}
	sameAsReference(t, "minimal", []byte(doc))
	for _, e := range edits {
		if !strings.Contains(doc, e.old) {
			t.Fatalf("%q not in the document", e.old)
		}
		data := []byte(strings.Replace(doc, e.old, e.new, 1))
		sameAsReference(t, e.new, data)
		_, refErr := referenceDecode(data)
		s, err := ParseSnapshot(data)
		if fmt.Sprint(err) != fmt.Sprint(refErr) {
			t.Errorf("%s: error %v, reference %v", e.new, err, refErr)
		}
		_ = s
	}
}

// Random snapshots written by the snapshot writer decode to what was
// written, by both readers, linked alike.
func TestFastLoaderRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	taken := 0
	for i := range 60 {
		s := randomSnapshot(r)
		var buf bytes.Buffer
		if err := s.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("random %d", i)
		if _, err := referenceDecode(buf.Bytes()); err != nil {
			continue // a rule of Validate the random values break
		}
		taken++
		if !sameAsReference(t, name, buf.Bytes()) {
			l := &fastLoader{buf: buf.Bytes(), eof: true}
			l.run()
			t.Fatalf("%s: left to the reference reader: %s\n%s", name, l.why, buf.Bytes())
		}
		got, _ := fastDecode(buf.Bytes())
		again, _ := got.Marshal()
		if !bytes.Equal(again, buf.Bytes()) {
			t.Fatalf("%s: decodes to something that writes otherwise", name)
		}
	}
	if taken < 50 {
		t.Errorf("only %d of 60 random snapshots are valid", taken)
	}
}

// randomSnapshot fills every field of a snapshot with random values, by
// reflection (so a field added later is covered), then makes it valid.
func randomSnapshot(r *rand.Rand) *Snapshot {
	var s Snapshot
	randomValue(r, reflect.ValueOf(&s).Elem(), 0)
	s.SchemaVersion = SchemaVersion
	s.CollectedAt = time.Date(2026, 11, 20, 8, 0, 0, r.IntN(2)*123456789, time.UTC)
	s.Sources.AD.Collected = s.AD != nil || r.IntN(2) == 0
	s.Sources.EXO.Collected = s.EXO != nil || r.IntN(2) == 0
	s.Sources.Entra.Collected = s.Entra != nil
	s.Sources.Facts.Collected = s.Facts != nil
	if s.AD != nil { // the view the arrays give
		s.AD.DuplicateAddresses = DuplicateAddresses(s.AD)
		for i := range s.AD.Users { // times in another zone: not linked by text
			if u := &s.AD.Users[i]; u.WhenCreated != nil && r.IntN(4) == 0 {
				t := u.WhenCreated.In(time.FixedZone("", 3600))
				u.WhenCreated = &t
			}
		}
	}
	s.Joined = nil
	if r.IntN(4) > 0 {
		s.Joined = []JoinedMailbox{}
	}
	for range r.IntN(6) {
		var j JoinedMailbox
		randomValue(r, reflect.ValueOf(&j).Elem(), 0)
		j.ID = fmt.Sprint("id-", r.IntN(100))
		if s.AD != nil && len(s.AD.Users) > 0 && r.IntN(3) > 0 {
			j.AD = &s.AD.Users[r.IntN(len(s.AD.Users))]
			switch c := *j.AD; r.IntN(6) {
			case 0: // an edited copy
				c.DisplayName += "!"
				j.AD = &c
			case 1: // the same time in another zone
				if c.WhenChanged != nil {
					t := c.WhenChanged.In(time.FixedZone("", -7200))
					c.WhenChanged = &t
					j.AD = &c
				}
			}
		}
		if s.EXO != nil && len(s.EXO.Mailboxes) > 0 && r.IntN(3) > 0 {
			j.EXO = &s.EXO.Mailboxes[r.IntN(len(s.EXO.Mailboxes))]
		}
		if j.AD == nil && j.EXO == nil {
			j.AD = &ADRecipient{DN: "CN=own"}
		}
		s.Joined = append(s.Joined, j)
	}
	return &s
}

var randomTexts = []string{"", "a", "CN=x,DC=y", "Zoë", "日本", "😀", "<&>", "a\"b", `back\slash`, "line\nbreak", "\t", "\u2028", "\x00", "\x7f", "SMTP:a@x"}

func randomValue(r *rand.Rand, v reflect.Value, depth int) {
	t := v.Type()
	if t == timeType {
		v.Set(reflect.ValueOf(time.Date(1990+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(3)*1000, time.UTC)))
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(randomTexts[r.IntN(len(randomTexts))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -1, 512, 1 << 40, -1 << 63, 1<<63 - 1}[r.IntN(7)])
	case reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -2, 1e21, 1e-7, 123456789}[r.IntN(6)])
	case reflect.Pointer:
		if r.IntN(3) == 0 || depth > 4 {
			return
		}
		p := reflect.New(t.Elem())
		randomValue(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		n := r.IntN(4) - 1
		if n < 0 || depth > 4 {
			return // nil
		}
		list := reflect.MakeSlice(t, n, n)
		for i := range n {
			randomValue(r, list.Index(i), depth+1)
		}
		v.Set(list)
	case reflect.Map:
		n := r.IntN(4) - 1
		if n < 0 || depth > 4 {
			return
		}
		m := reflect.MakeMap(t)
		for range n {
			e := reflect.New(t.Elem()).Elem()
			randomValue(r, e, depth+1)
			m.SetMapIndex(reflect.ValueOf(randomTexts[r.IntN(len(randomTexts))]).Convert(t.Key()), e)
		}
		v.Set(m)
	case reflect.Interface:
		switch r.IntN(6) {
		case 0:
		case 1:
			v.Set(reflect.ValueOf(randomTexts[r.IntN(len(randomTexts))]))
		case 2:
			v.Set(reflect.ValueOf(float64(r.IntN(1000)) / 8))
		case 3:
			v.Set(reflect.ValueOf(r.IntN(2) == 0))
		case 4:
			if depth < 4 {
				var m map[string]any
				randomValue(r, reflect.ValueOf(&m).Elem(), depth+1)
				v.Set(reflect.ValueOf(m))
			}
		case 5:
			if depth < 4 {
				list := []any{}
				for range r.IntN(3) {
					var x any
					randomValue(r, reflect.ValueOf(&x).Elem(), depth+1)
					list = append(list, x)
				}
				v.Set(reflect.ValueOf(list))
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				randomValue(r, v.Field(i), depth+1)
			}
		}
	}
}

// FuzzFastLoader: whatever the fast loader takes, the reference reader
// takes and decodes alike, links included.
func FuzzFastLoader(f *testing.F) {
	f.Add(fixtures.DemoSnapshot())
	for _, name := range []string{"minimal.json", "partial.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "snapshots", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsReference(t, "input", data)
	})
}

// The equality functions answer true exactly when decoding the text gives
// a value deeply equal to the object, for random objects and texts of
// random objects with one member changed.
func TestTextEqualsDecoding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, typ := range []reflect.Type{reflect.TypeFor[ADRecipient](), reflect.TypeFor[Mailbox]()} {
		equal, err := equalOf(typ)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := decoderOf(typ)
		if err != nil {
			t.Fatal(err)
		}
		var trues, falses int
		for range 300 {
			obj := reflect.New(typ).Elem()
			randomValue(r, obj, 1)
			other := reflect.New(typ).Elem()
			other.Set(obj)
			if r.IntN(4) > 0 {
				f := other.Field(r.IntN(typ.NumField()))
				randomValue(r, f, 1)
			}
			text, err := json.MarshalIndent(other.Interface(), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			decoded := reflect.New(typ).Elem()
			ok, why := tryDecode(func() {
				d := &decodeState{data: text}
				dec(d, decoded)
			})
			if !ok {
				t.Fatalf("%s does not decode: %s\n%s", typ, why, text)
			}
			want := reflect.DeepEqual(decoded.Interface(), obj.Interface())
			var got bool
			ok, why = tryDecode(func() { got = equal(&decodeState{data: text}, obj) })
			if !ok {
				t.Fatalf("%s: comparing gave up: %s", typ, why)
			}
			if got != want {
				t.Fatalf("%s: text equals object %v, decoding says %v: %s\n%s", typ, got, want,
					firstDiff(decoded, obj, typ.Name()), text)
			}
			if got {
				trues++
			} else {
				falses++
			}
		}
		if trues < 50 || falses < 50 {
			t.Errorf("%s: %d equal and %d different texts tried", typ, trues, falses)
		}
	}
}

// TestInternerKeepsTheTextThatTurnsItsSiteOff: a site watched for
// siteTrial texts turns off at the last of them when too few repeated; when
// that last text repeats the one before, it must still come back whole
// (a 20k tenant's drift values came back empty, one load in ten).
func TestInternerKeepsTheTextThatTurnsItsSiteOff(t *testing.T) {
	in := newInterner()
	site := newSite()
	for i := range siteTrial - 1 {
		want := fmt.Sprintf("text %d", i)
		if got := in.str([]byte(want), site); got != want {
			t.Fatalf("text %d: got %q, want %q", i, got, want)
		}
	}
	last := fmt.Sprintf("text %d", siteTrial-2) // repeats the one before
	if got := in.str([]byte(last), site); got != last {
		t.Fatalf("the text that turned the site off came back as %q, want %q", got, last)
	}
	if !in.sites[site].off {
		t.Fatal("the site should be off after its trial: the test no longer reaches the case it is for")
	}
	if got := in.str([]byte("after"), site); got != "after" {
		t.Fatalf("after the trial: got %q", got)
	}
}
