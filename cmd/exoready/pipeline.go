package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/policies"
	"github.com/exoready/exoready/report"
)

// evalOptions are the settings shared by scan and evaluate.
type evalOptions struct {
	Out      string
	Formats  []string
	FailOn   string
	Policies []string
	Params   map[string]any
	Config   *scanConfig
	Clock    func() time.Time
	Quiet    bool
	// Redact pseudonymises every report written (--redact); nil: none.
	Redact *redaction

	// Scheduled runs (schedule.go): compare with a baseline, gate on new
	// findings only, sign the evidence manifest.
	FailOnNew bool
	Baseline  *baseline
	SignKey   ed25519.PrivateKey
	// SnapshotWrite writes snapshot.json into Out while the rules run
	// (nil when this run writes none); SnapshotInputs are the snapshot
	// files it read (evaluate), with their digests.
	SnapshotWrite  *snapshotWrite
	SnapshotInputs []fileio.Written
	// Parsed and Digest, when set, are the snapshot decoded and its hash:
	// the engine then skips decoding the JSON (evaluate.RunOptions).
	Parsed *snapshot.Snapshot
	Digest *evaluate.Digest
	// Waivers are the accepted risks of the run (waivers.go); Verify is
	// required of --policy bundles (--policy-verification-key).
	Waivers *evaluate.WaiverSet
	Verify  *evaluate.BundleVerification
}

// evalOptionsFrom merges flags over scan.yaml over defaults.
func evalOptionsFrom(c *cli.Context, e *env) (evalOptions, error) {
	cfg, err := loadConfig(c.String("config"))
	if err != nil {
		return evalOptions{}, err
	}
	o := evalOptions{Config: cfg, Params: cfg.Params, Quiet: c.Bool("quiet")}
	o.Out = pick(c, "out", cfg.Out)
	if o.Out == "" {
		return o, usageErrorf("--out DIR is required (the folder for findings.json and the other reports)")
	}
	formats := c.String("format")
	if !c.IsSet("format") && len(cfg.Formats) > 0 {
		formats = strings.Join(cfg.Formats, ",")
	}
	if o.Formats, err = report.ParseFormats(formats); err != nil {
		return o, err
	}
	o.FailOn = pick(c, "fail-on", cfg.FailOn)
	if _, err := failOnRank(o.FailOn); err != nil {
		return o, usageErrorf("--fail-on: %v", err)
	}
	o.Policies = append(append([]string(nil), cfg.Policies...), c.StringSlice("policy")...)
	if o.Clock, err = clockFrom(c, e); err != nil {
		return o, err
	}
	if o.Redact, err = redactOptions(c); err != nil {
		return o, err
	}
	if o.Verify, err = bundleVerification(c, cfg); err != nil {
		return o, err
	}
	return o, nil
}

// pick returns the flag's value when set on the command line or in the
// environment, else the config value, else the flag's default.
func pick(c *cli.Context, flag, fromConfig string) string {
	if c.IsSet(flag) || fromConfig == "" {
		return c.String(flag)
	}
	return fromConfig
}

// failOnRank returns the severity rank at or above which findings gate the
// exit code; -1 for none.
func failOnRank(s string) (int, error) {
	if s == "none" {
		return -1, nil
	}
	r := evaluate.SeverityRank(s)
	if r < 0 {
		return 0, fmt.Errorf("%q is not one of %s, none", s, strings.Join(evaluate.Severities, ", "))
	}
	return r, nil
}

// newEngine loads the embedded pack and the user's policies.
func newEngine(ctx context.Context, o evalOptions, log zerolog.Logger) (*evaluate.Engine, error) {
	sources, err := policySources(o.Policies, o.Verify)
	if err != nil {
		return nil, err
	}
	params, err := policies.Params()
	if err != nil {
		return nil, err
	}
	return evaluate.New(ctx, evaluate.Options{
		Sources: sources, Version: policies.Version, Params: params, Overrides: o.Params, Logger: log,
	})
}

// policySources are the embedded pack and each --policy folder or bundle.
func policySources(dirs []string, verify *evaluate.BundleVerification) ([]evaluate.PolicySource, error) {
	sources := []evaluate.PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}}
	for _, d := range dirs {
		s, err := evaluate.SourceFor(d, verify)
		if err != nil {
			return nil, err
		}
		sources = append(sources, s)
	}
	return sources, nil
}

