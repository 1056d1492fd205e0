package gen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/ad"
	"github.com/exoready/exoready/collector/exo"
	"github.com/exoready/exoready/collector/facts"
	"github.com/exoready/exoready/collector/snapshot"
)

// TestCollectorsReadWhatWasGenerated writes a small tenant in every input
// form, collects the LDIF, the export folder and the facts with the real
// collectors, and checks that the snapshot they make is the generated one,
// section by section.
func TestCollectorsReadWhatWasGenerated(t *testing.T) {
	for _, n := range []int{1, 400} {
		tn := Generate(Options{Seed: 7, Mailboxes: n})
		dir := t.TempDir()
		if err := tn.Write(dir); err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		adSec, adSt, err := ad.ReadLDIF(ctx, []string{filepath.Join(dir, LDIFFile)}, ad.Options{})
		if err != nil {
			t.Fatalf("N=%d: ReadLDIF: %v", n, err)
		}
		res, err := exo.ReadExport(ctx, filepath.Join(dir, ExportDir), zerolog.Nop())
		if err != nil {
			t.Fatalf("N=%d: ReadExport: %v", n, err)
		}
		f, fSt, err := facts.ReadFile(filepath.Join(dir, FactsFile))
		if err != nil {
			t.Fatalf("N=%d: facts: %v", n, err)
		}
		for _, st := range []snapshot.SourceStatus{adSt, res.EXOStatus, res.EntraStatus, fSt} {
			if !st.Complete || len(st.Errors) > 0 {
				t.Fatalf("N=%d: %s collection incomplete: %+v", n, st.Method, st.Errors)
			}
		}
		got := collector.Build(collector.Parts{CollectedAt: tn.At, AD: adSec, EXO: res.EXO, Entra: res.Entra, Facts: f})
		want := tn.Snapshot()
		for _, sec := range []struct {
			name      string
			got, want any
		}{
			{"ad", got.AD, want.AD}, {"exo", got.EXO, want.EXO}, {"entra", got.Entra, want.Entra},
			{"facts", got.Facts, want.Facts}, {"joined", got.Joined, want.Joined},
		} {
			g, w := mustJSON(t, sec.got), mustJSON(t, sec.want)
			if !bytes.Equal(g, w) {
				t.Errorf("N=%d: section %s differs from the generated one:\n%s", n, sec.name, firstDiff(g, w))
			}
		}
		if n > 1 && len(want.Joined) < n {
			t.Errorf("N=%d: %d joined mailboxes", n, len(want.Joined))
		}
	}
}

// TestSnapshotFileLoads checks the written snapshot.json: it loads, holds
// the generated sections, and names every input file with its hash.
func TestSnapshotFileLoads(t *testing.T) {
	tn := Generate(Options{Seed: 3, Mailboxes: 50})
	dir := t.TempDir()
	if err := tn.Write(dir); err != nil {
		t.Fatal(err)
	}
	s, _, err := snapshot.ReadSnapshotFile(filepath.Join(dir, SnapshotFile))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Complete() || len(s.Joined) < 50 {
		t.Errorf("complete %t, %d joined", s.Complete(), len(s.Joined))
	}
	if len(s.Sources.AD.Files) != 1 || s.Sources.AD.Files[0].Path != LDIFFile || len(s.Sources.EXO.Files) != 14 || len(s.Sources.Entra.Files) != 4 {
		t.Errorf("input files: ad %+v, exo %d, entra %d", s.Sources.AD.Files, len(s.Sources.EXO.Files), len(s.Sources.Entra.Files))
	}
	st, err := os.Stat(filepath.Join(dir, LDIFFile))
	if err != nil || st.Size() != s.Sources.AD.Files[0].Bytes {
		t.Errorf("LDIF size %v vs recorded %d", st, s.Sources.AD.Files[0].Bytes)
	}
}

