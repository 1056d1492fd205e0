package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/urfave/cli/v2"
)

// The soft memory limit of the Go runtime (debug.SetMemoryLimit): near it
// the garbage collector runs more often, so the heap stays under the limit
// as long as the live data fits in it; when it does not, the run goes on,
// slower, rather than failing. It is not a hard cap on the process.
//
// Without --max-memory the limit is GOMEMLIMIT when set, else 90 % of the
// container's memory limit or, outside one, of the machine's (set in
// main). --max-memory (EXOREADY_MAX_MEMORY) replaces it for one run: a
// size as GOMEMLIMIT writes it (3500MiB, 3.5GiB), a share of the
// container's or machine's memory (50%), or off.

const (
	maxMemoryFlag = "max-memory"
	catResources  = "Resources"
)

func maxMemoryFlagDef() cli.Flag {
	return &cli.StringFlag{Name: maxMemoryFlag, EnvVars: []string{"EXOREADY_MAX_MEMORY"}, Category: catResources,
		Usage: "soft limit of the heap: a size (3.5GiB, 3500MiB), a share of the machine's or container's memory (50%), or off (default: GOMEMLIMIT, else 90%)"}
}

// withMaxMemory gives a command that loads a tenant (one with logging
// flags) --max-memory, applied before the command runs.
func withMaxMemory(c *cli.Command) {
	if !hasFlag(c, "log-level") || hasFlag(c, maxMemoryFlag) {
		return
	}
	c.Flags = append(c.Flags, maxMemoryFlagDef())
	before := c.Before
	c.Before = func(ctx *cli.Context) error {
		if ctx.IsSet(maxMemoryFlag) {
			limit, err := parseMaxMemory(ctx.String(maxMemoryFlag), machineMemory)
			if err != nil {
				return usageErrorf("--%s: %v", maxMemoryFlag, err)
			}
			debug.SetMemoryLimit(limit)
		}
		if before != nil {
			return before(ctx)
		}
		return nil
	}
}

// hasFlag tells whether a command has the flag (by any of its names).
func hasFlag(c *cli.Command, name string) bool {
	for _, f := range c.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// machineMemory is the container's memory limit, else the machine's.
func machineMemory() (uint64, error) {
	return memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)()
}

// memoryUnits are GOMEMLIMIT's units.
var memoryUnits = []struct {
	suffix string
	bytes  float64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// parseMaxMemory reads a --max-memory value into a limit in bytes.
func parseMaxMemory(s string, total func() (uint64, error)) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return math.MaxInt64, nil
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || p <= 0 || p > 100 {
			return 0, fmt.Errorf("%q: a share is a percentage above 0 and at most 100, such as 50%%", s)
		}
		t, err := total()
		if err != nil {
			return 0, fmt.Errorf("%q: the machine's memory is unknown (%v); give a size such as 3.5GiB", s, err)
		}
		return int64(float64(t) * p / 100), nil
	}
	for _, u := range memoryUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			if err != nil || v <= 0 || v*u.bytes >= math.MaxInt64 {
				break
			}
			return int64(v * u.bytes), nil
		}
	}
	return 0, fmt.Errorf("%q is not a size: give a number with B, KiB, MiB, GiB or TiB (3.5GiB), a percentage (50%%), or off", s)
}
