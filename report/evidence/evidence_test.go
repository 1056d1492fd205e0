package evidence_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/report"
	"github.com/exoready/exoready/report/evidence"
)

// scan writes a small findings.json, a snapshot and a report into a fresh
// folder with the manifest (signed when key is set), the way a scan does.
func scan(t *testing.T, key ed25519.PrivateKey) (dir string, inputs string) {
	t.Helper()
	dir, inputs = t.TempDir(), t.TempDir()
	snap := []byte(`{"schema_version":1}` + "\n")
	snapSum := sha256hex(snap)
	ldif := filepath.Join(inputs, "corp.ldif")
	writeFile(t, ldif, "dn: DC=corp,DC=example,DC=test\n")
	ldifSum, n, err := fileio.HashFile(ldif)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	rep := &evaluate.Report{
		SchemaVersion: evaluate.FindingsSchemaVersion, Tool: evaluate.Tool{Name: "exoready", Version: "test"}, ScanID: "0011223344556677",
		Timings:    evaluate.Timings{StartedAt: at, FinishedAt: at, Phases: map[string]int64{}},
		Inputs:     evaluate.Inputs{Snapshot: evaluate.SnapshotRef{SHA256: snapSum, Bytes: int64(len(snap)), SchemaVersion: 1}, Files: []evaluate.InputFile{{Source: "ad", Path: ldif, SHA256: ldifSum, Bytes: n}}, Sources: map[string]evaluate.SourceRef{}},
		PolicyPack: evaluate.PolicyPack{Version: "1", SHA256: "pack", Sources: []string{"embedded"}},
		Complete:   true,
		Findings: []evaluate.Finding{{
			UID: evaluate.FindingUID("EXR-DEP-001", "m1", ""), RuleID: "EXR-DEP-001", Severity: "critical", Status: evaluate.StatusFail,
			Object: evaluate.Object{Type: "mailbox", ID: "m1"}, Message: "Victor Almeida is still hosted on-premises", Evidence: map[string]any{"database": "DB02"},
		}},
	}
	written, err := report.WriteFiles(t.Context(), dir, []string{"json", "csv"}, rep, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "snapshot.json"), string(snap))
	m := evidence.NewManifest(rep)
	for _, w := range written {
		role := evidence.RoleReport
		if filepath.Base(w.Path) == "findings.json" {
			role = evidence.RoleFindings
		}
		if sha, n, err := fileio.HashFile(w.Path); err != nil || sha != w.SHA256 || n != w.Bytes {
			t.Fatalf("WriteFiles gave %s sha256 %s (%d bytes), the file has %s (%d bytes), %v", w.Path, w.SHA256, w.Bytes, sha, n, err)
		}
		if err := m.AddOutput(dir, w, role); err != nil {
			t.Fatal(err)
		}
	}
	snapOut := fileio.Written{Path: filepath.Join(dir, "snapshot.json"), SHA256: snapSum, Bytes: int64(len(snap))}
	if err := m.AddOutput(dir, snapOut, evidence.RoleSnapshot); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Write(dir, key); err != nil {
		t.Fatal(err)
	}
	return dir, inputs
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func verify(t *testing.T, dir string, pub ed25519.PublicKey, inputs string) *evidence.Result {
	t.Helper()
	res, err := evidence.Verify(evidence.VerifyOptions{Findings: filepath.Join(dir, "findings.json"), PublicKey: pub, InputsDir: inputs})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func failures(r *evidence.Result) string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Status == evidence.CheckFailed {
			b.WriteString(c.Item + ": " + c.Detail + "\n")
		}
	}
	return b.String()
}

