package main

import (
	"crypto/rand"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/report"
)

// redactKeyEnv holds the redaction key when no file is given. The key is
// a secret: never a flag value, never written or logged.
const redactKeyEnv = "EXOREADY_REDACT_KEY"

// redactFlags are --redact and its key file (scan, evaluate, report).
func redactFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "redact", EnvVars: []string{"EXOREADY_REDACT"}, Category: catOutput,
			Usage: "pseudonymise the names, addresses, UPNs, aliases and DNs of people and recipients in every report (keyed hash: the same value gets the same pseudonym)"},
		&cli.StringFlag{Name: "redact-key-file", EnvVars: []string{"EXOREADY_REDACT_KEY_FILE"}, Category: catOutput,
			Usage: "file holding the redaction key (else " + redactKeyEnv + "; else a random key for this run only), at least 16 bytes"},
	}
}

// redaction is the key of --redact; random says it was drawn for this
// run (no key file or variable), so pseudonyms match no other run.
type redaction struct {
	key    []byte
	random bool
}

// redactOptions reads --redact and its key; nil without --redact.
func redactOptions(c *cli.Context) (*redaction, error) {
	if !c.Bool("redact") {
		if c.String("redact-key-file") != "" {
			return nil, usageErrorf("--redact-key-file is given without --redact")
		}
		return nil, nil
	}
	r := &redaction{}
	switch file := c.String("redact-key-file"); {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageErrorf("read --redact-key-file: %v", err)
		}
		r.key = []byte(strings.TrimRight(string(b), "\r\n"))
		if len(r.key) < report.MinRedactKeyBytes {
			return nil, usageErrorf("--redact-key-file %s holds %d bytes: the key needs at least %d (e.g. openssl rand -hex 32 > %s)", file, len(r.key), report.MinRedactKeyBytes, file)
		}
	case os.Getenv(redactKeyEnv) != "":
		r.key = []byte(os.Getenv(redactKeyEnv))
		if len(r.key) < report.MinRedactKeyBytes {
			return nil, usageErrorf("%s holds %d bytes: the key needs at least %d", redactKeyEnv, len(r.key), report.MinRedactKeyBytes)
		}
	default:
		r.key, r.random = make([]byte, 32), true
		if _, err := rand.Read(r.key); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// redacted returns the report to write: a pseudonymised copy with
// --redact, else rep itself.
func redacted(rep *evaluate.Report, r *redaction, log zerolog.Logger) (*evaluate.Report, error) {
	if r == nil {
		return rep, nil
	}
	switch {
	case rep.Redacted:
		log.Info().Msg("the findings file is already redacted: written as it is")
	case r.random:
		log.Info().Msg("redacting with a random key for this run: pseudonyms will not match other runs (set " + redactKeyEnv + " or --redact-key-file to keep them stable)")
	}
	return report.Redact(rep, r.key)
}
