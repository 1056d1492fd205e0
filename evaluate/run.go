package evaluate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/exoready/exoready/collector/snapshot"
)

// RunOptions are the inputs of one evaluation.
type RunOptions struct {
	// Snapshot is the snapshot document exactly as written or read; its
	// SHA-256 identifies it in the report.
	Snapshot []byte
	// Parsed is the same snapshot already decoded (the scan's own, or the
	// one snapshot.ReadSnapshotFile returned). The engine then converts it
	// straight to the policies' input instead of decoding the JSON again,
	// and Snapshot may be nil when Digest is given.
	Parsed *snapshot.Snapshot
	// Digest identifies the snapshot document when Snapshot is nil: a scan
	// hashes its snapshot while streaming it to disk.
	Digest *Digest
	// SnapshotWritten, when set, gives the digest of the snapshot document
	// being written while the rules run (a scan), in place of Digest: it
	// is called, and may wait, only once the rules are done. Its error
	// ends the run.
	SnapshotWritten func() (Digest, error)
	Tool            Tool
	// Clock gives "now"; inject a fixed clock for byte-identical reports.
	Clock func() time.Time
	// Files are run inputs besides the snapshot's own (scan.yaml, waivers).
	Files []InputFile
	// Phases are durations of earlier phases (collect), in milliseconds.
	Phases map[string]int64
	// Postprocess, when set, may change statuses (waivers) before counting.
	Postprocess func([]Finding) ([]Finding, error)
	// Waivers, when set, waive the failing findings they cover (judged
	// against Clock), add the meta rule EXR-WVR-001 for waivers that match
	// nothing, and are hashed into the inputs (waivers.go).
	Waivers *WaiverSet
}

// Digest identifies a snapshot document by its SHA-256 and size.
type Digest = snapshot.Digest

// snapshotView is the part of the snapshot evaluate reads itself; the rest
// is only seen by policies.
type snapshotView struct {
	SchemaVersion int                              `json:"schema_version"`
	CollectedAt   time.Time                        `json:"collected_at"`
	Sources       map[string]snapshot.SourceStatus `json:"sources"`
	AD            *adView                          `json:"ad"`
	EXO           *exoView                         `json:"exo"`
	Entra         *entraView                       `json:"entra"`
}

type adView struct {
	Forest string `json:"forest"`
}

type exoView struct {
	TenantID string `json:"tenant_id"`
}

type entraView struct {
	Organization *organizationView `json:"organization"`
}

type organizationView struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

// joinedView is what readiness reads of a joined mailbox: its AD and EXO
// objects reduced to the inventory's fields.
type joinedView struct {
	ID          string
	DisplayName string
	Kind        string
	Location    string
	AD          any // as in MailboxRow
	EXO         any
}

