package plan_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/plan"
)

func TestPilotCohort(t *testing.T) {
	in := input(t, demoUpgraded(t))
	rows := rowsByID(in.Report)

	// What the pilot may draw from, computed from the report alone.
	eligible := map[string]bool{}
	kinds := map[string]bool{}
	for _, m := range in.Report.Inventory.Mailboxes {
		if m.Readiness.State != evaluate.ReadyNow {
			continue
		}
		clean := true
		for _, f := range in.Report.Findings {
			if strings.EqualFold(f.Object.ID, m.ID) && f.RuleID != "EXR-MBX-001" && (f.Status == evaluate.StatusFail || f.Status == evaluate.StatusWaived) {
				clean = false
			}
		}
		if clean {
			eligible[m.ID] = true
			kinds[m.Kind] = true
		}
	}
	if len(eligible) < plan.MaxPilotSize || len(kinds) < 4 {
		t.Fatalf("the upgraded demo has %d clean ready mailboxes of %d kinds; the test needs at least 20 of 4", len(eligible), len(kinds))
	}

	for _, size := range []int{0, 5, 10, 20} {
		p := build(t, in, plan.Options{PilotSize: size})
		want := size
		if want == 0 {
			want = plan.DefaultPilotSize
		}
		pilot := p.Waves[0].Mailboxes
		if len(pilot) != want {
			t.Fatalf("size %d: pilot has %d mailboxes, want %d", size, len(pilot), want)
		}
		seenKinds, seenOUs := map[string]bool{}, map[string]bool{}
		for _, m := range pilot {
			if !eligible[m.ID] {
				t.Errorf("size %d: %s is in the pilot but is %s or has findings", size, m.DisplayName, rows[m.ID].Readiness.Text)
			}
			if m.Reason == "" || m.Action != plan.ActionFlip {
				t.Errorf("size %d: %s has no reason or is not to flip: %+v", size, m.DisplayName, m)
			}
			seenKinds[m.Kind], seenOUs[m.OU] = true, true
		}
		for k := range kinds {
			if !seenKinds[k] {
				t.Errorf("size %d: no %s mailbox in the pilot although one qualifies", size, k)
			}
		}
		// Spread: the OUs of eligible mailboxes are all covered as soon as the size allows.
		ous := map[string]bool{}
		for _, m := range in.Report.Inventory.Mailboxes {
			if eligible[m.ID] {
				ous[ouOf(m.AD)] = true
			}
		}
		// Room and equipment mailboxes share the demo's Resources OU, so
		// covering the kinds may cost one OU at the smallest size.
		if need := min(want-1, len(ous)); len(seenOUs) < need {
			t.Errorf("size %d: pilot covers %d OUs of %d, want at least %d", size, len(seenOUs), len(ous), need)
		}
		// No pilot mailbox shows up again in a wave.
		for _, w := range p.Waves[1:] {
			for _, m := range w.Mailboxes {
				if slices.ContainsFunc(pilot, func(x plan.Mailbox) bool { return x.ID == m.ID }) {
					t.Errorf("size %d: %s is in the pilot and in wave %d", size, m.DisplayName, w.Number)
				}
			}
		}
	}
}

func ouOf(ad any) string {
	dn, _ := evaluate.Attr(ad, "dn").(string)
	_, parent, _ := strings.Cut(dn, ",OU=")
	return parent
}

func TestPilotIsDeterministic(t *testing.T) {
	in := input(t, demoUpgraded(t))
	var first bytes.Buffer
	if err := build(t, in, plan.Options{}).WriteJSON(&first); err != nil {
		t.Fatal(err)
	}
	// The same input in another order gives the same plan, byte for byte.
	shuffled := *in.Report
	shuffled.Inventory.Mailboxes = slices.Clone(in.Report.Inventory.Mailboxes)
	shuffled.Findings = slices.Clone(in.Report.Findings)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(shuffled.Inventory.Mailboxes), func(i, j int) {
		shuffled.Inventory.Mailboxes[i], shuffled.Inventory.Mailboxes[j] = shuffled.Inventory.Mailboxes[j], shuffled.Inventory.Mailboxes[i]
	})
	r.Shuffle(len(shuffled.Findings), func(i, j int) {
		shuffled.Findings[i], shuffled.Findings[j] = shuffled.Findings[j], shuffled.Findings[i]
	})
	in.Report = &shuffled
	var second bytes.Buffer
	if err := build(t, in, plan.Options{}).WriteJSON(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("the same input in another order gave another plan")
	}
}

