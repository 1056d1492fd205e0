package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// SchemaVersion is the version of plan.json.
const SchemaVersion = 1

// ErrOptions marks plan options that cannot be used (the CLI exits 2).
var ErrOptions = errors.New("invalid plan options")

// Pilot size bounds: Microsoft's pilot guidance is 5 to 20 test mailboxes.
const (
	MinPilotSize     = 5
	MaxPilotSize     = 20
	DefaultPilotSize = 10
)

// Grouping attributes for waves.
const (
	WaveByOU         = "ou"
	WaveByDepartment = "department"
	WaveByDomain     = "domain"
	// WaveByCustomAttributePrefix is followed by 1..15: custom-attribute-7.
	WaveByCustomAttributePrefix = "custom-attribute-"
)

// Defaults of the options a caller does not set.
const (
	DefaultWaveBy      = WaveByOU
	DefaultMaxWaveSize = 100
	// DefaultSettleHours is Microsoft's "wait 24 hours after on-premises
	// changes" on top of one sync cycle.
	DefaultSettleHours = 24
	DefaultRoleName    = "Exchange Cloud Management Toggle"
	DefaultGroupName   = "Exchange Cloud Management Operators"
)

// DefaultSettledMoveStatuses are the MailboxMoveStatus values of a mailbox
// with no move in flight; any other value holds the mailbox back. Inferred
// from the Get-Mailbox documentation, overridable in scan.yaml.
var DefaultSettledMoveStatuses = []string{"", "None", "Completed", "CompletedWithWarning", "Failed"}

// Options steer the planner. Zero values take the defaults (see Normalize).
type Options struct {
	PilotSize   int    `json:"pilot_size"`
	WaveBy      string `json:"wave_by"`
	MaxWaveSize int    `json:"max_wave_size"`
	// AssumeFixed names tenant-wide blockers the plan treats as resolved
	// (an Entra Connect upgrade planned before the first wave). Every wave
	// then carries the fix as a precondition and Check verifies it.
	AssumeFixed []string `json:"assume_fixed"`
	// SyncIntervalMinutes is the directory sync cycle (facts, else the
	// policy pack's default); SettleHours is added to it after an on-prem
	// change before a mailbox may be flipped.
	SyncIntervalMinutes int         `json:"sync_interval_minutes"`
	SettleHours         int         `json:"settle_hours"`
	SettledMoveStatuses []string    `json:"settled_move_statuses"`
	RBAC                RBACOptions `json:"rbac"`
}

// RBACOptions name the narrow role the RBAC script creates.
type RBACOptions struct {
	RoleName string `json:"role_name"`
	Group    string `json:"group"`
	// ParentRole is the built-in role the narrow role derives from; empty
	// means the one computed from the role entries, else found at run time.
	ParentRole string `json:"parent_role"`
}

// Normalize fills defaults and validates; errors wrap ErrOptions.
func (o *Options) Normalize() error {
	if o.PilotSize == 0 {
		o.PilotSize = DefaultPilotSize
	}
	if o.PilotSize < MinPilotSize || o.PilotSize > MaxPilotSize {
		return fmt.Errorf("%w: pilot size %d is outside %d..%d (Microsoft's pilot guidance: 5 to 20 test mailboxes)", ErrOptions, o.PilotSize, MinPilotSize, MaxPilotSize)
	}
	if o.WaveBy == "" {
		o.WaveBy = DefaultWaveBy
	}
	if _, err := groupOf(o.WaveBy); err != nil {
		return err
	}
	if o.MaxWaveSize == 0 {
		o.MaxWaveSize = DefaultMaxWaveSize
	}
	if o.MaxWaveSize < 1 {
		return fmt.Errorf("%w: max wave size %d must be at least 1", ErrOptions, o.MaxWaveSize)
	}
	if o.SyncIntervalMinutes <= 0 {
		return fmt.Errorf("%w: sync interval %d minutes must be positive", ErrOptions, o.SyncIntervalMinutes)
	}
	if o.SettleHours == 0 {
		o.SettleHours = DefaultSettleHours
	}
	if o.SettleHours < 0 {
		return fmt.Errorf("%w: settle hours %d must not be negative", ErrOptions, o.SettleHours)
	}
	if o.SettledMoveStatuses == nil {
		o.SettledMoveStatuses = slices.Clone(DefaultSettledMoveStatuses)
	}
	if o.AssumeFixed == nil {
		o.AssumeFixed = []string{}
	}
	o.AssumeFixed = sortedUnique(o.AssumeFixed)
	if o.RBAC.RoleName == "" {
		o.RBAC.RoleName = DefaultRoleName
	}
	if o.RBAC.Group == "" {
		o.RBAC.Group = DefaultGroupName
	}
	return nil
}

