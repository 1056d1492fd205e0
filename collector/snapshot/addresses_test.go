package snapshot_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/tools/gen"
)

// naiveDuplicates is the view as the rule used to compute it: every
// address lower-cased into a map, holders in object order.
func naiveDuplicates(ad *snapshot.AD) []snapshot.DuplicateAddress {
	byKey := map[string][]snapshot.AddressHolder{}
	add := func(array string, i int, dn string, proxies []string) {
		for _, p := range proxies {
			k := strings.ToLower(p)
			hs := byKey[k]
			if n := len(hs); n > 0 && hs[n-1].Array == array && hs[n-1].Index == i {
				continue // the same object again
			}
			byKey[k] = append(hs, snapshot.AddressHolder{Array: array, Index: i, DN: dn, ProxyAddress: p})
		}
	}
	for i, u := range ad.Users {
		add("users", i, u.DN, u.ProxyAddresses)
	}
	for i, c := range ad.Contacts {
		add("contacts", i, c.DN, c.ProxyAddresses)
	}
	for i, g := range ad.Groups {
		add("groups", i, g.DN, g.ProxyAddresses)
	}
	out := []snapshot.DuplicateAddress{}
	for k, hs := range byKey {
		if len(hs) > 1 {
			out = append(out, snapshot.DuplicateAddress{Address: k, Holders: hs})
		}
	}
	slices.SortFunc(out, func(a, b snapshot.DuplicateAddress) int { return strings.Compare(a.Address, b.Address) })
	return out
}

func recipient(dn string, proxies ...string) snapshot.ADRecipient {
	return snapshot.ADRecipient{DN: dn, ProxyAddresses: proxies}
}

func group(dn string, proxies ...string) snapshot.ADGroup {
	return snapshot.ADGroup{DN: dn, ProxyAddresses: proxies}
}

func TestDuplicateAddresses(t *testing.T) {
	ad := &snapshot.AD{
		Users: []snapshot.ADRecipient{
			recipient("CN=marta", "SMTP:marta@x", "smtp:Sales@x", "X500:/o=Org/cn=marta"),
			recipient("CN=twice", "SMTP:twice@x", "smtp:twice@x"), // one object, one address twice: no duplicate
			recipient("CN=none"),
			recipient("CN=ünal", "SMTP:Ünal@x", "sip:ÜNAL@x"),
			recipient("CN=x500", "x500:/O=ORG/CN=MARTA"),
		},
		Contacts: []snapshot.ADRecipient{
			recipient("CN=ext", "SMTP:ünal@x", "smtp:sales@x"),
		},
		Groups: []snapshot.ADGroup{
			group("CN=empty"),
			group("CN=sales", "SMTP:SALES@x", "smtp:sales@x"),
			group("CN=sip", "SIP:ünal@x"),
		},
	}
	want := []snapshot.DuplicateAddress{
		{Address: "sip:ünal@x", Holders: []snapshot.AddressHolder{
			{Array: "users", Index: 3, DN: "CN=ünal", ProxyAddress: "sip:ÜNAL@x"},
			{Array: "groups", Index: 2, DN: "CN=sip", ProxyAddress: "SIP:ünal@x"},
		}},
		{Address: "smtp:sales@x", Holders: []snapshot.AddressHolder{
			{Array: "users", Index: 0, DN: "CN=marta", ProxyAddress: "smtp:Sales@x"},
			{Array: "contacts", Index: 0, DN: "CN=ext", ProxyAddress: "smtp:sales@x"},
			{Array: "groups", Index: 1, DN: "CN=sales", ProxyAddress: "SMTP:SALES@x"},
		}},
		{Address: "smtp:ünal@x", Holders: []snapshot.AddressHolder{
			{Array: "users", Index: 3, DN: "CN=ünal", ProxyAddress: "SMTP:Ünal@x"},
			{Array: "contacts", Index: 0, DN: "CN=ext", ProxyAddress: "SMTP:ünal@x"},
		}},
		{Address: "x500:/o=org/cn=marta", Holders: []snapshot.AddressHolder{
			{Array: "users", Index: 0, DN: "CN=marta", ProxyAddress: "X500:/o=Org/cn=marta"},
			{Array: "users", Index: 4, DN: "CN=x500", ProxyAddress: "x500:/O=ORG/CN=MARTA"},
		}},
	}
	got := snapshot.DuplicateAddresses(ad)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", asJSON(t, got), asJSON(t, want))
	}
	if naive := naiveDuplicates(ad); !reflect.DeepEqual(got, naive) {
		t.Errorf("differs from the naive view:\n%s", asJSON(t, naive))
	}
}

// Null when one of the arrays was not collected, [] when none is duplicated.
func TestDuplicateAddressesNotCollected(t *testing.T) {
	if got := snapshot.DuplicateAddresses(nil); got != nil {
		t.Errorf("no AD: %v, want nil", got)
	}
	full := snapshot.AD{Users: []snapshot.ADRecipient{}, Contacts: []snapshot.ADRecipient{}, Groups: []snapshot.ADGroup{}}
	for name, ad := range map[string]snapshot.AD{
		"users":    {Contacts: full.Contacts, Groups: full.Groups},
		"contacts": {Users: full.Users, Groups: full.Groups},
		"groups":   {Users: full.Users, Contacts: full.Contacts},
	} {
		if got := snapshot.DuplicateAddresses(&ad); got != nil {
			t.Errorf("%s null: %v, want nil", name, got)
		}
	}
	if got := snapshot.DuplicateAddresses(&full); got == nil || len(got) != 0 {
		t.Errorf("nothing duplicated: %#v, want []", got)
	}
}

