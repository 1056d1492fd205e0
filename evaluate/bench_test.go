package evaluate

import (
	"runtime"
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

// BenchmarkEvaluateSharded evaluates the embedded pack on the generated
// 10,000-mailbox tenant as its rules declare (shard, fields, and only the
// big arrays each reads), and with every rule on the whole input as the
// engine did before: the gap is what the declarations save. It reports the
// peak heap of the run besides the time.
func BenchmarkEvaluateSharded(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	declared := packEngine(b)
	whole := declared.variant(0, func(rm RuleMeta) RuleMeta { rm.Shard, rm.Fields = "", nil; return rm })
	for _, r := range whole.rules {
		r.reads = allArrays()
	}
	clock := func() time.Time { return gen.DefaultAt }
	for _, c := range []struct {
		name string
		e    *Engine
	}{{"declared", declared}, {"whole", whole}} {
		b.Run(c.name, func(b *testing.B) {
			var above uint64
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				var peak uint64
				stop := sampleHeap(&peak)
				rep, err := c.e.Evaluate(b.Context(), RunOptions{Parsed: s, Digest: &Digest{}, Clock: clock})
				stop()
				if err != nil || len(rep.Findings) == 0 {
					b.Fatalf("%v, %d findings", err, len(rep.Findings))
				}
				above = max(above, peak-min(peak, before.HeapAlloc))
			}
			b.ReportMetric(float64(len(s.Joined))*float64(b.N)/b.Elapsed().Seconds(), "mailboxes/s")
			b.ReportMetric(float64(above)/(1<<20), "peak-MiB-above-snapshot")
		})
	}
}

// sampleHeap records the largest live heap seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
