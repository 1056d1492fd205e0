package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/report/evidence"
)

// signingKey writes a fresh Ed25519 key as PEM PKCS#8 (what openssl
// genpkey writes) and its public key as PEM PKIX.
func signingKey(t *testing.T, dir string) (keyPath, pubPath string, key ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	keyPath, pubPath = filepath.Join(dir, "sign.pem"), filepath.Join(dir, "sign.pub.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyPath, pubPath, key
}

// tenant is the saved snapshot a scheduled job evaluates: the same path,
// whose content changes between runs as the tenant does.
type tenant struct {
	t    *testing.T
	path string
}

func (tn tenant) becomes(fixture string) {
	tn.t.Helper()
	data, err := fs.ReadFile(fixtures.Snapshots(), fixture)
	if err != nil {
		tn.t.Fatal(err)
	}
	if err := os.WriteFile(tn.path, data, 0o644); err != nil {
		tn.t.Fatal(err)
	}
}

func readReport(t *testing.T, dir string) *evaluate.Report {
	t.Helper()
	r, err := evaluate.ReadReportFile(filepath.Join(dir, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// expectedCounts derives the change counts from the two reports' open
// findings as sets, independently of evaluate.Diff.
func expectedCounts(base, cur *evaluate.Report) evaluate.ChangeCounts {
	before, after := openFindings(base), openFindings(cur)
	var c evaluate.ChangeCounts
	for uid, f := range after {
		b, ok := before[uid]
		switch {
		case !ok:
			c.New++
		case b.Status != f.Status || b.Severity != f.Severity:
			c.Changed++
			c.StillOpen++
		default:
			c.StillOpen++
		}
	}
	for uid := range before {
		if _, ok := after[uid]; !ok {
			c.Resolved++
		}
	}
	return c
}

func openFindings(r *evaluate.Report) map[string]evaluate.Finding {
	m := map[string]evaluate.Finding{}
	for _, f := range r.Findings {
		if evaluate.IsOpen(f.Status) {
			m[f.UID] = f
		}
	}
	return m
}

// TestScheduledScansOfAChangingTenant runs the nightly job of
// docs/scheduling.md four times over a tenant that degrades, stays, then
// recovers, and checks the diff, the exit codes with and without
// --fail-on-new, the signed evidence and that tampering is caught.
func TestScheduledScansOfAChangingTenant(t *testing.T) {
	work := t.TempDir()
	keyPath, pubPath, key := signingKey(t, work)
	tn := tenant{t, filepath.Join(work, "tenant.json")}
	out := func(n string) string { return filepath.Join(work, "runs", n) }
	scan := func(dir, baseline string, extra ...string) (int, string) {
		t.Helper()
		args := append([]string{"evaluate", tn.path, "--out", dir, "--format", "json,xlsx,markdown,sarif",
			"--baseline", baseline, "--sign-key", keyPath, "--log-format", "json"}, extra...)
		code, stdout, stderr := run(t, args...)
		if stdout != "" {
			t.Errorf("scan wrote to stdout: %q", stdout)
		}
		return code, stderr
	}

	// Night 1: a ready tenant, no baseline yet.
	tn.becomes("ready.json")
	code, stderr := scan(out("1"), filepath.Join(out("0"), "findings.json"), "--fail-on-new")
	if code != exitOK || !strings.Contains(stderr, "baseline does not exist yet") {
		t.Fatalf("night 1: exit %d, want 0 with a first-run warning:\n%s", code, stderr)
	}
	r1 := readReport(t, out("1"))
	if r1.Changes != nil || !r1.Summary.Verdicts.Decommission.Ready {
		t.Fatalf("night 1: changes %v, verdict %q", r1.Changes, r1.Summary.Verdicts.Decommission.Text)
	}

	// Night 2: cloud-managed by default switched on too early, a mailbox
	// back on-prem, sync stalled. Everything open is new; both gates fire.
	tn.becomes("premature-default.json")
	code, stderr = scan(out("2"), filepath.Join(out("1"), "findings.json"))
	if code != exitFindings {
		t.Fatalf("night 2 without --fail-on-new: exit %d, want 3:\n%s", code, stderr)
	}
	code, stderr = scan(out("2"), filepath.Join(out("1"), "findings.json"), "--fail-on-new")
	if code != exitFindings || !strings.Contains(stderr, "new finding") {
		t.Fatalf("night 2 with --fail-on-new: exit %d, want 3:\n%s", code, stderr)
	}
	r2 := readReport(t, out("2"))
	open2 := openFindings(r2)
	c := r2.Changes
	if c == nil || c.Counts != expectedCounts(r1, r2) || c.Counts.New == 0 {
		t.Fatalf("night 2 changes: %+v, want %+v", c, expectedCounts(r1, r2))
	}
	onprem := evaluate.FindingUID("EXR-DEP-001", "c3f69c4f-c99b-4763-be8b-e642cfec89d3", "")
	if f, ok := open2[onprem]; !ok || f.Severity != "critical" || !strings.Contains(f.Object.DisplayName, "Oskar Berg") {
		t.Fatalf("night 2: the on-prem mailbox of Oskar Berg is not a critical failure: %+v", f)
	}
	if c.Entries[0].UID != onprem || c.Entries[0].Kind != evaluate.ChangeNew {
		t.Errorf("night 2: first change %+v, want the new critical EXR-DEP-001", c.Entries[0])
	}
	if c.Baseline.ScanID != readReport(t, out("1")).ScanID || c.Baseline.SHA256 != sha256File(t, filepath.Join(out("1"), "findings.json")) {
		t.Errorf("night 2: baseline ref %+v does not name night 1's findings.json", c.Baseline)
	}
	if !bytes.Equal(readFile(t, filepath.Join(out("2"), baselineCopyName)), readFile(t, filepath.Join(out("1"), "findings.json"))) {
		t.Error("night 2: baseline.json is not a copy of night 1's findings.json")
	}
	if !containsRow(splitLines(stderr), `"event":"finding_new"`, onprem) {
		t.Errorf("night 2: no finding_new log event for %s:\n%s", onprem, stderr)
	}
	rows := sheetRows(t, filepath.Join(out("2"), "report.xlsx"), "Changes")
	if !containsRow(rows, "new", "EXR-DEP-001", "Oskar Berg") {
		t.Errorf("night 2: the workbook's Changes sheet lacks the new on-prem mailbox:\n%v", rows)
	}
	if md := string(readFile(t, filepath.Join(out("2"), "summary.md"))); !strings.Contains(md, "Changes since") {
		t.Errorf("night 2: summary.md does not report the changes:\n%s", md)
	}

	// Night 3: nothing changed. Only --fail-on-new stays quiet.
	code, stderr = scan(out("3"), filepath.Join(out("2"), "findings.json"))
	if code != exitFindings {
		t.Fatalf("night 3 without --fail-on-new: exit %d, want 3:\n%s", code, stderr)
	}
	code, stderr = scan(out("3"), filepath.Join(out("2"), "findings.json"), "--fail-on-new")
	if code != exitOK {
		t.Fatalf("night 3 with --fail-on-new: exit %d, want 0:\n%s", code, stderr)
	}
	if c := readReport(t, out("3")).Changes; c.Counts != (evaluate.ChangeCounts{StillOpen: len(open2)}) || len(c.Entries) != 0 || len(open2) == 0 {
		t.Fatalf("night 3 changes: %+v %v", c.Counts, c.Entries)
	}

	// Night 4: a partial export. Exit 4 whatever else, with or without
	// --fail-on-new and at any threshold.
	tn.becomes("partial.json")
	for _, extra := range [][]string{nil, {"--fail-on-new"}, {"--fail-on", "none"}} {
		if code, stderr := scan(out("4"), filepath.Join(out("3"), "findings.json"), extra...); code != exitPartial {
			t.Fatalf("night 4 %v: exit %d, want 4:\n%s", extra, code, stderr)
		}
	}

	// Night 5: the tenant recovered. Everything open on night 3 resolved.
	tn.becomes("ready.json")
	if code, stderr := scan(out("5"), filepath.Join(out("3"), "findings.json"), "--fail-on-new"); code != exitOK {
		t.Fatalf("night 5: exit %d:\n%s", code, stderr)
	}
	r5 := readReport(t, out("5"))
	if c := r5.Changes; c.Counts != expectedCounts(readReport(t, out("3")), r5) || c.Counts.Resolved == 0 {
		t.Fatalf("night 5 changes: %+v, want %+v", c.Counts, expectedCounts(readReport(t, out("3")), r5))
	}
	for _, e := range r5.Changes.Entries {
		if e.UID == onprem && e.Kind != evaluate.ChangeResolved {
			t.Errorf("night 5: the on-prem mailbox is %s, want resolved", e.Kind)
		}
	}

	// exoready diff says the same as the scan did.
	code, stdout, stderr := run(t, "diff", filepath.Join(out("1"), "findings.json"), filepath.Join(out("2"), "findings.json"))
	if code != exitOK || !strings.Contains(stdout, "NEW (") || !strings.Contains(stdout, "Oskar Berg") {
		t.Fatalf("diff: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, _ := run(t, "diff", filepath.Join(out("1"), "findings.json"), filepath.Join(out("2"), "findings.json"), "--fail-on", "critical"); code != exitFindings {
		t.Errorf("diff --fail-on critical: exit %d, want 3", code)
	}
	if code, _, _ := run(t, "diff", filepath.Join(out("2"), "findings.json"), filepath.Join(out("3"), "findings.json"), "--fail-on", "info"); code != exitOK {
		t.Errorf("diff of two equal nights --fail-on info: exit %d, want 0", code)
	}
	_, stdout, _ = run(t, "diff", filepath.Join(out("1"), "findings.json"), filepath.Join(out("2"), "findings.json"), "--format", "json")
	var asJSON evaluate.Changes
	if err := json.Unmarshal([]byte(stdout), &asJSON); err != nil || asJSON.Counts != r2.Changes.Counts || len(asJSON.Entries) != len(r2.Changes.Entries) {
		t.Errorf("diff --format json: %v %+v, want %+v", err, asJSON.Counts, r2.Changes.Counts)
	}

	// The signed evidence verifies, and tampering with any part fails.
	verify := func(args ...string) (int, string) {
		t.Helper()
		code, stdout, stderr := run(t, append([]string{"verify", filepath.Join(out("2"), "findings.json"), "--pub", pubPath, "--log-format", "json"}, args...)...)
		return code, stdout + stderr
	}
	// tenant.json holds night 5's data now: replaced since, not a failure.
	if code, text := verify(); code != exitOK || !strings.Contains(text, "signed by key "+evidence.KeyID(key.Public().(ed25519.PublicKey))) ||
		!hasLine(text, evidence.CheckChanged, "snapshot "+tn.path) {
		t.Fatalf("verify a signed scan: exit %d\n%s", code, text)
	}
	// An auditor hands over the inputs: night 2's snapshot matches, another does not.
	handed := filepath.Join(work, "handed")
	os.MkdirAll(handed, 0o755)
	tenant{t, filepath.Join(handed, "tenant.json")}.becomes("premature-default.json")
	if code, text := verify("--inputs", handed); code != exitOK || !hasLine(text, evidence.CheckOK, "snapshot ") {
		t.Fatalf("verify --inputs with the scan's snapshot: exit %d\n%s", code, text)
	}
	tenant{t, filepath.Join(handed, "tenant.json")}.becomes("ready.json")
	if code, text := verify("--inputs", handed); code != exitError || !hasLine(text, evidence.CheckFailed, "snapshot ") {
		t.Fatalf("verify --inputs with another snapshot: exit %d\n%s", code, text)
	}
	findings := filepath.Join(out("2"), "findings.json")
	orig := readFile(t, findings)
	for _, edit := range []func([]byte) []byte{
		func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"status": "fail"`), []byte(`"status": "pass"`), 1)
		},
		func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 0x20; return b },
		func(b []byte) []byte { return append(bytes.Clone(b), ' ') },
	} {
		writeFileT(t, findings, edit(orig))
		if code, text := verify(); code != exitError || !strings.Contains(text, "FAILED") {
			t.Fatalf("verify an edited findings.json: exit %d, want 1\n%s", code, text)
		}
	}
	writeFileT(t, findings, orig)
	sig := filepath.Join(out("2"), evidence.SignatureName)
	origSig := readFile(t, sig)
	bad := bytes.Clone(origSig)
	bad[7] ^= 0x01
	writeFileT(t, sig, bad)
	if code, text := verify(); code != exitError || !strings.Contains(text, "does not match") {
		t.Fatalf("verify with an edited signature: exit %d\n%s", code, text)
	}
	writeFileT(t, sig, origSig)
	// An editor who also rewrites the manifest's hash cannot re-sign it.
	writeFileT(t, findings, bytes.Replace(orig, []byte(`"status": "fail"`), []byte(`"status": "pass"`), 1))
	mp := filepath.Join(out("2"), evidence.ManifestName)
	m, err := evidence.ParseManifest(readFile(t, mp))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Files {
		if m.Files[i].Role == evidence.RoleFindings {
			m.Files[i].SHA256 = sha256File(t, findings)
		}
	}
	forged, _ := m.Marshal()
	writeFileT(t, mp, forged)
	if code, text := verify(); code != exitError || !strings.Contains(text, "does not match") {
		t.Fatalf("verify a re-hashed manifest: exit %d\n%s", code, text)
	}
	if code, _, _ := run(t, "verify", findings); code != exitOK {
		t.Errorf("without --pub the forged set is consistent (exit %d): only the key tells", code)
	}

	// The key never shows in logs or outputs.
	secrets := []string{hex.EncodeToString(key.Seed()), strings.Split(string(readFile(t, keyPath)), "\n")[1]}
	filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == keyPath {
			return err
		}
		data := readFile(t, p)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the signing key", p)
			}
		}
		return nil
	})
	for _, s := range secrets {
		if strings.Contains(stderr, s) {
			t.Error("stderr contains the signing key")
		}
	}
}

// TestNewerPolicySetGivesADiff re-judges a saved snapshot with an added
// site rule: its findings are new, nothing else changes.
func TestNewerPolicySetGivesADiff(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	snap := filepath.Join(first, "demo.json")
	writeFileT(t, snap, fixtures.DemoSnapshot())
	if code, _, stderr := run(t, "evaluate", snap, "--out", first, "--format", "json"); code != exitFindings {
		t.Fatalf("first evaluation: exit %d\n%s", code, stderr)
	}
	site := policyDir(t, `# METADATA
# title: Shared mailboxes are reviewed every quarter
# description: A site rule added after the first assessment.
# related_resources:
#   - ref: https://intranet.example.test/policies/shared-mailboxes
# custom:
#   id: SITE-SHR-001
#   severity: high
#   category: governance
#   requires: [joined]
#   remediation: Review the shared mailbox's owners and permissions.
package site.shared_review

checked := count(input.joined)

deny contains {
	"msg": sprintf("shared mailbox %s needs its quarterly review", [m.display_name]),
	"object": {"type": "mailbox", "id": m.id, "name": m.display_name},
} if {
	some m in input.joined
	m.kind == "shared"
}
`)
	code, _, stderr := run(t, "evaluate", snap, "--out", second, "--format", "json", "--policy", site,
		"--baseline", filepath.Join(first, "findings.json"), "--fail-on", "high", "--fail-on-new")
	if code != exitFindings {
		t.Fatalf("re-evaluation with the site rule: exit %d, want 3 (new high findings)\n%s", code, stderr)
	}
	c := readReport(t, second).Changes
	if c == nil || len(c.RulesAdded) != 1 || c.RulesAdded[0] != "SITE-SHR-001" || c.Counts.Resolved != 0 || c.Counts.Changed != 0 || c.Counts.New == 0 {
		t.Fatalf("changes: %+v", c)
	}
	for _, e := range c.Entries {
		if e.RuleID != "SITE-SHR-001" {
			t.Errorf("change %s %s on %s: only the added rule should change", e.Kind, e.RuleID, e.Object.ID)
		}
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "policy pack changed") {
		t.Errorf("warnings %v lack the policy pack change", c.Warnings)
	}
	if c.Counts.StillOpen != len(openFindings(readReport(t, first))) {
		t.Errorf("still open %d, want every finding of the first evaluation", c.Counts.StillOpen)
	}
}

func TestScanConfigScheduleKeys(t *testing.T) {
	dir := t.TempDir()
	keyPath, pubPath, _ := signingKey(t, dir)
	cfg := filepath.Join(dir, "scan.yaml")
	writeFileT(t, cfg, []byte("fail_on: high\nfail_on_new: true\nbaseline: last/findings.json\nsign_key: sign.pem\nformats: [json]\n"))
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !c.FailOnNew || c.SignKey != keyPath || c.Baseline != filepath.Join(dir, "last", "findings.json") {
		t.Fatalf("config %+v", c)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "scan", "--demo", "--config", cfg, "--out", out)
	// fail_on high + fail_on_new without a baseline: every finding is new.
	if code != exitFindings || !strings.Contains(stderr, "baseline does not exist yet") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, evidence.SignatureName)); err != nil {
		t.Fatalf("sign_key from scan.yaml did not sign: %v", err)
	}
	// The flag overrides the file.
	if code, _, stderr := run(t, "scan", "--demo", "--config", cfg, "--out", out, "--fail-on-new=false", "--baseline", filepath.Join(out, "findings.json")); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if code, _, _ := run(t, "scan", "--demo", "--config", cfg, "--out", out, "--baseline", filepath.Join(out, "findings.json")); code != exitOK {
		t.Fatalf("a rerun of the same tenant with fail_on_new: exit %d, want 0", code)
	}
	// The folder was its own baseline: baseline.json keeps the previous
	// findings.json, and the whole folder verifies.
	if code, stdout, stderr := run(t, "verify", filepath.Join(out, "findings.json"), "--pub", pubPath); code != exitOK ||
		!hasLine(stdout, evidence.CheckOK, baselineCopyName) {
		t.Fatalf("verify a folder that was its own baseline: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestScheduleBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	writeFileT(t, garbage, []byte("not a key"))
	notFindings := filepath.Join(dir, "snap.json")
	writeFileT(t, notFindings, []byte(`{"schema_version": 1, "collected_at": "2026-11-20T08:00:00Z"}`))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad key", []string{"scan", "--demo", "--out", dir, "--sign-key", garbage}, exitUsage, "neither a PEM PKCS#8 Ed25519 key"},
		{"baseline not findings", []string{"scan", "--demo", "--out", dir, "--baseline", notFindings}, exitUsage, "--baseline " + notFindings},
		{"diff one file", []string{"diff", notFindings}, exitUsage, "diff needs two findings files"},
		{"verify without manifest", []string{"verify", filepath.Join(dir, "nothing.json")}, exitError, "nothing.json"},
		{"verify with a garbage --pub", []string{"verify", notFindings, "--pub", garbage}, exitUsage, "--pub"},
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

func sheetRows(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func containsRow(rows [][]string, cells ...string) bool {
	for _, r := range rows {
		line := strings.Join(r, "\t")
		ok := true
		for _, c := range cells {
			ok = ok && strings.Contains(line, c)
		}
		if ok {
			return true
		}
	}
	return false
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFileT(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	sha, _, err := fileio.HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

func splitLines(s string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(s, "\n") {
		rows = append(rows, []string{l})
	}
	return rows
}

// hasLine tells whether a line of text starts with prefix and holds part.
func hasLine(text, prefix, part string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// TestRedactedReportDoesNotCopyAPlainBaseline: the copy of an unredacted
// baseline would put back every name the redacted report hides.
func TestRedactedReportDoesNotCopyAPlainBaseline(t *testing.T) {
	out := t.TempDir()
	stale := filepath.Join(out, baselineCopyName)
	writeFileT(t, stale, []byte(`{"from": "an earlier, unredacted run"}`))
	plain := &evaluate.Report{ScanID: "plain"}
	rep := &evaluate.Report{ScanID: "now", Redacted: true}
	o := evalOptions{Out: out, Baseline: &baseline{path: "old/findings.json", data: []byte("{}"), rep: plain}}
	m, err := writeEvidence(o, rep, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("baseline.json left beside a redacted report: %v", err)
	}
	for _, f := range m.Files {
		if f.Role == evidence.RoleBaseline {
			t.Errorf("the manifest lists a baseline copy: %+v", f)
		}
	}
	// A redacted baseline is copied as usual.
	plain.Redacted = true
	if _, err := writeEvidence(o, rep, nil, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, stale); string(got) != "{}" {
		t.Errorf("baseline.json = %q, want the redacted baseline's bytes", got)
	}
}
