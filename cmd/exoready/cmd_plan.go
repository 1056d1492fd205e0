package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/plan"
	"github.com/exoready/exoready/policies"
)

// planConfig is the plan: section of scan.yaml; flags override it.
type planConfig struct {
	PilotSize           int      `yaml:"pilot_size"`
	WaveBy              string   `yaml:"wave_by"`
	MaxWaveSize         int      `yaml:"max_wave_size"`
	SettleHours         int      `yaml:"settle_hours"`
	SettledMoveStatuses []string `yaml:"settled_move_statuses"`
	RBAC                struct {
		RoleName   string `yaml:"role_name"`
		Group      string `yaml:"group"`
		ParentRole string `yaml:"parent_role"`
	} `yaml:"rbac"`
}

// syncIntervalParam is the policy parameter holding the default sync cycle.
const syncIntervalParam = "sync_interval_minutes_default"

const catPlan = "Plan"

func planCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "demo", Usage: "plan the embedded demo tenant (corp.example.test)"},
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, EnvVars: []string{"EXOREADY_PLAN_OUT"}, Category: catOutput,
			Usage: "plan folder to write (new or empty; --force replaces an earlier plan in it)"},
		&cli.BoolFlag{Name: "force", Category: catOutput, Usage: "replace an earlier exoready plan in --out (backups its scripts wrote stay)"},
		&cli.IntFlag{Name: "pilot-size", Category: catPlan, Usage: fmt.Sprintf("mailboxes in the pilot, %d to %d (default %d)", plan.MinPilotSize, plan.MaxPilotSize, plan.DefaultPilotSize)},
		&cli.StringFlag{Name: "wave-by", Category: catPlan, Usage: "group the waves by ou, department, domain or custom-attribute-N (default ou)"},
		&cli.IntFlag{Name: "max-wave-size", Category: catPlan, Usage: fmt.Sprintf("most mailboxes in one wave (default %d)", plan.DefaultMaxWaveSize)},
		&cli.StringSliceFlag{Name: "assume-fixed", Category: catPlan,
			Usage: "plan as if this tenant-wide blocker (a rule id, repeatable) were fixed before the pilot; every wave then requires it and --check verifies it"},
		&cli.StringFlag{Name: "check", Category: catPlan, Usage: "re-check the plan in this folder against a fresh snapshot or findings.json; exit 3 when a planned mailbox is no longer ready"},
		&cli.IntFlag{Name: "wave", Value: -1, Category: catPlan, Usage: "with --check: check only this wave (0 is the pilot)"},
	}
	flags = append(flags, policyFlags()...)
	flags = append(flags, waiverFlags()...)
	flags = append(flags, loggingFlags()...)
	return &cli.Command{
		Name:  "plan",
		Usage: "pilot cohort and rollout waves with backup, enable, verify and rollback PowerShell; re-check before a wave",
		UsageText: "exoready plan (SNAPSHOT.json | FINDINGS.json | --demo) --out PLANDIR [--pilot-size 10] [--wave-by ou|department|domain|custom-attribute-N] [--max-wave-size N] [--assume-fixed RULE]\n" +
			"exoready plan --check PLANDIR (SNAPSHOT.json | FINDINGS.json | --demo) [--wave N]",
		Flags: flags,
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			o, err := planOptionsFrom(c, e)
			if err != nil {
				return err
			}
			// Waivers apply when a snapshot is evaluated here (a findings.json
			// carries its own): waived mailboxes stay out of the pilot.
			if err := waiverOptions(c, &o.eval, c.Bool("demo"), log); err != nil {
				return err
			}
			if c.String("check") != "" {
				return planError(runPlanCheck(c.Context, c, e, o, log))
			}
			return planError(runPlan(c.Context, c, e, o, log))
		},
	}
}

// planRun is what one plan or check run needs besides the flags.
type planRun struct {
	eval    evalOptions
	options plan.Options
}

