package gen

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/fileio"
)

// Names of what Write puts in its folder.
const (
	LDIFFile     = "ad.ldif"
	ExportDir    = "exo-export"
	FactsFile    = "facts.yaml"
	SnapshotFile = "snapshot.json"
)

// Write writes every input form of the tenant into dir: ad.ldif,
// exo-export/, facts.yaml, and snapshot.json, the snapshot the collectors
// make of them (with the hashes of the files, as exoready collect records
// them when run in dir).
func (t *Tenant) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, LDIFFile), func(w *bufio.Writer) error { return t.WriteLDIF(w) }); err != nil {
		return err
	}
	if err := t.WriteExport(filepath.Join(dir, ExportDir)); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, FactsFile), func(w *bufio.Writer) error { return t.WriteFacts(w) }); err != nil {
		return err
	}
	s := t.Snapshot()
	var err error
	if s.Sources.AD.Files, err = hashFiles(dir, LDIFFile); err != nil {
		return err
	}
	exo, err := hashFiles(filepath.Join(dir, ExportDir), ".")
	if err != nil {
		return err
	}
	for _, f := range exo {
		if filepath.Dir(f.Path) == "graph" {
			s.Sources.Entra.Files = append(s.Sources.Entra.Files, f)
		} else {
			s.Sources.EXO.Files = append(s.Sources.EXO.Files, f)
		}
	}
	if s.Sources.Facts.Files, err = hashFiles(dir, FactsFile); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, SnapshotFile), func(w *bufio.Writer) error { return s.WriteJSON(w) })
}

// hashFiles hashes the file rel below dir, or every file below it when rel
// is a folder; paths are relative to dir, with forward slashes, sorted.
func hashFiles(dir, rel string) ([]snapshot.InputFile, error) {
	var out []snapshot.InputFile
	err := filepath.WalkDir(filepath.Join(dir, rel), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sha, n, err := fileio.HashFile(path)
		if err != nil {
			return err
		}
		name, _ := filepath.Rel(dir, path)
		out = append(out, snapshot.InputFile{Path: filepath.ToSlash(name), SHA256: sha, Bytes: n})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}
