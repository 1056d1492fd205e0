package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
	"github.com/exoready/exoready/report"
	"github.com/exoready/exoready/report/evidence"
)

// What a scheduled run adds to a scan: a baseline to compare with, gating
// on new findings only, and signed evidence.

const catSchedule = "Scheduled runs"

// baselineCopyName is the copy of the baseline kept beside findings.json,
// so an output folder holds both sides of its diff even when the baseline
// was the previous findings.json in that same folder.
const baselineCopyName = "baseline.json"

func scheduleFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "baseline", EnvVars: []string{"EXOREADY_BASELINE"}, Category: catSchedule,
			Usage: "an earlier findings.json to compare with: new, resolved, still-open findings go into findings.json and the workbook (a missing file counts as no baseline yet)"},
		&cli.BoolFlag{Name: "fail-on-new", EnvVars: []string{"EXOREADY_FAIL_ON_NEW"}, Category: catSchedule,
			Usage: "exit 3 only for findings at or above --fail-on that are new since --baseline (every finding when there is no baseline yet)"},
		&cli.StringFlag{Name: "sign-key", EnvVars: []string{"EXOREADY_SIGN_KEY"}, Category: catSchedule,
			Usage: "Ed25519 private key FILE (PEM PKCS#8 or 32-byte seed) to sign manifest.json with; the key is never logged"},
	}
}

// baseline is a loaded --baseline file.
type baseline struct {
	path string
	data []byte
	rep  *evaluate.Report
}

// scheduleOptions reads --baseline, --fail-on-new and --sign-key over
// scan.yaml and loads the baseline and key up front, so a bad one stops
// the run before any collection work.
func scheduleOptions(c *cli.Context, o *evalOptions, log zerolog.Logger) error {
	cfg := o.Config
	o.FailOnNew = cfg.FailOnNew
	if c.IsSet("fail-on-new") {
		o.FailOnNew = c.Bool("fail-on-new")
	}
	if p := pick(c, "baseline", cfg.Baseline); p != "" {
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			log.Warn().Str("path", p).Msg("baseline does not exist yet (first scheduled run?): every finding counts as new")
		case err != nil:
			return usageErrorf("--baseline: %v", err)
		default:
			rep, err := evaluate.ParseReport(data)
			if err != nil {
				return usageErrorf("--baseline %s: %v", p, err)
			}
			o.Baseline = &baseline{path: p, data: data, rep: rep}
		}
	}
	if p := pick(c, "sign-key", cfg.SignKey); p != "" {
		key, err := evidence.LoadPrivateKey(p)
		if err != nil {
			return usageErrorf("--sign-key: %v", err)
		}
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o007 != 0 {
			log.Warn().Str("path", p).Str("mode", st.Mode().Perm().String()).Msg("signing key is readable by every user: chmod 600 it")
		}
		o.SignKey = key
		log.Info().Str("key_id", evidence.KeyID(key.Public().(ed25519.PublicKey))).Msg("signing the evidence manifest")
	}
	return nil
}

// compareWithBaseline puts the diff into the report.
func compareWithBaseline(rep *evaluate.Report, b *baseline, log zerolog.Logger) {
	if b == nil {
		return
	}
	ch := evaluate.Diff(b.rep, rep)
	ch.Baseline.Path = b.path
	ch.Baseline.SHA256, ch.Baseline.Bytes = sha256Hex(b.data), int64(len(b.data))
	for _, w := range ch.Warnings {
		log.Warn().Str("baseline", b.path).Msg(w)
	}
	rep.Changes = ch
}

