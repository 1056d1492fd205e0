package exo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/tools/gen"
)

// BenchmarkExportFolder reads the export folder of a generated tenant of
// 10,000 mailboxes, whose Get-Mailbox.json holds the ~230 properties per
// mailbox of a real Exchange Online export (105 MB), as exoready scan
// --exo-export does. bytes/op counts Get-Mailbox.json.
func BenchmarkExportFolder(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	if err := gen.Generate(gen.Options{Seed: 1, Mailboxes: n}).WriteExport(dir); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "Get-Mailbox.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		r, err := ReadExport(b.Context(), dir, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		if len(r.EXO.Mailboxes) < n*9/10 || !r.EXOStatus.Complete {
			b.Fatalf("%d mailboxes, errors %v", len(r.EXO.Mailboxes), r.EXOStatus.Errors)
		}
	}
}
