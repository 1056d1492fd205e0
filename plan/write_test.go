package plan_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/plan"
)

func TestWriteFolder(t *testing.T) {
	p := build(t, input(t, demoUpgraded(t)), plan.Options{})
	dir := filepath.Join(t.TempDir(), "plan")
	written, err := p.Write(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(p.Files)+3 {
		t.Fatalf("wrote %d files, want %d scripts + plan.json, PLAN.md, plan.xlsx", len(written), len(p.Files))
	}
	for _, f := range p.Files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := p.Script(f.Path); !bytes.Equal(b, want) {
			t.Errorf("%s on disk differs from the plan", f.Path)
		}
	}
	back, err := plan.ReadPlanFile(dir)
	if err != nil || back.ID != p.ID || len(back.Waves) != len(p.Waves) {
		t.Fatalf("plan.json read back: %v", err)
	}

	// A written plan is a record: no silent overwrite.
	if _, err := p.Write(dir, false); !errors.Is(err, plan.ErrFolderInUse) {
		t.Fatalf("second write: err = %v, want ErrFolderInUse", err)
	}
	// --force replaces the plan but keeps what the scripts wrote.
	backup := filepath.Join(dir, "wave-00", "backup", "mailboxes.json")
	if err := os.MkdirAll(filepath.Dir(backup), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	smaller := build(t, input(t, demoUpgraded(t)), plan.Options{MaxWaveSize: 50, WaveBy: plan.WaveByDomain})
	if _, err := smaller.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("the backup did not survive --force: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "wave-05")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a wave folder of the replaced plan is left: %v", err)
	}
	// A folder holding something else is never written into.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(other, true); !errors.Is(err, plan.ErrFolderInUse) {
		t.Fatalf("write into a foreign folder: err = %v", err)
	}
}

func TestWorkbookAndMarkdownCarryThePlan(t *testing.T) {
	s := demoUpgraded(t)
	formula := `=HYPERLINK("http://example.invalid","click")`
	for _, name := range []string{"Yuki Tanaka"} {
		exoMailbox(t, s, name).DisplayName = formula
		adUser(t, s, name).DisplayName = formula
	}
	snapshot.Join(s)
	p := build(t, input(t, s), plan.Options{PilotSize: 20})
	inPilot := false
	for _, m := range p.Waves[0].Mailboxes {
		inPilot = inPilot || m.DisplayName == formula
	}
	if !inPilot {
		t.Fatal("the formula-named mailbox is not in the pilot; pick another")
	}

	var book bytes.Buffer
	if err := p.WriteWorkbook(&book); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Summary", "Procedure", "Waves", "Pilot", "Mailboxes", "Toggle role", "Roles", "Who can toggle", "Scripts", "Notes"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, err := f.GetRows("Pilot")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(p.Waves[0].Mailboxes)+1 {
		t.Fatalf("Pilot sheet has %d rows, want header + %d", len(rows), len(p.Waves[0].Mailboxes))
	}
	for i, m := range p.Waves[0].Mailboxes {
		if rows[i+1][1] != m.DisplayName || rows[i+1][6] != m.Reason {
			t.Errorf("Pilot row %d = %v, want %s with its reason", i+1, rows[i+1], m.DisplayName)
		}
		cell, _ := excelize.CoordinatesToCellName(2, i+2)
		if fm, _ := f.GetCellFormula("Pilot", cell); fm != "" {
			t.Errorf("Pilot %s holds a formula %q: text must stay text", cell, fm)
		}
	}
	scripts, _ := f.GetRows("Scripts")
	if len(scripts) != len(p.Files)+1 || scripts[1][3] != p.Files[0].SHA256 {
		t.Errorf("Scripts sheet does not list the scripts with their hashes")
	}

	var md bytes.Buffer
	if err := p.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Waves[0].Mailboxes {
		if m.DisplayName != formula && !strings.Contains(md.String(), "| "+m.DisplayName+" |") {
			t.Errorf("PLAN.md lacks pilot mailbox %s", m.DisplayName)
		}
	}
	for _, f := range p.Files {
		if !strings.Contains(md.String(), f.SHA256) {
			t.Errorf("PLAN.md lacks the hash of %s", f.Path)
		}
	}
}
