package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/policies"
)

// TestDemoTenantEveryFormat evaluates the embedded demo tenant with the
// embedded policy pack and renders it in every format: what `exoready scan
// --demo` writes must open, parse and validate.
func TestDemoTenantEveryFormat(t *testing.T) {
	params, err := policies.Params()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := evaluate.New(t.Context(), evaluate.Options{
		Sources: []evaluate.PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}},
		Version: policies.Version, Params: params, Logger: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	r, err := eng.Evaluate(t.Context(), evaluate.RunOptions{
		Snapshot: fixtures.DemoSnapshot(), Tool: evaluate.Tool{Name: "exoready", Version: "test"},
		Clock: func() time.Time { return at },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 || len(r.Inventory.Mailboxes) == 0 {
		t.Fatalf("demo evaluated to %d findings, %d mailboxes", len(r.Findings), len(r.Inventory.Mailboxes))
	}

	validateSARIF(t, render(t, "sarif", r))

	recs, err := csv.NewReader(bytes.NewReader(render(t, "csv", r))).ReadAll()
	if err != nil || len(recs) != len(r.Findings)+1 {
		t.Errorf("findings.csv: %d records, %v; want %d", len(recs), err, len(r.Findings)+1)
	}

	if sum := string(render(t, "markdown", r)); !strings.Contains(sum, md(r.Summary.Verdicts.Decommission.Text)) {
		t.Errorf("summary.md lacks the decommission verdict:\n%s", sum)
	}

	f, err := excelize.OpenReader(bytes.NewReader(render(t, "xlsx", r)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{
		"Findings":     len(r.Findings),
		"Mailboxes":    len(r.Inventory.Mailboxes),
		"Rules":        len(r.Rules),
		"Dependencies": max(1, len(r.Inventory.Sections[sectionDependencies])), // a note when empty
		"Permissions":  max(1, len(r.Inventory.Sections[sectionPermissions])),
	}
	for sheet, n := range counts {
		rs, err := f.GetRows(sheet)
		if err != nil || len(rs) != n+1 {
			t.Errorf("%s: %d rows (%v), want header + %d", sheet, len(rs), err, n)
		}
	}
}
