package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const adLDIF = `dn: DC=corp,DC=example,DC=test
objectClass: domainDNS

dn: CN=Carol,OU=Remote,DC=corp,DC=example,DC=test
objectClass: user
objectGUID:: NXm3rb9H6kSSb3dU+9Zr7A==
sAMAccountName: carol
userPrincipalName: carol@corp.example.test
msExchRecipientTypeDetails: 2147483648
proxyAddresses: SMTP:carol@corp.example.test
targetAddress: SMTP:carol@corp.mail.onmicrosoft.com

dn: CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchOrganizationContainer
`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanADFromLDIF(t *testing.T) {
	out := t.TempDir()
	ldif := writeFile(t, "forest.ldif", adLDIF)
	code, _, stderr := run(t, "scan", "--ad-ldif", ldif, "--out", out, "--log-format", "json")
	if code != exitPartial { // Exchange Online was not given: its rules are not assessed
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitPartial, stderr)
	}
	var snap struct {
		Sources struct {
			AD struct {
				Complete bool   `json:"complete"`
				Method   string `json:"method"`
				Files    []struct {
					SHA256 string `json:"sha256"`
				} `json:"files"`
			} `json:"ad"`
		} `json:"sources"`
		AD struct {
			Users []struct {
				ObjectGUID string `json:"object_guid"`
			} `json:"users"`
		} `json:"ad"`
	}
	readJSON(t, filepath.Join(out, "snapshot.json"), &snap)
	if !snap.Sources.AD.Complete || snap.Sources.AD.Method != "ldif" || len(snap.Sources.AD.Files) != 1 ||
		len(snap.AD.Users) != 1 || snap.AD.Users[0].ObjectGUID != "adb77935-47bf-44ea-926f-7754fbd66bec" {
		t.Fatalf("snapshot AD part: %+v", snap)
	}
}

func TestScanADErrors(t *testing.T) {
	broken := writeFile(t, "broken.ldif", "dn: CN=a,DC=corp\nmail: a@b\nnot an attribute line\n")
	cases := []scanCase{
		{"broken LDIF", nil, []string{"--ad-ldif", broken}, exitUsage, "broken.ldif:3:"},
		{"both sources", nil, []string{"--ad-ldif", broken, "--ldap-url", "ldap://127.0.0.1:1"}, exitUsage, "not both"},
		{"no password", nil, []string{"--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "svc@corp"}, exitUsage, "EXOREADY_LDAP_PASSWORD"},
		{"unreachable", map[string]string{"EXOREADY_LDAP_PASSWORD": "secret-not-logged"},
			[]string{"--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "svc@corp"}, exitError, "connection refused"},
	}
	runScanCases(t, cases)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// scanCase is a scan that must fail with a given exit code and message.
type scanCase struct {
	name string
	env  map[string]string
	args []string
	code int
	want string
}

// runScanCases runs each case as `scan --out TMP --log-format json ARGS`
// and checks the exit code, the message, and that the test password
// "secret-not-logged" never reaches stderr.
func runScanCases(t *testing.T, cases []scanCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, stderr := run(t, append([]string{"scan", "--out", t.TempDir(), "--log-format", "json"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q; stderr:\n%s", code, tc.code, tc.want, stderr)
			}
			if strings.Contains(stderr, "secret-not-logged") {
				t.Fatalf("the password leaked to stderr:\n%s", stderr)
			}
		})
	}
}

// TestScanIsReproducibleWithClock: --clock fixes every time a scan writes
// (collected_at, timings), so two scans of the same exports write the same
// snapshot.json and findings.json byte for byte.
func TestScanIsReproducibleWithClock(t *testing.T) {
	base := filepath.Join(hostileDir, "base")
	var outs [2]string
	for i := range outs {
		outs[i] = t.TempDir()
		code, _, stderr := run(t, "scan", "--exo-export", exoPS7, "--ad-ldif", filepath.Join(base, "config.ldif"),
			"--ad-ldif", filepath.Join("..", "..", "fixtures", "ldap", "50-recipients.ldif"), "--facts", filepath.Join(base, "facts.yaml"),
			"--format", "json", "--fail-on", "none", "--clock", "2026-11-21T08:00:00Z", "--out", outs[i], "--log-format", "json")
		if code != exitOK && code != exitPartial {
			t.Fatalf("scan %d: exit %d; stderr:\n%s", i, code, stderr)
		}
	}
	for _, name := range []string{"snapshot.json", "findings.json"} {
		a, errA := os.ReadFile(filepath.Join(outs[0], name))
		b, errB := os.ReadFile(filepath.Join(outs[1], name))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two scans with the same --clock", name)
		}
		if !bytes.Contains(a, []byte(`"2026-11-21T08:00:00Z"`)) {
			t.Errorf("%s does not carry the --clock time", name)
		}
	}
}
