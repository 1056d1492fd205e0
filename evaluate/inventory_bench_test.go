package evaluate

import (
	"os"
	"runtime"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
)

// BenchmarkInventoryHeap measures the live heap the mailbox inventory adds
// to a loaded snapshot, per mailbox. EXOREADY_INVENTORY_SNAPSHOT names a
// snapshot.json to measure (a generated 100k one); without it, the demo
// tenant. Only the rows are new: their strings share the snapshot's.
func BenchmarkInventoryHeap(b *testing.B) {
	var s *snapshot.Snapshot
	var err error
	if path := os.Getenv("EXOREADY_INVENTORY_SNAPSHOT"); path != "" {
		s, _, err = snapshot.ReadSnapshotFile(path)
	} else {
		s, err = snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	}
	if err != nil {
		b.Fatal(err)
	}
	var rows []MailboxRow
	for b.Loop() {
		rows = nil
		before := liveHeap()
		rows = mailboxRows(s.Joined, nil, nil)
		after := liveHeap()
		b.ReportMetric(float64(after-before)/float64(len(rows)), "live-B/mailbox")
		b.ReportMetric(float64(after-before)/(1<<20), "live-MiB")
	}
	runtime.KeepAlive(rows)
	runtime.KeepAlive(s)
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
