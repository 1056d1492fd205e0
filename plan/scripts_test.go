package plan_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/plan"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenPlan is the pilot of the upgraded demo at the smallest size: its
// scripts are the golden files a reviewer reads.
func goldenPlan(t *testing.T) *plan.Plan {
	t.Helper()
	return build(t, input(t, demoUpgraded(t)), plan.Options{PilotSize: plan.MinPilotSize})
}

// text is a script as a reviewer reads it: without the byte order mark,
// with LF line ends.
func text(t *testing.T, p *plan.Plan, name string) string {
	t.Helper()
	b, ok := p.Script(name)
	if !ok {
		t.Fatalf("no script %s in the plan", name)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("%s has no UTF-8 byte order mark: Windows PowerShell 5.1 would read it as ANSI", name)
	}
	body := b[len("\ufeff"):]
	if bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatalf("%s has a bare LF line end", name)
	}
	return string(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")))
}

func TestScriptsGolden(t *testing.T) {
	p := goldenPlan(t)
	for _, f := range []struct{ script, golden string }{
		{"wave-00/backup.ps1", "backup.ps1.golden"},
		{"wave-00/enable.ps1", "enable.ps1.golden"},
		{"wave-00/verify.ps1", "verify.ps1.golden"},
		{"wave-00/rollback.ps1", "rollback.ps1.golden"},
		{"rbac/toggle-role.ps1", "toggle-role.ps1.golden"},
	} {
		// The plan id hashes the input: keep the goldens to what the
		// scripts do, not to the fixture's exact bytes.
		got := strings.ReplaceAll(text(t, p, f.script), p.ID, "PLANID")
		path := filepath.Join("testdata", f.golden)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./plan -run Golden -update writes it)", err)
		}
		if got != string(want) {
			gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
			for i := range max(len(gl), len(wl)) {
				if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
					t.Fatalf("%s differs from %s at line %d (go test ./plan -run Golden -update after an intended change, then review the diff)", f.script, path, i+1)
				}
			}
		}
	}
}

func TestScriptSafety(t *testing.T) {
	p := goldenPlan(t)
	for _, f := range p.Files {
		s := text(t, p, f.Path)
		for _, must := range []string{"$ErrorActionPreference = 'Stop'", "Set-StrictMode"} {
			if !strings.Contains(s, must) {
				t.Errorf("%s lacks %s", f.Path, must)
			}
		}
		switch f.Step {
		case "enable", "rollback", "rbac":
			// Every change is a dry run unless -Execute is given.
			for _, line := range strings.Split(s, "\n") {
				l := strings.TrimSpace(line)
				for _, verb := range []string{"Set-Mailbox ", "New-ManagementRole ", "Remove-ManagementRoleEntry ", "Set-ManagementRoleEntry ", "New-ManagementRoleAssignment "} {
					if strings.HasPrefix(l, verb) && !strings.Contains(l, "-WhatIf:(-not $Execute)") {
						t.Errorf("%s changes without the dry-run switch: %s", f.Path, l)
					}
				}
			}
			if !strings.Contains(s, "[switch]$Execute") {
				t.Errorf("%s has no -Execute switch", f.Path)
			}
		}
	}
	enable := text(t, p, "wave-00/enable.ps1")
	for _, m := range p.Waves[0].Mailboxes {
		if !strings.Contains(enable, "ExternalDirectoryObjectId = '"+m.ExternalDirectoryObjectID+"'") {
			t.Errorf("enable.ps1 lacks pilot mailbox %s", m.DisplayName)
		}
	}
	if rb := text(t, p, "wave-00/rollback.ps1"); !strings.Contains(rb, "OVERWRITES") || !strings.Contains(rb, "RESTORES NOTHING") || !strings.Contains(rb, "-AcknowledgeSyncOverwrite") {
		t.Error("rollback.ps1 lacks its warning or acknowledgement")
	}
}

// hostilePlan plans a demo whose names try to break out of strings and
// comments: quotes of every kind, PowerShell expansion, and a line break in
// the department the waves are named after.
func hostilePlan(t *testing.T) (*plan.Plan, string) {
	t.Helper()
	s := demoUpgraded(t)
	name := "Liam O'Brien ‘x’ ‚y‛ $(Remove-Item -Recurse C:\\) `whoami`"
	exoMailbox(t, s, "Liam O'Brien").DisplayName = name
	u := adUser(t, s, "Liam O'Brien")
	u.DisplayName = name
	for i := range s.AD.Users {
		if s.AD.Users[i].Department == "Sales" {
			s.AD.Users[i].Department = "Sales\nRemove-Item -Recurse C:\\"
		}
	}
	snapshot.Join(s)
	p := build(t, input(t, s), plan.Options{WaveBy: plan.WaveByDepartment})
	return p, name
}

func TestHostileNamesStayData(t *testing.T) {
	p, name := hostilePlan(t)
	quoted := "'Liam O''Brien ‘‘x’’ ‚‚y‛‛ $(Remove-Item -Recurse C:\\) `whoami`'"
	found := false
	for _, f := range p.Files {
		s := text(t, p, f.Path)
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Remove-Item") {
				t.Errorf("%s: a name became code: %s", f.Path, line)
			}
		}
		if strings.Contains(s, quoted) {
			found = true
		}
		if strings.Contains(s, name) {
			t.Errorf("%s holds the name unquoted", f.Path)
		}
	}
	if !found {
		t.Errorf("no script holds the name as %s", quoted)
	}
}