func planOptionsFrom(c *cli.Context, e *env) (planRun, error) {
	cfg, err := loadConfig(c.String("config"))
	if err != nil {
		return planRun{}, err
	}
	r := planRun{eval: evalOptions{Config: cfg, Params: cfg.Params, Quiet: c.Bool("quiet"), Clock: e.clock,
		Policies: append(append([]string(nil), cfg.Policies...), c.StringSlice("policy")...)}}
	if r.eval.Verify, err = bundleVerification(c, cfg); err != nil {
		return planRun{}, err
	}
	pc := cfg.Plan
	r.options = plan.Options{
		PilotSize: pc.PilotSize, WaveBy: pc.WaveBy, MaxWaveSize: pc.MaxWaveSize, SettleHours: pc.SettleHours,
		SettledMoveStatuses: pc.SettledMoveStatuses, AssumeFixed: c.StringSlice("assume-fixed"),
		RBAC: plan.RBACOptions{RoleName: pc.RBAC.RoleName, Group: pc.RBAC.Group, ParentRole: pc.RBAC.ParentRole},
	}
	if c.IsSet("pilot-size") {
		r.options.PilotSize = c.Int("pilot-size")
	}
	if c.IsSet("wave-by") {
		r.options.WaveBy = c.String("wave-by")
	}
	if c.IsSet("max-wave-size") {
		r.options.MaxWaveSize = c.Int("max-wave-size")
	}
	return r, nil
}

