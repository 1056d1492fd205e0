package exo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
)

// ErrInput marks Exchange Online input that cannot be used at all: no
// export folder, no or unreadable Get-Mailbox. main maps it to the
// usage/config exit code.
var ErrInput = errors.New("unusable Exchange Online input")

// Result is one Exchange Online + Entra collection: the two snapshot
// sections and their collection status.
type Result struct {
	EXO         *snapshot.EXO
	Entra       *snapshot.Entra
	EXOStatus   snapshot.SourceStatus
	EntraStatus snapshot.SourceStatus
}

// maxProblems bounds how many problems are kept per dataset; the rest are counted.
const maxProblems = 20

// collection accumulates a Result while datasets are read.
type collection struct {
	sec            sections
	exoSt, entraSt snapshot.SourceStatus
	log            zerolog.Logger
	hardErr        error // wraps a failure of the required dataset
}

func newCollection(method, origin string, log zerolog.Logger) *collection {
	st := snapshot.SourceStatus{Collected: true, Method: method, Origin: origin,
		Files: []snapshot.InputFile{}, Errors: []snapshot.SourceError{}}
	return &collection{
		sec:     sections{exo: &snapshot.EXO{}, entra: &snapshot.Entra{}},
		exoSt:   st,
		entraSt: st,
		log:     log,
		hardErr: ErrInput,
	}
}

func (c *collection) status(entra bool) *snapshot.SourceStatus {
	if entra {
		return &c.entraSt
	}
	return &c.exoSt
}

func (c *collection) sourceError(entra bool, path, msg string) {
	st := c.status(entra)
	st.Errors = append(st.Errors, snapshot.SourceError{Path: path, Message: msg})
	c.log.Warn().Str("path", path).Str("error", msg).Msg("not collected")
}

// fatalError is a feed failure that ends the whole collection (for example
// credentials the service refuses), not just one dataset.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// consume runs one dataset's objects through its converter. feed streams
// the objects; src names the file or call in messages. Problems leave the
// dataset nil with a SourceError for its path, except for the required
// dataset, whose problems fail the collection.
func (c *collection) consume(ds *dataset, src string, feed func(func(*rawObject) error) error) error {
	return c.consumeWith(ds, src, func(s sink, t *tally) error {
		return feed(func(o *rawObject) error {
			t.add(s, newFields(src, o))
			return nil
		})
	})
}

// tally counts a dataset's objects and keeps the first maxProblems of
// their problems, in object order.
type tally struct {
	problems []string
	dropped  int
	n        int
}

// add converts one object into s and notes its problems.
func (t *tally) add(s sinkPart, f *fields) {
	s.add(f)
	t.n++
	t.note(*f.problems, 0)
}

// note keeps problems up to maxProblems and counts the rest, with dropped
// more that were counted but not kept.
func (t *tally) note(problems []string, dropped int) {
	for _, p := range problems {
		if len(t.problems) < maxProblems {
			t.problems = append(t.problems, p)
		} else {
			t.dropped++
		}
	}
	t.dropped += dropped
}

// consumeWith is consume for a feed that converts objects itself (on
// several goroutines, see readParallel) and reports them to the tally.
func (c *collection) consumeWith(ds *dataset, src string, feed func(sink, *tally) error) error {
	s := ds.newSink()
	t := &tally{}
	err := feed(s, t)
	problems, dropped, n := t.problems, t.dropped, t.n
	var fatal *fatalError
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &fatal):
		return fatal.err
	default:
		msg := err.Error()
		if !strings.HasPrefix(msg, src) {
			msg = src + ": " + msg
		}
		problems = append([]string{msg}, problems...)
	}
	if len(problems) == 0 {
		s.store(&c.sec)
		c.log.Debug().Str("dataset", ds.name).Int("entries", n).Msg("dataset read")
		return nil
	}
	total := len(problems) + dropped
	if ds.required {
		shown := problems[:min(10, len(problems))]
		more := ""
		if rest := total - len(shown); rest > 0 {
			more = fmt.Sprintf("\n  ... and %d more", rest)
		}
		return fmt.Errorf("%w: %s cannot be used:\n  %s%s", c.hardErr, ds.name, strings.Join(shown, "\n  "), more)
	}
	msg := problems[0]
	if total > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", total-1)
	}
	c.sourceError(ds.entra, ds.path, msg)
	return nil
}

// result finishes the collection: tenant id, sorted files, completeness.
func (c *collection) result() *Result {
	if o := c.sec.entra.Organization; o != nil {
		c.sec.exo.TenantID = o.ID
	}
	for _, st := range []*snapshot.SourceStatus{&c.exoSt, &c.entraSt} {
		sort.Slice(st.Files, func(i, j int) bool { return st.Files[i].Path < st.Files[j].Path })
		st.Complete = len(st.Errors) == 0
	}
	return &Result{EXO: c.sec.exo, Entra: c.sec.entra, EXOStatus: c.exoSt, EntraStatus: c.entraSt}
}

// Apply puts the sections and their status into a snapshot.
func (r *Result) Apply(s *snapshot.Snapshot) {
	s.EXO, s.Entra = r.EXO, r.Entra
	s.Sources.EXO, s.Sources.Entra = r.EXOStatus, r.EntraStatus
}
