package facts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProductExample(t *testing.T) {
	f, err := Parse([]byte(`entra_connect:
  version: 2.5.190.0            # Microsoft.Synchronize.ServerConfigurationVersion
  sync_interval_minutes: 30
  hybrid_exchange_feature: true # Microsoft.OptionalFeature.HybridExchange
cloud_sync:
  agent_version: 1.1.1107.0     # empty when no agent is installed
  writeback_planned: true
`))
	if err != nil {
		t.Fatal(err)
	}
	c := f.EntraConnect
	if c == nil || c.Version != "2.5.190.0" || c.SyncIntervalMinutes != 30 || c.HybridExchangeFeature == nil || !*c.HybridExchangeFeature {
		t.Fatalf("entra_connect = %+v", c)
	}
	s := f.CloudSync
	if s == nil || s.AgentVersion != "1.1.1107.0" || s.WritebackPlanned == nil || !*s.WritebackPlanned {
		t.Fatalf("cloud_sync = %+v", s)
	}
}

func TestParseOptionalParts(t *testing.T) {
	f, err := Parse([]byte("\xEF\xBB\xBFentra_connect:\n  version: 2.5.79.0\ncloud_sync:\n  agent_version: \"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.EntraConnect.HybridExchangeFeature != nil || f.EntraConnect.SyncIntervalMinutes != 0 {
		t.Errorf("absent keys must stay unknown: %+v", f.EntraConnect)
	}
	if f.CloudSync.AgentVersion != "" || f.CloudSync.WritebackPlanned != nil {
		t.Errorf("cloud_sync = %+v", f.CloudSync)
	}
	empty, err := Parse([]byte("# nothing known yet\n"))
	if err != nil || empty.EntraConnect != nil || empty.CloudSync != nil {
		t.Errorf("empty document: %+v, %v", empty, err)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown key", "entra_connect:\n  version: 2.5.190.0\n  sync_intervall: 30\n", "line 3: field sync_intervall not found"},
		{"unknown section", "entra_conect:\n  version: 2.5.190.0\n", "line 1: field entra_conect not found"},
		{"short version", "entra_connect:\n  sync_interval_minutes: 30\n  version: 2.5\n", `line 3: entra_connect.version "2.5" is not a version`},
		{"text version", "entra_connect:\n  version: latest\n", `line 2: entra_connect.version "latest"`},
		{"interval zero", "entra_connect:\n  sync_interval_minutes: 0\n", "line 2: entra_connect.sync_interval_minutes must be at least 1"},
		{"interval too long", "entra_connect:\n  sync_interval_minutes: 20000\n", "line 2: entra_connect.sync_interval_minutes 20000"},
		{"agent version", "cloud_sync:\n  writeback_planned: false\n  agent_version: 1.1\n", `line 3: cloud_sync.agent_version "1.1"`},
		{"not a bool", "entra_connect:\n  hybrid_exchange_feature: maybe\n", "line 2: cannot unmarshal"},
		{"utf-16", "\xFF\xFEe\x00", "UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadFileHashesAndWrapsErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "facts.yaml")
	if err := os.WriteFile(good, []byte("entra_connect:\n  version: 2.5.190.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, st, err := ReadFile(good)
	if err != nil || f.EntraConnect.Version != "2.5.190.0" {
		t.Fatalf("ReadFile = %+v, %v", f, err)
	}
	sum := sha256.Sum256([]byte("entra_connect:\n  version: 2.5.190.0\n"))
	if !st.Collected || !st.Complete || st.Method != "file" || len(st.Files) != 1 || st.Files[0].Path != "facts.yaml" ||
		st.Files[0].SHA256 != hex.EncodeToString(sum[:]) || st.Files[0].Bytes != 36 {
		t.Errorf("status = %+v", st)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("entra_connect:\n  verison: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(bad); !errors.Is(err, ErrFacts) || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error = %v", err)
	}
	if _, _, err := ReadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, ErrFacts) {
		t.Errorf("missing file error = %v", err)
	}
}