// planError marks the planner's option and input errors as usage errors (exit 2).
func planError(err error) error {
	for _, sentinel := range []error{plan.ErrOptions, plan.ErrMismatch, plan.ErrPlanFile, plan.ErrFolderInUse} {
		if errors.Is(err, sentinel) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	return err
}

func runPlan(ctx context.Context, c *cli.Context, e *env, r planRun, log zerolog.Logger) error {
	out := c.String("out")
	if out == "" {
		return usageErrorf("--out PLANDIR is required: exoready plan SNAPSHOT.json --out PLANDIR")
	}
	in, interval, err := loadPlanInput(ctx, c, r.eval, log)
	if err != nil {
		return err
	}
	r.options.SyncIntervalMinutes = interval
	p, err := plan.Build(in, r.options, evaluate.Tool{Name: "exoready", Version: version, Commit: commit})
	if err != nil {
		return err
	}
	written, err := p.Write(out, c.Bool("force"))
	if err != nil {
		return err
	}
	log.Info().Str("path", out).Int("files", len(written)).Str("plan", p.ID).Msg("plan written")
	if !in.Source.Complete {
		log.Warn().Msg("the input is partial (complete: false): mailboxes whose readiness could not be assessed are held back")
	}
	if !r.eval.Quiet {
		s := p.Summary
		fmt.Fprintf(e.stderr, "\n%s\npilot %d, waves %d, planned %d, held %d of %d left to flip; see %s/PLAN.md\n\n",
			s.Headline, s.Pilot, s.Waves, s.Planned, s.Held, s.ToFlip, out)
	}
	return nil
}

func runPlanCheck(ctx context.Context, c *cli.Context, e *env, r planRun, log zerolog.Logger) error {
	if c.IsSet("out") {
		return usageErrorf("--check reads a plan folder and writes nothing: drop --out")
	}
	p, err := plan.ReadPlanFile(c.String("check"))
	if err != nil {
		return err
	}
	in, _, err := loadPlanInput(ctx, c, r.eval, log)
	if err != nil {
		return err
	}
	res, err := plan.Check(p, in, c.Int("wave"))
	if err != nil {
		return err
	}
	if err := res.WriteText(e.stdout); err != nil {
		return err
	}
	if res.NotReady > 0 {
		return &outcomeError{code: exitFindings, msg: fmt.Sprintf("%d planned %s no longer ready", res.NotReady, plural(res.NotReady, "mailbox is", "mailboxes are"))}
	}
	return nil
}

// loadPlanInput reads the one positional input (or --demo): a findings.json
// is used as it is, a snapshot is evaluated through the same engine path as
// exoready evaluate. It also returns the sync interval the quiet period
// starts from: the snapshot's facts, else the policy parameter.
func loadPlanInput(ctx context.Context, c *cli.Context, o evalOptions, log zerolog.Logger) (plan.Input, int, error) {
	var data []byte
	var src plan.Source
	switch {
	case c.Bool("demo") && c.NArg() > 0:
		return plan.Input{}, 0, usageErrorf("give either --demo or an input file, not both")
	case c.Bool("demo"):
		data, src = fixtures.DemoSnapshot(), plan.Source{Kind: "demo", Path: "corp.example.test (embedded in exoready)"}
	case c.NArg() == 1:
		path := c.Args().First()
		raw, err := os.ReadFile(path)
		if err != nil {
			return plan.Input{}, 0, usageErrorf("read input: %v", err)
		}
		data, src = raw, plan.Source{Path: path}
	default:
		return plan.Input{}, 0, usageErrorf("plan needs one input: a snapshot, a findings.json, or --demo (got %d arguments)", c.NArg())
	}
	sum := sha256.Sum256(data)
	src.SHA256 = hex.EncodeToString(sum[:])

	interval, err := defaultSyncInterval(o.Params)
	if err != nil {
		return plan.Input{}, 0, err
	}
	var in plan.Input
	if isFindings(data) {
		rep, err := evaluate.ParseReport(data)
		if err != nil {
			return plan.Input{}, 0, fmt.Errorf("%s: %w", src.Path, err)
		}
		src.Kind, in.Report = "findings", rep
	} else {
		s, err := snapshot.ParseSnapshot(data)
		if err != nil {
			return plan.Input{}, 0, fmt.Errorf("%s: %w", src.Path, err)
		}
		if src.Kind == "" {
			src.Kind = "snapshot"
		}
		if in.Report, err = evaluateSnapshot(ctx, o, data, nil, log); err != nil {
			return plan.Input{}, 0, err
		}
		if s.EXO != nil && s.EXO.RoleEntries != nil {
			in.RoleEntries = make([]plan.RoleEntry, 0, len(s.EXO.RoleEntries))
			for _, re := range s.EXO.RoleEntries {
				in.RoleEntries = append(in.RoleEntries, plan.RoleEntry{Role: re.Role, Cmdlet: re.Name, Parameters: re.Parameters})
			}
		}
		if s.Facts != nil && s.Facts.EntraConnect != nil && s.Facts.EntraConnect.SyncIntervalMinutes > 0 {
			interval = s.Facts.EntraConnect.SyncIntervalMinutes
		}
	}
	rep := in.Report
	src.SnapshotSHA256, src.ScanID, src.CollectedAt = rep.Inputs.Snapshot.SHA256, rep.ScanID, rep.Inputs.Snapshot.CollectedAt.UTC()
	src.Forest, src.Tenant, src.PolicyPack, src.Complete = rep.Inputs.Snapshot.Forest, rep.Inputs.Snapshot.Tenant, rep.PolicyPack.Version, rep.Complete
	in.Source = src
	return in, interval, nil
}

// isFindings tells a findings.json from a snapshot: only findings carry
// "findings" and "tool" at the top level.
func isFindings(data []byte) bool {
	var head struct {
		Findings json.RawMessage `json:"findings"`
		Tool     json.RawMessage `json:"tool"`
	}
	return json.Unmarshal(data, &head) == nil && head.Findings != nil && head.Tool != nil
}

// defaultSyncInterval is the policy pack's default sync cycle, overridden in
// scan.yaml params like every parameter.
func defaultSyncInterval(overrides map[string]any) (int, error) {
	params, err := policies.Params()
	if err != nil {
		return 0, err
	}
	v, ok := overrides[syncIntervalParam]
	if !ok {
		v = params[syncIntervalParam]
	}
	switch n := v.(type) {
	case int:
		return n, nil
	case float64:
		return int(n), nil
	}
	return 0, usageErrorf("parameter %s must be a whole number of minutes, not %v", syncIntervalParam, v)
}
