package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/tools/gen"
)

// TestDrills runs the failure drills against the built binary: a real
// process interrupted, killed, starved of disk and throttled. (The DC that
// dies mid-collection is collector/ad's TestDCDiesMidSearch, and a DC that
// hangs is its TestCancelStopsCollection, both against the Samba DC.)
func TestDrills(t *testing.T) {
	if testing.Short() {
		t.Skip("drills build and run the binary")
	}
	bin := buildExoready(t)
	t.Run("SIGINT during a collection that hangs", func(t *testing.T) { drillInterrupt(t, bin) })
	t.Run("killed in the middle of writing", func(t *testing.T) { drillKill(t, bin) })
	t.Run("disk full while writing the workbook", func(t *testing.T) { drillDiskFull(t, bin) })
	t.Run("REST throttled beyond the retry budget", func(t *testing.T) { drillThrottled(t, bin) })
}

// drillInterrupt: a DC that accepts the connection and never answers;
// SIGINT stops the scan with exit 130 and nothing written.
func drillInterrupt(t *testing.T, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 512)
				if n, _ := c.Read(buf); n > 0 {
					select {
					case got <- struct{}{}: // the bind request arrived: hang
					default:
					}
				}
				io.Copy(io.Discard, c)
			}()
		}
	}()
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "scan", "--ldap-url", "ldap://"+ln.Addr().String(), "--bind-dn", "svc-exoready@corp.example.test",
		"--exo-export", exoPS7, "--out", out, "--log-format", "json")
	cmd.Env = childEnv("EXOREADY_LDAP_PASSWORD=drill-password")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-got:
	case err := <-done:
		t.Fatalf("exoready ended before the DC hung: %v\n%s", err, stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// The test's own deadline catches a scan that does not stop.
	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s", err, exitInterrupted, stderr.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("an interrupted collection wrote %d files: %v", len(entries), entries)
	}
	if strings.Contains(stderr.String(), "drill-password") {
		t.Error("the password reached stderr")
	}
}

// drillKill: SIGKILL while the reports are being written leaves under each
// final name either nothing or a whole file, never half of one.
func drillKill(t *testing.T, bin string) {
	dir := t.TempDir()
	snapPath := filepath.Join(dir, "snapshot.json")
	data, err := gen.Generate(gen.Options{Seed: 7, Mailboxes: 3000, At: gen.DefaultAt}).Snapshot().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	writeFileT(t, snapPath, data)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "evaluate", snapPath, "--format", "json,xlsx,csv", "--out", out, "--log-format", "json", "--fail-on", "none")
	cmd.Env = childEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait for the second temporary file: findings.json is done, the
	// workbook is being written.
	var seen []string
wait:
	for {
		select {
		case err := <-exited:
			t.Fatalf("exoready finished (%v) before it could be killed mid-write; seen %v", err, seen)
		default:
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") && !contains(seen, e.Name()) {
				seen = append(seen, e.Name())
			}
		}
		if len(seen) >= 2 {
			break wait
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	entries, _ := os.ReadDir(out)
	leftover := 0
	for _, e := range entries {
		p := filepath.Join(out, e.Name())
		switch e.Name() {
		case "findings.json":
			if _, err := evaluate.ReadReportFile(p); err != nil {
				t.Errorf("findings.json under its final name is not whole: %v", err)
			}
		case "report.xlsx":
			f, err := excelize.OpenFile(p)
			if err != nil {
				t.Errorf("report.xlsx under its final name is not whole: %v", err)
			} else {
				f.Close()
			}
		case "findings.csv":
			b, _ := os.ReadFile(p)
			if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
				t.Errorf("findings.csv under its final name is not whole: %v", err)
			}
		default:
			if !strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("unexpected file %s", e.Name())
			}
			leftover++
		}
	}
	if leftover == 0 {
		t.Error("no temporary file was left: the kill did not land mid-write")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// drillDiskFull: the file size limit (RLIMIT_FSIZE, as a full disk would)
// stops the workbook mid-write: exit 1 naming the file, the workbook of the
// previous run untouched, no temporary file left.
func drillDiskFull(t *testing.T, bin string) {
	out := t.TempDir()
	demo := filepath.Join("..", "..", "fixtures", "demo", "snapshot.json")
	first := exec.Command(bin, "evaluate", demo, "--format", "xlsx", "--out", out, "--fail-on", "none", "-q")
	first.Env = childEnv()
	if b, err := first.CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, b)
	}
	before, err := os.ReadFile(filepath.Join(out, "report.xlsx"))
	if err != nil || len(before) < 64<<10 {
		t.Fatalf("the workbook must exceed the 32 KiB limit: %d bytes, %v", len(before), err)
	}
	// bash's ulimit -f counts KiB; the limit binds the child only.
	cmd := exec.Command("bash", "-c", `ulimit -f 32 && exec "$0" "$@"`, bin, "evaluate", demo, "--format", "xlsx", "--out", out,
		"--fail-on", "none", "--log-format", "json")
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit %v, want %d\n%s", err, exitError, stderr.String())
	}
	if !strings.Contains(stderr.String(), "write "+filepath.Join(out, "report.xlsx")) || !strings.Contains(stderr.String(), "file too large") {
		t.Errorf("stderr should name the workbook and the error:\n%s", stderr.String())
	}
	after, _ := os.ReadFile(filepath.Join(out, "report.xlsx"))
	if !bytes.Equal(before, after) {
		t.Error("the previous workbook was changed by the failed run")
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// drillThrottled: Exchange Online answers 429 with a Retry-After longer
// than the whole retry budget: the scan stops at once (no hour of
// waiting), exit 1, saying so, and writes no report.
func drillThrottled(t *testing.T, bin string) {
	dt := newDrillTenant(t)
	dt.mu.Lock()
	dt.throttle = true
	dt.mu.Unlock()
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, append([]string{"scan", "--cert-file", dt.pemFile, "--out", out, "--log-format", "json"}, dt.args()...)...)
	cmd.Env = childEnv("SSL_CERT_FILE=" + dt.caFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit %v, want %d\n%s", err, exitError, stderr.String())
	}
	for _, want := range []string{"Get-Mailbox", "HTTP 429", "TooManyRequests", "would exceed the retry budget", "run the collection again later"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("a failed collection wrote %v", entries)
	}
}