// evaluateAndReport evaluates a snapshot, writes every format and returns
// the outcome error that sets the exit code.
func evaluateAndReport(ctx context.Context, e *env, o evalOptions, snap []byte, phases map[string]int64, log zerolog.Logger) error {
	rep, err := evaluateSnapshot(ctx, o, snap, phases, log)
	if err != nil {
		return err
	}
	o.Parsed = nil // the writers read the report alone: let the snapshot go
	compareWithBaseline(rep, o.Baseline, log)
	if rep, err = redacted(rep, o.Redact, log); err != nil {
		return err
	}
	written, err := writeReports(ctx, o, rep, log)
	if err != nil {
		return err
	}
	m, err := writeEvidence(o, rep, written, log)
	if err != nil {
		return err
	}
	if !o.Quiet {
		printSummary(e.stderr, rep)
	}
	result := outcome(rep, o.FailOn, o.FailOnNew)
	logResult(log, rep, m, result)
	return result
}

// reportWriters is how many formats are written at once. Each writer
// only reads the report, and the two big ones (findings.json, the
// workbook) each leave part of a processor idle: one goroutine builds the
// text while workers encode or deflate it.
const reportWriters = 2

// writeReports writes every format, reportWriters at a time, and returns
// the files written in format order. The first failure stops the others;
// its error, not the cancellation it caused, is returned.
func writeReports(ctx context.Context, o evalOptions, rep *evaluate.Report, log zerolog.Logger) ([]fileio.Written, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := make([][]fileio.Written, len(o.Formats))
	errs := make([]error, len(o.Formats))
	slots := make(chan struct{}, reportWriters)
	var wg sync.WaitGroup
	for i, f := range o.Formats {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if errs[i] = wctx.Err(); errs[i] != nil {
				return
			}
			start := o.Clock()
			if files[i], errs[i] = report.WriteFiles(wctx, o.Out, []string{f}, rep, report.Options{}); errs[i] != nil {
				cancel()
				return
			}
			for _, w := range files[i] {
				log.Info().Str("path", w.Path).Dur("elapsed", o.Clock().Sub(start)).Msg("report written")
			}
		})
	}
	wg.Wait()
	var written []fileio.Written
	var first error
	for i := range o.Formats {
		switch {
		case errs[i] == nil:
			written = append(written, files[i]...)
		case ctx.Err() == nil && errors.Is(errs[i], context.Canceled):
			// stopped because another format failed
		case first == nil:
			first = errs[i]
		}
	}
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return written, first
}

