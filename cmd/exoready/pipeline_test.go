package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanSnapshotWriteFails: snapshot.json is written while the rules
// run; when it cannot be written the scan still fails with exit 1 naming
// it, writes no report and leaves no temporary file.
func TestScanSnapshotWriteFails(t *testing.T) {
	out := t.TempDir()
	// A folder in the way: the finished snapshot cannot be renamed into place.
	if err := os.MkdirAll(filepath.Join(out, "snapshot.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	ldif := writeFile(t, "forest.ldif", adLDIF)
	code, _, stderr := run(t, "scan", "--ad-ldif", ldif, "--out", out, "--log-format", "json")
	if code != exitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "snapshot.json") {
		t.Errorf("stderr does not name snapshot.json:\n%s", stderr)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if e.Name() != "snapshot.json" {
			t.Errorf("the failed scan wrote %s", e.Name())
		}
	}
}

// TestReportWriteFails: the formats are written two at a time; when one
// cannot be written the run fails with exit 1 naming that file (not as
// an interrupted run, though the other writer was stopped) and leaves no
// temporary file.
func TestReportWriteFails(t *testing.T) {
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "report.xlsx", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "scan", "--demo", "--format", "json,xlsx,csv", "--out", out, "--log-format", "json")
	if code != exitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "report.xlsx") {
		t.Errorf("stderr does not name report.xlsx:\n%s", stderr)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || e.Name() == "manifest.json" {
			t.Errorf("the failed run left %s", e.Name())
		}
	}
}
