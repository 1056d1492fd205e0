package evaluate_test

import (
	"bytes"
	"testing"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
)

func TestReadinessAssuming(t *testing.T) {
	rep := evaluateSnap(t, newEngine(t), demoBeforeUpgrade(t))
	if got := rep.Summary.Verdicts.Flip.TenantBlockers; len(got) != 1 || got[0] != "EXR-SYNC-001" {
		t.Fatalf("demo tenant blockers = %v, want [EXR-SYNC-001]", got)
	}

	// Assuming nothing reproduces the report's own readiness.
	same := evaluate.ReadinessAssuming(rep, nil)
	for i, m := range rep.Inventory.Mailboxes {
		if same[i].State != m.Readiness.State || same[i].Text != m.Readiness.Text {
			t.Fatalf("%s: ReadinessAssuming(nil) = %+v, report says %+v", m.DisplayName, same[i], m.Readiness)
		}
	}

	// Assuming the Connect upgrade done frees the mailboxes that only it
	// blocked, and nothing else changes state.
	fixed := evaluate.ReadinessAssuming(rep, []string{"EXR-SYNC-001"})
	freed := 0
	for i, m := range rep.Inventory.Mailboxes {
		got, was := fixed[i], m.Readiness
		switch {
		case was.State != evaluate.ReadyBlocked:
			if got.State != was.State {
				t.Errorf("%s: %s became %s although only a tenant blocker was assumed fixed", m.DisplayName, was.State, got.State)
			}
		case len(was.BlockedBy) == 1 && was.BlockedBy[0] == "EXR-SYNC-001":
			if got.State == evaluate.ReadyBlocked {
				t.Errorf("%s: still blocked (%v) with EXR-SYNC-001 assumed fixed", m.DisplayName, got.BlockedBy)
			}
			freed++
		default:
			for _, r := range got.BlockedBy {
				if r == "EXR-SYNC-001" {
					t.Errorf("%s: still blocked by the assumed-fixed rule", m.DisplayName)
				}
			}
		}
	}
	if freed == 0 {
		t.Fatal("no demo mailbox was blocked by EXR-SYNC-001 alone")
	}
}

// demoBeforeUpgrade is the demo tenant as it was before its Entra Connect
// upgrade: on the known-bad 2.5.79.0, EXR-SYNC-001 blocks every flip.
func demoBeforeUpgrade(t *testing.T) []byte {
	t.Helper()
	const now, before = `"version": "2.5.190.0"`, `"version": "2.5.79.0"`
	if bytes.Count(fixtures.DemoSnapshot(), []byte(now)) != 1 {
		t.Fatalf("the demo snapshot no longer holds exactly one %s", now)
	}
	return bytes.Replace(fixtures.DemoSnapshot(), []byte(now), []byte(before), 1)
}
