package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
)

// ErrFormat marks an unknown output format (a usage error).
var ErrFormat = errors.New("unknown format")

// Writer renders a report in one format. Writers never modify the Report:
// several writers render the same one in one run.
type Writer interface {
	Write(ctx context.Context, w io.Writer, r *evaluate.Report) error
}

// Options tune writers.
type Options struct {
	// TmpDir holds spill files of large workbooks ("" = system default).
	TmpDir string
}

// registry maps format names to writer constructors.
var registry = map[string]func(Options) Writer{
	"json":     func(Options) Writer { return jsonWriter{} },
	"xlsx":     newXLSX,
	"sarif":    newSARIF,
	"csv":      newCSV,
	"markdown": newMarkdown,
}

// fileNames maps format names to the file each writes in the output folder.
var fileNames = map[string]string{
	"json":     "findings.json",
	"xlsx":     "report.xlsx",
	"sarif":    "findings.sarif",
	"csv":      "findings.csv",
	"markdown": "summary.md",
}

// Formats lists the known format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New returns the writer of a format; an unknown name is an error listing
// the valid ones.
func New(format string, o Options) (Writer, error) {
	f, ok := registry[format]
	if !ok {
		return nil, fmt.Errorf("%w %q (valid: %s)", ErrFormat, format, strings.Join(Formats(), ", "))
	}
	return f(o), nil
}

// FileName is the name of the file a format writes.
func FileName(format string) string {
	if n, ok := fileNames[format]; ok {
		return n
	}
	return "findings." + format
}

// ParseFormats splits a comma-separated --format value, checking every name
// before anything is written.
func ParseFormats(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" || seen[f] {
			continue
		}
		if _, ok := registry[f]; !ok {
			return nil, fmt.Errorf("%w %q (valid: %s)", ErrFormat, f, strings.Join(Formats(), ", "))
		}
		seen[f] = true
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no format given (valid: %s)", ErrFormat, strings.Join(Formats(), ", "))
	}
	return out, nil
}

// WriteFiles renders the report in every format into dir and returns the
// files written, each with the digest of its bytes (for the evidence
// manifest). Each file is written to a temporary name and renamed, so a
// failed or interrupted run never leaves a half-written file under the
// final name.
func WriteFiles(ctx context.Context, dir string, formats []string, r *evaluate.Report, o Options) ([]fileio.Written, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	var written []fileio.Written
	for _, f := range formats {
		w, err := New(f, o)
		if err != nil {
			return written, err
		}
		path := filepath.Join(dir, FileName(f))
		out, err := fileio.WriteAtomicHashed(path, func(out io.Writer) error { return w.Write(ctx, out, r) })
		if err != nil {
			return written, fmt.Errorf("write %s: %w", path, err)
		}
		written = append(written, out)
	}
	return written, nil
}
