package exo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
)

// ReadExport reads an export folder: one file per cmdlet named after it
// (Get-Mailbox.json required, or Get-Mailbox.csv), Graph responses under
// graph/. See docs/exo-collection.md. A missing or unreadable optional file
// leaves its dataset nil with a SourceError; a missing folder or
// Get-Mailbox is an error wrapping ErrInput.
func ReadExport(ctx context.Context, dir string, log zerolog.Logger) (*Result, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: export folder: %w", ErrInput, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder: --exo-export takes the folder scripts/Export-ExoReady.ps1 wrote", ErrInput, dir)
	}
	c := newCollection("export", dir, log.With().Str("component", "exo").Logger())
	graphInfo, err := os.Stat(filepath.Join(dir, "graph"))
	noGraph := err != nil || !graphInfo.IsDir()
	if noGraph {
		c.sourceError(true, "entra", fmt.Sprintf("graph/ folder missing in %s: run scripts/Export-ExoReady.ps1, which writes the Microsoft Graph responses there", dir))
	}
	for i := range datasets {
		ds := &datasets[i]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ds.entra && noGraph {
			continue
		}
		if err := c.readFile(ctx, dir, ds); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

// readFile reads one dataset's export file, hashing every byte of it.
func (c *collection) readFile(ctx context.Context, dir string, ds *dataset) error {
	name, isCSV := ds.file, false
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) && ds.required {
		alt := strings.TrimSuffix(ds.file, ".json") + ".csv"
		if fc, errc := os.Open(filepath.Join(dir, alt)); errc == nil {
			f, name, isCSV, err = fc, alt, true, nil
		}
	}
	if err != nil {
		msg := fmt.Sprintf("%s missing in %s: %s", ds.file, dir, ds.exportCommand(dir))
		if !errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("%s cannot be read: %v", ds.file, err)
		}
		if ds.required {
			return fmt.Errorf("%w: %s", ErrInput, msg)
		}
		c.sourceError(ds.entra, ds.path, msg)
		return nil
	}
	defer f.Close()
	h := snapshot.NewEvidenceReader(f)
	err = c.consumeWith(ds, name, func(s sink, tl *tally) error {
		t, err := newTextStream(h)
		if err != nil {
			return err
		}
		fn := func(o *rawObject) error {
			tl.add(s, newFields(name, o))
			return nil
		}
		if isCSV {
			return readCSV(t, fn)
		}
		if ps, ok := s.(partedSink); ok {
			if whole, err := readParallel(ctx, t, name, ps, tl, textSize(f, t)); whole || err != nil {
				return err
			}
			// Not a plain array of distinct-named objects, or broken:
			// read it again the classic way, which words every error.
			ps.reset()
			*tl = tally{}
			again, err := os.Open(f.Name())
			if err != nil {
				return err
			}
			defer again.Close()
			if t, err = newTextStream(again); err != nil {
				return err
			}
		}
		env, err := readObjects(t, fn)
		if err != nil {
			return err
		}
		return env.exportProblem()
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, cerr := io.Copy(io.Discard, h); cerr != nil && err == nil {
		err = fmt.Errorf("%s: %w", name, cerr)
	}
	st := c.status(ds.entra)
	st.Files = append(st.Files, h.InputFile(name))
	return err
}

// textSize estimates the size of a file's text, in UTF-8.
func textSize(f *os.File, t *textStream) int64 {
	info, err := f.Stat()
	if err != nil {
		return 0
	}
	if t.Encoding == "utf-16le" {
		return info.Size() / 2
	}
	return info.Size()
}

// exportProblem refuses a saved response that is not the whole data.
func (e envelope) exportProblem() error {
	switch {
	case e.Err != nil:
		return fmt.Errorf("the file holds an error response instead of data: %s", e.Err)
	case e.NextLink != "":
		return errors.New("the file holds only the first page of the response (@odata.nextLink is set): export all pages (Invoke-MgGraphRequest in scripts/Export-ExoReady.ps1 follows them)")
	}
	return nil
}
