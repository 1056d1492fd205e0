package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/exoready/exoready/tools/gen"
)

func main() {
	seed := flag.Uint64("seed", 1, "selects the tenant; the same seed and size write the same bytes")
	n := flag.Int("mailboxes", 1000, "number of mailboxes")
	out := flag.String("out", "", "folder to write (created when missing)")
	at := flag.String("at", gen.DefaultAt.Format(time.RFC3339), "collected_at of the tenant (RFC 3339)")
	flag.Parse()
	if err := run(*seed, *n, *out, *at); err != nil {
		fmt.Fprintln(os.Stderr, "exoready-gen:", err)
		os.Exit(2)
	}
}

func run(seed uint64, n int, out, at string) error {
	if out == "" {
		return fmt.Errorf("--out FOLDER is required")
	}
	if n < 1 {
		return fmt.Errorf("--mailboxes %d: give at least 1", n)
	}
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return fmt.Errorf("--at %q is not RFC 3339 like 2026-11-20T08:00:00Z", at)
	}
	start := time.Now()
	t := gen.Generate(gen.Options{Seed: seed, Mailboxes: n, At: when})
	generated := time.Since(start)
	if err := t.Write(out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exoready-gen: %d mailboxes (seed %d) in %s: generated in %s, written in %s\n",
		n, seed, out, generated.Round(time.Millisecond), time.Since(start.Add(generated)).Round(time.Millisecond))
	return nil
}
