package report

import (
	"context"
	"encoding/csv"
	"io"
	"strings"

	"github.com/exoready/exoready/evaluate"
)

// csvWriter writes findings.csv: one row per finding, RFC 4180 quoting and
// CRLF line ends; the last column says whether names are redacted. A cell starting with = + - @ tab or CR gets a leading
// apostrophe, so a spreadsheet opening the file shows it as text instead
// of running it as a formula.
type csvWriter struct{}

func newCSV(Options) Writer { return csvWriter{} }

var csvHeader = []string{
	"uid", "rule_id", "title", "severity", "status", "category",
	"object_type", "object_id", "object_name", "object_dn",
	"message", "remediation", "evidence", "references",
	"waiver_id", "waiver_expires", "waiver_expired", "redacted",
}

func (csvWriter) Write(ctx context.Context, w io.Writer, r *evaluate.Report) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	rec := make([]string, len(csvHeader))
	for i := range r.Findings {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		f := &r.Findings[i]
		evidence := ""
		if len(f.Evidence) > 0 {
			evidence = compactJSON(f.Evidence)
		}
		var wid, wexp, wexpired string
		if f.Waiver != nil {
			wid, wexp, wexpired = f.Waiver.ID, f.Waiver.Expires, text(f.Waiver.Expired, "")
		}
		vals := []string{
			f.UID, f.RuleID, f.Title, f.Severity, string(f.Status), f.Category,
			f.Object.Type, f.Object.ID, f.Object.DisplayName, f.Object.DN,
			f.Message, f.Remediation, evidence, strings.Join(f.References, " "),
			wid, wexp, wexpired, text(r.Redacted, ""),
		}
		for j, v := range vals {
			rec[j] = csvSafe(validUTF8(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe neutralises cells a spreadsheet would read as a formula.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
