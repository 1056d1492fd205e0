package ad

import (
	"encoding/base64"
	"slices"
	"testing"
	"time"
)

func TestFormatGUID(t *testing.T) {
	// objectGUID bytes as AD returns them, and the form AD tools print (the
	// first three fields are little-endian on the wire).
	raw, _ := base64.StdEncoding.DecodeString("NXm3rb9H6kSSb3dU+9Zr7A==")
	got, err := formatGUID(raw)
	if err != nil || got != "adb77935-47bf-44ea-926f-7754fbd66bec" {
		t.Fatalf("formatGUID = %q, %v", got, err)
	}
	if immutableID(raw) != "NXm3rb9H6kSSb3dU+9Zr7A==" {
		t.Errorf("immutableID = %q", immutableID(raw))
	}
	if _, err := formatGUID(raw[:15]); err == nil {
		t.Error("a 15-byte GUID must be an error")
	}
}

func TestCanonicalGUIDString(t *testing.T) {
	for in, want := range map[string]string{
		"4A2C8F1E-5B7D-4C3A-9E6F-1D2B3C4D5E6F":   "4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6f",
		"{4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6f}": "4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6f",
	} {
		if got, err := canonicalGUIDString(in); err != nil || got != want {
			t.Errorf("canonicalGUIDString(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "4a2c8f1e5b7d4c3a9e6f1d2b3c4d5e6f", "4a2c8f1e-5b7d-4c3a-9e6f-1d2b3c4d5e6g"} {
		if _, err := canonicalGUIDString(bad); err == nil {
			t.Errorf("canonicalGUIDString(%q) accepted", bad)
		}
	}
}

func TestParseGeneralizedTime(t *testing.T) {
	got, err := parseGeneralizedTime("20261121062131.0Z")
	if err != nil || !got.Equal(time.Date(2026, 11, 21, 6, 21, 31, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := parseGeneralizedTime("yesterday"); err == nil {
		t.Error("bad time accepted")
	}
}

func TestFoldRanges(t *testing.T) {
	e := newEntry("CN=G")
	e.add("member;range=0-1", []byte("a"))
	e.add("member;range=0-1", []byte("b"))
	e.add("member;range=2-*", []byte("c"))
	inc, err := e.foldRanges()
	if err != nil || len(inc) != 0 {
		t.Fatalf("complete ranges reported incomplete: %v %v", inc, err)
	}
	if got := e.strs("member"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("member = %v", got)
	}

	cut := newEntry("CN=H")
	cut.add("member;range=0-1499", []byte("x"))
	if inc, _ := cut.foldRanges(); !slices.Equal(inc, []string{"member"}) {
		t.Errorf("a list cut at 1499 must be incomplete, got %v", inc)
	}
	gap := newEntry("CN=I")
	gap.add("member;range=0-1", []byte("x"))
	gap.add("member;range=5-*", []byte("y"))
	if inc, _ := gap.foldRanges(); !slices.Equal(inc, []string{"member"}) {
		t.Errorf("a gap must be incomplete, got %v", inc)
	}
	bad := newEntry("CN=J")
	bad.add("member;range=x-1", nil)
	if _, err := bad.foldRanges(); err == nil {
		t.Error("a malformed range must be an error")
	}
}

func TestDNHelpers(t *testing.T) {
	const srv = "CN=Default Frontend EX01,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test"
	if got := rdnAfter(srv, "CN=Protocols"); got != "EX01" {
		t.Errorf("rdnAfter = %q", got)
	}
	if got := rdnValue(`CN=Doe\, Jane,OU=Corp Users,DC=corp`); got != "Doe, Jane" {
		t.Errorf("rdnValue = %q", got)
	}
	if got := dnsNameOf("CN=Configuration,DC=corp,DC=example,DC=test"); got != "corp.example.test" {
		t.Errorf("dnsNameOf = %q", got)
	}
	if !hasSuffixDN("cn=a,DC=corp,DC=Example", "dc=corp,dc=example") || hasSuffixDN("CN=a,DC=xcorp,DC=example", "DC=corp,DC=example") {
		t.Error("hasSuffixDN")
	}
	if got := tidyDN(" DC=corp, DC = example ,DC=test"); got != "DC=corp,DC=example,DC=test" {
		t.Errorf("tidyDN = %q", got)
	}
}
