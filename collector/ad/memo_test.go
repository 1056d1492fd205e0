package ad

import (
	"cmp"
	"strings"
	"testing"
	"unsafe"
)

// cmpLowerDN orders as comparing strings.ToLower of both does, which is
// the order (and the identity) of DNs in the snapshot.
func TestCmpLowerDN(t *testing.T) {
	dns := []string{"", "CN=a", "cn=A", "CN=a,DC=x", "CN=B", "CN=Zoë", "CN=ZOË", "CN=zoe", "CN=\u212a", "CN=k", "CN=K",
		"CN=\u0130x", "CN=ix", "CN=\xffa", "CN=\ufffda", "CN=\xc3", "CN=é", "CN=É,DC=x", "CN=a\xe2\x82"}
	for _, a := range dns {
		for _, b := range dns {
			want := cmp.Compare(strings.ToLower(a), strings.ToLower(b))
			if got := cmpLowerDN(a, b); cmp.Compare(got, 0) != want {
				t.Errorf("cmpLowerDN(%q, %q) = %d, want the sign of %d", a, b, got, want)
			}
		}
	}
}

// Strings taken from a block stay what they were while the block fills,
// and equal values share one copy when interned.
func TestMemo(t *testing.T) {
	m := newMemo()
	var got []string
	var want []string
	for i := range 5000 {
		v := strings.Repeat(string(rune('a'+i%26)), 1+i%300)
		want = append(want, v)
		got = append(got, m.str([]byte(v)))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("value %d changed", i)
		}
	}
	a, b := m.internBytes([]byte("Sales")), m.intern("Sales")
	if a != "Sales" || b != "Sales" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("interned values %q %q do not share their bytes", a, b)
	}
	if l := m.strs([][]byte{[]byte("b"), []byte("a")}, false); len(l) != 2 || l[0] != "a" || cap(l) != 2 {
		t.Errorf("list %q cap %d: sorted, capacity its length", l, cap(l))
	}
	if l := m.strs(nil, true); l == nil || len(l) != 0 {
		t.Errorf("an empty list must be empty, not nil: %#v", l)
	}
}