func TestPilotSizeBounds(t *testing.T) {
	in := input(t, demoUpgraded(t))
	for _, size := range []int{plan.MinPilotSize - 1, plan.MaxPilotSize + 1, -3} {
		_, err := plan.Build(in, plan.Options{PilotSize: size, SyncIntervalMinutes: 30}, testTool)
		if !errors.Is(err, plan.ErrOptions) {
			t.Errorf("pilot size %d: err = %v, want ErrOptions", size, err)
		}
	}
	for _, by := range []string{"custom-attribute-0", "custom-attribute-16", "region", ""} {
		_, err := plan.Build(in, plan.Options{WaveBy: by, SyncIntervalMinutes: 30}, testTool)
		if (by == "") != (err == nil) {
			t.Errorf("wave-by %q: err = %v", by, err)
		}
	}
}

// On the known-bad Entra Connect build nothing is ready, so there is no
// pilot and no script to enable anything.
func TestTenantBlockerMeansNoPilot(t *testing.T) {
	in := input(t, demoBlocked(t))
	p := build(t, in, plan.Options{})
	if len(p.Waves[0].Mailboxes) != 0 {
		t.Fatalf("pilot = %d mailboxes while EXR-SYNC-001 blocks every flip", len(p.Waves[0].Mailboxes))
	}
	if len(p.TenantBlockers) != 1 || p.TenantBlockers[0].RuleID != "EXR-SYNC-001" || !strings.Contains(p.Summary.Headline, "EXR-SYNC-001") {
		t.Fatalf("tenant blockers %+v, headline %q", p.TenantBlockers, p.Summary.Headline)
	}
	for _, f := range p.Files {
		if f.Wave >= 0 {
			t.Errorf("%s written although every mailbox is held back", f.Path)
		}
	}

	// Planning ahead of the upgrade gives the same pilot as after it, with
	// the fix as a precondition of every wave.
	ahead := build(t, in, plan.Options{AssumeFixed: []string{"exr-sync-001"}})
	after := build(t, input(t, demoUpgraded(t)), plan.Options{})
	if got, want := ids(ahead.Waves[0].Mailboxes), ids(after.Waves[0].Mailboxes); !slices.Equal(got, want) {
		t.Fatalf("pilot planned ahead %v, after the upgrade %v", got, want)
	}
	for _, w := range ahead.Waves {
		if w.Folder != "" && !slices.ContainsFunc(w.Preconditions, func(s string) bool { return strings.HasPrefix(s, "EXR-SYNC-001 resolved") }) {
			t.Errorf("wave %d lacks the assumed fix as a precondition: %v", w.Number, w.Preconditions)
		}
	}
	// Only tenant-wide blockers may be assumed fixed.
	if _, err := plan.Build(in, plan.Options{AssumeFixed: []string{"EXR-MBX-008"}, SyncIntervalMinutes: 30}, testTool); !errors.Is(err, plan.ErrOptions) {
		t.Fatalf("assuming a per-mailbox rule fixed: err = %v", err)
	}
}