// evaluateSnapshot runs the policies on a snapshot: the one evaluation path
// of scan, evaluate and plan.
func evaluateSnapshot(ctx context.Context, o evalOptions, snap []byte, phases map[string]int64, log zerolog.Logger) (*evaluate.Report, error) {
	engine, err := newEngine(ctx, o, log)
	if err != nil {
		return nil, err
	}
	var files []evaluate.InputFile
	if o.Config.path != "" {
		f, err := hashFile("config", o.Config.path)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	ro := evaluate.RunOptions{
		Snapshot: snap,
		Parsed:   o.Parsed,
		Digest:   o.Digest,
		Tool:     evaluate.Tool{Name: "exoready", Version: version, Commit: commit},
		Clock:    o.Clock,
		Files:    files,
		Phases:   phases,
		Waivers:  o.Waivers,
	}
	w := o.SnapshotWrite
	if w == nil {
		return engine.Evaluate(ctx, ro)
	}
	ro.SnapshotWritten = func() (evaluate.Digest, error) {
		d, err := w.wait()
		if phases != nil && w.phase != "" {
			phases[w.phase] = w.elapsed.Milliseconds()
		}
		return d, err
	}
	rep, err := engine.Evaluate(w.ctx, ro)
	if err != nil && w.failed() != nil {
		return nil, w.failed() // the failed write stopped the rules
	}
	return rep, err
}

// snapshotWrite is snapshot.json being written into the output folder
// while the rules run: writing a 600,000-mailbox snapshot is gigabytes and
// seconds of CPU that evaluation, which only reads the snapshot too, need
// not wait for. The report waits for it, for the snapshot's digest.
type snapshotWrite struct {
	// ctx is the run's context, cancelled too when the write fails so the
	// rules stop at once.
	ctx    context.Context
	path   string
	done   chan struct{}
	digest snapshot.Digest
	err    error
	// phase names the write's time in the report's phases ("" none).
	phase   string
	elapsed time.Duration
}

// startSnapshotWrite starts writing s to path (atomically, hashed on the
// way). Interrupting ctx stops the write and removes its temporary file.
// Every caller must wait for it before returning (wait or failed).
func startSnapshotWrite(ctx context.Context, path string, s *snapshot.Snapshot, clock func() time.Time, phase string) *snapshotWrite {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &snapshotWrite{ctx: ctx, path: path, done: make(chan struct{}), phase: phase}
	go func() {
		defer close(w.done)
		start := clock()
		w.digest, w.err = streamSnapshotFile(ctx, path, s)
		w.elapsed = clock().Sub(start)
		if w.err != nil {
			cancel(w.err)
		}
	}()
	return w
}

// writeSnapshotFile saves a snapshot document held in memory (the demo
// tenant) beside the reports, before the rules run, so the scan can be
// re-judged later with `exoready evaluate`.
func writeSnapshotFile(ctx context.Context, path string, data []byte) (*snapshotWrite, error) {
	if err := mkdirFor(path); err != nil {
		return nil, err
	}
	w := &snapshotWrite{ctx: ctx, path: path, done: make(chan struct{})}
	close(w.done)
	out, err := fileio.WriteAtomicHashed(path, func(f io.Writer) error {
		_, err := f.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	w.digest = snapshot.Digest{SHA256: out.SHA256, Bytes: out.Bytes}
	return w, nil
}

// wait waits for the write to end and returns the digest of the file.
func (w *snapshotWrite) wait() (snapshot.Digest, error) {
	<-w.done
	return w.digest, w.err
}

// failed waits for the write to end and returns its error.
func (w *snapshotWrite) failed() error {
	_, err := w.wait()
	return err
}

// written returns the file written, for the evidence manifest.
func (w *snapshotWrite) written() (fileio.Written, error) {
	d, err := w.wait()
	return fileio.Written{Path: w.path, SHA256: d.SHA256, Bytes: d.Bytes}, err
}

// outcome maps a report to the exit code: partial wins over findings.
// With onlyNew and a baseline, only findings that newly fail at or above
// failOn count (evaluate.Change.Newly); without a baseline every finding
// is new.
func outcome(rep *evaluate.Report, failOn string, onlyNew bool) error {
	if !rep.Complete {
		return &outcomeError{code: exitPartial, msg: fmt.Sprintf("partial result: %d %s could not be assessed (complete: false)",
			rep.Summary.ByStatus[string(evaluate.StatusError)], plural(rep.Summary.ByStatus[string(evaluate.StatusError)], "check", "checks"))}
	}
	rank, _ := failOnRank(failOn)
	if rank < 0 {
		return nil
	}
	if onlyNew && rep.Changes != nil {
		if n := len(rep.Changes.NewlyFailing(rank)); n > 0 {
			return &outcomeError{code: exitFindings, msg: fmt.Sprintf("%d new %s at or above %s since scan %s",
				n, plural(n, "finding", "findings"), failOn, rep.Changes.Baseline.ScanID)}
		}
		return nil
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Status == evaluate.StatusFail && evaluate.SeverityRank(f.Severity) <= rank {
			n++
		}
	}
	if n > 0 {
		return &outcomeError{code: exitFindings, msg: fmt.Sprintf("%d %s at or above %s", n, plural(n, "finding", "findings"), failOn)}
	}
	return nil
}

// printSummary writes the verdicts for a person reading the terminal.
func printSummary(w io.Writer, rep *evaluate.Report) {
	v := rep.Summary.Verdicts
	fmt.Fprintf(w, "\n%s\n%s\n", v.Decommission.Text, v.Flip.Text)
	fmt.Fprintf(w, "findings: %d fail (%d critical, %d high, %d medium, %d low, %d info), %d error, %d waived, %d pass; complete: %t\n\n",
		rep.Summary.ByStatus["fail"], rep.Summary.BySeverity["critical"], rep.Summary.BySeverity["high"], rep.Summary.BySeverity["medium"],
		rep.Summary.BySeverity["low"], rep.Summary.BySeverity["info"], rep.Summary.ByStatus["error"], rep.Summary.ByStatus["waived"],
		rep.Summary.ByStatus["pass"], rep.Complete)
	if rep.Changes != nil {
		fmt.Fprintf(w, "changes %s\n\n", rep.Changes.Text())
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// hashFile records a run input for the evidence manifest.
func hashFile(source, path string) (evaluate.InputFile, error) {
	sha, n, err := fileio.HashFile(path)
	if err != nil {
		return evaluate.InputFile{}, err
	}
	return evaluate.InputFile{Source: source, Path: path, SHA256: sha, Bytes: n}, nil
}
