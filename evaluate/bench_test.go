package evaluate

import (
	"testing"
	"time"

	"github.com/exoready/exoready/tools/gen"
)

// BenchmarkEvaluate evaluates the embedded pack on a generated
// 10,000-mailbox tenant, decoded (as scan and evaluate pass it), and
// reports mailboxes per second.
func BenchmarkEvaluate(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	e := packEngine(b)
	clock := func() time.Time { return gen.DefaultAt }
	b.ResetTimer()
	for b.Loop() {
		rep, err := e.Evaluate(b.Context(), RunOptions{Parsed: s, Digest: &Digest{}, Clock: clock})
		if err != nil || len(rep.Findings) == 0 {
			b.Fatalf("%v, %d findings", err, len(rep.Findings))
		}
	}
	b.ReportMetric(float64(len(s.Joined))*float64(b.N)/b.Elapsed().Seconds(), "mailboxes/s")
}

// BenchmarkInput converts the decoded 10,000-mailbox snapshot into the
// policies' input.
func BenchmarkInput(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	b.ResetTimer()
	for b.Loop() {
		if _, err := inputValue(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Joined))*float64(b.N)/b.Elapsed().Seconds(), "mailboxes/s")
}
