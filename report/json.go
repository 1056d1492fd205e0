package report

import (
	"context"
	"encoding/json"
	"io"

	"github.com/exoready/exoready/evaluate"
)

// jsonWriter writes findings.json: indented, fixed field order (struct
// order, sorted map keys), HTML characters unescaped, trailing newline.
type jsonWriter struct{}

func (jsonWriter) Write(_ context.Context, w io.Writer, r *evaluate.Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
