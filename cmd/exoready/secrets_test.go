package main

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// secretRun is one run of the binary whose every trace is searched.
type secretRun struct {
	name    string
	env     []string
	args    []string
	cmdline []byte // /proc/<pid>/cmdline while it ran
	stdout  []byte
	stderr  []byte
	out     string
	code    int
}

func (r *secretRun) exec(t *testing.T, bin string, dt *drillTenant) {
	t.Helper()
	cmd := exec.Command(bin, r.args...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The process's argument list as every user of the machine can read it
	// (ps, /proc), taken while it talks to the tenant.
	var pid atomic.Int64
	var cmdline atomic.Value
	dt.mu.Lock()
	dt.onRequest = func(*http.Request) {
		if p := pid.Load(); p > 0 && cmdline.Load() == nil {
			if b, err := os.ReadFile("/proc/" + strconv.FormatInt(p, 10) + "/cmdline"); err == nil && len(b) > 0 {
				cmdline.Store(b)
			}
		}
	}
	dt.mu.Unlock()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	pid.Store(int64(cmd.Process.Pid))
	err := cmd.Wait()
	r.code = cmd.ProcessState.ExitCode()
	r.stdout, r.stderr = stdout.Bytes(), stderr.Bytes()
	if err != nil && r.code != exitFindings && r.code != exitPartial {
		t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
	}
	b, _ := cmdline.Load().([]byte)
	if len(b) == 0 {
		t.Fatal("the child's /proc/<pid>/cmdline was not read while it ran")
	}
	r.cmdline = b
}

// leaks lists where a secret shows, in any of the forms it could be
// written in (as is, JSON- or URL-escaped, base64).
func (r *secretRun) leaks(t *testing.T, secrets map[string]string) []string {
	t.Helper()
	places := map[string][]byte{"process arguments": r.cmdline, "stdout": r.stdout, "stderr (logs)": r.stderr}
	filepath.Walk(r.out, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			places[p] = data
		}
		return nil
	})
	var found []string
	for what, s := range secrets {
		forms := []string{s, url.QueryEscape(s), base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
		for where, data := range places {
			for _, f := range forms {
				if bytes.Contains(data, []byte(f)) {
					found = append(found, what+" in "+where)
					break
				}
			}
		}
	}
	return found
}

// TestSecretsNeverLeak runs scans with known secrets (the PFX password, the
// access token the tenant issues, the redaction key, and, against the test
// DC when EXOREADY_TEST_LDAP_URL is set, the LDAP password from the
// environment and from a file) with logs at trace level (debug and more),
// and searches every output file, stdout, the logs and the process
// arguments for them.
func TestSecretsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildExoready(t)
	dt := newDrillTenant(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pfx-password")
	writeFileT(t, pwFile, []byte(dt.pfxPass+"\n"))
	redactKey := "redact-key-" + randomHex(t, 16)
	facts := filepath.Join(hostileDir, "base", "facts.yaml")
	common := []string{"--cert-file", dt.pfxFile, "--facts", facts, "--log-level", "trace", "--log-format", "json",
		"--format", strings.Join([]string{"json", "xlsx", "csv", "markdown", "sarif"}, ",")}
	runs := []*secretRun{
		{name: "PFX password from the environment", env: childEnv("SSL_CERT_FILE="+dt.caFile, "EXOREADY_CERT_PASSWORD="+dt.pfxPass)},
		{name: "PFX password from a file, redacted", env: childEnv("SSL_CERT_FILE="+dt.caFile, redactKeyEnv+"="+redactKey),
			args: []string{"--cert-password-file", pwFile, "--redact"}},
	}
	secrets := map[string]string{"the PFX password": dt.pfxPass, "the access token": dt.token, "the redaction key": redactKey}

	if ldapURL := os.Getenv("EXOREADY_TEST_LDAP_URL"); ldapURL != "" {
		pw, err := os.ReadFile(os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE"))
		if err != nil {
			t.Fatal(err)
		}
		password := strings.TrimRight(string(pw), "\r\n")
		secrets["the LDAP password"] = password
		ad := []string{"--ldap-url", ldapURL, "--start-tls", "--ca-file", os.Getenv("EXOREADY_TEST_CA_FILE"), "--bind-dn", os.Getenv("EXOREADY_TEST_BIND_DN")}
		runs = append(runs,
			&secretRun{name: "LDAP password from the environment", env: childEnv("SSL_CERT_FILE="+dt.caFile, "EXOREADY_CERT_PASSWORD="+dt.pfxPass,
				"EXOREADY_LDAP_PASSWORD="+password), args: ad},
			&secretRun{name: "LDAP password from a file", env: childEnv("SSL_CERT_FILE="+dt.caFile, "EXOREADY_CERT_PASSWORD="+dt.pfxPass),
				args: append([]string{"--password-file", os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE")}, ad...)})
	} else {
		t.Log("EXOREADY_TEST_LDAP_URL is unset: the LDAP password runs need the test DC (make test starts it)")
	}

	// The search itself finds a secret where one is.
	planted := &secretRun{out: t.TempDir(), cmdline: []byte("exoready\x00scan")}
	writeFileT(t, filepath.Join(planted.out, "findings.json"), []byte(`{"token": "`+base64.StdEncoding.EncodeToString([]byte(dt.token))+`"}`))
	if l := planted.leaks(t, secrets); len(l) != 1 {
		t.Fatalf("a planted token was found %d times: %q", len(l), l)
	}

	for i, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			r.out = filepath.Join(dir, "out"+strconv.Itoa(i))
			r.args = append(append(append([]string{"scan", "--out", r.out}, dt.args()...), common...), r.args...)
			r.exec(t, bin, dt)
			if _, err := os.Stat(filepath.Join(r.out, "report.xlsx")); err != nil {
				t.Fatalf("no workbook written (exit %d):\n%s", r.code, r.stderr)
			}
			if !bytes.Contains(r.stderr, []byte(`"level":"debug"`)) {
				t.Fatal("no debug log line: the logs searched are not the debug ones")
			}
			if l := r.leaks(t, secrets); len(l) > 0 {
				t.Errorf("secrets found: %q", l)
			}
		})
	}
	// The secrets were really used: the tenant saw its token, so the PFX
	// (which needs its password) signed the token request.
	dt.mu.Lock()
	defer dt.mu.Unlock()
	used := 0
	for _, h := range dt.authSeen {
		if h == "Bearer "+dt.token {
			used++
		}
	}
	if used == 0 {
		t.Fatal("the tenant never saw its token: the runs did not exercise the secrets")
	}
}
