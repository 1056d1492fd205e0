package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/exo"
	"github.com/exoready/exoready/collector/snapshot"
)

func mkdirFor(path string) error {
	return os.MkdirAll(filepath.Dir(path), 0o755)
}

// sourceFlags are the flags that select what to collect. Each collector adds
// its own here.
func sourceFlags() []cli.Flag {
	return append(adFlags(), exoFlags()...)
}

// anySourceSet tells whether a collection source was given.
func anySourceSet(c *cli.Context, cfg *scanConfig) bool {
	for _, f := range sourceFlags() {
		if c.IsSet(f.Names()[0]) {
			return true
		}
	}
	return cfg.AD.LDAPURL != "" || len(cfg.AD.LDIF) > 0 || cfg.EXO.Export != "" || cfg.EXO.Tenant != "" || cfg.Facts != ""
}

// collectSnapshot runs every collector the flags and scan.yaml ask for, at
// once (a live scan waits on two networks; reading exports keeps both
// processors busy), and assembles the snapshot. When a collector fails, the
// others are stopped, and the error reported is the first in the fixed order
// AD, Exchange Online, facts, never one caused by that stop.
// It records the duration of each source and of the join in phases (ms).
// clock gives the collection time and the phase timings (--clock fixes it,
// for byte-identical reruns).
func collectSnapshot(ctx context.Context, c *cli.Context, e *env, cfg *scanConfig, clock func() time.Time, phases map[string]int64, log zerolog.Logger) (*snapshot.Snapshot, error) {
	if !anySourceSet(c, cfg) {
		return nil, usageErrorf("no source to scan: give --demo, or AD (--ldap-url / --ad-ldif) and Exchange Online (--exo-export / --exo-tenant) sources, or a --config scan.yaml that names them")
	}
	p := collector.Parts{CollectedAt: clock()}
	adProg, exoProg := progressTo(c, e), progressTo(c, e)
	if adProg != nil && adSettings(c, cfg).any() && exoSettings(c, cfg).any() {
		line := newProgressLine(adProg, 2)
		defer line.close()
		adProg, exoProg = line.slot(0), line.slot(1)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg                  sync.WaitGroup
		adOK, factsOK       bool
		exoRes              *exo.Result
		errs                [3]error
		adMs, exoMs, factMs int64
	)
	timed := func(ms *int64, err *error, run func() error) {
		wg.Go(func() {
			start := clock()
			if *err = run(); *err != nil {
				cancel()
			}
			*ms = clock().Sub(start).Milliseconds()
		})
	}
	timed(&adMs, &errs[0], func() (err error) {
		p.AD, p.ADStatus, adOK, err = collectAD(ctx, c, cfg, adProg, log)
		return err
	})
	timed(&exoMs, &errs[1], func() (err error) {
		exoRes, err = collectEXO(ctx, c, cfg, exoProg, log)
		return err
	})
	timed(&factMs, &errs[2], func() (err error) {
		p.Facts, p.FactsStatus, factsOK, err = collectFacts(c, cfg)
		return err
	})
	wg.Wait()
	if err := firstCollectError(ctx, errs[:]); err != nil {
		return nil, err
	}
	if adOK {
		phases["collect_ad"] = adMs
	}
	if exoRes != nil {
		p.EXO, p.EXOStatus, p.Entra, p.EntraStatus = exoRes.EXO, exoRes.EXOStatus, exoRes.Entra, exoRes.EntraStatus
		phases["collect_exo"] = exoMs
	}
	if factsOK {
		phases["collect_facts"] = factMs
	}
	joinStart := clock()
	s := collector.Build(p)
	phases["join"] = clock().Sub(joinStart).Milliseconds()
	return s, nil
}

// firstCollectError picks the error to report of collectors that ran at
// once: the first in order that is not merely the stop caused by another
// collector's failure (ctx is the collectors' own context, cancelled on
// the first failure; a cancellation from outside, Ctrl-C, is reported as such).
func firstCollectError(ctx context.Context, errs []error) error {
	var stopped error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			if stopped == nil {
				stopped = err
			}
			continue
		}
		return err
	}
	return stopped
}

// progressTo is where collectors show progress: stderr when it is a
// terminal and progress was not turned off, else nowhere.
func progressTo(c *cli.Context, e *env) io.Writer {
	if e.stderrTTY && !c.Bool("quiet") && !c.Bool("no-progress") {
		return e.stderr
	}
	return nil
}
