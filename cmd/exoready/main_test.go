package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run executes the CLI in-process with a fixed clock and returns the exit
// code and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, clock: func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }}
	app := newApp(e)
	err := app.RunContext(context.Background(), interspersed(app, append([]string{"exoready"}, args...)))
	if err != nil && !isSilent(err) {
		fmt.Fprintln(&stderr, "exoready:", err)
	}
	return exitCode(err), stdout.String(), stderr.String()
}

func TestDemoScanEndToEnd(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := run(t, "scan", "--demo", "--out", out, "--log-format", "json")
	if code != exitFindings {
		t.Fatalf("exit code %d, want %d (not ready); stderr:\n%s", code, exitFindings, stderr)
	}
	for _, f := range []string{"findings.json", "report.xlsx", "snapshot.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(stderr, "NOT READY to decommission") {
		t.Errorf("stderr lacks the verdict:\n%s", stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Complete || rep.Summary.Verdicts.Decommission.Ready {
		t.Fatalf("complete=%t ready=%t, want a complete NOT READY", rep.Complete, rep.Summary.Verdicts.Decommission.Ready)
	}
	compareGolden(t, "testdata/demo.golden", condensed(rep))
}

// condensed renders what a reviewer checks in the demo: verdicts, rule
// statuses and every finding, one line each (times are fixed by the clock).
func condensed(rep *evaluate.Report) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "complete: %t\n%s\n%s\n\n", rep.Complete, rep.Summary.Verdicts.Decommission.Text, rep.Summary.Verdicts.Flip.Text)
	for _, r := range rep.Rules {
		fmt.Fprintf(&b, "rule %s %s checked=%d failed=%d errors=%d\n", r.ID, r.Status, r.Counts.Checked, r.Counts.Failed, r.Counts.Errors)
	}
	b.WriteString("\n")
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s %s %s %s/%s %s\n", f.RuleID, f.Status, f.Severity, f.Object.Type, f.Object.ID, f.Message)
	}
	b.WriteString("\n")
	for _, m := range rep.Inventory.Mailboxes {
		fmt.Fprintf(&b, "mailbox %s %s %s %s: %s\n", m.ID, m.Kind, m.Location, m.JoinMethod, m.Readiness.Text)
	}
	return b.Bytes()
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/exoready -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./cmd/exoready -update after an intended change)", path, i+1, g, w)
			}
		}
	}
}

func TestTwoRunsAreByteIdentical(t *testing.T) {
	// The demo's waivers from their file, so that the re-evaluation below
	// can name the same waivers file (its path is in inputs.files).
	const waivers = "../../fixtures/demo/waivers.yaml"
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if code, _, stderr := run(t, "scan", "--demo", "--waivers", waivers, "--out", dir, "--format", "json"); code != exitFindings {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	fa, _ := os.ReadFile(filepath.Join(a, "findings.json"))
	fb, _ := os.ReadFile(filepath.Join(b, "findings.json"))
	if len(fa) == 0 || !bytes.Equal(fa, fb) {
		t.Fatal("two scans of the demo tenant wrote different findings.json")
	}
	// Re-evaluating the saved snapshot gives the same bytes again.
	c := t.TempDir()
	if code, _, stderr := run(t, "evaluate", filepath.Join(a, "snapshot.json"), "--waivers", waivers, "--out", c, "--format", "json"); code != exitFindings {
		t.Fatalf("evaluate exit %d: %s", code, stderr)
	}
	fc, _ := os.ReadFile(filepath.Join(c, "findings.json"))
	if !bytes.Equal(fa, fc) {
		t.Fatal("evaluating the saved snapshot gave different findings.json than the scan")
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown format lists valid ones", []string{"scan", "--demo", "--out", dir, "--format", "json,pdf"}, exitUsage, `unknown format "pdf" (valid: `},
		{"malformed snapshot", []string{"evaluate", write("bad.json", "{\"schema_version\": 1,\n \"collected_at\": }"), "--out", dir}, exitUsage, "line 2"},
		{"wrong schema version", []string{"evaluate", write("v9.json", `{"schema_version": 9}`), "--out", dir}, exitUsage, "schema_version 9 is not supported"},
		{"not a snapshot", []string{"evaluate", write("x.json", `{"hello": 1}`), "--out", dir}, exitUsage, "no schema_version"},
		{"missing file", []string{"evaluate", filepath.Join(dir, "nope.json"), "--out", dir}, exitError, "nope.json"},
		{"no out", []string{"scan", "--demo"}, exitUsage, "--out DIR is required"},
		{"bad fail-on", []string{"scan", "--demo", "--out", dir, "--fail-on", "urgent"}, exitUsage, `"urgent" is not one of`},
		{"unknown flag", []string{"scan", "--demo", "--out", dir, "--nope"}, exitUsage, "flag provided but not defined"},
		{"policy without id", []string{"scan", "--demo", "--out", dir, "--policy", policyDir(t, "package x.y\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n")}, exitUsage, "has no package-scoped METADATA"},
		{"no source", []string{"scan", "--out", dir}, exitUsage, "no source to scan"},
		{"demo and source config", []string{"scan", "--demo", "--out", dir, "--config", write("scan.yaml", "facts: f.yaml\n")}, exitUsage, "either --demo or sources"},
		{"unknown config key", []string{"scan", "--demo", "--out", dir, "--config", write("typo.yaml", "formatz: [json]\n")}, exitUsage, "field formatz not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d; stderr must contain %q:\n%s", code, tc.code, tc.want, stderr)
			}
		})
	}
}

