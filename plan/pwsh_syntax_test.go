package plan_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoready/exoready/plan"
)

// pwshChecker prepares the tree-sitter PowerShell grammar under node in the
// repository's ignored .cache/pwsh-syntax (installing it with npm the first
// time) and returns a function that parses files, or skips the test when
// node or npm is missing. scripts/test.sh installs both and sets
// EXOREADY_REQUIRE_PWSH_CHECK=1, which turns every skip into a failure.
func pwshChecker(t *testing.T) func(files ...string) (string, error) {
	t.Helper()
	required := os.Getenv("EXOREADY_REQUIRE_PWSH_CHECK") == "1"
	skip := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	node, errNode := exec.LookPath("node")
	npm, errNPM := exec.LookPath("npm")
	if errNode != nil || errNPM != nil {
		skip("PowerShell syntax check skipped: node and npm are needed to run the tree-sitter-powershell grammar (scripts/test.sh installs them: apt-get install nodejs npm)")
	}
	dir := filepath.Join(repoRoot(t), ".cache", "pwsh-syntax")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"package.json", "check.mjs"} {
		src, err := os.ReadFile(filepath.Join("testdata", "pwsh-syntax", name))
		if err != nil {
			t.Fatal(err)
		}
		if old, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(old, src) {
			if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	wasm := filepath.Join(dir, "node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm")
	if _, err := os.Stat(wasm); err != nil {
		cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			skip("PowerShell syntax check skipped: npm install in %s failed: %v\n%s", dir, err, out)
		}
	}
	return func(files ...string) (string, error) {
		// --liftoff-only: V8 otherwise spends seconds optimising the 1 MB
		// grammar in the background after the parse is done.
		args := append([]string{"--liftoff-only", filepath.Join(dir, "check.mjs")}, files...)
		out, err := exec.Command(node, args...).CombinedOutput()
		if err != nil && strings.Contains(string(out), "bad option") { // a node whose V8 lacks the flag
			out, err = exec.Command(node, args[1:]...).CombinedOutput()
		}
		return string(out), err
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// writeScripts writes every script of a plan under dir/prefix and returns the paths.
func writeScripts(t *testing.T, p *plan.Plan, dir, prefix string) []string {
	t.Helper()
	var paths []string
	for _, f := range p.Files {
		b, _ := p.Script(f.Path)
		path := filepath.Join(dir, prefix, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

func TestScriptsParseAsPowerShell(t *testing.T) {
	check := pwshChecker(t)
	dir := t.TempDir()

	// The checker must be able to fail.
	broken := filepath.Join(dir, "broken.ps1")
	if err := os.WriteFile(broken, []byte("if ($x {\n    Write-Host 'never closed'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := check(broken); err == nil || !strings.Contains(out, "syntax error") {
		t.Fatalf("an unclosed block parsed clean: %v\n%s", err, out)
	}

	hostile, _ := hostilePlan(t)
	var files []string
	files = append(files, writeScripts(t, build(t, input(t, demoBlocked(t)), plan.Options{AssumeFixed: []string{"EXR-SYNC-001"}}), dir, "demo")...)
	files = append(files, writeScripts(t, hostile, dir, "hostile")...)
	files = append(files, writeScripts(t, build(t, input(t, demoUpgraded(t)), plan.Options{WaveBy: "custom-attribute-2", MaxWaveSize: 4}), dir, "ca2")...)
	if len(files) < 20 {
		t.Fatalf("only %d scripts generated", len(files))
	}
	out, err := check(files...)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if err != nil || strings.Count(out, ": ok") != len(files) {
		t.Fatalf("generated PowerShell does not parse:\n%s", out)
	}
}
