package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// splitWaves groups the mailboxes left after the pilot by the wave-by
// value, cuts each group into waves of at most MaxWaveSize (mailboxes to
// flip first, the soonest safe first), and orders the waves: those with
// something to flip by their latest safe time, then by group; waves where
// everything is held back come last.
func splitWaves(rest []Mailbox, o *Options) []Wave {
	groups := map[string][]Mailbox{}
	labels := map[string]string{}
	for _, m := range rest {
		k := strings.ToLower(m.Group)
		groups[k] = append(groups[k], m)
		if l, ok := labels[k]; !ok || m.Group < l {
			labels[k] = m.Group
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var waves []Wave
	for _, k := range keys {
		ms := groups[k]
		slices.SortFunc(ms, mailboxOrder)
		n := (len(ms) + o.MaxWaveSize - 1) / o.MaxWaveSize
		for i := range n {
			chunk := ms[i*o.MaxWaveSize : min((i+1)*o.MaxWaveSize, len(ms))]
			name := groupTitle(o.WaveBy) + " " + labels[k]
			if n > 1 {
				name += fmt.Sprintf(" (%d of %d)", i+1, n)
			}
			for j := range chunk {
				chunk[j].Group = labels[k]
			}
			waves = append(waves, Wave{Name: name, Group: labels[k], Mailboxes: chunk})
		}
	}
	slices.SortStableFunc(waves, func(a, b Wave) int {
		sa, fa := latestSafe(a)
		sb, fb := latestSafe(b)
		if fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		if c := compareTimes(sa, sb); c != 0 {
			return c
		}
		return 0 // keys order (group, then part) stays
	})
	for i := range waves {
		waves[i].Number = i + 1
	}
	return waves
}

// mailboxOrder: mailboxes to flip before held ones, sooner safe first,
// then by display name and id.
func mailboxOrder(a, b Mailbox) int {
	if (a.Action == ActionHold) != (b.Action == ActionHold) {
		if a.Action == ActionHold {
			return 1
		}
		return -1
	}
	if c := compareTimes(a.SafeFrom, b.SafeFrom); c != 0 {
		return c
	}
	if c := cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)); c != 0 {
		return c
	}
	return cmp.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID))
}

// latestSafe is the latest SafeFrom of a wave's mailboxes to flip (nil when
// all are safe at planning) and whether the wave has any to flip.
func latestSafe(w Wave) (*time.Time, bool) {
	var t *time.Time
	flips := false
	for _, m := range w.Mailboxes {
		if m.Action == ActionHold {
			continue
		}
		flips = true
		if m.SafeFrom != nil && (t == nil || m.SafeFrom.After(*t)) {
			t = m.SafeFrom
		}
	}
	return t, flips
}

// compareTimes orders nil (now) before any time.
func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

func groupTitle(by string) string {
	switch by {
	case WaveByOU:
		return "OU"
	case WaveByDepartment:
		return "Department"
	case WaveByDomain:
		return "Domain"
	}
	n, _ := strings.CutPrefix(by, WaveByCustomAttributePrefix)
	return "CustomAttribute" + n
}
