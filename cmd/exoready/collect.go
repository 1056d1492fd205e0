package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector"
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

// collectSnapshot runs every collector the flags and scan.yaml ask for and
// assembles the snapshot.
// It records the duration of each source and of the join in phases (ms).
func collectSnapshot(ctx context.Context, c *cli.Context, e *env, cfg *scanConfig, phases map[string]int64, log zerolog.Logger) (*snapshot.Snapshot, error) {
	if !anySourceSet(c, cfg) {
		return nil, usageErrorf("no source to scan: give --demo, or AD (--ldap-url / --ad-ldif) and Exchange Online (--exo-export / --exo-tenant) sources, or a --config scan.yaml that names them")
	}
	p := collector.Parts{CollectedAt: e.clock()}
	lap := e.clock()
	phase := func(name string) {
		now := e.clock()
		phases[name] = now.Sub(lap).Milliseconds()
		lap = now
	}
	if a, st, ok, err := collectAD(ctx, c, e, cfg, log); err != nil {
		return nil, err
	} else if ok {
		p.AD, p.ADStatus = a, st
		phase("collect_ad")
	}
	if r, err := collectEXO(ctx, c, e, cfg, log); err != nil {
		return nil, err
	} else if r != nil {
		p.EXO, p.EXOStatus, p.Entra, p.EntraStatus = r.EXO, r.EXOStatus, r.Entra, r.EntraStatus
		phase("collect_exo")
	}
	if f, st, ok, err := collectFacts(c, cfg); err != nil {
		return nil, err
	} else if ok {
		p.Facts, p.FactsStatus = f, st
		phase("collect_facts")
	}
	s := collector.Build(p)
	phase("join")
	return s, nil
}
