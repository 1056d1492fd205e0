package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/exoready/exoready/evaluate"
)

// ErrMismatch marks a check whose fresh scan cannot be compared with the
// plan (another tenant, or older than the plan).
var ErrMismatch = errors.New("scan does not match the plan")

// ErrPlanFile marks a plan folder that cannot be read.
var ErrPlanFile = errors.New("invalid plan folder")

// Check statuses of a planned mailbox.
const (
	CheckReady    = "ready"
	CheckNotReady = "NOT READY"
	CheckFlipped  = "already cloud-managed"
	CheckHeld     = "held"
)

// CheckResult says which planned mailboxes are no longer ready.
type CheckResult struct {
	PlanID    string    `json:"plan_id"`
	PlannedAt time.Time `json:"planned_at"`
	Source    Source    `json:"source"`
	// Wave is the wave checked, -1 for all.
	Wave      int              `json:"wave"`
	Mailboxes []CheckedMailbox `json:"mailboxes"`
	Checked   int              `json:"checked"`
	NotReady  int              `json:"not_ready"`
	Notes     []string         `json:"notes"`
}

// CheckedMailbox is one planned mailbox against the fresh scan.
type CheckedMailbox struct {
	Wave        int      `json:"wave"`
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name"`
	Status      string   `json:"status"`
	Now         string   `json:"now"`
	Problems    []string `json:"problems"`
}

// ReadPlanFile reads plan.json from a plan folder.
func ReadPlanFile(dir string) (*Plan, error) {
	name := filepath.Join(dir, "plan.json")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (is %s a folder written by exoready plan?)", ErrPlanFile, err, dir)
	}
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.SchemaVersion == nil {
		return nil, fmt.Errorf("%w: %s is not an exoready plan", ErrPlanFile, name)
	}
	if *head.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w: %s has schema_version %d; this exoready reads %d", ErrPlanFile, name, *head.SchemaVersion, SchemaVersion)
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrPlanFile, name, err)
	}
	return &p, nil
}

// Check compares a plan with a fresh scan: every planned mailbox to flip
// must still be ready now (the true readiness: assumed fixes must really be
// fixed by now), with no new finding, no on-prem change since planning, no
// move and the same identity. wave selects one wave; -1 checks them all.
func Check(p *Plan, fresh Input, wave int) (*CheckResult, error) {
	rep := fresh.Report
	if err := sameTenant(p.Source, fresh.Source); err != nil {
		return nil, err
	}
	if fresh.Source.CollectedAt.Before(p.PlannedAt) {
		return nil, fmt.Errorf("%w: the scan was collected at %s, before the plan (%s): check against a scan taken after planning",
			ErrMismatch, fresh.Source.CollectedAt.Format(time.RFC3339), p.PlannedAt.Format(time.RFC3339))
	}
	if wave >= len(p.Waves) || wave < -1 {
		return nil, fmt.Errorf("%w: wave %d does not exist (the plan has waves 0..%d)", ErrOptions, wave, len(p.Waves)-1)
	}
	rows := map[string]*evaluate.MailboxRow{}
	for i := range rep.Inventory.Mailboxes {
		rows[strings.ToLower(rep.Inventory.Mailboxes[i].ID)] = &rep.Inventory.Mailboxes[i]
	}
	idx := indexFindings(rep)
	res := &CheckResult{PlanID: p.ID, PlannedAt: p.PlannedAt, Source: fresh.Source, Wave: wave, Mailboxes: []CheckedMailbox{}, Notes: []string{}}
	now := fresh.Source.CollectedAt
	for _, w := range p.Waves {
		if wave >= 0 && w.Number != wave {
			continue
		}
		if w.EarliestStart != nil && w.EarliestStart.After(now) {
			res.Notes = append(res.Notes, fmt.Sprintf("Wave %d (%s) is not safe before %s; its enable script refuses to run earlier.", w.Number, w.Name, w.EarliestStart.Format(time.RFC3339)))
		}
		for _, m := range w.Mailboxes {
			c := checkMailbox(&m, rows[strings.ToLower(m.ID)], idx, &p.Options, now)
			c.Wave = w.Number
			if m.Action == ActionFlip {
				res.Checked++
				if c.Status == CheckNotReady {
					res.NotReady++
				}
			}
			res.Mailboxes = append(res.Mailboxes, c)
		}
	}
	return res, nil
}

func sameTenant(planned, fresh Source) error {
	if planned.Tenant != "" && fresh.Tenant != "" && planned.Tenant != fresh.Tenant {
		return fmt.Errorf("%w: the plan is for tenant %q, the scan is of %q", ErrMismatch, planned.Tenant, fresh.Tenant)
	}
	if planned.Forest != "" && fresh.Forest != "" && !strings.EqualFold(planned.Forest, fresh.Forest) {
		return fmt.Errorf("%w: the plan is for forest %q, the scan is of %q", ErrMismatch, planned.Forest, fresh.Forest)
	}
	return nil
}

