package plan_test

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/plan"
	"github.com/exoready/exoready/policies"
)

var testTool = evaluate.Tool{Name: "exoready", Version: "test"}

var (
	engineOnce sync.Once
	engine     *evaluate.Engine
	engineErr  error
)

// evaluateSnapshot runs the embedded policy pack on a snapshot, as the CLI does.
func evaluateSnapshot(t *testing.T, s *snapshot.Snapshot) (*evaluate.Report, []byte) {
	t.Helper()
	engineOnce.Do(func() {
		params, err := policies.Params()
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = evaluate.New(t.Context(), evaluate.Options{
			Sources: []evaluate.PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}},
			Version: policies.Version, Params: params,
		})
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := engine.Evaluate(t.Context(), evaluate.RunOptions{Snapshot: data, Tool: testTool,
		Clock: func() time.Time { return s.CollectedAt.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	return rep, data
}

// demo returns a fresh copy of the demo tenant's snapshot.
func demo(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// demoUpgraded is the demo tenant on a fixed Entra Connect build: the
// tenant-wide blocker EXR-SYNC-001 passes, so mailboxes are really ready.
func demoUpgraded(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s := demo(t)
	s.Facts.EntraConnect.Version = "2.5.190.0"
	return s
}

// demoBlocked is the demo tenant on the known-bad Entra Connect build:
// EXR-SYNC-001 blocks every flip.
func demoBlocked(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s := demo(t)
	s.Facts.EntraConnect.Version = "2.5.79.0"
	return s
}

// input evaluates a snapshot into a plan input, with role entries as the CLI passes them.
func input(t *testing.T, s *snapshot.Snapshot) plan.Input {
	t.Helper()
	rep, data := evaluateSnapshot(t, s)
	sum := sha256.Sum256(data)
	in := plan.Input{Report: rep, Source: plan.Source{
		Kind: "snapshot", Path: "testdata/demo.json", SHA256: hex.EncodeToString(sum[:]), SnapshotSHA256: rep.Inputs.Snapshot.SHA256,
		ScanID: rep.ScanID, CollectedAt: rep.Inputs.Snapshot.CollectedAt, Forest: rep.Inputs.Snapshot.Forest,
		Tenant: rep.Inputs.Snapshot.Tenant, PolicyPack: rep.PolicyPack.Version, Complete: rep.Complete,
	}}
	if s.EXO != nil {
		for _, e := range s.EXO.RoleEntries {
			in.RoleEntries = append(in.RoleEntries, plan.RoleEntry{Role: e.Role, Cmdlet: e.Name, Parameters: e.Parameters})
		}
	}
	return in
}

func build(t *testing.T, in plan.Input, o plan.Options) *plan.Plan {
	t.Helper()
	if o.SyncIntervalMinutes == 0 {
		o.SyncIntervalMinutes = 30
	}
	p, err := plan.Build(in, o, testTool)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rowsByID indexes a report's mailbox inventory.
func rowsByID(rep *evaluate.Report) map[string]evaluate.MailboxRow {
	out := map[string]evaluate.MailboxRow{}
	for _, m := range rep.Inventory.Mailboxes {
		out[m.ID] = m
	}
	return out
}

// adUser and exoMailbox find a demo object by display name, for editing.
func adUser(t *testing.T, s *snapshot.Snapshot, name string) *snapshot.ADRecipient {
	t.Helper()
	return byName(t, s.AD.Users, name, func(u *snapshot.ADRecipient) string { return u.DisplayName })
}

func exoMailbox(t *testing.T, s *snapshot.Snapshot, name string) *snapshot.Mailbox {
	t.Helper()
	return byName(t, s.EXO.Mailboxes, name, func(m *snapshot.Mailbox) string { return m.DisplayName })
}

func byName[T any](t *testing.T, items []T, name string, nameOf func(*T) string) *T {
	t.Helper()
	for i := range items {
		if nameOf(&items[i]) == name {
			return &items[i]
		}
	}
	t.Fatalf("no %q in the snapshot", name)
	return nil
}
