package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/exoready/exoready/evaluate"
)

// hostileCase is one entry of fixtures/hostile/cases.yaml: a malformed or
// odd input, the command it goes through, and what exoready must do.
type hostileCase struct {
	Name    string `yaml:"name"`
	What    string `yaml:"what"`
	Outcome string `yaml:"outcome"`
	// Command is scan (default), evaluate or report.
	Command string `yaml:"command"`
	// Generate names input written by the test (too big to commit).
	Generate string `yaml:"generate"`
	Exit     int    `yaml:"exit"`
	// Stderr parts the error message must hold (file, line, what to do).
	Stderr []string `yaml:"stderr"`
	// Errors are rule ids with a part of their "not assessed" message.
	Errors map[string]string `yaml:"errors"`
	// NotPass are rules that must not pass on this input.
	NotPass []string `yaml:"not_pass"`
	// Contains are texts findings.json must hold (names kept intact).
	Contains []string `yaml:"contains"`
	// Formulas: the workbook and CSV must hold no formula.
	Formulas bool `yaml:"formulas"`
}

var (
	hostileDir = filepath.Join("..", "..", "fixtures", "hostile")
	exoPS7     = filepath.Join("..", "..", "fixtures", "exo", "ps7")
)

func hostileCases(t *testing.T) []hostileCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(hostileDir, "cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []hostileCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("cases.yaml: %v", err)
	}
	return doc.Cases
}

// TestHostileInputCorpus walks fixtures/hostile through the real command
// lines: every case ends in a clear error naming the place, or a handled
// error finding; none crashes, none leaves a half-written file, none lets
// the rule it starves pass.
func TestHostileInputCorpus(t *testing.T) {
	cases := hostileCases(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "hostile-input.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := os.ReadDir(hostileDir)
	listed := map[string]bool{"base": true}
	for _, c := range cases {
		listed[c.Name] = true
		if !bytes.Contains(doc, []byte("`"+c.Name+"`")) {
			t.Errorf("case %s is not in docs/hostile-input.md", c.Name)
		}
	}
	for _, d := range dirs {
		if d.IsDir() && !listed[d.Name()] {
			t.Errorf("fixtures/hostile/%s is in no case of cases.yaml", d.Name())
		}
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if tc.Generate == "fifty-mb-line" && testing.Short() {
				t.Skip("50 MB input skipped in -short")
			}
			tc.run(t)
		})
	}
}

func (tc hostileCase) run(t *testing.T) {
	work := t.TempDir()
	caseDir := filepath.Join(work, "case")
	if err := os.CopyFS(caseDir, os.DirFS(filepath.Join(hostileDir, tc.Name))); err != nil && tc.Generate == "" {
		t.Fatal(err)
	}
	if tc.Generate != "" {
		generateHostile(t, tc.Generate, caseDir)
	}
	out := filepath.Join(work, "out")
	var args []string
	switch tc.Command {
	case "", "scan":
		exoDir := filepath.Join(work, "exo")
		if err := os.CopyFS(exoDir, os.DirFS(exoPS7)); err != nil {
			t.Fatal(err)
		}
		if over := filepath.Join(caseDir, "exo"); exists(over) {
			copyOver(t, over, exoDir) // os.CopyFS never overwrites
		}
		base := filepath.Join(hostileDir, "base")
		args = []string{"scan", "--exo-export", exoDir, "--ad-ldif", filepath.Join(base, "config.ldif"),
			"--ad-ldif", filepath.Join("..", "..", "fixtures", "ldap", "50-recipients.ldif"), "--format", "json,xlsx,csv"}
		if p := filepath.Join(caseDir, "ad.ldif"); exists(p) {
			args = append(args, "--ad-ldif", p)
		}
		facts := filepath.Join(base, "facts.yaml")
		if p := filepath.Join(caseDir, "facts.yaml"); exists(p) {
			facts = p
		}
		args = append(args, "--facts", facts)
		if p := filepath.Join(caseDir, "scan.yaml"); exists(p) {
			args = append(args, "--config", p)
		}
		if p := filepath.Join(caseDir, "waivers.yaml"); exists(p) {
			args = append(args, "--waivers", p)
		}
	case "evaluate":
		args = []string{"evaluate", filepath.Join(caseDir, "snapshot.json"), "--format", "json"}
	case "report":
		args = []string{"report", filepath.Join(caseDir, "findings.json"), "--format", "json"}
	default:
		t.Fatalf("unknown command %q", tc.Command)
	}
	args = append(args, "--out", out, "--log-format", "json")
	code, _, stderr := run(t, args...)
	t.Logf("exit %d; stderr ends:\n%s", code, tail(stderr, 700))
	if code != tc.Exit {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.Exit, tail(stderr, 2000))
	}
	for _, s := range tc.Stderr {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, tail(stderr, 2000))
		}
	}
	noPartialFiles(t, out)
	findings := filepath.Join(out, "findings.json")
	if !exists(findings) {
		if len(tc.Errors)+len(tc.NotPass)+len(tc.Contains) > 0 || tc.Formulas {
			t.Fatalf("no findings.json; stderr:\n%s", tail(stderr, 2000))
		}
		return
	}
	rep, err := evaluate.ReadReportFile(findings)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Status == evaluate.StatusError {
			t.Logf("error finding %s: %s", f.RuleID, f.Message)
		}
	}
	for rule, part := range tc.Errors {
		found := false
		for _, f := range rep.Findings {
			if f.RuleID == rule && f.Status == evaluate.StatusError && strings.Contains(f.Message, part) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error finding of %s saying %q; %s", rule, part, ruleSummary(rep, rule))
		}
	}
	for _, rule := range tc.NotPass {
		for _, r := range rep.Rules {
			if r.ID == rule && r.Status == evaluate.StatusPass {
				t.Errorf("%s passes on this input", rule)
			}
		}
	}
	raw, _ := os.ReadFile(findings)
	for _, s := range tc.Contains {
		if !bytes.Contains(raw, []byte(s)) {
			t.Errorf("findings.json lacks %q", s)
		}
	}
	if tc.Formulas {
		noFormulas(t, filepath.Join(out, "report.xlsx"), filepath.Join(out, "findings.csv"))
	}
	if tc.Generate == "hundred-k-values" {
		// Every value reached the snapshot.
		var snap struct {
			AD struct {
				Groups []struct {
					DisplayName string   `json:"display_name"`
					Members     []string `json:"members"`
				} `json:"groups"`
			} `json:"ad"`
		}
		readJSON(t, filepath.Join(out, "snapshot.json"), &snap)
		n := -1
		for _, g := range snap.AD.Groups {
			if g.DisplayName == "Everyone Ever" {
				n = len(g.Members)
			}
		}
		if n != 100_000 {
			t.Errorf("the group has %d members in the snapshot, want 100000", n)
		}
	}
}

