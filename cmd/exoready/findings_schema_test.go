package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/schematest"
)

// TestScanFindingsMatchSchema validates the findings.json files the CLI
// writes against findings.schema.json: the demo scan (with the demo's
// waivers), then a redacted scan of it with the first as its baseline.
func TestScanFindingsMatchSchema(t *testing.T) {
	sch := schematest.Compile(t, "findings.schema.json", evaluate.FindingsJSONSchema())
	plain, redacted := t.TempDir(), t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--out", plain, "--format", "json", "--fail-on", "none"); code != exitOK {
		t.Fatalf("demo scan: exit %d: %s", code, stderr)
	}
	t.Setenv(redactKeyEnv, "schema-test-redaction-key-0123")
	if code, _, stderr := run(t, "scan", "--demo", "--redact", "--baseline", filepath.Join(plain, "findings.json"),
		"--out", redacted, "--format", "json", "--fail-on", "none"); code != exitOK {
		t.Fatalf("redacted scan with a baseline: exit %d: %s", code, stderr)
	}
	for _, dir := range []string{plain, redacted} {
		path := filepath.Join(dir, "findings.json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := schematest.Validate(t, sch, data); err != nil {
			t.Errorf("%s does not match findings.schema.json:\n%v", path, err)
		}
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(redacted, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	waived := 0
	for _, f := range rep.Findings {
		if f.Waiver != nil {
			waived++
		}
	}
	if !rep.Redacted || rep.Changes == nil || waived == 0 {
		t.Errorf("the second scan must be redacted, compared with a baseline and carry waivers: redacted=%t changes=%t waivers=%d",
			rep.Redacted, rep.Changes != nil, waived)
	}
}
