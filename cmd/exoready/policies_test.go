package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/exoready/exoready/evaluate"
)

const customRuleExample = "../../docs/custom-rule-example"

// TestRulesDocIsCurrent keeps docs/rules.md equal to what `exoready
// policies doc` writes for the embedded pack (go test -update rewrites it).
func TestRulesDocIsCurrent(t *testing.T) {
	code, stdout, stderr := run(t, "policies", "doc")
	if code != exitOK || !strings.HasPrefix(stdout, "# Rule catalog") {
		t.Fatalf("policies doc: exit %d\n%s", code, stderr)
	}
	for _, id := range []string{"## EXR-GOV-001", "## EXR-WB-003", "toggle_max_principals:", "[U]"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("the catalog lacks %q", id)
		}
	}
	out := filepath.Join(t.TempDir(), "rules.md")
	if code, _, stderr := run(t, "policies", "doc", "--out", out); code != exitOK {
		t.Fatalf("policies doc --out: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, []byte(stdout)) {
		t.Error("--out wrote other bytes than stdout")
	}
	compareGolden(t, "../../docs/rules.md", []byte(stdout))
}

// TestCustomRuleExample runs the documented example through the CLI: its
// tests pass, it joins the catalog, and it judges the demo tenant.
func TestCustomRuleExample(t *testing.T) {
	code, stdout, stderr := run(t, "policies", "test", "--policy", customRuleExample, "--verbose")
	if code != exitOK || !strings.Contains(stdout, "PASS data.acme.cost_centre_test.test_cloud_managed_without_cost_centre_fails") {
		t.Fatalf("policies test --policy: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "policies", "list", "--policy", customRuleExample)
	if code != exitOK || !strings.Contains(stdout, "ACME-MBX-001") {
		t.Fatalf("policies list --policy: exit %d\n%s", code, stdout)
	}
	out := t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--policy", customRuleExample, "--out", out, "--format", "json"); code != exitFindings {
		t.Fatalf("scan with the example: exit %d: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range rep.Findings {
		if f.RuleID == "ACME-MBX-001" && f.Status == evaluate.StatusFail {
			names = append(names, f.Object.DisplayName)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "Customer Support,IT Service Desk,Room Atlas (12)" {
		t.Errorf("the example failed on %v, want the three cloud-managed mailboxes without a cost centre", names)
	}
}

// TestDemoShowsPermissionsWaiversAndReadiness is what the demo must show:
// the toggle-permission chains, a waived finding, an expired waiver, a
// stale waiver, and mailboxes ready, waiting and blocked.
func TestDemoShowsPermissionsWaiversAndReadiness(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--out", out, "--format", "json"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	chains := 0
	for _, row := range rep.Inventory.Sections["toggle_principals"] {
		if via, ok := row["via"].([]any); ok && len(via) >= 3 {
			chains++
		}
	}
	if chains == 0 {
		t.Error("no toggle principal with a nested grant chain (role group → group → user)")
	}
	var waived, expired, stale bool
	for _, f := range rep.Findings {
		switch {
		case f.Status == evaluate.StatusWaived && f.Waiver != nil && !f.Waiver.Expired:
			waived = true
		case f.Status == evaluate.StatusFail && f.Waiver != nil && f.Waiver.Expired && strings.Contains(f.Message, "expired"):
			expired = true
		case f.RuleID == evaluate.WaiverRuleID && f.Status == evaluate.StatusFail:
			stale = true
		}
	}
	if !waived || !expired || !stale {
		t.Errorf("waived %t, expired %t, stale %t: the demo waivers must show all three", waived, expired, stale)
	}
	states := rep.Summary.Verdicts.Flip.ByState
	if states[evaluate.ReadyNow] == 0 || states[evaluate.ReadyWait] == 0 || states[evaluate.ReadyBlocked] == 0 {
		t.Errorf("readiness %v: the demo must have mailboxes ready, waiting and blocked", states)
	}
	found := false
	for _, f := range rep.Inputs.Files {
		found = found || f.Source == "waivers"
	}
	if !found {
		t.Error("the demo waivers are not in the evidence manifest")
	}
}

func TestWaiversFromFlagAndConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.yaml", "waivers:\n  - id: W-1\n    rule: EXR-GOV-002\n    object: tenant\n    reason: r\n    owner: o\n    expires: soon\n")
	code, _, stderr := run(t, "scan", "--demo", "--out", dir, "--waivers", bad)
	if code != exitUsage || !strings.Contains(stderr, "bad.yaml:2: expires \"soon\" is not a date") {
		t.Fatalf("malformed waivers: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--out", dir, "--waivers", filepath.Join(dir, "none.yaml")); code != exitUsage || !strings.Contains(stderr, "none.yaml") {
		t.Fatalf("missing waivers file: exit %d: %s", code, stderr)
	}
	// Inline in scan.yaml; it replaces the demo's own waivers.
	cfg := write("scan.yaml", "waivers:\n  - {id: W-9, rule: EXR-GOV-002, object: tenant, reason: accepted, owner: sec, expires: 2099-12-31}\n")
	out := filepath.Join(dir, "inline")
	if code, _, stderr := run(t, "scan", "--demo", "--config", cfg, "--out", out, "--format", "json"); code != exitFindings {
		t.Fatalf("inline waivers: exit %d: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]evaluate.Status{}
	for _, f := range rep.Findings {
		if f.Waiver != nil {
			ids[f.Waiver.ID] = f.Status
		}
	}
	if len(ids) != 1 || ids["W-9"] != evaluate.StatusWaived {
		t.Errorf("waivers applied %v, want only the inline W-9", ids)
	}
}

// TestPolicyBundles scans with the example packed as a signed OPA bundle.
func TestPolicyBundles(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "acme-public.pem")
	if err := os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	b := bundle.Bundle{Data: map[string]any{}}
	for _, name := range []string{"cost_centre.rego", "cost_centre_test.rego"} {
		raw, err := os.ReadFile(filepath.Join(customRuleExample, name))
		if err != nil {
			t.Fatal(err)
		}
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: raw})
	}
	private := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if err := b.GenerateSignature(bundle.NewSigningConfig(private, "ES256", ""), "default", false); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "acme.tar.gz")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	if err := bundle.NewWriter(f).Write(b); err != nil {
		t.Fatal(err)
	}
	f.Close()

	code, stdout, stderr := run(t, "policies", "test", "--policy", archive, "--policy-verification-key", pub, "--policy-signing-alg", "ES256")
	if code != exitOK || !strings.Contains(stdout, " 0 failed") {
		t.Fatalf("policies test with the bundle: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr = run(t, "scan", "--demo", "--policy", archive, "--policy-verification-key", pub, "--policy-signing-alg", "ES256", "--out", out, "--format", "json")
	if code != exitFindings {
		t.Fatalf("scan with the bundle: exit %d: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.PolicyPack.Sources, " "), "acme.tar.gz") {
		t.Errorf("policy pack sources %v lack the bundle", rep.PolicyPack.Sources)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--policy", archive, "--out", out); code != exitUsage || !strings.Contains(stderr, "--policy-verification-key") {
		t.Fatalf("signed bundle without a key: exit %d: %s", code, stderr)
	}
	otherKey := filepath.Join(dir, "other.pem")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherDER, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	if err := os.WriteFile(otherKey, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: otherDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--policy", archive, "--policy-verification-key", otherKey, "--policy-signing-alg", "ES256", "--out", out); code != exitUsage {
		t.Fatalf("bundle signed by another key: exit %d: %s", code, stderr)
	}
}