// TestDeterministic checks that one seed and size give the same tenant, and
// another seed another one.
func TestDeterministic(t *testing.T) {
	a := mustJSON(t, Generate(Options{Seed: 11, Mailboxes: 300}).Snapshot())
	b := mustJSON(t, Generate(Options{Seed: 11, Mailboxes: 300}).Snapshot())
	c := mustJSON(t, Generate(Options{Seed: 12, Mailboxes: 300}).Snapshot())
	if !bytes.Equal(a, b) {
		t.Error("same seed, different tenants")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same tenant")
	}
}

// TestDistributions checks that a larger tenant has the shape Rates
// describe: every state the rules look for occurs, in about its proportion.
func TestDistributions(t *testing.T) {
	const n = 20000
	s := Generate(Options{Seed: 1, Mailboxes: n}).Snapshot()
	count := func(f func(*snapshot.JoinedMailbox) bool) int {
		c := 0
		for i := range s.Joined {
			if f(&s.Joined[i]) {
				c++
			}
		}
		return c
	}
	between := func(name string, got int, lo, hi float64) {
		t.Helper()
		if float64(got) < lo*n || float64(got) > hi*n {
			t.Errorf("%s: %d of %d, want between %.2f%% and %.2f%%", name, got, n, lo*100, hi*100)
		}
	}
	between("cloud-managed", count(func(j *snapshot.JoinedMailbox) bool {
		return j.EXO != nil && j.EXO.IsExchangeCloudManaged != nil && *j.EXO.IsExchangeCloudManaged
	}), 0.50, 0.57)
	between("on-prem", count(func(j *snapshot.JoinedMailbox) bool { return j.Location == snapshot.LocationOnPrem }), 0.003, 0.008)
	between("cloud-only", count(func(j *snapshot.JoinedMailbox) bool { return j.Location == snapshot.LocationCloud }), 0.015, 0.025)
	between("unjoined", count(func(j *snapshot.JoinedMailbox) bool {
		return j.Location == snapshot.LocationRemote && (j.AD == nil || j.EXO == nil)
	}), 0.001, 0.004)
	between("drift", count(func(j *snapshot.JoinedMailbox) bool { return len(j.Drift) > 0 }), 0.006, 0.02)
	between("shared", count(func(j *snapshot.JoinedMailbox) bool { return j.Kind == snapshot.KindShared }), 0.06, 0.08)
	methods := map[string]int{}
	for _, j := range s.Joined {
		methods[j.JoinMethod]++
	}
	for _, m := range []string{snapshot.JoinExternalDirectoryObjectID, snapshot.JoinImmutableID, snapshot.JoinUPN, snapshot.JoinPrimarySMTP} {
		if methods[m] == 0 {
			t.Errorf("no mailbox joined by %s: %v", m, methods)
		}
	}
	proxies := map[int]int{}
	for _, u := range s.AD.Users {
		if snapshot.IsRemoteMailboxType(u.RecipientTypeDetails) {
			proxies[len(u.ProxyAddresses)]++
		}
	}
	for k := 3; k <= 8; k++ {
		if proxies[k] == 0 {
			t.Errorf("no remote mailbox with %d proxy addresses: %v", k, proxies)
		}
	}
	if len(s.AD.Groups) < n/Rates.GroupsPer || len(s.AD.Contacts) < n/Rates.ContactsPer || len(s.EXO.MoveRequests) < n/100 {
		t.Errorf("%d groups, %d contacts, %d move requests", len(s.AD.Groups), len(s.AD.Contacts), len(s.EXO.MoveRequests))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDiff shows the first differing line of two JSON texts with context.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			lo := max(0, i-6)
			return "line " + strconv.Itoa(i+1) + "\n--- collected\n" + strings.Join(g[lo:min(len(g), i+3)], "\n") +
				"\n--- generated\n" + strings.Join(w[lo:min(len(w), i+3)], "\n")
		}
	}
	return "lengths differ: " + strconv.Itoa(len(g)) + " vs " + strconv.Itoa(len(w)) + " lines"
}
