package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
)

func scanCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "demo", Usage: "scan the embedded demo tenant (corp.example.test) instead of real sources"},
	}
	flags = append(flags, sourceFlags()...)
	flags = append(flags, outputFlags()...)
	flags = append(flags, scheduleFlags()...)
	flags = append(flags, policyFlags()...)
	flags = append(flags, waiverFlags()...)
	flags = append(flags, loggingFlags()...)
	return &cli.Command{
		Name:      "scan",
		Usage:     "collect, evaluate and report in one run",
		UsageText: "exoready scan --demo --out DIR\nexoready scan [--config scan.yaml] [--ldap-url URL | --ad-ldif FILE] [--exo-export DIR] [--facts FILE] --out DIR",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			o, err := evalOptionsFrom(c, e)
			if err != nil {
				return err
			}
			if err := scheduleOptions(c, &o, log); err != nil {
				return err
			}
			if err := waiverOptions(c, &o, c.Bool("demo"), log); err != nil {
				return err
			}
			return runScan(c.Context, c, e, o, log)
		},
	}
}

func runScan(ctx context.Context, c *cli.Context, e *env, o evalOptions, log zerolog.Logger) error {
	start := o.Clock()
	var snap []byte
	phases := map[string]int64{}
	if c.Bool("demo") {
		if anySourceSet(c, o.Config) {
			return usageErrorf("--demo scans the embedded demo tenant; give either --demo or sources, not both")
		}
		snap = fixtures.DemoSnapshot()
		if _, err := snapshot.ParseSnapshot(snap); err != nil {
			return fmt.Errorf("embedded demo tenant: %w", err)
		}
		log.Info().Msg("scanning the embedded demo tenant corp.example.test")
		var err error
		if o.SnapshotWrite, err = writeSnapshotFile(ctx, filepath.Join(o.Out, "snapshot.json"), snap); err != nil {
			return err
		}
		return evaluateAndReport(ctx, e, o, snap, phases, log)
	}
	s, err := collectSnapshot(ctx, c, e, o.Config, o.Clock, phases, log)
	if err != nil {
		return err
	}
	phases["collect"] = o.Clock().Sub(start).Milliseconds()
	// The snapshot is streamed to disk and hashed on the way, never held
	// as JSON in memory (gigabytes at 600,000 mailboxes), while the rules
	// run on it decoded; the report waits for its digest.
	w := startSnapshotWrite(ctx, filepath.Join(o.Out, "snapshot.json"), s, o.Clock, "write_snapshot")
	o.SnapshotWrite, o.Parsed = w, s
	err = evaluateAndReport(ctx, e, o, nil, phases, log) // drops the snapshot once evaluated
	if werr := w.failed(); err == nil {
		err = werr
	}
	return err
}

// streamSnapshotFile writes the snapshot to path (streamed, atomically,
// its folder made first) and returns the digest of what it wrote.
func streamSnapshotFile(ctx context.Context, path string, s *snapshot.Snapshot) (snapshot.Digest, error) {
	if err := mkdirFor(path); err != nil {
		return snapshot.Digest{}, err
	}
	return s.WriteFile(ctx, path)
}
