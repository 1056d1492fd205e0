package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/exoready/exoready/internal/fileio"
)

// ErrFolderInUse marks a plan folder that already holds something.
var ErrFolderInUse = errors.New("plan folder in use")

// Files of a plan folder besides the scripts.
const (
	PlanJSON     = "plan.json"
	PlanMarkdown = "PLAN.md"
	PlanWorkbook = "plan.xlsx"
)

// Write writes the plan folder: the scripts, PLAN.md, plan.xlsx and, last,
// plan.json, each through a temporary file and a rename. A folder that is
// not empty is refused: a written plan is the record of what a change
// board approved. With replace, an earlier exoready plan in the folder is
// replaced: its listed files are removed first, and anything else (the
// backups the scripts wrote) stays. It returns the paths written.
func (p *Plan) Write(dir string, replace bool) ([]string, error) {
	if err := prepareFolder(dir, replace); err != nil {
		return nil, err
	}
	var written []string
	put := func(name string, fill func(io.Writer) error) error {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := fileio.WriteAtomic(full, fill); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
		written = append(written, full)
		return nil
	}
	for _, f := range p.Files {
		data := p.scripts[f.Path]
		if err := put(f.Path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return written, err
		}
	}
	if err := put(PlanMarkdown, p.WriteMarkdown); err != nil {
		return written, err
	}
	if err := put(PlanWorkbook, p.WriteWorkbook); err != nil {
		return written, err
	}
	if err := put(PlanJSON, p.WriteJSON); err != nil {
		return written, err
	}
	return written, nil
}

// WriteJSON writes plan.json, indented, with a trailing newline.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

func prepareFolder(dir string, replace bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return fmt.Errorf("plan folder: %w", err)
	case len(entries) == 0:
		return nil
	}
	old, err := ReadPlanFile(dir)
	if err != nil {
		return fmt.Errorf("%w: %s is not empty and holds no exoready plan: choose a new folder", ErrFolderInUse, dir)
	}
	if !replace {
		return fmt.Errorf("%w: %s already holds plan %s; a plan is the record of what was approved: write the new one to a new folder, or pass --force to replace it (backups its scripts wrote stay)", ErrFolderInUse, dir, old.ID)
	}
	names := []string{PlanJSON, PlanMarkdown, PlanWorkbook}
	for _, f := range old.Files {
		if n := filepath.FromSlash(f.Path); filepath.IsLocal(n) {
			names = append(names, n)
		}
	}
	var dirs []string
	for _, n := range names {
		full := filepath.Join(dir, n)
		if err := os.Remove(full); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("replace plan: %w", err)
		}
		if d := filepath.Dir(full); d != filepath.Clean(dir) && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		_ = os.Remove(d) // only succeeds when empty: backups stay
	}
	return nil
}
