package evaluate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/jsontag"
	"github.com/exoready/exoready/tools/gen"
)

// inventoryAD and inventoryEXO project the snapshot's types to the
// inventory types' JSON names: the maps the inventory rows once were, the
// reference the typed rows must encode and read as.
var (
	inventoryAD  = mustProjection(reflect.TypeFor[snapshot.ADRecipient](), reflect.TypeFor[InventoryAD]())
	inventoryEXO = mustProjection(reflect.TypeFor[snapshot.Mailbox](), reflect.TypeFor[InventoryEXO]())
)

func mustProjection(from, to reflect.Type) *projection {
	var names []string
	for _, f := range jsontag.Fields(to) {
		names = append(names, f.Name)
	}
	p, err := newProjection(from, names)
	if err != nil {
		panic(err)
	}
	return p
}

// TestInventoryTypesMirrorSnapshot checks that every field of the typed
// inventory objects has the type of the snapshot field of its JSON name and
// that the fields are in name order, as a map's sorted keys are written.
func TestInventoryTypesMirrorSnapshot(t *testing.T) {
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeFor[InventoryAD](), reflect.TypeFor[snapshot.ADRecipient]()},
		{reflect.TypeFor[InventoryEXO](), reflect.TypeFor[snapshot.Mailbox]()},
	} {
		src := map[string]jsontag.Field{}
		for _, f := range jsontag.Fields(pair[1]) {
			src[f.Name] = f
		}
		prev := ""
		for _, f := range jsontag.Fields(pair[0]) {
			sf, ok := src[f.Name]
			if !ok {
				t.Fatalf("%s.%s: %s has no field %q", pair[0].Name(), pair[0].Field(f.Index).Name, pair[1].Name(), f.Name)
			}
			if got, want := pair[0].Field(f.Index).Type, pair[1].Field(sf.Index).Type; got != want || f.OmitEmpty != sf.OmitEmpty {
				t.Errorf("%s.%s is %s (omitempty %t), %s's is %s (omitempty %t)", pair[0].Name(), f.Name, got, f.OmitEmpty, pair[1].Name(), want, sf.OmitEmpty)
			}
			if f.Name <= prev {
				t.Errorf("%s: %q after %q: fields must be in name order", pair[0].Name(), f.Name, prev)
			}
			prev = f.Name
		}
	}
}