func ruleSummary(rep *evaluate.Report, rule string) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		if f.RuleID == rule {
			fmt.Fprintf(&b, "\n  %s %s", f.Status, f.Message)
		}
	}
	return "its findings:" + b.String()
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func copyOver(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// noPartialFiles: an output folder holds finished files only, never the
// temporary files WriteAtomic renames into place.
func noPartialFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left in the output folder: %s", e.Name())
		}
	}
}

var formulaStart = regexp.MustCompile(`^[=+\-@\t\r]`)

// noFormulas: the workbook has no formula cell and no CSV cell starts with
// a character a spreadsheet would evaluate.
func noFormulas(t *testing.T, xlsx, csvPath string) {
	t.Helper()
	zr, err := zip.OpenReader(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(data, []byte("<f>")) || bytes.Contains(data, []byte("<f ")) {
			t.Errorf("%s: %s holds a formula", xlsx, f.Name)
		}
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		for j, c := range r {
			if formulaStart.MatchString(c) {
				t.Errorf("findings.csv record %d column %d starts like a formula: %q", i+1, j+1, c)
			}
		}
	}
}

// generateHostile writes the cases too big to commit.
func generateHostile(t *testing.T, kind, dir string) {
	t.Helper()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const depth = 200_000
	switch kind {
	case "fifty-mb-line":
		// Get-Mailbox as ConvertTo-Json -Compress writes it (one line),
		// with a 50 MB property exoready does not read.
		var mbx []map[string]json.RawMessage
		data, err := os.ReadFile(filepath.Join(exoPS7, "Get-Mailbox.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &mbx); err != nil {
			t.Fatal(err)
		}
		mbx[0]["Notes"] = json.RawMessage(`"` + strings.Repeat("x", 50<<20) + `"`)
		line, err := json.Marshal(mbx)
		if err != nil {
			t.Fatal(err)
		}
		write("exo/Get-Mailbox.json", line)
	case "deep-export":
		write("exo/Get-OrganizationConfig.json", []byte(`{"Name": "Fabrikam Lab", "Deep": `+strings.Repeat("[", depth)+strings.Repeat("]", depth)+"}"))
	case "deep-snapshot":
		write("snapshot.json", []byte(`{"schema_version": 1, "collected_at": "2026-11-20T08:00:00Z", "ad": `+strings.Repeat(`{"a": [`, depth/2)+strings.Repeat("]}", depth/2)+"}"))
	case "hundred-k-values":
		var b strings.Builder
		b.WriteString("dn: CN=Everyone Ever,OU=Groups,DC=corp,DC=example,DC=test\nobjectClass: group\nsAMAccountName: everyone\ngroupType: 8\n" +
			"mail: everyone@corp.example.test\nmailNickname: everyone\nproxyAddresses: SMTP:everyone@corp.example.test\nmsExchRecipientTypeDetails: 256\n" +
			"displayName: Everyone Ever\nmsDS-ExternalDirectoryObjectId: Group_5e1f0000-0000-4000-8000-000000100000\n")
		for i := range 100_000 {
			fmt.Fprintf(&b, "member: CN=User %06d,OU=Bulk,DC=corp,DC=example,DC=test\n", i)
		}
		write("ad.ldif", []byte(b.String()))
	default:
		t.Fatalf("unknown generator %q", kind)
	}
}
