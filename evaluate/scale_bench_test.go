package evaluate_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/policies"
)

// demoTimes is the demo tenant's mailboxes and AD users copied n times
// with distinct ids and addresses, joined again: a bigger tenant with the
// same mix of problems, to see how the pack scales.
func demoTimes(b *testing.B, n int) []byte {
	b.Helper()
	base, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		b.Fatal(err)
	}
	s := *base
	exo, ad := *base.EXO, *base.AD
	s.EXO, s.AD = &exo, &ad
	exo.Mailboxes, ad.Users = nil, nil
	suffixed := func(addrs []string, suf string) []string {
		out := make([]string, len(addrs))
		for i, a := range addrs {
			if strings.Contains(a, "@") {
				out[i] = strings.Replace(a, "@", suf+"@", 1)
			} else {
				out[i] = a + suf
			}
		}
		return out
	}
	for k := range n {
		suf := "-" + strconv.Itoa(k)
		for _, m := range base.EXO.Mailboxes {
			m.Guid, m.ExternalDirectoryObjectID, m.ExchangeGuid, m.ImmutableID = m.Guid+suf, m.ExternalDirectoryObjectID+suf, m.ExchangeGuid+suf, m.ImmutableID+suf
			m.UserPrincipalName = strings.Replace(m.UserPrincipalName, "@", suf+"@", 1)
			m.EmailAddresses = suffixed(m.EmailAddresses, suf)
			exo.Mailboxes = append(exo.Mailboxes, m)
		}
		for _, u := range base.AD.Users {
			u.DN = strings.Replace(u.DN, ",", suf+",", 1)
			if u.ExternalDirectoryObjectID != "" {
				u.ExternalDirectoryObjectID += suf
			}
			u.ObjectGUID, u.ImmutableID = u.ObjectGUID+suf, u.ImmutableID+suf
			u.UserPrincipalName = strings.Replace(u.UserPrincipalName, "@", suf+"@", 1)
			u.ProxyAddresses = suffixed(u.ProxyAddresses, suf)
			ad.Users = append(ad.Users, u)
		}
	}
	snapshot.Join(&s)
	data, err := s.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkEvaluatePack evaluates the whole embedded pack on the demo
// tenant copied 10 and 40 times (about 560 and 2,240 mailboxes): the time
// per run should grow about linearly with the copies.
func BenchmarkEvaluatePack(b *testing.B) {
	params, err := policies.Params()
	if err != nil {
		b.Fatal(err)
	}
	e, err := evaluate.New(b.Context(), evaluate.Options{
		Sources: []evaluate.PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}}, Params: params,
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 40} {
		snap := demoTimes(b, n)
		b.Run(strconv.Itoa(n)+"x", func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Evaluate(b.Context(), evaluate.RunOptions{Snapshot: snap, Clock: fixedClock}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
