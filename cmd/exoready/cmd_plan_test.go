package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/plan"
)

// upgradedDemo writes the demo tenant on a fixed Entra Connect build (so
// mailboxes are ready whatever the demo's own story says), moved forward
// by shift, after edit, to a snapshot file.
func upgradedDemo(t *testing.T, dir, name string, shift time.Duration, edit func(*snapshot.Snapshot)) string {
	t.Helper()
	s, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	s.Facts.EntraConnect.Version = "2.5.190.0"
	s.CollectedAt = s.CollectedAt.Add(shift)
	if o := s.Entra.Organization; o != nil && o.OnPremisesLastSyncDateTime != nil {
		at := o.OnPremisesLastSyncDateTime.Add(shift)
		o.OnPremisesLastSyncDateTime = &at
	}
	for i := range s.Entra.SyncJobs {
		if j := &s.Entra.SyncJobs[i]; j.LastExecutionTime != nil {
			at := j.LastExecutionTime.Add(shift)
			j.LastExecutionTime = &at
		}
	}
	if edit != nil {
		edit(s)
	}
	snapshot.Join(s)
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func pilotIDs(t *testing.T, dir string) []string {
	t.Helper()
	p, err := plan.ReadPlanFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range p.Waves[0].Mailboxes {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestPlanDemo(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan")
	code, _, stderr := run(t, "plan", "--demo", "--out", out, "--log-format", "json")
	if code != exitOK {
		t.Fatalf("plan --demo exit %d; stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"plan.json", "PLAN.md", "plan.xlsx", "rbac/toggle-role.ps1"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
	if code, _, stderr := run(t, "plan", "--demo", "--out", out); code != exitUsage || !strings.Contains(stderr, "already holds plan") {
		t.Fatalf("planning into a used folder: exit %d, stderr %s", code, stderr)
	}
	if code, _, stderr := run(t, "plan", "--demo", "--out", out, "--force", "--pilot-size", "5"); code != exitOK {
		t.Fatalf("--force: exit %d, stderr %s", code, stderr)
	}
}

func TestPlanFromSnapshotOrFindingsAndCheck(t *testing.T) {
	dir := t.TempDir()
	snap := upgradedDemo(t, dir, "snapshot.json", 0, nil)

	// The same tenant planned from the snapshot and from its findings.json
	// gives the same pilot: the plan rests on the findings contract.
	fromSnap := filepath.Join(dir, "plan-snapshot")
	if code, _, stderr := run(t, "plan", snap, "--out", fromSnap, "--wave-by", "department"); code != exitOK {
		t.Fatalf("plan from snapshot: exit %d\n%s", code, stderr)
	}
	scan := filepath.Join(dir, "scan")
	if code, _, stderr := run(t, "evaluate", snap, "--out", scan, "--format", "json"); code != exitFindings {
		t.Fatalf("evaluate: exit %d\n%s", code, stderr)
	}
	fromFindings := filepath.Join(dir, "plan-findings")
	if code, _, stderr := run(t, "plan", filepath.Join(scan, "findings.json"), "--out", fromFindings, "--wave-by", "department"); code != exitOK {
		t.Fatalf("plan from findings: exit %d\n%s", code, stderr)
	}
	a, b := pilotIDs(t, fromSnap), pilotIDs(t, fromFindings)
	if len(a) != plan.DefaultPilotSize || !slices.Equal(a, b) {
		t.Fatalf("pilot from the snapshot %v, from findings.json %v", a, b)
	}

	p, err := plan.ReadPlanFile(fromSnap)
	if err != nil {
		t.Fatal(err)
	}
	target := p.Waves[0].Mailboxes[0]

	// An hour later, nothing changed: the pilot may run.
	same := upgradedDemo(t, dir, "same.json", time.Hour, nil)
	code, stdout, stderr := run(t, "plan", "--check", fromSnap, same, "--wave", "0")
	if code != exitOK || !strings.Contains(stdout, "OK: all") {
		t.Fatalf("check of an unchanged tenant: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// The pilot's first mailbox was edited on-premises after planning.
	changed := upgradedDemo(t, dir, "changed.json", time.Hour, func(s *snapshot.Snapshot) {
		for i := range s.AD.Users {
			if u := &s.AD.Users[i]; u.DisplayName == target.DisplayName {
				at := p.PlannedAt.Add(20 * time.Minute)
				u.WhenChanged = &at
			}
		}
	})
	code, stdout, _ = run(t, "plan", "--check", fromSnap, changed)
	if code != exitFindings {
		t.Fatalf("check after an on-prem change: exit %d, want %d\n%s", code, exitFindings, stdout)
	}
	if !strings.Contains(stdout, "NOT READY  wave 0  "+target.DisplayName) || !strings.Contains(stdout, "changed on-premises at") || strings.Count(stdout, "NOT READY ") != 1 {
		t.Fatalf("check output does not name exactly %s with its on-prem change:\n%s", target.DisplayName, stdout)
	}

	// A check against a scan taken before planning is refused.
	before := upgradedDemo(t, dir, "before.json", -time.Hour, nil)
	if code, _, stderr := run(t, "plan", "--check", fromSnap, before); code != exitUsage || !strings.Contains(stderr, "before the plan") {
		t.Fatalf("check against an older scan: exit %d\n%s", code, stderr)
	}
}

func TestPlanUsageErrors(t *testing.T) {
	dir := t.TempDir()
	snap := upgradedDemo(t, dir, "snapshot.json", 0, nil)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"plan", snap}, "--out PLANDIR is required"},
		{"no input", []string{"plan", "--out", filepath.Join(dir, "a")}, "needs one input"},
		{"pilot too small", []string{"plan", snap, "--out", filepath.Join(dir, "b"), "--pilot-size", "4"}, "outside 5..20"},
		{"unknown grouping", []string{"plan", snap, "--out", filepath.Join(dir, "c"), "--wave-by", "region"}, "wave-by \"region\""},
		{"assume a mailbox rule fixed", []string{"plan", snap, "--out", filepath.Join(dir, "d"), "--assume-fixed", "EXR-MBX-008"}, "not a tenant-wide blocker"},
		{"check a folder without a plan", []string{"plan", "--check", dir, snap}, "invalid plan folder"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want %d with %q; stderr:\n%s", code, exitUsage, tt.want, stderr)
			}
		})
	}
}

// TestPlanningExampleConfigLoads reads the example plan section of
// docs/planning.md with the real loader.
func TestPlanningExampleConfigLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/planning.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, block := range codeBlocks(string(doc), "yaml") {
		if !strings.HasPrefix(block, "# scan.yaml") {
			continue
		}
		blocks++
		path := filepath.Join(t.TempDir(), "scan.yaml")
		if err := os.WriteFile(path, []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			t.Fatalf("the example does not load: %v", err)
		}
		pc := cfg.Plan
		if pc.PilotSize == 0 || pc.WaveBy == "" || pc.MaxWaveSize == 0 || pc.SettleHours == 0 || len(pc.SettledMoveStatuses) == 0 || pc.RBAC.Group == "" {
			t.Fatalf("the example leaves a plan setting out: %+v", pc)
		}
		o := plan.Options{PilotSize: pc.PilotSize, WaveBy: pc.WaveBy, MaxWaveSize: pc.MaxWaveSize, SettleHours: pc.SettleHours, SyncIntervalMinutes: 30}
		if err := o.Normalize(); err != nil {
			t.Fatalf("the example's plan settings are refused: %v", err)
		}
		if _, err := defaultSyncInterval(cfg.Params); err != nil {
			t.Fatal(err)
		}
	}
	if blocks != 1 {
		t.Fatalf("%d example scan.yaml blocks in docs/planning.md, want 1", blocks)
	}
}
