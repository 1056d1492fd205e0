package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/internal/tty"
	"github.com/exoready/exoready/report"
)

// env is what the commands touch outside themselves, injectable in tests.
type env struct {
	stdout, stderr io.Writer
	// stderrTTY tells whether stderr is a terminal (console logs, progress).
	stderrTTY bool
	// clock is "now"; tests and --clock fix it for byte-identical reports.
	clock func() time.Time
}

func defaultEnv() *env {
	return &env{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stderrTTY: tty.IsTerminal(os.Stderr),
		clock:     time.Now,
	}
}

func newApp(e *env) *cli.App {
	// Collectors run at once and log (and show progress) from their own
	// goroutines: every write to stderr goes through one lock.
	e.stderr = lockWriter(e.stderr)
	app := &cli.App{
		Name:      "exoready",
		Usage:     "can this hybrid Exchange organization flip mailboxes to cloud management and retire its last Exchange server?",
		Version:   version,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		// urfave/cli would otherwise call os.Exit inside RunContext.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageErrorf("%v", err)
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "exoready: unknown command %q; see exoready --help\n", name)
		},
		HideHelpCommand: true,
		Commands: []*cli.Command{
			scanCommand(e),
			collectCommand(e),
			evaluateCommand(e),
			reportCommand(e),
			diffCommand(e),
			verifyCommand(e),
			planCommand(e),
			policiesCommand(e),
			versionCommand(e),
		},
	}
	for _, c := range app.Commands {
		setUsageErrors(c)
		withMaxMemory(c)
	}
	return app
}

func setUsageErrors(c *cli.Command) {
	c.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageErrorf("%s: %v", c.Name, err) }
	for _, s := range c.Subcommands {
		setUsageErrors(s)
	}
}

// Flag categories shown in --help.
const (
	catOutput  = "Output"
	catPolicy  = "Policies"
	catLogging = "Logging"
)

func loggingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-level", Value: "info", EnvVars: []string{"EXOREADY_LOG_LEVEL"}, Category: catLogging,
			Usage: "trace, debug, info, warn, error"},
		&cli.StringFlag{Name: "log-format", EnvVars: []string{"EXOREADY_LOG_FORMAT"}, Category: catLogging,
			Usage: "console or json (default: console on a terminal, json otherwise)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, EnvVars: []string{"EXOREADY_QUIET"}, Category: catLogging,
			Usage: "only warnings and errors on stderr, no summary"},
		&cli.BoolFlag{Name: "no-progress", EnvVars: []string{"EXOREADY_NO_PROGRESS"}, Category: catLogging,
			Usage: "never show progress"},
	}
}

func outputFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, EnvVars: []string{"EXOREADY_OUT"}, Category: catOutput,
			Usage: "output folder for findings.json, report.xlsx, ... (created if missing)"},
		&cli.StringFlag{Name: "format", Value: "json,xlsx", EnvVars: []string{"EXOREADY_FORMAT"}, Category: catOutput,
			Usage: "comma-separated output formats: " + strings.Join(report.Formats(), ", ")},
		&cli.StringFlag{Name: "fail-on", Value: "critical", EnvVars: []string{"EXOREADY_FAIL_ON"}, Category: catOutput,
			Usage: "exit 3 when a finding fails at this severity or above: critical, high, medium, low, info, none"},
		&cli.StringFlag{Name: "clock", EnvVars: []string{"EXOREADY_CLOCK"}, Category: catOutput, Hidden: true,
			Usage: "fix the report's clock (RFC 3339) for byte-identical reruns"},
	}, redactFlags()...)
}

func policyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "policy", EnvVars: []string{"EXOREADY_POLICY"}, Category: catPolicy,
			Usage: "extra policy folder or OPA bundle (.tar.gz from opa build; repeatable); rules need the same METADATA as the built-in ones"},
		&cli.StringFlag{Name: "policy-verification-key", EnvVars: []string{"EXOREADY_POLICY_VERIFICATION_KEY"}, Category: catPolicy,
			Usage: "public key FILE (PEM; or the HMAC secret for HS* algorithms) every --policy bundle must be signed with, checked as opa run --verification-key does"},
		&cli.StringFlag{Name: "policy-signing-alg", Value: "RS256", EnvVars: []string{"EXOREADY_POLICY_SIGNING_ALG"}, Category: catPolicy,
			Usage: "signature algorithm of the bundles: RS256/384/512, PS256/384/512, ES256/384/512, HS256/384/512"},
		&cli.StringFlag{Name: "config", Aliases: []string{"c"}, EnvVars: []string{"EXOREADY_CONFIG"}, Category: catPolicy,
			Usage: "scan.yaml with sources, parameters and outputs (flags override it)"},
	}
}

// newLogger builds the stderr logger from the logging flags.
func newLogger(c *cli.Context, e *env) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(c.String("log-level")))
	if err != nil || c.String("log-level") == "" {
		return zerolog.Nop(), usageErrorf("--log-level %q is not one of trace, debug, info, warn, error", c.String("log-level"))
	}
	if c.Bool("quiet") && level < zerolog.WarnLevel {
		level = zerolog.WarnLevel
	}
	var w io.Writer = e.stderr
	switch c.String("log-format") {
	case "":
		if e.stderrTTY {
			w = zerolog.ConsoleWriter{Out: e.stderr, TimeFormat: time.TimeOnly}
		}
	case "console":
		w = zerolog.ConsoleWriter{Out: e.stderr, TimeFormat: time.TimeOnly, NoColor: !e.stderrTTY}
	case "json":
	default:
		return zerolog.Nop(), usageErrorf("--log-format %q is not one of console, json", c.String("log-format"))
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

// clockFrom returns the report clock: fixed by --clock, else the env's.
func clockFrom(c *cli.Context, e *env) (func() time.Time, error) {
	s := c.String("clock")
	if s == "" {
		return e.clock, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, usageErrorf("--clock %q is not an RFC 3339 time", s)
	}
	return func() time.Time { return t }, nil
}
