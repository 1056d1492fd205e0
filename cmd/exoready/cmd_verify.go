package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/policies"
	"github.com/exoready/exoready/report/evidence"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check a findings file against its manifest, signature and recorded hashes",
		UsageText: "exoready verify DIR/findings.json --pub exoready-sign.pub.pem [--inputs DIR]\n\n" +
			"Checks the Ed25519 signature of DIR/manifest.json (manifest.json.sig) with the trusted public key,\n" +
			"the SHA-256 of findings.json and every other file the manifest lists, and the inputs findings.json\n" +
			"records (source files, scan.yaml, the policy pack) where they can be found. Exit 0 when nothing\n" +
			"failed, 1 when anything did.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "pub", EnvVars: []string{"EXOREADY_VERIFY_PUB"}, Usage: "trusted Ed25519 public key FILE (PEM or 32 raw bytes); without it the signature is not checked"},
			&cli.StringFlag{Name: "inputs", Usage: "folder holding the scan's input files (default: the paths recorded)"},
			&cli.StringFlag{Name: "manifest", Usage: "manifest FILE (default: manifest.json beside the findings file)"},
			&cli.StringFlag{Name: "sig", Usage: "signature FILE (default: the manifest's path + .sig)"},
			&cli.StringFlag{Name: "format", Value: "text", Category: catOutput, Usage: "text or json"},
		}, loggingFlags()...),
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usageErrorf("verify needs one findings file: exoready verify DIR/findings.json --pub KEY")
			}
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageErrorf("--format %q is not one of text, json", format)
			}
			o := evidence.VerifyOptions{
				Findings: c.Args().First(), Manifest: c.String("manifest"), Signature: c.String("sig"), InputsDir: c.String("inputs"),
				PolicyPack: func(r *evaluate.Report) (string, string) { return checkPolicyPack(c.Context, r) },
			}
			if p := c.String("pub"); p != "" {
				if o.PublicKey, err = evidence.LoadPublicKey(p); err != nil {
					return usageErrorf("--pub: %v", err)
				}
			}
			res, err := evidence.Verify(o)
			if err != nil {
				return err
			}
			if err := printVerify(e, format, res); err != nil {
				return err
			}
			return verifyOutcome(log, o, res)
		},
	}
}

func printVerify(e *env, format string, res *evidence.Result) error {
	if format == "json" {
		return writeJSON(e.stdout, res)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, ch := range res.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ch.Status, ch.Item, ch.Detail)
	}
	return tw.Flush()
}

// verifyOutcome logs the result as one event and maps it to the exit code.
func verifyOutcome(log zerolog.Logger, o evidence.VerifyOptions, res *evidence.Result) error {
	failed := res.Count(evidence.CheckFailed)
	ev := log.Info()
	if failed > 0 {
		ev = log.Error()
	}
	ev.Str("event", "verify_result").Str("path", o.Findings).Bool("authenticated", res.Authenticated).Str("key_id", res.KeyID).
		Int("ok", res.Count(evidence.CheckOK)).Int("failed", failed).Int("not_at_hand", res.Count(evidence.CheckMissing)).
		Int("changed_since", res.Count(evidence.CheckChanged)).
		Msg("verification finished")
	switch {
	case failed > 0:
		return &outcomeError{code: exitError, msg: fmt.Sprintf("verification FAILED: %d %s failed; do not trust %s", failed, plural(failed, "check", "checks"), o.Findings)}
	case res.Authenticated:
		return &outcomeError{code: exitOK, msg: fmt.Sprintf("verified: signature by key %s valid, %s", res.KeyID, verifyCounts(res))}
	}
	return &outcomeError{code: exitOK, msg: fmt.Sprintf("consistent but NOT authenticated: %s; give --pub KEY to check the signature", verifyCounts(res))}
}

// checkPolicyPack recomputes the hash of the policy pack a report names
// from this exoready's embedded pack and the --policy folders and bundles
// recorded. A difference fails only when this is the exoready build that
// ran the scan: another build embeds other policies, which says nothing of
// the report.
func checkPolicyPack(ctx context.Context, r *evaluate.Report) (status, detail string) {
	pp := r.PolicyPack
	var dirs []string
	embedded := false
	for _, s := range pp.Sources {
		if s == "embedded" {
			embedded = true
			continue
		}
		if _, err := os.Stat(s); err != nil {
			return evidence.CheckMissing, fmt.Sprintf("policy source %s is not at hand", s)
		}
		dirs = append(dirs, s)
	}
	sources, err := policySources(dirs, nil)
	if err != nil {
		return evidence.CheckFailed, err.Error()
	}
	params, err := policies.Params()
	if err != nil {
		return evidence.CheckFailed, err.Error()
	}
	eng, err := evaluate.New(ctx, evaluate.Options{Sources: sources, Version: policies.Version, Params: params, Logger: zerolog.Nop()})
	if err != nil {
		return evidence.CheckFailed, fmt.Sprintf("the recorded policies do not load: %v", err)
	}
	sha := eng.Pack().SHA256
	switch {
	case sha == pp.SHA256:
		return evidence.CheckOK, fmt.Sprintf("%s %v sha256 %s", pp.Version, pp.Sources, sha)
	case embedded && (r.Tool.Version != version || r.Tool.Commit != commit || version == "dev"):
		return evidence.CheckSkipped, fmt.Sprintf("the scan ran exoready %s (commit %s) with policy pack %s; this is exoready %s (commit %s), whose embedded pack differs: verify with the build that ran the scan",
			r.Tool.Version, orNone(r.Tool.Commit), pp.Version, version, orNone(commit))
	}
	return evidence.CheckFailed, fmt.Sprintf("the policies at %v hash to %s, the scan used %s: they changed since", pp.Sources, sha, pp.SHA256)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func verifyCounts(res *evidence.Result) string {
	return fmt.Sprintf("%d checks ok, %d not at hand, %d inputs replaced since the scan",
		res.Count(evidence.CheckOK), res.Count(evidence.CheckMissing), res.Count(evidence.CheckChanged))
}
