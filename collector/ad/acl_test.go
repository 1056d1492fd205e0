package ad

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const relayGUID = "4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6f"

type testACE struct {
	typ, flags byte
	mask       uint32
	obj        string
	sid        string
}

// sdBytes encodes a self-relative descriptor holding only a DACL.
func sdBytes(present bool, aces []testACE) []byte {
	var acl []byte
	for _, a := range aces {
		var body []byte
		body = binary.LittleEndian.AppendUint32(body, a.mask)
		if a.typ == aceAccessAllowedObject || a.typ == aceAccessDeniedObject {
			var flags uint32
			if a.obj != "" {
				flags = aceObjectTypePresent
			}
			body = binary.LittleEndian.AppendUint32(body, flags)
			if a.obj != "" {
				body = append(body, guidBytes(a.obj)...)
			}
		}
		body = append(body, sidBytes(a.sid)...)
		h := []byte{a.typ, a.flags, 0, 0}
		binary.LittleEndian.PutUint16(h[2:], uint16(4+len(body)))
		acl = append(acl, append(h, body...)...)
	}
	aclHdr := []byte{4, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(aclHdr[2:], uint16(8+len(acl)))
	binary.LittleEndian.PutUint16(aclHdr[4:], uint16(len(aces)))
	sd := make([]byte, 20)
	sd[0] = 1
	ctrl := uint16(seSelfRelative)
	if present {
		ctrl |= seDACLPresent
		binary.LittleEndian.PutUint32(sd[16:], 20)
	}
	binary.LittleEndian.PutUint16(sd[2:], ctrl)
	if present {
		sd = append(sd, append(aclHdr, acl...)...)
	}
	return sd
}

func sidBytes(s string) []byte {
	parts := strings.Split(s, "-")[1:] // drop "S"
	auth, _ := strconv.ParseUint(parts[1], 10, 48)
	b := []byte{1, byte(len(parts) - 2), 0, 0, 0, 0, 0, 0}
	for i := 0; i < 6; i++ {
		b[2+i] = byte(auth >> (8 * (5 - i)))
	}
	for _, p := range parts[2:] {
		v, _ := strconv.ParseUint(p, 10, 32)
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

func guidBytes(g string) []byte {
	raw, _ := hex.DecodeString(strings.ReplaceAll(g, "-", ""))
	return []byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
		raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]}
}

func TestAnalyseRelay(t *testing.T) {
	const submit = "7e9d1c3b-2a4f-4e8d-b6c5-0f1e2d3c4b5a"
	const au, an = "S-1-5-11", "S-1-5-7"
	cases := []struct {
		name      string
		present   bool
		aces      []testACE
		anonymous bool
		grantees  []string
	}{
		{"explicit object ACE", true, []testACE{{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: an}}, true, []string{an}},
		{"another right only", true, []testACE{{typ: aceAccessAllowedObject, mask: 0x100, obj: submit, sid: an}}, false, []string{}},
		{"all extended rights", true, []testACE{{typ: aceAccessAllowed, mask: 0x100, sid: an}}, true, []string{an}},
		{"generic all", true, []testACE{{typ: aceAccessAllowed, mask: rightGenericAll, sid: an}}, true, []string{an}},
		{"read only", true, []testACE{{typ: aceAccessAllowed, mask: 0x20094, sid: an}}, false, []string{}},
		{"inherit-only does not apply", true, []testACE{{typ: aceAccessAllowedObject, flags: aceInheritOnly | 0x02, mask: 0x100, obj: relayGUID, sid: an}}, false, []string{}},
		{"deny first wins", true, []testACE{
			{typ: aceAccessDeniedObject, mask: 0x100, obj: relayGUID, sid: an},
			{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: an},
		}, false, []string{}},
		{"allow first wins", true, []testACE{
			{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: an},
			{typ: aceAccessDenied, mask: 0x100, sid: an},
		}, true, []string{an}},
		{"other grantee", true, []testACE{{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: au}}, false, []string{au}},
		{"no DACL grants everything", false, nil, true, []string{sidEveryone}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sd, err := parseSecurityDescriptor(sdBytes(tc.present, tc.aces))
			if err != nil {
				t.Fatal(err)
			}
			got := analyseRelay(sd, relayGUID)
			if got.Anonymous != tc.anonymous || !slices.Equal(got.Grantees, tc.grantees) {
				t.Errorf("got %+v, want anonymous=%v grantees=%v", got, tc.anonymous, tc.grantees)
			}
		})
	}
}

func TestAnalyseRelaySamba(t *testing.T) {
	for name, want := range map[string]bool{"app-relay.sd.b64": true, "default-frontend-ex01.sd.b64": false, "deny-first.sd.b64": false} {
		sd, err := parseSecurityDescriptor(readSD(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := analyseRelay(sd, relayGUID); got.Anonymous != want {
			t.Errorf("%s: anonymous relay %v, want %v (%+v)", name, got.Anonymous, want, got)
		}
	}
}
