package ad

import (
	"fmt"
	"io"
	"time"

	"github.com/exoready/exoready/internal/tty"
)

// progress prints "objects read, rate" on one self-overwriting line. It is
// silent when w is nil or a file that is not a terminal, so logs and CI
// output never carry carriage-return noise.
type progress struct {
	w     io.Writer
	label string
	n     int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, label string) *progress {
	if !tty.IsTerminal(w) {
		w = nil
	}
	now := time.Now()
	return &progress{w: w, label: label, start: now, last: now}
}

func (p *progress) add(n int) {
	p.n += n
	if p.w == nil {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond {
		p.last = now
		p.print(now)
	}
}

func (p *progress) print(now time.Time) {
	rate := float64(p.n) / max(now.Sub(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r%s: %d objects read (%.0f/s)   ", p.label, p.n, rate)
}

// done prints the final count and ends the line.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	p.print(time.Now())
	fmt.Fprintln(p.w)
	p.w = nil
}
