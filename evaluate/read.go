package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/exoready/exoready/internal/jsondup"
)

// ErrFindings marks a findings file that cannot be used.
var ErrFindings = errors.New("invalid findings file")

// ReadReportFile reads a findings.json written by exoready.
func ReadReportFile(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	r, err := ParseReport(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ParseReport decodes findings.json, refusing other schema versions and
// unknown fields. Numbers in evidence keep their exact text.
func ParseReport(data []byte) (*Report, error) {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := 1 + bytes.Count(data[:min(max(syn.Offset-1, 0), int64(len(data)))], []byte("\n"))
			if syn.Offset >= int64(len(data)) {
				return nil, fmt.Errorf("%w: line %d: the file ends early (truncated?)", ErrFindings, line)
			}
			return nil, fmt.Errorf("%w: line %d: %v", ErrFindings, line, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrFindings, err)
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("%w: no schema_version: not an exoready findings file", ErrFindings)
	}
	if *head.SchemaVersion != FindingsSchemaVersion {
		return nil, fmt.Errorf("%w: schema_version %d is not supported (this exoready reads %d)", ErrFindings, *head.SchemaVersion, FindingsSchemaVersion)
	}
	if d := jsondup.Find(data); d != nil {
		return nil, fmt.Errorf("%w: line %d: %q appears twice in one object: the file was edited or merged", ErrFindings, d.Line, d.Name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFindings, err)
	}
	for i, m := range r.Inventory.Mailboxes {
		for side, v := range [2]any{m.AD, m.EXO} {
			if _, ok := v.(map[string]any); !ok && v != nil {
				return nil, fmt.Errorf("%w: inventory.mailboxes[%d] (%s): %s is a %s, not an object of attributes or null",
					ErrFindings, i, m.ID, [2]string{"ad", "exo"}[side], kindOf(v))
			}
		}
	}
	return &r, nil
}