// TestInventoryRowsEncodeAsMaps checks that a typed inventory object is
// written to findings.json (by jsontag and by encoding/json, which
// Redact uses) byte for byte as the map of its plain values, and that Attr
// reads every attribute as that map holds it, on a generated tenant and on
// null and empty values. Attr gives the snapshot's Go values, which must
// write the same JSON (and be nil where the map holds null).
func TestInventoryRowsEncodeAsMaps(t *testing.T) {
	s := gen.Generate(gen.Options{Seed: 4, Mailboxes: 300}).Snapshot()
	when := time.Date(2026, 3, 4, 5, 6, 7, 800, time.UTC)
	yes := true
	ads := []snapshot.ADRecipient{{}, {ExtensionCustomAttributes: map[string][]string{"ExtensionCustomAttribute1": nil, "ExtensionCustomAttribute2": {}},
		CustomAttributes: map[string]string{}, ProxyAddresses: []string{}, HiddenFromAddressLists: &yes, WhenChanged: &when, DN: "CN=a\"<b>&,DC=x"}}
	exos := []snapshot.Mailbox{{}, {CustomAttributes: map[string]string{"CustomAttribute1": "x"}, EmailAddresses: []string{}, IsExchangeCloudManaged: &yes, WhenChangedUTC: &when}}
	for _, j := range s.Joined {
		if j.AD != nil {
			ads = append(ads, *j.AD)
		}
		if j.EXO != nil {
			exos = append(exos, *j.EXO)
		}
	}
	if len(ads) < 200 || len(exos) < 200 {
		t.Fatalf("only %d AD and %d EXO objects", len(ads), len(exos))
	}
	check := func(what string, typed any, p *projection, v reflect.Value) {
		t.Helper()
		want, err := plain(p, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []func(any) ([]byte, error){
			func(x any) ([]byte, error) { return jsontag.AppendIndent(nil, x, 2) },
			json.Marshal,
		} {
			got, err := enc(typed)
			if err != nil {
				t.Fatal(err)
			}
			w, err := enc(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, w) {
				t.Fatalf("%s:\n got %s\nwant %s", what, got, w)
			}
		}
		for k, x := range want {
			a := Attr(typed, k)
			got, _ := json.Marshal(a)
			w, _ := json.Marshal(x)
			if !bytes.Equal(got, w) || (a == nil) != (x == nil) {
				t.Fatalf("%s: Attr(%q) = %#v, want %#v", what, k, a, x)
			}
		}
		if a := Attr(typed, "sam_account_name"); a != nil {
			t.Fatalf("%s: Attr of a field not in the inventory = %#v", what, a)
		}
	}
	for i := range ads {
		check("ad "+ads[i].DN, inventoryADOf(&ads[i]), inventoryAD, reflect.ValueOf(ads[i]))
	}
	for i := range exos {
		check("exo "+exos[i].Guid, inventoryEXOOf(&exos[i]), inventoryEXO, reflect.ValueOf(exos[i]))
	}
}

// TestAttrOfEveryForm checks Attr on a row without a side, on a row read
// back from findings.json (a map, other attributes kept) and on typed nil.
func TestAttrOfEveryForm(t *testing.T) {
	m := map[string]any{"sam_account_name": "mk", "mail": "mk@x.test"}
	for _, tc := range []struct {
		side any
		name string
		want any
	}{{nil, "mail", nil}, {m, "mail", "mk@x.test"}, {m, "sam_account_name", "mk"}, {m, "dn", nil},
		{(*InventoryAD)(nil), "mail", nil}, {(*InventoryEXO)(nil), "guid", nil}, {&InventoryAD{Mail: "a@x.test"}, "mail", "a@x.test"}} {
		if got := Attr(tc.side, tc.name); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Attr(%#v, %q) = %#v, want %#v", tc.side, tc.name, got, tc.want)
		}
	}
}

// TestReadRowsKeepTheirAttributes checks that a findings.json row is read
// back with the attributes it holds, other builds' ones included, written
// again unchanged, and that an ad or exo that is not an object is refused
// as the reader always did.
func TestReadRowsKeepTheirAttributes(t *testing.T) {
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	r := Report{SchemaVersion: FindingsSchemaVersion, Inventory: Inventory{Mailboxes: []MailboxRow{
		{ID: "typed", AD: inventoryADOf(&snapshot.ADRecipient{DN: "CN=a,DC=x", WhenChanged: &when}), EXO: inventoryEXOOf(&snapshot.Mailbox{Guid: "g"}), Drift: []string{}},
		{ID: "other build", AD: map[string]any{"sam_account_name": "mk", "dn": "CN=mk,DC=x"}, Drift: []string{}},
	}}}
	data, err := jsontag.AppendIndent(nil, &r, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseReport(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := jsontag.AppendIndent(nil, back, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Fatalf("read and written again:\n%s\nwant\n%s", again, data)
	}
	rows := back.Inventory.Mailboxes
	if Attr(rows[0].AD, "when_changed") != "2026-03-04T05:06:07Z" || Attr(rows[0].EXO, "guid") != "g" || rows[1].EXO != nil ||
		Attr(rows[1].AD, "sam_account_name") != "mk" || Attr(rows[1].AD, "dn") != "CN=mk,DC=x" {
		t.Fatalf("rows read back: %#v", rows)
	}
	for _, bad := range []string{`"x"`, `[]`, `true`, `12`} {
		broken := bytes.Replace(data, []byte(`"exo": null`), []byte(`"exo": `+bad), 1)
		if bytes.Equal(broken, data) {
			t.Fatal("no null exo to break")
		}
		if _, err := ParseReport(broken); err == nil || !strings.Contains(err.Error(), "inventory.mailboxes[1] (other build): exo is a ") {
			t.Errorf("exo %s: error %v", bad, err)
		}
	}
}
