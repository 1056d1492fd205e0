package exo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPowerShellParses parses the shipped PowerShell scripts and every
// command exoready prints in its messages with the tree-sitter PowerShell
// grammar (scripts/check-powershell.mjs). It needs node and the grammar
// (`make check-powershell` installs it) and skips, saying so, without them.
func TestPowerShellParses(t *testing.T) {
	root := filepath.Join("..", "..")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: PowerShell syntax not checked (install node and run `make check-powershell`)")
	}
	if _, err := os.Stat(filepath.Join(root, "scripts", "node_modules", "web-tree-sitter")); err != nil {
		t.Skip("the tree-sitter grammar is not installed: PowerShell syntax not checked (run `make check-powershell`)")
	}
	var cmds []string
	for i := range datasets {
		msg := datasets[i].exportCommand("C:\\exports\\contoso")
		if parts := strings.Split(msg, "`"); len(parts) == 3 {
			cmds = append(cmds, parts[1])
		} else if !datasets[i].entra {
			t.Errorf("%s: no command in %q", datasets[i].name, msg)
		}
	}
	for _, part := range strings.Split(csvHint, "`") {
		if strings.Contains(part, "Get-Mailbox -ResultSize") {
			cmds = append(cmds, part)
		}
	}
	if len(cmds) != 16 {
		t.Fatalf("%d commands collected, want 14 cmdlets + 2 from the CSV hint", len(cmds))
	}
	generated := filepath.Join(t.TempDir(), "printed-commands.ps1")
	if err := os.WriteFile(generated, []byte(strings.Join(cmds, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scripts, err := filepath.Glob(filepath.Join(root, "scripts", "*.ps1"))
	if err != nil || len(scripts) < 2 {
		t.Fatalf("scripts: %v %v", scripts, err)
	}
	args := append([]string{filepath.Join(root, "scripts", "check-powershell.mjs")}, append(scripts, generated)...)
	out, err := exec.CommandContext(t.Context(), node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("PowerShell syntax errors:\n%s", out)
	}
	if n := strings.Count(string(out), "ok "); n != len(scripts)+1 {
		t.Errorf("checked %d files, want %d:\n%s", n, len(scripts)+1, out)
	}
}
