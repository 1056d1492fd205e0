package facts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the facts parser, the Go side of the
// version strings the rules compare (lib.valid_version is Rego): no panic,
// every refusal has words, and whatever is accepted holds only versions of
// the documented shape and an interval in range.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "hostile", "facts", "*.yaml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{"", "entra_connect:\n  version: 2.5.190.0\n  sync_interval_minutes: 30\n  hybrid_exchange_feature: true\ncloud_sync:\n  agent_version: 1.1.1107.0\n  writeback_planned: true\n",
		"entra_connect:\n  version: 2.5.190\n", "entra_connect:\n  version: 99999.99999.999999.999999\n", "entra_connect:\n  version: 2.5.190.0.1\n",
		"entra_connect:\n  version: ' 2.5.190.0'\n", "entra_connect:\n  version: 2.5.190.0\n  version: 2.5.79.0\n",
		"entra_connect:\n  sync_interval_minutes: 0\n", "entra_connect:\n  sync_interval_minutes: 1e9\n", "entra_connect: [1, 2]\n",
		"cloud_sync:\n  agent_version: \"\"\n", "\xFF\xFEe\x00", "\xEF\xBB\xBFcloud_sync: {}\n", "a: &a [*a]\n", "--- {}\n--- {}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fc, err := Parse(data)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error message")
			}
			if errors.Is(err, ErrFacts) {
				t.Fatal("Parse wraps ErrFacts itself; ReadFile does")
			}
			return
		}
		if c := fc.EntraConnect; c != nil {
			if c.Version != "" && !version.MatchString(c.Version) {
				t.Fatalf("accepted entra_connect.version %q", c.Version)
			}
			if c.SyncIntervalMinutes < 0 || c.SyncIntervalMinutes > 7*24*60 {
				t.Fatalf("accepted sync_interval_minutes %d", c.SyncIntervalMinutes)
			}
		}
		if c := fc.CloudSync; c != nil && c.AgentVersion != "" && !version.MatchString(c.AgentVersion) {
			t.Fatalf("accepted cloud_sync.agent_version %q", c.AgentVersion)
		}
	})
}
