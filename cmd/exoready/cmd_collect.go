package main

import (
	"context"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector"
)

// collectCommand writes snapshot parts: `collect ad` and `collect exo` can
// run on different machines; `exoready evaluate ad.json exo.json` merges them.
func collectCommand(e *env) *cli.Command {
	common := func(extra []cli.Flag) []cli.Flag {
		flags := append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Category: catOutput, Usage: "snapshot part to write (- for stdout)"},
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, EnvVars: []string{"EXOREADY_CONFIG"}, Usage: "scan.yaml naming the source"},
		}, extra...)
		return append(flags, loggingFlags()...)
	}
	return &cli.Command{
		Name:  "collect",
		Usage: "collect one source into a snapshot part (merge parts with `exoready evaluate a.json b.json`)",
		Subcommands: []*cli.Command{
			{
				Name:      "ad",
				Usage:     "collect on-premises AD (live over LDAP or from LDIF)",
				UsageText: "exoready collect ad --ldap-url ldaps://dc01:636 --bind-dn svc@corp --password-file pw -o ad.json\nexoready collect ad --ad-ldif domain.ldf --ad-ldif config.ldf -o ad.json",
				Flags:     common(adFlags()),
				Action: func(c *cli.Context) error {
					return runCollect(c, e, func(ctx context.Context, cfg *scanConfig, log zerolog.Logger, p *collector.Parts) (bool, error) {
						a, st, ok, err := collectAD(ctx, c, cfg, progressTo(c, e), log)
						p.AD, p.ADStatus = a, st
						return ok, err
					})
				},
			},
			{
				Name:      "exo",
				Usage:     "collect Exchange Online and Entra (export folder or live REST) and the operator facts",
				UsageText: "exoready collect exo --exo-export ./export --facts facts.yaml -o exo.json",
				Flags:     common(exoFlags()),
				Action: func(c *cli.Context) error {
					return runCollect(c, e, func(ctx context.Context, cfg *scanConfig, log zerolog.Logger, p *collector.Parts) (bool, error) {
						r, err := collectEXO(ctx, c, cfg, progressTo(c, e), log)
						if err != nil {
							return false, err
						}
						ok := r != nil
						if ok {
							p.EXO, p.EXOStatus, p.Entra, p.EntraStatus = r.EXO, r.EXOStatus, r.Entra, r.EntraStatus
						}
						f, st, fok, err := collectFacts(c, cfg)
						if fok {
							p.Facts, p.FactsStatus = f, st
						}
						return ok || fok, err
					})
				},
			},
		},
	}
}

// runCollect runs one collector and writes its snapshot part atomically.
func runCollect(c *cli.Context, e *env, fill func(context.Context, *scanConfig, zerolog.Logger, *collector.Parts) (bool, error)) error {
	log, err := newLogger(c, e)
	if err != nil {
		return err
	}
	out := c.String("output")
	if out == "" {
		return usageErrorf("-o FILE is required (the snapshot part to write, - for stdout)")
	}
	cfg, err := loadConfig(c.String("config"))
	if err != nil {
		return err
	}
	p := collector.Parts{CollectedAt: e.clock()}
	ok, err := fill(c.Context, cfg, log, &p)
	if err != nil {
		return err
	}
	if !ok {
		return usageErrorf("no source given for %s; see exoready collect %s --help", c.Command.Name, c.Command.Name)
	}
	s := collector.Build(p)
	if out == "-" {
		err = s.WriteJSON(e.stdout)
	} else {
		_, err = streamSnapshotFile(c.Context, out, s)
	}
	if err != nil {
		return err
	}
	if !s.Complete() {
		return &outcomeError{code: exitPartial, msg: "partial collection: see sources.*.errors in " + out}
	}
	return nil
}
