package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// pilotKinds are the mailbox kinds the pilot covers, in this order.
var pilotKinds = []string{"user", "shared", "room", "equipment"}

// maxPerResourceKind keeps the pilot mostly user mailboxes: Microsoft asks
// for "one or two" shared or room mailboxes among the test mailboxes.
const maxPerResourceKind = 2

// choosePilot picks the pilot from the eligible candidates: first one
// mailbox of each kind present, then fills up to size, each time from the
// OU with the fewest pilot mailboxes so far (then the department with the
// fewest), at most two of each non-user kind while users remain. Ties go to
// the lowest id, so the same input always gives the same pilot. It returns
// the pilot, every other candidate, and notes on what could not be met.
func choosePilot(candidates []Mailbox, size int) (pilot, rest []Mailbox, notes []string) {
	var pool []Mailbox
	skipped := map[string]int{}
	for _, m := range candidates {
		if ok, why := m.pilotEligible(); ok {
			pool = append(pool, m)
		} else {
			skipped[why]++
			rest = append(rest, m)
		}
	}
	slices.SortFunc(pool, func(a, b Mailbox) int { return cmp.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID)) })

	perOU, perDept, perKind := map[string]int{}, map[string]int{}, map[string]int{}
	taken := make([]bool, len(pool))
	take := func(i int, reason string) {
		m := pool[i]
		ou, dept := orNone(m.OU, "(no OU)"), orNone(m.Department, "(no department)")
		spread := fmt.Sprintf("first from OU %s", ou)
		if perOU[ou] > 0 {
			spread = fmt.Sprintf("OU %s had the fewest pilot mailboxes (%d)", ou, perOU[ou])
		}
		if perDept[dept] == 0 && m.Department != "" {
			spread += ", first from department " + m.Department
		}
		m.Reason = fmt.Sprintf("%s; %s; ready to flip now, no open findings, no waivers", reason, spread)
		perOU[ou]++
		perDept[dept]++
		perKind[m.Kind]++
		taken[i] = true
		pilot = append(pilot, m)
	}
	// best returns the untaken pool index that spreads the pilot most,
	// among those accepted by ok; -1 when none.
	best := func(ok func(Mailbox) bool) int {
		at := -1
		for i, m := range pool {
			if taken[i] || !ok(m) {
				continue
			}
			if at < 0 || spreadLess(m, pool[at], perOU, perDept) {
				at = i
			}
		}
		return at
	}

	kindsPresent := map[string]bool{}
	for _, m := range candidates {
		kindsPresent[m.Kind] = true
	}
	for _, kind := range pilotKinds {
		if len(pilot) == size || !kindsPresent[kind] {
			continue
		}
		if i := best(func(m Mailbox) bool { return m.Kind == kind }); i >= 0 {
			take(i, "covers kind "+kind)
		} else {
			notes = append(notes, fmt.Sprintf("The pilot has no %s mailbox: none of the %s mailboxes to flip qualifies (ready now, no open findings or waivers).", kind, kind))
		}
	}
	for len(pilot) < size {
		i := best(func(m Mailbox) bool { return m.Kind == "user" || perKind[m.Kind] < maxPerResourceKind })
		if i < 0 {
			i = best(func(Mailbox) bool { return true })
		}
		if i < 0 {
			break
		}
		take(i, "spreads the pilot")
	}
	for i, m := range pool {
		if !taken[i] {
			rest = append(rest, m)
		}
	}

	if len(pilot) < size && len(candidates) > 0 {
		notes = append(notes, fmt.Sprintf("The pilot has %d of the %d mailboxes asked for: only %d %s.",
			len(pilot), size, len(pool), plural(len(pool), "mailbox qualifies", "mailboxes qualify")))
	}
	if len(pilot) > 0 && len(pilot) < MinPilotSize {
		notes = append(notes, fmt.Sprintf("Microsoft's guidance is 5 to 20 test mailboxes; this pilot has %d.", len(pilot)))
	}
	reasons := make([]string, 0, len(skipped))
	for why, n := range skipped {
		reasons = append(reasons, fmt.Sprintf("%d %s", n, why))
	}
	slices.Sort(reasons)
	if len(reasons) > 0 {
		notes = append(notes, "Not eligible for the pilot: "+strings.Join(reasons, "; ")+".")
	}
	return pilot, rest, notes
}

// spreadLess orders candidates for the next pilot place: the OU with fewer
// pilot mailboxes, then the department with fewer, then the lower id.
func spreadLess(a, b Mailbox, perOU, perDept map[string]int) bool {
	ouA, ouB := perOU[orNone(a.OU, "(no OU)")], perOU[orNone(b.OU, "(no OU)")]
	if ouA != ouB {
		return ouA < ouB
	}
	dA, dB := perDept[orNone(a.Department, "(no department)")], perDept[orNone(b.Department, "(no department)")]
	if dA != dB {
		return dA < dB
	}
	return strings.ToLower(a.ID) < strings.ToLower(b.ID)
}