func policyDir(t *testing.T, rego string) string {
	t.Helper()
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "p.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFailOnNoneAndReportRerender(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--out", out, "--format", "json", "--fail-on", "none"); code != exitOK {
		t.Fatalf("--fail-on none: exit %d, want 0: %s", code, stderr)
	}
	re := t.TempDir()
	if code, _, stderr := run(t, "report", filepath.Join(out, "findings.json"), "--format", "json", "--out", re); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(out, "findings.json"))
	b, _ := os.ReadFile(filepath.Join(re, "findings.json"))
	if !bytes.Equal(a, b) {
		t.Fatal("report --format json did not reproduce findings.json byte for byte")
	}
}

func TestPoliciesListAndTest(t *testing.T) {
	code, stdout, stderr := run(t, "policies", "list")
	if code != exitOK || !strings.Contains(stdout, "EXR-SYNC-001") || !strings.Contains(stdout, "EXR-GOV-002") {
		t.Fatalf("policies list: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "policies", "test")
	if code != exitOK || !strings.Contains(stdout, " passed, 0 failed") {
		t.Fatalf("policies test: exit %d\n%s%s", code, stdout, stderr)
	}
	failing := policyDir(t, "package x.y_test\n\ntest_fails if false\n")
	code, stdout, _ = run(t, "policies", "test", "--policy", failing)
	if code != exitError || !strings.Contains(stdout, "FAIL data.x.y_test.test_fails") {
		t.Fatalf("a failing user test: exit %d\n%s", code, stdout)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != exitOK || !strings.Contains(stdout, "policy pack: ") {
		t.Fatalf("version: exit %d %q", code, stdout)
	}
}

func TestCollectPartsAndMerge(t *testing.T) {
	dir := t.TempDir()
	exoPart := filepath.Join(dir, "exo.json")
	if code, _, stderr := run(t, "collect", "exo", "--exo-export", "../../fixtures/exo/ps7", "-o", exoPart); code != exitOK {
		t.Fatalf("collect exo: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "collect", "ad", "-o", filepath.Join(dir, "ad.json")); code != exitUsage || !strings.Contains(stderr, "no source given") {
		t.Fatalf("collect ad without a source: exit %d: %s", code, stderr)
	}
	// The same part twice is refused: a source must come once.
	if code, _, stderr := run(t, "evaluate", exoPart, exoPart, "--out", dir); code != exitUsage || !strings.Contains(stderr, "give each source once") {
		t.Fatalf("merging a part with itself: exit %d: %s", code, stderr)
	}
	// EXO alone evaluates, and the AD-dependent rules say AD is missing.
	code, _, stderr := run(t, "evaluate", exoPart, "--out", dir, "--format", "json")
	if code != exitPartial {
		t.Fatalf("evaluate of an EXO-only part: exit %d, want 4: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(dir, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.RuleID == "EXR-DEP-001" && (f.Status != evaluate.StatusError || !strings.Contains(f.Message, "--ldap-url")) {
			t.Fatalf("EXR-DEP-001 without AD = %s %q, want an error naming --ldap-url", f.Status, f.Message)
		}
	}
}