// quietPeriod is how long after an on-prem change a mailbox must wait.
func (o *Options) quietPeriod() time.Duration {
	return time.Duration(o.SyncIntervalMinutes)*time.Minute + time.Duration(o.SettleHours)*time.Hour
}

// Input is what a plan is drawn from.
type Input struct {
	Report *evaluate.Report
	Source Source
	// RoleEntries are the snapshot's Exchange Online role entries; nil when
	// the input is a findings file (the RBAC script then discovers the roles
	// at run time).
	RoleEntries []RoleEntry
}

// RoleEntry is one Get-ManagementRoleEntry row.
type RoleEntry struct {
	Role       string
	Cmdlet     string
	Parameters []string
}

// Source identifies the input of a plan or a check.
type Source struct {
	// Kind is snapshot, findings or demo.
	Kind           string    `json:"kind"`
	Path           string    `json:"path"`
	SHA256         string    `json:"sha256"`
	SnapshotSHA256 string    `json:"snapshot_sha256"`
	ScanID         string    `json:"scan_id"`
	CollectedAt    time.Time `json:"collected_at"`
	Forest         string    `json:"forest"`
	Tenant         string    `json:"tenant"`
	PolicyPack     string    `json:"policy_pack"`
	Complete       bool      `json:"complete"`
}

// Plan is plan.json.
type Plan struct {
	SchemaVersion int           `json:"schema_version"`
	Tool          evaluate.Tool `json:"tool"`
	// ID names the plan in scripts and reports: a hash of the input and the options.
	ID string `json:"id"`
	// PlannedAt is the input's collection time: the plan judges the tenant
	// as it was then, and is reproducible from the same input.
	PlannedAt time.Time `json:"planned_at"`
	Source    Source    `json:"source"`
	Options   Options   `json:"options"`
	Summary   Summary   `json:"summary"`
	// TenantBlockers still fail and block every flip; AssumedFixed are the
	// tenant blockers the plan treats as resolved by the first wave.
	TenantBlockers []Blocker `json:"tenant_blockers"`
	AssumedFixed   []Blocker `json:"assumed_fixed"`
	// Waves[0] is the pilot.
	Waves []Wave   `json:"waves"`
	RBAC  RBAC     `json:"rbac"`
	Notes []string `json:"notes"`
	// Files are the scripts of the plan folder with their SHA-256, so a
	// change board can check it runs what it approved.
	Files []File `json:"files"`

	scripts map[string][]byte
}

// Summary counts the plan.
type Summary struct {
	Headline     string `json:"headline"`
	Mailboxes    int    `json:"mailboxes"`
	CloudManaged int    `json:"cloud_managed"`
	NotInScope   int    `json:"not_in_scope"`
	ToFlip       int    `json:"to_flip"`
	Pilot        int    `json:"pilot"`
	Planned      int    `json:"planned"`
	Held         int    `json:"held"`
	Waves        int    `json:"waves"`
	// FlipVerdict is the report's own readiness sentence.
	FlipVerdict string `json:"flip_verdict"`
}