// checkMailbox judges one planned mailbox against its fresh inventory row.
func checkMailbox(m *Mailbox, row *evaluate.MailboxRow, idx findingIndex, o *Options, now time.Time) CheckedMailbox {
	c := CheckedMailbox{ID: m.ID, DisplayName: m.DisplayName, Problems: []string{}}
	if row == nil {
		c.Now = "not in the scan"
		c.Problems = append(c.Problems, "not found in the fresh scan (deleted, or no longer joined to its AD object)")
		return c.finish(m)
	}
	r := row.Readiness
	c.Now = r.Text
	switch r.State {
	case evaluate.ReadyCloudManaged:
		c.Status = CheckFlipped
		return c
	case evaluate.ReadyNow:
	case evaluate.ReadyWait:
		// Waiting is what the plan already scheduled unless the wait now
		// ends later than the time the plan gave the mailbox.
		if r.WaitUntil == nil || m.SafeFrom == nil || r.WaitUntil.After(*m.SafeFrom) {
			c.Problems = append(c.Problems, r.Text+", later than planned")
		} else {
			c.Now += " (as planned)"
		}
	case evaluate.ReadyNotApplicable:
		c.Problems = append(c.Problems, "no longer a dir-synced user, shared, room or equipment mailbox")
	default:
		c.Problems = append(c.Problems, r.Text)
	}
	if t := timeOf(row.AD, "when_changed"); t != nil && (m.ADWhenChanged == nil || t.After(*m.ADWhenChanged)) {
		safe := t.Add(o.quietPeriod())
		p := fmt.Sprintf("changed on-premises at %s, after planning", t.Format(time.RFC3339))
		if safe.After(now) {
			p += fmt.Sprintf(": not safe before %s (one sync cycle + %d h)", safe.Format(time.RFC3339), o.SettleHours)
		}
		c.Problems = append(c.Problems, p+"; back it up again before enabling")
	}
	planned := map[string]bool{}
	for _, f := range m.OpenFindings {
		planned[f.UID] = true
	}
	for _, f := range idx.open[strings.ToLower(m.ID)] {
		if !planned[f.UID] {
			c.Problems = append(c.Problems, fmt.Sprintf("new finding %s (%s): %s", f.RuleID, f.Severity, f.Message))
		}
	}
	if s := str(row.EXO, "mailbox_move_status"); !slices.Contains(o.SettledMoveStatuses, s) {
		c.Problems = append(c.Problems, "mailbox move in flight (MailboxMoveStatus "+s+")")
	}
	if row.Location != m.Location {
		c.Problems = append(c.Problems, fmt.Sprintf("location changed from %s to %s (moved)", m.Location, row.Location))
	}
	if g := str(row.EXO, "guid"); m.GUID != "" && !strings.EqualFold(g, m.GUID) {
		c.Problems = append(c.Problems, fmt.Sprintf("Exchange Online Guid changed from %s to %s: the scripts address the old mailbox", m.GUID, g))
	}
	return c.finish(m)
}

func (c CheckedMailbox) finish(m *Mailbox) CheckedMailbox {
	switch {
	case m.Action == ActionHold:
		c.Status = CheckHeld
		if len(c.Problems) == 0 {
			c.Problems = append(c.Problems, "held back when planned ("+m.HoldReason+") but ready now: re-plan to include it")
		}
	case len(c.Problems) > 0:
		c.Status = CheckNotReady
	default:
		c.Status = CheckReady
	}
	return c
}

// WriteText prints the check for a person before a wave: every planned
// mailbox that is not ready with its reasons, then a summary line.
func (r *CheckResult) WriteText(w io.Writer) error {
	scope := "all waves"
	if r.Wave >= 0 {
		scope = fmt.Sprintf("wave %d", r.Wave)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s (planned %s) against the scan collected %s, %s\n",
		r.PlanID, r.PlannedAt.Format(time.RFC3339), r.Source.CollectedAt.Format(time.RFC3339), scope)
	for _, m := range r.Mailboxes {
		switch m.Status {
		case CheckNotReady:
			fmt.Fprintf(&b, "NOT READY  wave %d  %s (%s)\n", m.Wave, m.DisplayName, m.ID)
			for _, p := range m.Problems {
				fmt.Fprintf(&b, "           - %s\n", p)
			}
		case CheckHeld:
			if strings.HasPrefix(m.Problems[0], "held back when planned") {
				fmt.Fprintf(&b, "note       wave %d  %s: %s\n", m.Wave, m.DisplayName, m.Problems[0])
			}
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note       %s\n", n)
	}
	if r.NotReady == 0 {
		fmt.Fprintf(&b, "OK: all %d planned %s still ready (or already cloud-managed)\n", r.Checked, plural(r.Checked, "mailbox is", "mailboxes are"))
	} else {
		fmt.Fprintf(&b, "%d of %d planned %s no longer ready: fix or re-plan before running the wave\n", r.NotReady, r.Checked, plural(r.Checked, "mailbox is", "mailboxes are"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
