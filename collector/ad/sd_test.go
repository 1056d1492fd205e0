package ad

import (
	"encoding/base64"
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

func readSD(t testing.TB, name string) []byte {
	t.Helper()
	b64, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b64)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestParseSamba parses a DACL read from the test DC with the SD-flags
// control. Samba rendered the same descriptor as
// D:AI(A;;RPLCLORC;;;AU)(OA;;CR;7e9d1c3b-...;;AN)(OA;;CR;4a2c8f1e-...;;AN)
// (A;CIID;RPLCLORC;;;AU)(A;CIID;...;;;EA)(A;CIID;...;;;DA).
func TestParseSamba(t *testing.T) {
	sd, err := parseSecurityDescriptor(readSD(t, "app-relay.sd.b64"))
	if err != nil {
		t.Fatal(err)
	}
	if sd.Owner != "" || sd.Group != "" || !sd.HasDACL || sd.NullDACL {
		t.Errorf("owner %q group %q hasDACL %v null %v: the SD-flags control asked for the DACL only", sd.Owner, sd.Group, sd.HasDACL, sd.NullDACL)
	}
	want := []struct {
		typ   byte
		flags byte
		mask  uint32
		obj   string
		sid   string
	}{
		{aceAccessAllowed, 0, 0x20094, "", "S-1-5-11"},
		{aceAccessAllowedObject, 0, rightDSControlAccess, "7e9d1c3b-2a4f-4e8d-b6c5-0f1e2d3c4b5a", "S-1-5-7"},
		{aceAccessAllowedObject, 0, rightDSControlAccess, "4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6f", "S-1-5-7"},
		{aceAccessAllowed, 0x12, 0x20094, "", "S-1-5-11"},
		{aceAccessAllowed, 0x12, 0, "", "-519"},
		{aceAccessAllowed, 0x12, 0, "", "-512"},
	}
	if len(sd.DACL) != len(want) {
		t.Fatalf("%d ACEs, want %d: %+v", len(sd.DACL), len(want), sd.DACL)
	}
	for i, w := range want {
		a := sd.DACL[i]
		if a.Type != w.typ || a.Flags != w.flags || (w.mask != 0 && a.Mask != w.mask) || a.ObjectType != w.obj || !strings.HasSuffix(a.SID, w.sid) {
			t.Errorf("ACE %d = %+v, want %+v", i, a, w)
		}
	}
	if !strings.HasPrefix(sd.DACL[4].SID, "S-1-5-21-") {
		t.Errorf("domain SID %q", sd.DACL[4].SID)
	}
}

func TestParseSecurityDescriptorCorrupt(t *testing.T) {
	raw := readSD(t, "default-frontend-ex01.sd.b64")
	for n := 0; n < len(raw); n++ {
		if _, err := parseSecurityDescriptor(raw[:n]); err == nil && n < 20 {
			t.Errorf("%d-byte prefix accepted", n)
		}
	}
	flip := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint32(flip[16:], 0xfffffff0) // DACL offset past the end
	if _, err := parseSecurityDescriptor(flip); err == nil {
		t.Error("DACL offset past the end accepted")
	}
	notSelfRelative := append([]byte(nil), raw...)
	notSelfRelative[3] &^= 0x80
	if _, err := parseSecurityDescriptor(notSelfRelative); err == nil {
		t.Error("absolute descriptor accepted")
	}
}

func TestSIDString(t *testing.T) {
	// S-1-5-21-1-2-3 and an authority above 32 bits.
	b := []byte{1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}
	if s, n, err := parseSIDAt(b, 0); err != nil || s != "S-1-5-21-1-2-3" || n != len(b) {
		t.Errorf("got %q %d %v", s, n, err)
	}
	big := []byte{1, 0, 1, 0, 0, 0, 0, 0}
	if s, _, _ := parseSIDAt(big, 0); s != "S-1-0x010000000000" {
		t.Errorf("got %q", s)
	}
	if _, _, err := parseSIDAt([]byte{1, 16, 0, 0, 0, 0, 0, 5}, 0); err == nil {
		t.Error("16 sub-authorities accepted")
	}
}

func FuzzParseSecurityDescriptor(f *testing.F) {
	for _, name := range []string{"app-relay.sd.b64", "default-frontend-ex01.sd.b64", "deny-first.sd.b64"} {
		f.Add(readSD(f, name))
	}
	f.Add(sdBytes(true, []testACE{{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: "S-1-5-7"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := parseSecurityDescriptor(b)
		if err == nil {
			analyseRelay(sd, relayGUID) // must not panic either
		}
	})
}
