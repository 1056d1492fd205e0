package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/policies"
)

func policiesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list the rule catalog, run the Rego unit tests, write the catalog as Markdown",
		Subcommands: []*cli.Command{
			policiesDocCommand(e),
			{
				Name:  "list",
				Usage: "list every rule with its id, severity, category and title",
				Flags: append(policyFlags(), &cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}),
				Action: func(c *cli.Context) error {
					o, err := policyOptions(c)
					if err != nil {
						return err
					}
					engine, err := evaluate.New(c.Context, o)
					if err != nil {
						return err
					}
					rules := engine.Rules()
					switch c.String("format") {
					case "json":
						enc := json.NewEncoder(e.stdout)
						enc.SetIndent("", "  ")
						return enc.Encode(rules)
					case "table":
						tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
						fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tTITLE")
						for _, r := range rules {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Title)
						}
						return tw.Flush()
					}
					return usageErrorf("--format %q is not one of table, json", c.String("format"))
				},
			},
			{
				Name:  "test",
				Usage: "run the _test.rego unit tests of the built-in pack and of --policy folders",
				Flags: append(policyFlags(), &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every test"}),
				Action: func(c *cli.Context) error {
					o, err := policyOptions(c)
					if err != nil {
						return err
					}
					results, err := evaluate.RunTests(c.Context, o)
					if err != nil {
						return err
					}
					failed := 0
					for _, r := range results {
						switch {
						case r.Pass:
							if c.Bool("verbose") {
								fmt.Fprintf(e.stdout, "PASS %s.%s\n", r.Package, r.Name)
							}
						case r.Skip:
							fmt.Fprintf(e.stdout, "SKIP %s.%s\n", r.Package, r.Name)
						default:
							failed++
							fmt.Fprintf(e.stdout, "FAIL %s.%s (%s) %s\n%s", r.Package, r.Name, r.File, r.Error, r.Output)
						}
					}
					fmt.Fprintf(e.stdout, "%d passed, %d failed\n", len(results)-failed, failed)
					if failed > 0 {
						return &outcomeError{code: exitError, msg: fmt.Sprintf("%d Rego %s failed", failed, plural(failed, "test", "tests"))}
					}
					if len(results) == 0 {
						return &outcomeError{code: exitError, msg: "no Rego tests found"}
					}
					return nil
				},
			},
		},
	}
}

// policyOptions builds engine options from --policy and scan.yaml params.
func policyOptions(c *cli.Context) (evaluate.Options, error) {
	cfg, err := loadConfig(c.String("config"))
	if err != nil {
		return evaluate.Options{}, err
	}
	verify, err := bundleVerification(c, cfg)
	if err != nil {
		return evaluate.Options{}, err
	}
	sources, err := policySources(append(append([]string(nil), cfg.Policies...), c.StringSlice("policy")...), verify)
	if err != nil {
		return evaluate.Options{}, err
	}
	params, err := policies.Params()
	if err != nil {
		return evaluate.Options{}, err
	}
	return evaluate.Options{Sources: sources, Version: policies.Version, Params: params, Overrides: cfg.Params}, nil
}