// Evaluate runs every rule on the snapshot and builds the report.
func (e *Engine) Evaluate(ctx context.Context, ro RunOptions) (*Report, error) {
	if ro.Clock == nil {
		ro.Clock = time.Now
	}
	started := ro.Clock().UTC()
	digest := Digest{Bytes: int64(len(ro.Snapshot))}
	switch {
	case ro.SnapshotWritten != nil:
	case ro.Snapshot == nil && ro.Digest != nil:
		digest = *ro.Digest
	default:
		sum := sha256.Sum256(ro.Snapshot)
		digest.SHA256 = hex.EncodeToString(sum[:])
	}
	if ro.Waivers != nil {
		ro.Files = append(append([]InputFile(nil), ro.Files...), ro.Waivers.InputFile())
	}

	snap := ro.Parsed
	if snap == nil {
		var err error
		if snap, err = snapshot.ParseSnapshot(ro.Snapshot); err != nil {
			return nil, fmt.Errorf("decode snapshot: %w", err)
		}
	}
	view := viewOf(snap)
	parts, err := newInputParts(snap)
	if err != nil {
		return nil, err
	}

	rep := &Report{
		SchemaVersion: FindingsSchemaVersion,
		Tool:          ro.Tool,
		PolicyPack:    e.Pack(),
		Inventory:     Inventory{Sections: map[string][]map[string]any{}},
	}

	evalStart := ro.Clock()
	var findings []Finding
	results := make([]RuleResult, 0, len(e.rules))
	runs, err := e.evalRules(ctx, snap, parts, &view)
	if err != nil {
		return nil, err
	}
	parts = nil
	if ro.SnapshotWritten != nil {
		if digest, err = ro.SnapshotWritten(); err != nil {
			return nil, err
		}
	}
	rep.Inputs = inputsFrom(&view, digest.SHA256, digest.Bytes, ro.Files)
	rep.ScanID = scanID(rep.Inputs.Snapshot.SHA256, rep.PolicyPack.SHA256, started)
	for i, r := range e.rules {
		res := RuleResult{RuleMeta: r.meta}
		if reason := runs[i].starved; reason != "" {
			f := tenantFinding(r.meta, StatusError, "not assessed: "+reason)
			findings = append(findings, f)
			results = append(results, res)
			continue
		}
		out, err := runs[i].out, runs[i].err
		if err != nil {
			e.log.Warn().Str("check_id", r.meta.ID).Err(err).Msg("rule failed at run time")
			findings = append(findings, tenantFinding(r.meta, StatusError, "not assessed: rule failed at run time: "+err.Error()))
			results = append(results, res)
			continue
		}
		res.Counts.Checked = out.checked
		findings = append(findings, out.findings...)
		findings = append(findings, out.errors...)
		if len(out.findings) == 0 && len(out.errors) == 0 {
			findings = append(findings, tenantFinding(r.meta, StatusPass,
				fmt.Sprintf("%d %s checked, none failed", out.checked, plural(out.checked, "object", "objects"))))
		}
		for k, rows := range out.sections {
			rep.Inventory.Sections[k] = append(rep.Inventory.Sections[k], rows...)
		}
		results = append(results, res)
	}
	for i := range findings {
		findings[i].UID = FindingUID(findings[i].RuleID, findings[i].Object.ID, findings[i].Key)
	}
	if ro.Postprocess != nil {
		if findings, err = ro.Postprocess(findings); err != nil {
			return nil, err
		}
	}
	if ro.Waivers != nil {
		var wres RuleResult
		var extra []Finding
		findings, wres, extra, rep.Inventory.Sections["waivers"] = applyWaivers(findings, ro.Waivers, started)
		findings = append(findings, extra...)
		results = insertResult(results, wres)
	}
	sortFindings(findings)
	disambiguate(findings)
	rep.Findings = findings
	rep.Rules = countRules(results, findings)
	for k := range rep.Inventory.Sections {
		sortRows(rep.Inventory.Sections[k])
	}
	rep.Inventory.Mailboxes = mailboxRows(snap.Joined, e.set.rules, findings)
	attachReadiness(findings, e.set.rules, rep.Inventory.Mailboxes)
	rep.Complete = allSourcesComplete(&view) && rep.count(StatusError) == 0
	rep.Summary = summarize(rep)

	finished := ro.Clock().UTC()
	rep.Timings = Timings{StartedAt: started, FinishedAt: finished, Phases: map[string]int64{}}
	for k, v := range ro.Phases {
		rep.Timings.Phases[k] = v
	}
	rep.Timings.Phases["evaluate"] = finished.Sub(evalStart).Milliseconds()
	return rep, nil
}

func (r *Report) count(st Status) int {
	n := 0
	for i := range r.Findings {
		if r.Findings[i].Status == st {
			n++
		}
	}
	return n
}

// FindingUID is the stable id of a finding: the same rule on the same
// object gives the same uid in every scan.
func FindingUID(ruleID, objectID, key string) string {
	h := sha256.Sum256([]byte(ruleID + "\x00" + strings.ToLower(objectID) + "\x00" + key))
	return hex.EncodeToString(h[:16])
}

func scanID(snapshotSHA, packSHA string, at time.Time) string {
	h := sha256.Sum256([]byte(snapshotSHA + "\x00" + packSHA + "\x00" + at.Format(time.RFC3339Nano)))
	return hex.EncodeToString(h[:8])
}

