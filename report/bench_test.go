package report

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/heappeak"
)

// bigReport is sampleReport with n generated mailboxes: realistic values,
// every tenth drifting, readiness states mixed.
func bigReport(n int) *evaluate.Report {
	r := sampleReport()
	// Rows as evaluate builds them: typed, lists and maps shared.
	custom := map[string]string{"CustomAttribute1": "Sales", "CustomAttribute7": "EMEA"}
	ext := map[string][]string{"ExtensionCustomAttribute2": {"a", "b"}}
	adChanged, exoChanged := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 19, 10, 5, 0, 0, time.UTC)
	no, yes := false, true
	states := []string{evaluate.ReadyCloudManaged, evaluate.ReadyNow, evaluate.ReadyWait, evaluate.ReadyBlocked}
	texts := map[string]string{evaluate.ReadyCloudManaged: "already cloud-managed", evaluate.ReadyNow: "ready to flip now",
		evaluate.ReadyWait: "wait until 2026-11-21T11:30:00Z", evaluate.ReadyBlocked: "blocked by EXR-MBX-008"}
	blocked := []string{"EXR-MBX-008"}
	none := []string{}
	drift := []string{"EmailAddresses", "CustomAttribute7"}
	wait := t0.Add(26 * time.Hour)
	r.Inventory.Mailboxes = make([]evaluate.MailboxRow, n)
	for i := range n {
		upn := fmt.Sprintf("user%06d@contoso.test", i)
		st := states[i%len(states)]
		m := evaluate.MailboxRow{
			ID: fmt.Sprintf("4f0c2b7e-0000-4000-8000-%012d", i), DisplayName: fmt.Sprintf("User %06d", i),
			Kind: "user", Location: "remote", JoinMethod: "external_directory_object_id",
			AD: &evaluate.InventoryAD{
				DN: fmt.Sprintf("CN=User %06d,OU=Users,DC=corp,DC=contoso,DC=test", i), UserPrincipalName: upn, Mail: upn,
				ProxyAddresses:       []string{"SMTP:" + upn, "smtp:" + fmt.Sprintf("user%06d@contoso.mail.onmicrosoft.com", i), "X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=u" + upn[4:10]},
				RecipientTypeDetails: "RemoteUserMailbox", HiddenFromAddressLists: &no, CustomAttributes: custom,
				ExtensionCustomAttributes: ext, TargetAddress: "SMTP:" + upn, WhenChanged: &adChanged,
			},
			EXO: &evaluate.InventoryEXO{
				UserPrincipalName: upn, PrimarySMTPAddress: upn, EmailAddresses: []string{"SMTP:" + upn},
				RecipientTypeDetails: "UserMailbox", IsDirSynced: true, IsExchangeCloudManaged: &no,
				CustomAttributes: custom, ExtensionCustomAttributes: ext, WhenChangedUTC: &exoChanged,
			},
			Drift:     none,
			Readiness: evaluate.Readiness{State: st, Text: texts[st], BlockedBy: none},
		}
		if i%10 == 0 {
			m.Drift = drift
		}
		if st == evaluate.ReadyCloudManaged {
			m.EXO.(*evaluate.InventoryEXO).IsExchangeCloudManaged = &yes
		}
		if st == evaluate.ReadyBlocked {
			m.Readiness.BlockedBy = blocked
		}
		if st == evaluate.ReadyWait {
			m.Readiness.WaitUntil = &wait
		}
		r.Inventory.Mailboxes[i] = m
	}
	return r
}

// countingWriter counts the bytes of the workbook.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkXLSX600k writes a workbook with 600,000 mailbox rows, the
// writeback tenant limit. Reported: rows per second, workbook size, the
// heap the report itself holds, and the peak heap while writing (the
// difference is what the writer adds). Run it alone:
//
//	go test ./report -run '^$' -bench XLSX600k -benchtime 1x
func BenchmarkXLSX600k(b *testing.B) { benchXLSX(b, 600_000) }

// BenchmarkXLSX60k is BenchmarkXLSX600k at a tenth of the rows, small
// enough to profile while others use the machine.
func BenchmarkXLSX60k(b *testing.B) { benchXLSX(b, 60_000) }

func benchXLSX(b *testing.B, rows int) {
	r := bigReport(rows)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	w := newXLSX(Options{TmpDir: b.TempDir()})
	b.ResetTimer()
	var size int64
	var peak uint64
	for range b.N {
		out := &countingWriter{}
		stop := heappeak.Watch(25 * time.Millisecond)
		if err := w.Write(context.Background(), out, r); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		size = out.n
	}
	b.StopTimer()
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size)/(1<<20), "xlsx-MB")
	b.ReportMetric(float64(base)/(1<<20), "report-heap-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	runtime.KeepAlive(r)
}

// BenchmarkFindingsJSON writes findings.json for a report with 20,000
// generated mailbox rows.
func BenchmarkFindingsJSON(b *testing.B) {
	r := bigReport(20_000)
	var out countingWriter
	b.ResetTimer()
	for b.Loop() {
		if err := (jsonWriter{}).Write(context.Background(), &out, r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(out.n / int64(b.N))
}