// writeEvidence copies the baseline beside the reports and writes the
// manifest of everything this run wrote and read (signed with a key).
func writeEvidence(o evalOptions, rep *evaluate.Report, written []fileio.Written, log zerolog.Logger) (*evidence.Manifest, error) {
	m := evidence.NewManifest(rep)
	for _, w := range written {
		role := evidence.RoleReport
		if filepath.Base(w.Path) == report.FileName("json") {
			role = evidence.RoleFindings
		}
		if err := m.AddOutput(o.Out, w, role); err != nil {
			return nil, err
		}
	}
	if o.SnapshotWrite != nil {
		w, err := o.SnapshotWrite.written()
		if err != nil {
			return nil, err
		}
		if err := m.AddOutput(o.Out, w, evidence.RoleSnapshot); err != nil {
			return nil, err
		}
	}
	for _, in := range o.SnapshotInputs {
		role := evidence.RolePart
		if len(o.SnapshotInputs) == 1 {
			role = evidence.RoleSnapshot
		}
		m.AddInput(in, role)
	}
	switch {
	case o.Baseline != nil && rep.Redacted && !o.Baseline.rep.Redacted:
		// A redacted folder must not carry the names the baseline holds.
		log.Warn().Str("baseline", o.Baseline.path).Msg("the baseline is not redacted: not copied beside this redacted report (its hash stays in findings.json)")
		if err := os.Remove(filepath.Join(o.Out, baselineCopyName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	case o.Baseline != nil:
		p := filepath.Join(o.Out, baselineCopyName)
		if err := fileio.WriteFileAtomic(p, o.Baseline.data); err != nil {
			return nil, fmt.Errorf("copy baseline: %w", err)
		}
		copied := fileio.Written{Path: p, SHA256: sha256Hex(o.Baseline.data), Bytes: int64(len(o.Baseline.data))}
		if err := m.AddOutput(o.Out, copied, evidence.RoleBaseline); err != nil {
			return nil, err
		}
	}
	paths, err := m.Write(o.Out, o.SignKey)
	for _, p := range paths {
		log.Info().Str("path", p).Msg("evidence written")
	}
	return m, err
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// maxChangeEvents caps the per-finding log events of one run, so a first
// comparison against an old baseline cannot flood a log pipeline.
const maxChangeEvents = 1000

// logResult emits the run's outcome as one structured event
// (event=scan_result) for log collectors and SIEMs, then one event per new,
// changed or resolved finding (event=finding_new|finding_changed|
// finding_resolved). docs/scheduling.md lists the fields.
func logResult(log zerolog.Logger, rep *evaluate.Report, m *evidence.Manifest, outcome error) {
	code := exitCode(outcome)
	ev := log.Info()
	if code != exitOK {
		ev = log.Warn()
	}
	s := rep.Summary
	ev = ev.Str("event", "scan_result").Str("scan_id", rep.ScanID).
		Str("tenant", rep.Inputs.Snapshot.Tenant).Str("forest", rep.Inputs.Snapshot.Forest).
		Bool("complete", rep.Complete).Bool("ready_to_decommission", s.Verdicts.Decommission.Ready).
		Strs("blockers", s.Verdicts.Decommission.Blockers).Strs("unassessed", s.Verdicts.Decommission.Unassessed).
		Int("fail", s.ByStatus[string(evaluate.StatusFail)]).Int("error", s.ByStatus[string(evaluate.StatusError)]).
		Int("waived", s.ByStatus[string(evaluate.StatusWaived)])
	for _, sev := range evaluate.Severities {
		ev = ev.Int("fail_"+sev, s.BySeverity[sev])
	}
	ev = ev.Str("snapshot_sha256", rep.Inputs.Snapshot.SHA256).
		Str("policy_version", rep.PolicyPack.Version).Str("policy_sha256", rep.PolicyPack.SHA256)
	if m != nil {
		for _, f := range m.Files {
			if f.Role == evidence.RoleFindings {
				ev = ev.Str("findings_sha256", f.SHA256)
			}
		}
		if m.Signer != nil {
			ev = ev.Str("key_id", m.Signer.KeyID)
		}
	}
	if c := rep.Changes; c != nil {
		ev = ev.Str("baseline_scan_id", c.Baseline.ScanID).Int("new", c.Counts.New).Int("resolved", c.Counts.Resolved).
			Int("still_open", c.Counts.StillOpen).Int("changed", c.Counts.Changed)
	}
	ev.Int("exit_code", code).Msg("scan finished")

	if rep.Changes == nil {
		return
	}
	for i, ch := range rep.Changes.Entries {
		if i == maxChangeEvents {
			log.Warn().Str("event", "finding_events_capped").Str("scan_id", rep.ScanID).Int("logged", i).
				Int("total", len(rep.Changes.Entries)).Msg("more changed findings than logged: see findings.json")
			break
		}
		ev := log.Info()
		if ch.Kind == evaluate.ChangeNew {
			ev = log.Warn()
		}
		st := ch.After
		if ch.Kind == evaluate.ChangeResolved {
			st = ch.Before
		}
		ev = ev.Str("event", "finding_"+ch.Kind).Str("scan_id", rep.ScanID).Str("uid", ch.UID).Str("check_id", ch.RuleID).
			Str("severity", st.Severity).Str("status", string(st.Status)).
			Str("object_type", ch.Object.Type).Str("object_id", ch.Object.ID).Str("object_name", ch.Object.DisplayName)
		if ch.Before != nil {
			ev = ev.Str("before_status", string(ch.Before.Status)).Str("before_severity", ch.Before.Severity)
		}
		if ch.After != nil {
			ev = ev.Str("after_status", string(ch.After.Status)).Str("after_severity", ch.After.Severity)
		}
		ev.Msg(ch.Message)
	}
}
