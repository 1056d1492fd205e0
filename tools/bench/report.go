package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	wallLine = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)`)
	rssLine  = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	exitLine = regexp.MustCompile(`Exit status: (\d+)`)
	cpuLine  = regexp.MustCompile(`(?:User|System) time \(seconds\): (\d+(?:\.\d+)?)`)
)

// timed reads what /usr/bin/time -v wrote about a command, and the phases
// exoready recorded in findings.json and its JSON log, when given.
func timed(name string, n int, timeFile, findings, logFile string) error {
	raw, err := os.ReadFile(timeFile)
	if err != nil {
		return err
	}
	r := result{Name: name, Mailboxes: n, Phases: map[string]int64{}, Counts: map[string]int{}}
	m := wallLine.FindSubmatch(raw)
	if m == nil {
		return fmt.Errorf("%s: no wall clock time (was it written by /usr/bin/time -v?)", timeFile)
	}
	h, _ := strconv.ParseFloat(string(m[1]), 64)
	mi, _ := strconv.ParseFloat(string(m[2]), 64)
	sec, _ := strconv.ParseFloat(string(m[3]), 64)
	r.Millis = int64((h*3600 + mi*60 + sec) * 1000)
	if m := rssLine.FindSubmatch(raw); m != nil {
		kb, _ := strconv.ParseUint(string(m[1]), 10, 64)
		r.RSS = kb >> 10
	}
	for _, m := range cpuLine.FindAllSubmatch(raw, -1) {
		s, _ := strconv.ParseFloat(string(m[1]), 64)
		r.CPUMillis += int64(s * 1000)
	}
	if m := exitLine.FindSubmatch(raw); m != nil {
		r.Counts["exit"], _ = strconv.Atoi(string(m[1]))
	}
	if findings != "" {
		var f struct {
			Timings struct {
				Phases map[string]int64 `json:"phases"`
			} `json:"timings"`
			Findings []json.RawMessage `json:"findings"`
		}
		b, err := os.ReadFile(findings)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %w", findings, err)
		}
		for k, v := range f.Timings.Phases {
			r.Phases[k] = v
		}
		r.Counts["findings"] = len(f.Findings)
	}
	if logFile != "" {
		fh, err := os.Open(logFile)
		if err != nil {
			return err
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var l struct {
				Message string  `json:"message"`
				Path    string  `json:"path"`
				Elapsed float64 `json:"elapsed"`
			}
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "report written" {
				r.Phases["write_"+strings.TrimPrefix(filepath.Ext(l.Path), ".")] = int64(l.Elapsed)
			}
		}
	}
	r.print()
	return nil
}

// table prints the results file as the Markdown tables of docs/benchmarks.md.
func table(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	by := map[string]map[int]result{}
	var sizes []int
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		if by[r.Name] == nil {
			by[r.Name] = map[int]result{}
		}
		by[r.Name][r.Mailboxes] = r // the last run of a size wins
		if !slices.Contains(sizes, r.Mailboxes) {
			sizes = append(sizes, r.Mailboxes)
		}
	}
	slices.Sort(sizes)
	sec := func(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) }
	ratio := func(a, b int64) string {
		if b == 0 {
			return "–"
		}
		return strconv.FormatFloat(float64(a)/float64(b), 'f', 2, 64) + "×"
	}

	fmt.Println("End-to-end `exoready scan` (LDIF + export folder + facts → snapshot.json, findings.json, report.xlsx):")
	fmt.Println()
	fmt.Println("| mailboxes | wall s | CPU s | peak RSS MiB | collect s (AD ‖ EXO) | join s | write snapshot s | evaluate s | write JSON s | write xlsx s | findings | s per 100k |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range sizes {
		r, ok := by["scan"][n]
		if !ok {
			continue
		}
		p := r.Phases
		fmt.Printf("| %d | %s | %s | %d | %s (%s ‖ %s) | %s | %s | %s | %s | %s | %d | %s |\n", n, sec(r.Millis), sec(r.CPUMillis), r.RSS,
			sec(p["collect"]-p["join"]), sec(p["collect_ad"]), sec(p["collect_exo"]), sec(p["join"]), sec(p["write_snapshot"]), sec(p["evaluate"]),
			sec(p["write_json"]), sec(p["write_xlsx"]), r.Counts["findings"], sec(r.Millis*100000/int64(n)))
	}
	for _, n := range sizes {
		if r, ok := by["skipped"][n]; ok {
			fmt.Printf("\n%d mailboxes: scan, floor, evaluate and opa eval not run: they need ~%d MB, %d MB were available.\n", n, r.Counts["need_mb"], r.Counts["avail_mb"])
		}
	}
	fmt.Println()
	fmt.Println("The collectors alone (no snapshot, no evaluation):")
	fmt.Println()
	fmt.Println("| mailboxes | read LDIF s | LDIF peak heap MiB | read export folder s | export peak heap MiB |")
	fmt.Println("|---:|---:|---:|---:|---:|")
	for _, n := range sizes {
		l, x := by["collect ad (LDIF)"][n], by["collect exo (export)"][n]
		if l.Millis == 0 && x.Millis == 0 {
			continue
		}
		fmt.Printf("| %d | %s | %d | %s | %d |\n", n, sec(l.Millis), l.PeakHeap, sec(x.Millis), x.PeakHeap)
	}
	fmt.Println()
	fmt.Println("Evaluation against its floor and against `opa eval` (same snapshot.json, same policies):")
	fmt.Println()
	fmt.Println("| mailboxes | decode floor s | exoready read+evaluate s | of which evaluate s | read+evaluate ÷ floor | evaluate ÷ floor | opa eval s | opa peak RSS MiB | opa ÷ exoready |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range sizes {
		f, e := by["decode floor"][n], by["evaluate"][n]
		if e.Millis == 0 {
			continue
		}
		o, hasOPA := by["opa eval"][n]
		opa, opaRSS, opaRatio := "not run", "–", "–"
		if hasOPA {
			opa, opaRSS, opaRatio = sec(o.Millis), strconv.FormatUint(o.RSS, 10), ratio(o.Millis, e.Millis)
			if o.Counts["exit"] != 0 {
				opa = fmt.Sprintf("failed (exit %d) after %s", o.Counts["exit"], sec(o.Millis))
				opaRatio = "–"
			}
		}
		fmt.Printf("| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, sec(f.Millis), sec(e.Millis), sec(e.Phases["evaluate"]),
			ratio(e.Millis, f.Millis), ratio(e.Phases["evaluate"], f.Millis), opa, opaRSS, opaRatio)
	}
	if r, ok := by["workbook"][600000]; ok {
		fmt.Println()
		fmt.Printf("Workbook writer at 600,000 mailbox rows (BenchmarkXLSX600k): %s s, %d rows/s, peak heap %d MiB (the report itself %d MiB), %d MB workbook.\n",
			sec(r.Millis), r.Counts["rows/s"], r.Counts["peak-heap-MB"], r.Counts["report-heap-MB"], r.Counts["xlsx-MB"])
	}
	if len(by["ldap collect"]) > 0 {
		fmt.Println()
		fmt.Println("LDAP collection against `ldapsearch` paging the same searches of the same directory (OpenLDAP, page size 1000):")
		fmt.Println()
		fmt.Println("| mailboxes | entries | exoready collect s | ldapsearch s | exoready entries/s | ldapsearch entries/s | throughput ratio |")
		fmt.Println("|---:|---:|---:|---:|---:|---:|---:|")
		for _, n := range sizes {
			c, l := by["ldap collect"][n], by["ldapsearch"][n]
			if c.Millis == 0 || l.Millis == 0 {
				continue
			}
			entries := l.Counts["entries"] // the entries both read; the collector counts objects it kept
			fmt.Printf("| %d | %d | %s | %s | %d | %d | %s |\n", n, entries, sec(c.Millis), sec(l.Millis),
				int64(entries)*1000/max(c.Millis, 1), int64(entries)*1000/max(l.Millis, 1), ratio(l.Millis, c.Millis))
		}
	}
	return nil
}

// goBench turns a `go test -bench` result line read from stdin into a
// result: ns/op as ms, the other metrics as counts. It reads all of stdin,
// so go test never writes into a closed pipe.
func goBench(name string, n int) error {
	sc := bufio.NewScanner(os.Stdin)
	var found *result
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if found != nil || len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		r := result{Name: name, Mailboxes: n, Counts: map[string]int{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if f[i+1] == "ns/op" {
				r.Millis = int64(v / 1e6)
			} else {
				r.Counts[f[i+1]] = int(v)
			}
		}
		found = &r
	}
	if found == nil {
		return fmt.Errorf("no benchmark result on stdin")
	}
	found.print()
	return nil
}
