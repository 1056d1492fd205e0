package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/rs/zerolog"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func main() {
	// A soft memory limit at 90 % of the container's memory, else the
	// machine's: near it the garbage collector works harder instead of a
	// scan of a large tenant being killed for want of memory. GOMEMLIMIT,
	// or AUTOMEMLIMIT=off, in the environment take precedence, and
	// --max-memory over both (memory.go).
	memlimit.Set(memlimit.WithProvider(memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := newApp(defaultEnv())
	err := app.RunContext(ctx, interspersed(app, os.Args))
	if err == nil {
		err = ctx.Err()
	}
	stop()
	code := exitCode(err)
	if err != nil && !isSilent(err) {
		printFinal(os.Stderr, err, code, jsonLogs(os.Args, os.Getenv("EXOREADY_LOG_FORMAT"), defaultEnv().stderrTTY))
	}
	os.Exit(code)
}

// printFinal prints the run's last line: plain text for a person, or one
// JSON log event when logs are JSON, so a SIEM pipeline never sees a line
// it cannot parse.
func printFinal(w io.Writer, err error, code int, asJSON bool) {
	if !asJSON {
		fmt.Fprintln(w, "exoready:", err)
		return
	}
	level := zerolog.ErrorLevel
	var oe *outcomeError
	if errors.As(err, &oe) {
		level = zerolog.WarnLevel
	}
	log := zerolog.New(w).With().Timestamp().Logger()
	log.WithLevel(level).Str("event", "exit").Int("exit_code", code).Msg(err.Error())
}

// jsonLogs tells whether the logs of this run are JSON: --log-format json,
// EXOREADY_LOG_FORMAT=json, or no format given and stderr not a terminal.
func jsonLogs(args []string, envFormat string, stderrTTY bool) bool {
	format := envFormat
	for i, a := range args {
		switch {
		case a == "--log-format" || a == "-log-format":
			if i+1 < len(args) {
				format = args[i+1]
			}
		case strings.HasPrefix(a, "--log-format=") || strings.HasPrefix(a, "-log-format="):
			format = a[strings.Index(a, "=")+1:]
		}
	}
	switch format {
	case "json":
		return true
	case "console":
		return false
	}
	return !stderrTTY
}