func ids(ms []plan.Mailbox) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestWavesAndSafeTimes(t *testing.T) {
	s := demoUpgraded(t)
	in := input(t, s)
	rows := rowsByID(in.Report)
	quiet := 30*time.Minute + 24*time.Hour
	p := build(t, in, plan.Options{WaveBy: plan.WaveByDepartment, MaxWaveSize: 3})
	now := in.Report.Inputs.Snapshot.CollectedAt

	seen := map[string]int{}
	var lastStart time.Time
	heldOnly := false
	for _, w := range p.Waves[1:] {
		if len(w.Mailboxes) == 0 || len(w.Mailboxes) > 3 {
			t.Errorf("wave %d has %d mailboxes, want 1..3", w.Number, len(w.Mailboxes))
		}
		var latest time.Time
		flips := 0
		for _, m := range w.Mailboxes {
			seen[m.ID]++
			row := rows[m.ID]
			if dept, _ := evaluate.Attr(row.AD, "department").(string); m.Group != dept && !(dept == "" && strings.HasPrefix(m.Group, "(")) {
				t.Errorf("wave %d (%s): %s has department %q", w.Number, w.Group, m.DisplayName, dept)
			}
			if m.Group != w.Group {
				t.Errorf("wave %d mixes groups %q and %q", w.Number, w.Group, m.Group)
			}
			switch row.Readiness.State {
			case evaluate.ReadyBlocked, evaluate.ReadyUnknown:
				if m.Action != plan.ActionHold {
					t.Errorf("%s is %s but planned to flip", m.DisplayName, row.Readiness.Text)
				}
				continue
			}
			if m.Action != plan.ActionFlip {
				continue
			}
			flips++
			// Safe time: never before a rule's wait_until, nor before one sync
			// cycle + 24 h after the last on-prem change.
			safe := now
			if w := row.Readiness.WaitUntil; w != nil && w.After(safe) {
				safe = *w
			}
			if s, _ := evaluate.Attr(row.AD, "when_changed").(string); s != "" {
				changed, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					t.Fatal(err)
				}
				if q := changed.Add(quiet); q.After(safe) {
					safe = q
				}
			}
			got := now
			if m.SafeFrom != nil {
				got = *m.SafeFrom
			}
			if !got.Equal(safe) {
				t.Errorf("%s: safe from %s, want %s", m.DisplayName, got, safe)
			}
			if safe.After(latest) {
				latest = safe
			}
		}
		if flips == 0 {
			heldOnly = true
			if w.EarliestStart != nil || w.Folder != "" {
				t.Errorf("wave %d holds everything back but has a start or scripts", w.Number)
			}
			continue
		}
		if heldOnly {
			t.Errorf("wave %d has mailboxes to flip after a wave that holds everything back", w.Number)
		}
		if w.EarliestStart == nil || !w.EarliestStart.Equal(latest) {
			t.Errorf("wave %d starts %v, want the latest safe time of its mailboxes %s", w.Number, w.EarliestStart, latest)
		}
		if w.EarliestStart.Before(lastStart) {
			t.Errorf("wave %d starts %s, before the wave ahead of it (%s)", w.Number, w.EarliestStart, lastStart)
		}
		lastStart = *w.EarliestStart
	}
	// Every mailbox left to flip is planned exactly once.
	for _, m := range p.Waves[0].Mailboxes {
		seen[m.ID]++
	}
	for id, row := range rows {
		switch row.Readiness.State {
		case evaluate.ReadyCloudManaged, evaluate.ReadyNotApplicable:
			if seen[id] != 0 {
				t.Errorf("%s (%s) is planned", row.DisplayName, row.Readiness.State)
			}
		default:
			if seen[id] != 1 {
				t.Errorf("%s is planned %d times", row.DisplayName, seen[id])
			}
		}
	}

	// The demo's recent on-prem changes hold their mailboxes' waves back.
	grace := exoMailbox(t, s, "Grace Mensah").ExternalDirectoryObjectID
	var graceWave *plan.Wave
	for i := range p.Waves {
		for _, m := range p.Waves[i].Mailboxes {
			if m.ID == grace {
				graceWave = &p.Waves[i]
			}
		}
	}
	if graceWave == nil || graceWave.EarliestStart == nil || !graceWave.EarliestStart.After(now.Add(24*time.Hour)) {
		t.Fatalf("Grace Mensah, changed 9 minutes before the scan, is in a wave starting %v", graceWave)
	}
}

func TestWaveByCustomAttribute(t *testing.T) {
	in := input(t, demoUpgraded(t))
	rows := rowsByID(in.Report)
	p := build(t, in, plan.Options{WaveBy: "custom-attribute-1"})
	for _, w := range p.Waves[1:] {
		for _, m := range w.Mailboxes {
			ca, _ := evaluate.Attr(rows[m.ID].AD, "custom_attributes").(map[string]string) // as evaluate built it
			if v := ca["CustomAttribute1"]; v != "" && v != w.Group {
				t.Errorf("wave %q holds %s with CustomAttribute1 %q", w.Name, m.DisplayName, v)
			}
		}
		if !strings.HasPrefix(w.Name, "CustomAttribute1 ") {
			t.Errorf("wave name %q", w.Name)
		}
	}
}

// Inputs with parts missing plan nothing they cannot vouch for.
func TestIncompleteInputs(t *testing.T) {
	load := func(name string) *snapshot.Snapshot {
		data, err := fs.ReadFile(fixtures.Snapshots(), name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := snapshot.ParseSnapshot(data)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// AD only: no joined inventory, so nothing to plan, and it says why.
	p := build(t, input(t, load("minimal.json")), plan.Options{})
	if p.Summary.Mailboxes != 0 || !strings.Contains(p.Summary.Headline, "no mailbox inventory") || len(p.Files) != 1 {
		t.Errorf("minimal: %+v, %d files", p.Summary, len(p.Files))
	}
	// A rule could not be assessed: its mailboxes are unknown, held back, never in a script.
	p = build(t, input(t, load("partial.json")), plan.Options{})
	for _, w := range p.Waves {
		for _, m := range w.Mailboxes {
			if m.Action != plan.ActionHold || !strings.Contains(m.HoldReason, "not assessed") {
				t.Errorf("partial: %s is %s (%s), want held back as not assessed", m.DisplayName, m.Action, m.HoldReason)
			}
		}
	}
	if p.Summary.Held == 0 || p.Summary.Planned != 0 {
		t.Errorf("partial: %+v", p.Summary)
	}
}
