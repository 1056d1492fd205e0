package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/heappeak"
	"github.com/exoready/exoready/policies"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench floor|evaluate SNAPSHOT.json | opa-data DIR | opa-query")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "floor":
		err = floor(size(2), arg(3))
	case "evaluate":
		err = evaluateSnapshot(size(2), arg(3))
	case "timed":
		err = timed(arg(2), size(3), arg(4), optArg(5), optArg(6))
	case "read-ldif":
		err = readLDIF(size(2), arg(3))
	case "read-export":
		err = readExport(size(2), arg(3))
	case "ldap":
		err = ldapCollect(size(2), arg(3), arg(4), arg(5), arg(6))
	case "ldapsearch":
		err = ldapsearchRun(size(2), arg(3), arg(4), arg(5), arg(6), arg(7))
	case "opa-data":
		err = opaData(arg(2))
	case "opa-query":
		err = opaQuery()
	case "gotest":
		err = goBench(arg(2), size(3))
	case "table":
		err = table(arg(2))
	default:
		err = fmt.Errorf("unknown measurement %q", os.Args[1])
	}
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fmt.Fprintf(os.Stderr, "bench %s: missing argument\n", os.Args[1])
		os.Exit(2)
	}
	return os.Args[i]
}

func optArg(i int) string {
	if len(os.Args) <= i {
		return ""
	}
	return os.Args[i]
}

func size(i int) int {
	n, err := strconv.Atoi(arg(i))
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench %s: %q is not a mailbox count\n", os.Args[1], os.Args[i])
		os.Exit(2)
	}
	return n
}

// result is one measurement.
type result struct {
	Name      string           `json:"name"`
	Mailboxes int              `json:"mailboxes"`
	Millis    int64            `json:"ms"`
	PeakHeap  uint64           `json:"peak_heap_mb,omitempty"` // Go heap, sampled
	RSS       uint64           `json:"rss_mb,omitempty"`       // peak resident set, from /usr/bin/time -v
	CPUMillis int64            `json:"cpu_ms,omitempty"`       // user + system time, from /usr/bin/time -v
	Phases    map[string]int64 `json:"phases,omitempty"`       // ms
	Counts    map[string]int   `json:"counts,omitempty"`
}

func (r result) print() {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// peakHeap watches the Go heap; stop returns its peak in MiB.
func peakHeap() (stop func() uint64) {
	w := heappeak.Watch(50 * time.Millisecond)
	return func() uint64 { return w() >> 20 }
}

// logger is silent unless BENCH_DEBUG is set: then the engine's debug
// log (one line per rule with its time) goes to stderr.
func logger() zerolog.Logger {
	if os.Getenv("BENCH_DEBUG") == "" {
		return zerolog.Nop()
	}
	return zerolog.New(os.Stderr).Level(zerolog.DebugLevel)
}

// floor reads and decodes the snapshot into its Go types: the least any
// evaluation of the file must do.
func floor(n int, path string) error {
	stop := peakHeap()
	start := time.Now()
	s, _, err := snapshot.ReadSnapshotFile(path)
	if err != nil {
		return err
	}
	ms := time.Since(start).Milliseconds()
	result{Name: "decode floor", Mailboxes: n, Millis: ms, PeakHeap: stop(), Counts: map[string]int{"joined": len(s.Joined)}}.print()
	return nil
}

func engine(ctx context.Context) (*evaluate.Engine, error) {
	params, err := policies.Params()
	if err != nil {
		return nil, err
	}
	src := evaluate.PolicySource{Name: "embedded", FS: policies.FS(), Prefix: "policies"}
	if dir := os.Getenv("BENCH_POLICIES"); dir != "" { // a copy of the pack, to compare a rule change
		if src, err = evaluate.DirSource(dir); err != nil {
			return nil, err
		}
	}
	return evaluate.New(ctx, evaluate.Options{
		Sources: []evaluate.PolicySource{src},
		Version: policies.Version, Params: params, Logger: logger(),
	})
}

// evaluateSnapshot reads the snapshot and evaluates it, as exoready
// evaluate does before writing reports.
func evaluateSnapshot(n int, path string) error {
	ctx := context.Background()
	e, err := engine(ctx)
	if err != nil {
		return err
	}
	stop := peakHeap()
	start := time.Now()
	s, d, err := snapshot.ReadSnapshotFile(path)
	if err != nil {
		return err
	}
	read := time.Since(start)
	ro := evaluate.RunOptions{Digest: &d, Parsed: s, Clock: time.Now}
	rep, err := e.Evaluate(ctx, ro)
	if err != nil {
		return err
	}
	ms := time.Since(start).Milliseconds()
	result{Name: "evaluate", Mailboxes: n, Millis: ms, PeakHeap: stop(),
		Phases: map[string]int64{"read": read.Milliseconds(), "evaluate": ms - read.Milliseconds()},
		Counts: map[string]int{"findings": len(rep.Findings), "mailboxes": len(rep.Inventory.Mailboxes)},
	}.print()
	return nil
}

// opaData writes data.json for opa eval: the parameters at data.exoready.params.
func opaData(dir string) error {
	params, err := policies.Params()
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"exoready": map[string]any{"params": params}})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "data.json"), b, 0o644)
}

// opaQuery prints a query computing, for every rule, the four outputs the
// engine reads (deny, errors, checked, inventory), as its prepared queries do.
func opaQuery() error {
	e, err := engine(context.Background())
	if err != nil {
		return err
	}
	var parts []string
	for i, r := range e.Rules() {
		p := r.Package
		parts = append(parts, fmt.Sprintf("r%d := {\"id\": %q, \"deny\": [v | some v in %s.deny], \"errors\": [v | some v in %s.errors], \"checked\": [v | v := %s.checked], \"inventory\": [v | v := %s.inventory]}",
			i, r.ID, p, p, p, p))
	}
	fmt.Println(strings.Join(parts, "; "))
	return nil
}
