package report

import (
	"context"
	"io"
	"reflect"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/internal/jsontag"
)

// jsonWriter writes findings.json: indented, fixed field order (struct
// order, sorted map keys), HTML characters unescaped, trailing newline.
// The report is streamed finding by finding and mailbox by mailbox (the
// bytes of json.Encoder with SetIndent("", "  ")): at 600,000 mailboxes
// findings.json is gigabytes, which encoding it whole would hold twice.
type jsonWriter struct{}

var evaluatePkg = reflect.TypeFor[evaluate.Report]().PkgPath()

func (jsonWriter) Write(ctx context.Context, w io.Writer, r *evaluate.Report) error {
	return jsontag.Stream(fileio.ContextWriter(ctx, w), r, evaluatePkg)
}