// Blocker is a tenant-wide rule keeping every mailbox from a flip.
type Blocker struct {
	RuleID  string `json:"rule_id"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// Wave is one step of the rollout; wave 0 is the pilot.
type Wave struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
	// Group is the wave-by value shared by the wave's mailboxes ("" for the pilot).
	Group string `json:"group"`
	// Folder holds the wave's scripts, relative to the plan folder; empty
	// when nothing in the wave may be flipped.
	Folder string `json:"folder"`
	// EarliestStart is when every mailbox to flip in the wave is safe to
	// flip; nil when the wave has nothing to flip.
	EarliestStart *time.Time `json:"earliest_start"`
	StartReason   string     `json:"start_reason"`
	Preconditions []string   `json:"preconditions"`
	// Blockers say why mailboxes of the wave are held back.
	Blockers  []WaveBlocker `json:"blockers"`
	Mailboxes []Mailbox     `json:"mailboxes"`
}

// WaveBlocker is one reason mailboxes of a wave are held back.
type WaveBlocker struct {
	Reason    string   `json:"reason"`
	Mailboxes []string `json:"mailboxes"` // display names
}

// Actions of a planned mailbox.
const (
	ActionFlip = "flip"
	ActionHold = "hold"
)

// Mailbox is one mailbox of the plan with the baseline Check compares against.
type Mailbox struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Kind        string `json:"kind"`
	// Identity is what the scripts pass to Get-Mailbox; GUID is the EXO
	// object guid they then act on, ExternalDirectoryObjectID what they
	// check the found mailbox against.
	Identity                  string `json:"identity"`
	GUID                      string `json:"guid"`
	ExternalDirectoryObjectID string `json:"external_directory_object_id"`
	UserPrincipalName         string `json:"user_principal_name"`
	PrimarySMTPAddress        string `json:"primary_smtp_address"`
	DN                        string `json:"dn"`
	OU                        string `json:"ou"`
	Department                string `json:"department"`
	Domain                    string `json:"domain"`
	Location                  string `json:"location"`
	Group                     string `json:"group"`
	// Readiness is the state at planning (with AssumeFixed applied).
	Readiness     string     `json:"readiness"`
	ReadinessText string     `json:"readiness_text"`
	BlockedBy     []string   `json:"blocked_by"`
	WaitUntil     *time.Time `json:"wait_until"`
	// SafeFrom is when a flip is safe (rule wait times and the quiet period
	// after the last on-prem change); nil when it is safe at planning.
	SafeFrom       *time.Time   `json:"safe_from"`
	SafeReason     string       `json:"safe_reason"`
	ADWhenChanged  *time.Time   `json:"ad_when_changed"`
	EXOWhenChanged *time.Time   `json:"exo_when_changed"`
	MoveStatus     string       `json:"move_status"`
	OpenFindings   []FindingRef `json:"open_findings"`
	Waived         []FindingRef `json:"waived"`
	Action         string       `json:"action"`
	HoldReason     string       `json:"hold_reason"`
	// Reason says why a pilot mailbox was chosen.
	Reason string `json:"reason"`
}

// FindingRef is a finding on a mailbox, by uid.
type FindingRef struct {
	UID      string `json:"uid"`
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// File is one script of the plan folder.
type File struct {
	Path   string `json:"path"`
	Wave   int    `json:"wave"` // -1 for the RBAC script
	Step   string `json:"step"`
	SHA256 string `json:"sha256"`
}

// Build draws up the plan. The report is not modified.
func Build(in Input, opts Options, tool evaluate.Tool) (*Plan, error) {
	if in.Report == nil {
		return nil, errors.New("plan: no report")
	}
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	rep := in.Report
	p := &Plan{
		SchemaVersion: SchemaVersion, Tool: tool, PlannedAt: rep.Inputs.Snapshot.CollectedAt.UTC(),
		Source: in.Source, Options: opts, TenantBlockers: []Blocker{}, AssumedFixed: []Blocker{}, Notes: []string{},
	}
	if err := p.tenantBlockers(rep); err != nil {
		return nil, err
	}
	p.ID = planID(in.Source, rep, opts)

	readiness := evaluate.ReadinessAssuming(rep, opts.AssumeFixed)
	idx := indexFindings(rep)
	var candidates []Mailbox
	for i := range rep.Inventory.Mailboxes {
		row := &rep.Inventory.Mailboxes[i]
		r := readiness[i]
		p.Summary.Mailboxes++
		switch r.State {
		case evaluate.ReadyCloudManaged:
			p.Summary.CloudManaged++
			continue
		case evaluate.ReadyNotApplicable:
			p.Summary.NotInScope++
			continue
		}
		m, err := newMailbox(row, r, idx, &p.Options, p.PlannedAt)
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, m)
	}
	p.Summary.ToFlip = len(candidates)
	p.Summary.FlipVerdict = rep.Summary.Verdicts.Flip.Text

	pilot, rest, notes := choosePilot(candidates, p.Options.PilotSize)
	p.Notes = append(p.Notes, notes...)
	p.Waves = append([]Wave{{Number: 0, Name: "Pilot", Mailboxes: pilot}}, splitWaves(rest, &p.Options)...)
	for i := range p.Waves {
		p.finishWave(&p.Waves[i])
	}
	p.RBAC = buildRBAC(rep, in.RoleEntries, p.Options.RBAC)
	p.count()
	if err := p.render(); err != nil {
		return nil, err
	}
	return p, nil
}

// tenantBlockers splits the report's tenant-wide blockers into those still
// blocking and those assumed fixed; assuming a rule that is not a
// tenant-wide blocker is an options error.
func (p *Plan) tenantBlockers(rep *evaluate.Report) error {
	blocking := rep.Summary.Verdicts.Flip.TenantBlockers
	for _, id := range p.Options.AssumeFixed {
		if !slices.Contains(blocking, id) {
			have := "none"
			if len(blocking) > 0 {
				have = strings.Join(blocking, ", ")
			}
			return fmt.Errorf("%w: --assume-fixed %s: not a tenant-wide blocker of this input (tenant-wide blockers: %s)", ErrOptions, id, have)
		}
	}
	titles := map[string]string{}
	for _, r := range rep.Rules {
		titles[r.ID] = r.Title
	}
	messages := map[string][]string{}
	for _, f := range rep.Findings {
		if f.Status == evaluate.StatusFail && f.Object.Type == "tenant" {
			messages[f.RuleID] = append(messages[f.RuleID], f.Message)
		}
	}
	for _, id := range blocking {
		b := Blocker{RuleID: id, Title: titles[id], Message: strings.Join(messages[id], "; ")}
		if slices.Contains(p.Options.AssumeFixed, id) {
			p.AssumedFixed = append(p.AssumedFixed, b)
		} else {
			p.TenantBlockers = append(p.TenantBlockers, b)
		}
	}
	return nil
}

func planID(src Source, rep *evaluate.Report, o Options) string {
	opts, _ := json.Marshal(o)
	h := sha256.Sum256([]byte(rep.Inputs.Snapshot.SHA256 + "\x00" + rep.PolicyPack.SHA256 + "\x00" + src.SHA256 + "\x00" + string(opts)))
	return hex.EncodeToString(h[:6])
}

// finishWave computes a wave's start, blockers, preconditions and folder.
func (p *Plan) finishWave(w *Wave) {
	w.Blockers = []WaveBlocker{}
	w.Preconditions = []string{}
	held := map[string][]string{}
	var reasons []string
	var start *time.Time
	why := "ready at planning"
	flips := 0
	for _, m := range w.Mailboxes {
		if m.Action == ActionHold {
			if held[m.HoldReason] == nil {
				reasons = append(reasons, m.HoldReason)
			}
			held[m.HoldReason] = append(held[m.HoldReason], m.DisplayName)
			continue
		}
		flips++
		if m.SafeFrom != nil && (start == nil || m.SafeFrom.After(*start)) {
			start, why = m.SafeFrom, m.DisplayName+": "+m.SafeReason
		}
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		w.Blockers = append(w.Blockers, WaveBlocker{Reason: r, Mailboxes: held[r]})
	}
	if flips == 0 {
		w.StartReason = "nothing to flip: every mailbox of this wave is held back"
		return
	}
	if start == nil {
		t := p.PlannedAt
		start = &t
	}
	w.EarliestStart, w.StartReason = start, why
	w.Folder = fmt.Sprintf("wave-%02d", w.Number)
	for _, b := range p.AssumedFixed {
		w.Preconditions = append(w.Preconditions, fmt.Sprintf("%s resolved (assumed fixed when planning; exoready plan --check verifies it)", b.RuleID))
	}
	if w.Number > 0 {
		w.Preconditions = append(w.Preconditions, "pilot (wave 0) verified after at least two sync cycles, and its rollback practised")
	}
	w.Preconditions = append(w.Preconditions, "exoready plan --check against a fresh scan exits 0 for this wave")
}

// count fills the summary counts and headline.
func (p *Plan) count() {
	s := &p.Summary
	s.Pilot = len(p.Waves[0].Mailboxes)
	s.Waves = len(p.Waves) - 1
	for _, w := range p.Waves {
		for _, m := range w.Mailboxes {
			if m.Action == ActionHold {
				s.Held++
			} else {
				s.Planned++
			}
		}
	}
	switch {
	case s.Mailboxes == 0:
		s.Headline = "Nothing to plan: the input has no mailbox inventory (Exchange Online or Active Directory was not collected)."
	case s.ToFlip == 0:
		s.Headline = "Nothing to plan: no dir-synced mailbox is left to flip."
	case len(p.TenantBlockers) > 0:
		ids := make([]string, 0, len(p.TenantBlockers))
		for _, b := range p.TenantBlockers {
			ids = append(ids, b.RuleID)
		}
		list := strings.Join(ids, ", ")
		s.Headline = fmt.Sprintf("No wave can start: tenant-wide %s %s %s every flip. Fix %s, scan again and re-plan (or plan ahead with --assume-fixed %s).",
			plural(len(ids), "blocker", "blockers"), list, plural(len(ids), "blocks", "block"), list, ids[0])
	case s.Pilot == 0:
		s.Headline = fmt.Sprintf("No pilot: none of the %d %s to flip qualifies (ready now, no open findings or waivers). Fix the blockers listed per wave and re-plan.",
			s.ToFlip, plural(s.ToFlip, "mailbox", "mailboxes"))
	default:
		s.Headline = fmt.Sprintf("Pilot of %d %s from %s, then %d %s with %d %s to flip; %d held back.",
			s.Pilot, plural(s.Pilot, "mailbox", "mailboxes"), p.Waves[0].EarliestStart.Format(time.RFC3339),
			s.Waves, plural(s.Waves, "wave", "waves"), s.Planned-s.Pilot, plural(s.Planned-s.Pilot, "mailbox", "mailboxes"), s.Held)
	}
	if len(p.AssumedFixed) > 0 && len(p.TenantBlockers) == 0 && s.ToFlip > 0 {
		ids := make([]string, 0, len(p.AssumedFixed))
		for _, b := range p.AssumedFixed {
			ids = append(ids, b.RuleID)
		}
		s.Headline += " Assumes " + strings.Join(ids, ", ") + " fixed before the pilot."
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	for i := range out {
		out[i] = strings.ToUpper(strings.TrimSpace(out[i]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// groupOf validates a wave-by value and returns the custom attribute
// number it names (0 for the other groupings).
func groupOf(by string) (int, error) {
	switch by {
	case WaveByOU, WaveByDepartment, WaveByDomain:
		return 0, nil
	}
	if n, ok := strings.CutPrefix(by, WaveByCustomAttributePrefix); ok {
		if v, err := strconv.Atoi(n); err == nil && v >= 1 && v <= 15 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: wave-by %q is not one of ou, department, domain, custom-attribute-1 .. custom-attribute-15", ErrOptions, by)
}
