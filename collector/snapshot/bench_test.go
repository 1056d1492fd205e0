package snapshot_test

import (
	"io"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/tools/gen"
)

// BenchmarkJoin joins the AD and EXO sections of a generated
// 10,000-mailbox tenant and reports mailboxes joined per second.
func BenchmarkJoin(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	b.ResetTimer()
	for b.Loop() {
		snapshot.Join(s)
	}
	b.ReportMetric(float64(len(s.Joined))*float64(b.N)/b.Elapsed().Seconds(), "mailboxes/s")
}

// BenchmarkWriteJSON streams the snapshot of a generated 10,000-mailbox
// tenant (what scan writes to snapshot.json).
func BenchmarkWriteJSON(b *testing.B) {
	s := gen.Generate(gen.Options{Seed: 1, Mailboxes: 10000}).Snapshot()
	var n countingWriter
	b.ResetTimer()
	for b.Loop() {
		if err := s.WriteJSON(&n); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(n.n / int64(b.N))
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
