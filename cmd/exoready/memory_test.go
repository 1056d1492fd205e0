package main

import (
	"errors"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseMaxMemory(t *testing.T) {
	machine := func() (uint64, error) { return 8 << 30, nil }
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"3500MiB", 3500 << 20},
		{"3.5GiB", 3584 << 20},
		{" 4GiB ", 4 << 30},
		{"1TiB", 1 << 40},
		{"65536KiB", 64 << 20},
		{"1000000B", 1000000},
		{"50%", 4 << 30},
		{"12.5 %", 1 << 30},
		{"off", math.MaxInt64},
		{"OFF", math.MaxInt64},
	} {
		got, err := parseMaxMemory(c.in, machine)
		if err != nil || got != c.want {
			t.Errorf("parseMaxMemory(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "4", "4G", "4GB", "-1GiB", "0MiB", "GiB", "x%", "0%", "150%", "1e30TiB"} {
		if got, err := parseMaxMemory(in, machine); err == nil {
			t.Errorf("parseMaxMemory(%q) = %d, want an error", in, got)
		} else if !strings.Contains(err.Error(), in) {
			t.Errorf("parseMaxMemory(%q): the error does not quote the value: %v", in, err)
		}
	}
	unknown := func() (uint64, error) { return 0, errors.New("no /proc/meminfo") }
	if _, err := parseMaxMemory("50%", unknown); err == nil || !strings.Contains(err.Error(), "give a size") {
		t.Errorf("a share of unknown memory: %v, want an error asking for a size", err)
	}
}

func TestMaxMemorySetsTheSoftLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	code, _, stderr := run(t, "scan", "--demo", "--out", t.TempDir(), "--max-memory", "3GiB", "--quiet", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("soft memory limit %d after --max-memory 3GiB, want %d", got, int64(3<<30))
	}

	debug.SetMemoryLimit(prev)
	code, _, stderr = run(t, "evaluate", "x.json", "--out", t.TempDir(), "--max-memory", "3 gigs")
	if code != exitUsage || !strings.Contains(stderr, `--max-memory: "3 gigs" is not a size`) {
		t.Errorf("bad --max-memory: exit code %d, stderr:\n%s", code, stderr)
	}
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Errorf("a refused --max-memory changed the limit to %d", got)
	}
}