func tenantFinding(rm RuleMeta, st Status, msg string) Finding {
	return Finding{
		RuleID: rm.ID, Title: rm.Title, Severity: rm.Severity, Category: rm.Category, Status: st,
		Object: Object{Type: "tenant", ID: "tenant"}, Message: msg, Evidence: map[string]any{},
		Remediation: rm.Remediation, References: rm.References,
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sourceHints tell the user how to provide a source that was not collected.
var sourceHints = map[string]string{
	"ad":     "AD was not collected (give --ldap-url or --ad-ldif)",
	"exo":    "Exchange Online was not collected (give --exo-export DIR or --exo-tenant)",
	"entra":  "Entra ID was not collected (give --exo-export DIR with graph/ or --exo-tenant)",
	"facts":  "operator facts were not given (give --facts FILE, written by scripts/Get-EntraConnectFacts.ps1)",
	"joined": "the AD/EXO join needs both AD users and EXO mailboxes",
}

// ruleRun is the outcome of one rule: why it could not be assessed, or its
// output or run-time error.
type ruleRun struct {
	starved string
	out     ruleOutput
	err     error
}

// starved returns why a rule cannot be assessed, or "" when it can: a
// required path that is null or absent, or that a source error names.
func (e *Engine) starved(rm RuleMeta, root ast.Value, view *snapshotView) string {
	for _, req := range rm.Requires {
		deps := []string{req}
		if req == "joined" || strings.HasPrefix(req, "joined.") {
			deps = append(deps, "ad.users", "exo.mailboxes")
		}
		for _, src := range sortedKeys(view.Sources) {
			for _, se := range view.Sources[src].Errors {
				for _, d := range deps {
					if overlaps(se.Path, d) {
						return se.Message
					}
				}
			}
		}
		if !present(root, req) {
			top := strings.SplitN(req, ".", 2)[0]
			if !present(root, top) {
				return sourceHints[top]
			}
			return req + " was not collected"
		}
	}
	return ""
}

func overlaps(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(b, a+".")
}

// present reports whether the input holds a non-null value at the dotted path p.
func present(root ast.Value, p string) bool {
	cur := root
	for _, part := range strings.Split(p, ".") {
		m, ok := cur.(ast.Object)
		if !ok {
			return false
		}
		t := m.Get(ast.StringTerm(part))
		if t == nil {
			return false
		}
		if _, null := t.Value.(ast.Null); null {
			return false
		}
		cur = t.Value
	}
	return true
}

func inputsFrom(v *snapshotView, sha string, n int64, extra []InputFile) Inputs {
	in := Inputs{
		Snapshot: SnapshotRef{SHA256: sha, Bytes: n, SchemaVersion: v.SchemaVersion, CollectedAt: v.CollectedAt.UTC()},
		Files:    []InputFile{},
		Sources:  map[string]SourceRef{},
	}
	if v.AD != nil {
		in.Snapshot.Forest = v.AD.Forest
	}
	switch {
	case v.Entra != nil && v.Entra.Organization != nil && v.Entra.Organization.DisplayName != "":
		in.Snapshot.Tenant = v.Entra.Organization.DisplayName
	case v.EXO != nil:
		in.Snapshot.Tenant = v.EXO.TenantID
	}
	for _, name := range sortedKeys(v.Sources) {
		s := v.Sources[name]
		ref := SourceRef{Collected: s.Collected, Complete: s.Complete, Method: s.Method, Origin: s.Origin, Errors: []string{}}
		for _, e := range s.Errors {
			ref.Errors = append(ref.Errors, e.Path+": "+e.Message)
		}
		in.Sources[name] = ref
		for _, f := range s.Files {
			in.Files = append(in.Files, InputFile{Source: name, Path: f.Path, SHA256: f.SHA256, Bytes: f.Bytes})
		}
	}
	in.Files = append(in.Files, extra...)
	sort.SliceStable(in.Files, func(i, j int) bool {
		if in.Files[i].Source != in.Files[j].Source {
			return in.Files[i].Source < in.Files[j].Source
		}
		return in.Files[i].Path < in.Files[j].Path
	})
	return in
}

func allSourcesComplete(v *snapshotView) bool {
	for _, s := range v.Sources {
		if s.Collected && !s.Complete {
			return false
		}
	}
	return true
}

// sortFindings orders findings by rule, object id, key.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Object.ID != b.Object.ID {
			return a.Object.ID < b.Object.ID
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		return a.Message < b.Message
	})
}

// disambiguate keeps uids unique when a rule reports one object twice
// without telling the findings apart by key: the later ones get "#n".
func disambiguate(fs []Finding) {
	n := 1
	for i := 1; i < len(fs); i++ {
		if fs[i].RuleID == fs[i-1].RuleID && strings.EqualFold(fs[i].Object.ID, fs[i-1].Object.ID) && fs[i].Key == strings.SplitN(fs[i-1].Key, "#", 2)[0] {
			n++
			fs[i].Key = fmt.Sprintf("%s#%d", fs[i].Key, n)
			fs[i].UID = FindingUID(fs[i].RuleID, fs[i].Object.ID, fs[i].Key)
			continue
		}
		n = 1
	}
}

func sortRows(rows []map[string]any) {
	keys := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		keys[i] = string(b)
	}
	sort.Sort(byKey{rows, keys})
}

type byKey struct {
	rows []map[string]any
	keys []string
}

func (b byKey) Len() int           { return len(b.rows) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.rows[i], b.rows[j] = b.rows[j], b.rows[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// attachReadiness adds each mailbox's flip readiness to the evidence of
// the findings of rules that report it. Evidence maps are copied, never
// shared between findings.
func attachReadiness(findings []Finding, rules []RuleMeta, rows []MailboxRow) {
	reports := map[string]bool{}
	for _, r := range rules {
		reports[r.ID] = r.ReportsReadiness
	}
	byID := make(map[string]*Readiness, len(rows))
	for i := range rows {
		byID[strings.ToLower(rows[i].ID)] = &rows[i].Readiness
	}
	for i := range findings {
		f := &findings[i]
		if !reports[f.RuleID] || f.Object.Type != "mailbox" {
			continue
		}
		r, ok := byID[strings.ToLower(f.Object.ID)]
		if !ok {
			continue
		}
		ev := make(map[string]any, len(f.Evidence)+1)
		for k, v := range f.Evidence {
			ev[k] = v
		}
		ev["readiness"] = map[string]any{"state": r.State, "text": r.Text, "blocked_by": r.BlockedBy, "wait_until": r.WaitUntil}
		f.Evidence = ev
		f.Message += " — " + r.Text
	}
}
