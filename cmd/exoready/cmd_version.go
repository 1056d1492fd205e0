package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
)

func versionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the exoready version, commit and policy pack version",
		Action: func(c *cli.Context) error {
			o, err := policyOptions(c)
			if err != nil {
				return err
			}
			engine, err := evaluate.New(c.Context, o)
			if err != nil {
				return err
			}
			pack := engine.Pack()
			fmt.Fprintf(e.stdout, "exoready %s\ncommit: %s\npolicy pack: %s (%d rules, sha256 %s)\n", version, orUnknown(commit), pack.Version, pack.Rules, pack.SHA256)
			return nil
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