// On generated tenants (duplicates planted at their rate, and many more
// made by giving every 50th object its neighbour's addresses) the view is
// what the naive map gives.
func TestDuplicateAddressesMatchesNaive(t *testing.T) {
	for _, n := range []int{1, 3000} {
		ad := gen.Generate(gen.Options{Seed: 3, Mailboxes: n}).Snapshot().AD
		for i := 50; i < len(ad.Users); i += 50 {
			ad.Users[i].ProxyAddresses = append(slices.Clone(ad.Users[i].ProxyAddresses), strings.ToUpper(ad.Users[i-1].ProxyAddresses[0]))
		}
		if len(ad.Groups) > 0 && len(ad.Users) > 0 {
			ad.Groups[0].ProxyAddresses = append(slices.Clone(ad.Groups[0].ProxyAddresses), ad.Users[len(ad.Users)-1].ProxyAddresses...)
		}
		got, want := snapshot.DuplicateAddresses(ad), naiveDuplicates(ad)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("N=%d: %d duplicates, naive %d", n, len(got), len(want))
		}
		if n > 1 && len(want) < n/50 {
			t.Errorf("N=%d: only %d duplicates: the test plants more", n, len(want))
		}
	}
}

// Addresses whose hashes meet are told apart: the hash decides only which
// addresses are compared.
func TestDuplicateAddressesHashCollision(t *testing.T) {
	a, b := snapshot.FoldHashCollision()
	ad := &snapshot.AD{
		Users:    []snapshot.ADRecipient{recipient("CN=a", a), recipient("CN=b", strings.ToUpper(b)), recipient("CN=a2", strings.ToUpper(a))},
		Contacts: []snapshot.ADRecipient{recipient("CN=b2", b)},
		Groups:   []snapshot.ADGroup{},
	}
	got := snapshot.DuplicateAddresses(ad)
	if want := naiveDuplicates(ad); !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Errorf("%q and %q share a hash: got\n%s\nwant\n%s", a, b, asJSON(t, got), asJSON(t, want))
	}
}

// A snapshot written before the view existed gets it computed on loading;
// an explicit null stays null, so the rules reading it say "not assessed".
func TestLoadComputesAMissingView(t *testing.T) {
	demo := fixtures.DemoSnapshot()
	want, err := snapshot.ParseSnapshot(demo)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.AD.DuplicateAddresses) == 0 {
		t.Fatal("the demo tenant has no duplicate address: nothing to compare")
	}
	without := editAD(t, demo, func(ad map[string]any) { delete(ad, "duplicate_addresses") })
	s, err := snapshot.ParseSnapshot(without)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.AD.DuplicateAddresses, want.AD.DuplicateAddresses) {
		t.Errorf("absent view: got %v, want %v", s.AD.DuplicateAddresses, want.AD.DuplicateAddresses)
	}
	null := editAD(t, demo, func(ad map[string]any) { ad["duplicate_addresses"] = nil })
	if s, err = snapshot.ParseSnapshot(null); err != nil {
		t.Fatal(err)
	}
	if s.AD.DuplicateAddresses != nil {
		t.Errorf("null view loaded as %v", s.AD.DuplicateAddresses)
	}
	noGroups := editAD(t, demo, func(ad map[string]any) { ad["groups"] = nil })
	if s, err = snapshot.ParseSnapshot(noGroups); err != nil {
		t.Fatalf("ad.groups null: %v", err)
	}
	if s.AD.DuplicateAddresses != nil {
		t.Errorf("ad.groups null, view loaded as %v", s.AD.DuplicateAddresses)
	}
}

// A view that no longer matches the arrays (edited by hand) is refused,
// naming the entry.
func TestLoadRefusesAViewThatDoesNotMatch(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(h map[string]any)
		want string
	}{
		"index out of range": {func(h map[string]any) { h["index"] = 9999 }, "names ad.users[9999], which does not exist"},
		"other object":       {func(h map[string]any) { h["index"] = 0 }, "but that object is"},
		"unknown array":      {func(h map[string]any) { h["array"] = "security_groups" }, "which does not exist"},
		"other address":      {func(h map[string]any) { h["proxy_address"] = "smtp:else@x" }, `carrying "smtp:else@x"`},
	} {
		t.Run(name, func(t *testing.T) {
			doc := editAD(t, fixtures.DemoSnapshot(), func(ad map[string]any) {
				c.edit(ad["duplicate_addresses"].([]any)[0].(map[string]any)["holders"].([]any)[0].(map[string]any))
			})
			_, err := snapshot.ParseSnapshot(doc)
			if err == nil || !strings.Contains(err.Error(), "ad.duplicate_addresses[0].holders[0]") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error naming the entry and %q", err, c.want)
			}
		})
	}
}

func editAD(t *testing.T, doc []byte, edit func(ad map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m["ad"].(map[string]any))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// BenchmarkDuplicateAddresses computes the view of a generated
// 10,000-mailbox tenant and reports proxy addresses per second.
func BenchmarkDuplicateAddresses(b *testing.B) {
	ad := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot().AD
	n := 0
	for _, u := range ad.Users {
		n += len(u.ProxyAddresses)
	}
	for _, c := range ad.Contacts {
		n += len(c.ProxyAddresses)
	}
	for _, g := range ad.Groups {
		n += len(g.ProxyAddresses)
	}
	b.ResetTimer()
	for b.Loop() {
		snapshot.DuplicateAddresses(ad)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
