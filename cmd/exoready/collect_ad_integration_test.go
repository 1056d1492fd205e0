//go:build integration

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestScanLiveAD scans the test DC (scripts/samba-dc.sh) through the CLI
// flags, the password from --password-file.
func TestScanLiveAD(t *testing.T) {
	url := os.Getenv("EXOREADY_TEST_LDAP_URL")
	if url == "" {
		t.Skip(`EXOREADY_TEST_LDAP_URL is unset: start the test DC with eval "$(scripts/samba-dc.sh start)"`)
	}
	out := t.TempDir()
	code, _, stderr := run(t, "scan", "--ldap-url", url, "--start-tls", "--ca-file", os.Getenv("EXOREADY_TEST_CA_FILE"),
		"--bind-dn", os.Getenv("EXOREADY_TEST_BIND_DN"), "--password-file", os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE"),
		"--out", out, "--log-format", "json")
	if code != exitPartial { // Exchange Online was not given
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitPartial, stderr)
	}
	var snap struct {
		Sources struct {
			AD struct {
				Complete bool   `json:"complete"`
				Method   string `json:"method"`
			} `json:"ad"`
		} `json:"sources"`
		AD struct {
			Users    []json.RawMessage `json:"users"`
			Exchange struct {
				ReceiveConnectors []struct {
					Name           string `json:"name"`
					AnonymousRelay *bool  `json:"anonymous_relay"`
				} `json:"receive_connectors"`
			} `json:"exchange"`
		} `json:"ad"`
	}
	readJSON(t, filepath.Join(out, "snapshot.json"), &snap)
	if !snap.Sources.AD.Complete || snap.Sources.AD.Method != "ldap" || len(snap.AD.Users) < 300 || len(snap.AD.Exchange.ReceiveConnectors) != 4 {
		t.Fatalf("snapshot AD part: complete=%v method=%s users=%d connectors=%d",
			snap.Sources.AD.Complete, snap.Sources.AD.Method, len(snap.AD.Users), len(snap.AD.Exchange.ReceiveConnectors))
	}
}
