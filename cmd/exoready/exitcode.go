package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/exoready/exoready/collector/ad"
	"github.com/exoready/exoready/collector/exo"
	"github.com/exoready/exoready/collector/facts"
	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/report"
)

// Exit codes (README "Exit codes"). When several apply, 130, 1 and 2 win
// over 4, and 4 wins over 3.
const (
	exitOK          = 0   // run complete, nothing at or above --fail-on
	exitError       = 1   // runtime error, no trustworthy report
	exitUsage       = 2   // usage or configuration error
	exitFindings    = 3   // run complete, findings at or above --fail-on
	exitPartial     = 4   // partial: a source could not be collected or a rule not assessed
	exitInterrupted = 130 // interrupted (SIGINT/SIGTERM)
)

// errUsage marks usage and configuration errors.
var errUsage = errors.New("usage")

func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// outcomeError carries a deliberate non-zero exit (findings over the
// threshold, partial run) after the report was written; main prints its
// message as a summary line, not as a failure.
type outcomeError struct {
	code int
	msg  string
}

func (e *outcomeError) Error() string { return e.msg }

func isSilent(err error) bool {
	var oe *outcomeError
	return errors.As(err, &oe) && oe.msg == ""
}

func exitCode(err error) int {
	var oe *outcomeError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &oe):
		return oe.code
	case errors.Is(err, errUsage), errors.Is(err, snapshot.ErrSnapshot), errors.Is(err, evaluate.ErrPolicy), errors.Is(err, evaluate.ErrWaivers), errors.Is(err, ad.ErrBadInput),
		errors.Is(err, exo.ErrInput), errors.Is(err, facts.ErrFacts),
		errors.Is(err, report.ErrFormat), errors.Is(err, evaluate.ErrFindings):
		return exitUsage
	}
	return exitError
}
