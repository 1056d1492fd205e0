package plan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/plan"
)

// later moves a snapshot's collection (and the sync clock the rules judge
// sync health by) forward, as a rescan some time after planning would be.
func later(s *snapshot.Snapshot, d time.Duration) {
	s.CollectedAt = s.CollectedAt.Add(d)
	if o := s.Entra.Organization; o != nil && o.OnPremisesLastSyncDateTime != nil {
		t := o.OnPremisesLastSyncDateTime.Add(d)
		o.OnPremisesLastSyncDateTime = &t
	}
	for i := range s.Entra.SyncJobs {
		if j := &s.Entra.SyncJobs[i]; j.LastExecutionTime != nil {
			t := j.LastExecutionTime.Add(d)
			j.LastExecutionTime = &t
		}
	}
}

// writtenPlan plans the upgraded demo and reads the plan back from its folder.
func writtenPlan(t *testing.T) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	if _, err := build(t, input(t, demoUpgraded(t)), plan.Options{}).Write(dir, false); err != nil {
		t.Fatal(err)
	}
	p, err := plan.ReadPlanFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	p := writtenPlan(t)
	pilot := p.Waves[0].Mailboxes
	target := pilot[1]

	tests := []struct {
		name   string
		change func(t *testing.T, s *snapshot.Snapshot)
		want   string // problem of target; "" when every mailbox stays ready
	}{
		{name: "nothing changed", change: func(*testing.T, *snapshot.Snapshot) {}},
		{name: "changed on-premises after planning", want: "changed on-premises at", change: func(t *testing.T, s *snapshot.Snapshot) {
			u := adUser(t, s, target.DisplayName)
			at := p.PlannedAt.Add(30 * time.Minute)
			u.WhenChanged = &at
			u.CustomAttributes["CustomAttribute9"] = "edited on-prem"
		}},
		{name: "move started", want: "mailbox move in flight", change: func(t *testing.T, s *snapshot.Snapshot) {
			exoMailbox(t, s, target.DisplayName).MailboxMoveStatus = "InProgress"
		}},
		{name: "new finding", want: "new finding EXR-MBX-008", change: func(t *testing.T, s *snapshot.Snapshot) {
			u := adUser(t, s, target.DisplayName)
			u.ProxyAddresses = append(u.ProxyAddresses, "SMTP:second.primary@corp.example.test")
		}},
		{name: "upgrade undone", want: "blocked by EXR-SYNC-001", change: func(t *testing.T, s *snapshot.Snapshot) {
			s.Facts.EntraConnect.Version = "2.5.79.0"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := demoUpgraded(t)
			later(fresh, time.Hour)
			tt.change(t, fresh)
			snapshot.Join(fresh)
			res, err := plan.Check(p, input(t, fresh), 0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Checked != len(pilot) {
				t.Fatalf("checked %d mailboxes, the pilot has %d", res.Checked, len(pilot))
			}
			for _, m := range res.Mailboxes {
				problems := strings.Join(m.Problems, "; ")
				switch {
				case tt.want == "" || (m.ID != target.ID && !strings.Contains(tt.want, "EXR-SYNC-001")):
					if m.Status != plan.CheckReady {
						t.Errorf("%s: %s (%s), want ready", m.DisplayName, m.Status, problems)
					}
				default:
					if m.Status != plan.CheckNotReady || !strings.Contains(problems, tt.want) {
						t.Errorf("%s: %s (%s), want NOT READY with %q", m.DisplayName, m.Status, problems, tt.want)
					}
				}
			}
			var text strings.Builder
			if err := res.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if (res.NotReady > 0) != (tt.want != "") || (res.NotReady > 0) != strings.Contains(text.String(), "NOT READY") {
				t.Errorf("not ready %d, text:\n%s", res.NotReady, text.String())
			}
		})
	}
}

func TestCheckRefusesAnotherScan(t *testing.T) {
	p := writtenPlan(t)
	older := demoUpgraded(t)
	later(older, -time.Hour)
	if _, err := plan.Check(p, input(t, older), -1); !errors.Is(err, plan.ErrMismatch) {
		t.Errorf("scan older than the plan: err = %v, want ErrMismatch", err)
	}
	other := input(t, demoUpgraded(t))
	other.Source.Tenant = "Fabrikam"
	if _, err := plan.Check(p, other, -1); !errors.Is(err, plan.ErrMismatch) {
		t.Errorf("another tenant: err = %v, want ErrMismatch", err)
	}
	if _, err := plan.Check(p, input(t, demoUpgraded(t)), len(p.Waves)); !errors.Is(err, plan.ErrOptions) {
		t.Errorf("wave out of range: err = %v, want ErrOptions", err)
	}
}
