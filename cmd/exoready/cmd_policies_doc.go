package main

import (
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/policies"
)

// policiesDocCommand writes the rule catalog as Markdown (docs/rules.md is
// its output for the embedded pack, kept current by a test).
func policiesDocCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "doc",
		Usage:     "write the rule catalog (with --policy rules) and the default parameters as Markdown",
		UsageText: "exoready policies doc [--policy DIR|BUNDLE.tar.gz ...] [--out FILE]",
		Flags: append(policyFlags(), &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Category: catOutput,
			Usage: "write to FILE (through a temporary file) instead of stdout"}),
		Action: func(c *cli.Context) error {
			o, err := policyOptions(c)
			if err != nil {
				return err
			}
			engine, err := evaluate.New(c.Context, o)
			if err != nil {
				return err
			}
			doc := evaluate.CatalogMarkdown(engine.Rules(), policies.Version, policies.ParamsYAML())
			if p := c.String("out"); p != "" {
				return fileio.WriteFileAtomic(p, doc)
			}
			_, err = e.stdout.Write(doc)
			return err
		},
	}
}
