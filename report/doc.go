// Package report renders a findings report (evaluate.Report, the content
// of findings.json) in each output format: JSON, the auditor's Excel
// workbook, SARIF, CSV and a Markdown summary. Writers read only what the
// report carries, so `exoready report` re-renders a saved findings.json
// without evaluating again; they never modify the report.
package report
