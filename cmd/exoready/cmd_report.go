package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/report"
)

func reportCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Category: catOutput, Usage: "output folder (created if missing)"},
		&cli.StringFlag{Name: "format", Value: "xlsx", Category: catOutput, Usage: "comma-separated output formats: " + strings.Join(report.Formats(), ", ")},
	}
	return &cli.Command{
		Name:      "report",
		Usage:     "re-render a saved findings.json in other formats (no re-evaluation)",
		UsageText: "exoready report FINDINGS.json --format xlsx,sarif --out DIR",
		Flags:     append(append(flags, redactFlags()...), loggingFlags()...),
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usageErrorf("report needs exactly one findings file: exoready report FINDINGS.json --format xlsx --out DIR")
			}
			if c.String("out") == "" {
				return usageErrorf("--out DIR is required")
			}
			formats, err := report.ParseFormats(c.String("format"))
			if err != nil {
				return err
			}
			redact, err := redactOptions(c)
			if err != nil {
				return err
			}
			rep, err := evaluate.ReadReportFile(c.Args().First())
			if err != nil {
				return err
			}
			if rep, err = redacted(rep, redact, log); err != nil {
				return err
			}
			written, err := report.WriteFiles(c.Context, c.String("out"), formats, rep, report.Options{})
			for _, w := range written {
				log.Info().Str("path", w.Path).Msg("report written")
			}
			return err
		},
	}
}
