package main

import (
	"fmt"
	"os"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
)

func waiverFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "waivers", EnvVars: []string{"EXOREADY_WAIVERS"}, Category: catPolicy,
			Usage: "YAML file of accepted risks (rule, object glob, reason, owner, expires): covered findings are reported as waived until they expire (docs/waivers.md); scan --demo uses the demo's own"},
	}
}

// waiversSetting is scan.yaml's waivers: either the path of a waivers file
// or the list itself.
type waiversSetting struct {
	Path string
	List *yaml.Node
}

// UnmarshalYAML accepts a path (scalar) or an inline list (sequence).
func (w *waiversSetting) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		w.Path = n.Value
	case yaml.SequenceNode:
		w.List = n
	default:
		return fmt.Errorf("line %d: waivers must be the path of a waivers file or a list of waivers", n.Line)
	}
	return nil
}

// waiverOptions loads the waivers: --waivers over scan.yaml, and for a
// demo scan without either, the demo's embedded waivers. A malformed file
// stops the run before any work (exit 2).
func waiverOptions(c *cli.Context, o *evalOptions, demo bool, log zerolog.Logger) error {
	cfg := o.Config
	var err error
	switch p := pick(c, "waivers", cfg.Waivers.Path); {
	case p != "":
		data, rerr := os.ReadFile(p)
		if rerr != nil {
			return usageErrorf("--waivers: %v", rerr)
		}
		o.Waivers, err = evaluate.ParseWaivers(p, data)
	case cfg.Waivers.List != nil:
		o.Waivers, err = evaluate.WaiversFromNode(cfg.path+" (waivers)", cfg.Waivers.List)
	case demo:
		o.Waivers, err = evaluate.ParseWaivers(fixtures.DemoWaiversPath, fixtures.DemoWaivers())
	}
	if err != nil {
		return err
	}
	if o.Waivers != nil {
		log.Info().Str("path", o.Waivers.Source).Int("waivers", len(o.Waivers.Waivers)).Msg("waivers loaded")
	}
	return nil
}