func TestSignedScanVerifies(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	dir, inputs := scan(t, key)
	res := verify(t, dir, pub, inputs)
	if !res.OK() || !res.Authenticated {
		t.Fatalf("a fresh signed scan does not verify:\n%s", failures(res))
	}
	// findings, csv, snapshot, the LDIF input, the signature: all checked.
	if got := res.Count(evidence.CheckOK); got != 5 {
		t.Errorf("%d checks ok, want 5: %+v", got, res.Checks)
	}
	// Without the inputs at hand they are reported, not failed.
	res = verify(t, dir, pub, t.TempDir())
	if !res.OK() || res.Count(evidence.CheckMissing) != 0 {
		// the LDIF is still found at its recorded (absolute) path
		t.Fatalf("recorded path fallback: %+v", res.Checks)
	}
	os.Remove(filepath.Join(inputs, "corp.ldif"))
	res = verify(t, dir, pub, "")
	if !res.OK() || res.Count(evidence.CheckMissing) != 1 {
		t.Fatalf("a missing input must be reported, not fail: %+v", res.Checks)
	}
}

// TestTamperingIsDetected flips every byte of findings.json, of the
// manifest and of the signature in turn: each must fail verification.
func TestTamperingIsDetected(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	dir, inputs := scan(t, key)
	for _, name := range []string{"findings.json", evidence.ManifestName, evidence.SignatureName} {
		p := filepath.Join(dir, name)
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range orig {
			bad := bytes.Clone(orig)
			bad[i] ^= 0x01
			if err := os.WriteFile(p, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if res := verify(t, dir, pub, inputs); res.OK() {
				t.Fatalf("%s with byte %d flipped verifies", name, i)
			}
		}
		// Truncated and extended files too.
		for _, bad := range [][]byte{orig[:len(orig)-1], append(bytes.Clone(orig), '\n')} {
			os.WriteFile(p, bad, 0o644)
			if res := verify(t, dir, pub, inputs); res.OK() {
				t.Fatalf("%s truncated or extended verifies", name)
			}
		}
		if err := os.WriteFile(p, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if res := verify(t, dir, pub, inputs); !res.OK() {
		t.Fatalf("restored files do not verify:\n%s", failures(res))
	}

	// Another key, a removed signature, an edited output, an edited input.
	if res := verify(t, dir, newKey(t).Public().(ed25519.PublicKey), inputs); res.OK() || !strings.Contains(failures(res), "the manifest names signing key") {
		t.Errorf("another key verifies:\n%s", failures(res))
	}
	csv := filepath.Join(dir, "findings.csv")
	orig, _ := os.ReadFile(csv)
	os.WriteFile(csv, append(orig, "x"...), 0o644)
	if res := verify(t, dir, pub, inputs); res.OK() || !strings.Contains(failures(res), "findings.csv") {
		t.Errorf("an edited report verifies:\n%s", failures(res))
	}
	os.WriteFile(csv, orig, 0o644)
	writeFile(t, filepath.Join(inputs, "corp.ldif"), "dn: DC=other\n")
	// Found at its recorded path, a replaced input is reported, not failed:
	// a nightly export overwrites last night's.
	if res := verify(t, dir, pub, ""); !res.OK() || res.Count(evidence.CheckChanged) != 1 {
		t.Errorf("an input replaced at its recorded path: %+v", res.Checks)
	}
	// Handed over with --inputs, it must match.
	handed := t.TempDir()
	writeFile(t, filepath.Join(handed, "corp.ldif"), "dn: DC=other\n")
	if res := verify(t, dir, pub, handed); res.OK() || !strings.Contains(failures(res), "input ad") {
		t.Errorf("an edited input handed over verifies:\n%s", failures(res))
	}
	os.Remove(filepath.Join(inputs, "corp.ldif"))
	os.Remove(filepath.Join(dir, evidence.SignatureName))
	if res := verify(t, dir, pub, inputs); res.OK() || !strings.Contains(failures(res), "is missing") {
		t.Errorf("a removed signature verifies:\n%s", failures(res))
	}
	// Without a trusted key the unsigned scan is consistent, not authenticated.
	if res := verify(t, dir, nil, inputs); !res.OK() || res.Authenticated || res.Count(evidence.CheckSkipped) != 1 {
		t.Errorf("unsigned check: %+v", res)
	}
}

func TestUnsignedManifestRewriteRemovesOldSignature(t *testing.T) {
	key := newKey(t)
	dir, _ := scan(t, key)
	m := &evidence.Manifest{ManifestVersion: evidence.ManifestVersion}
	if _, err := m.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, evidence.SignatureName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an unsigned rerun left the old signature: %v", err)
	}
}

func TestKeyFormats(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t)
	seed := key.Seed()
	pub := key.Public().(ed25519.PublicKey)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkix, _ := x509.MarshalPKIXPublicKey(pub)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	pemOf := func(typ string, b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }

	privOK := map[string]string{
		"pkcs8.pem": pemOf("PRIVATE KEY", pkcs8),
		"seed.bin":  string(seed),
		"seed.hex":  hex.EncodeToString(seed) + "\n",
		"seed.b64":  base64.StdEncoding.EncodeToString(seed) + "\n",
	}
	for name, content := range privOK {
		p := filepath.Join(dir, name)
		writeFile(t, p, content)
		got, err := evidence.LoadPrivateKey(p)
		if err != nil || !got.Equal(key) {
			t.Errorf("%s: %v", name, err)
		}
	}
	pubOK := map[string]string{
		"pub.pem": pemOf("PUBLIC KEY", pkix),
		"pub.hex": hex.EncodeToString(pub),
		"pub.b64": base64.StdEncoding.EncodeToString(pub),
	}
	for name, content := range pubOK {
		p := filepath.Join(dir, name)
		writeFile(t, p, content)
		got, err := evidence.LoadPublicKey(p)
		if err != nil || !got.Equal(pub) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := []struct {
		name, content string
		load          func(string) error
		want          string
	}{
		{"ec.pem", pemOf("PRIVATE KEY", ecDER), loadPriv, "holds a ECDSA key, not Ed25519"},
		{"enc.pem", pemOf("ENCRYPTED PRIVATE KEY", []byte{1}), loadPriv, "is encrypted"},
		{"pub-as-priv.pem", pemOf("PUBLIC KEY", pkix), loadPriv, "is a public key"},
		{"garbage", "not a key at all", loadPriv, "neither a PEM PKCS#8 Ed25519 key nor a 32-byte seed"},
		{"priv-as-pub.pem", pemOf("PRIVATE KEY", pkcs8), loadPub, "is a private key"},
		{"short.hex", hex.EncodeToString(pub[:31]), loadPub, "neither a PEM Ed25519 public key"},
	}
	for _, tc := range bad {
		p := filepath.Join(dir, tc.name)
		writeFile(t, p, tc.content)
		err := tc.load(p)
		if err == nil || !errors.Is(err, evidence.ErrKey) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want ErrKey naming the file and %q", tc.name, err, tc.want)
		}
		// A key's content never appears in a message.
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(strings.Split(tc.content, "\n")[0])) && !strings.HasPrefix(tc.content, "-----") {
			t.Errorf("%s: message quotes the file: %v", tc.name, err)
		}
	}
}

func loadPriv(p string) error { _, err := evidence.LoadPrivateKey(p); return err }
func loadPub(p string) error  { _, err := evidence.LoadPublicKey(p); return err }

// TestOpenSSLInterop signs with a key openssl made and checks the
// signature with openssl, as docs/evidence.md tells auditors to.
func TestOpenSSLInterop(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	tmp := t.TempDir()
	keyPath, pubPath := filepath.Join(tmp, "exoready-sign.pem"), filepath.Join(tmp, "exoready-sign.pub.pem")
	for _, args := range [][]string{
		{"genpkey", "-algorithm", "ed25519", "-out", keyPath},
		{"pkey", "-in", keyPath, "-pubout", "-out", pubPath},
	} {
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	key, err := evidence.LoadPrivateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := evidence.LoadPublicKey(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	dir, inputs := scan(t, key)
	if res := verify(t, dir, pub, inputs); !res.OK() || !res.Authenticated {
		t.Fatalf("openssl key: %s", failures(res))
	}
	cmd := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", pubPath, "-rawin",
		"-in", filepath.Join(dir, evidence.ManifestName), "-sigfile", filepath.Join(dir, evidence.SignatureName))
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Fatalf("openssl pkeyutl -verify: %v\n%s", err, out)
	}
}
