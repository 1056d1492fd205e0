package main

import (
	"bytes"
	"io"
	"strings"
	"sync"

	"github.com/exoready/exoready/internal/tty"
)

// lockedWriter serializes writes to w. It is a terminal when w is one, so
// progress lines still show through it.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func lockWriter(w io.Writer) io.Writer {
	if _, ok := w.(*lockedWriter); ok {
		return w
	}
	return &lockedWriter{w: w}
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) IsTerminal() bool { return tty.IsTerminal(l.w) }

// progressLine shows the progress of several collectors running at once on
// one terminal line. Each collector writes its own self-overwriting status
// ("\rAD LDIF: 120000 objects read (41000/s)") to its slot; the line shows
// every slot's latest status side by side instead of the collectors
// overwriting each other.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	slots []string
	width int // visible length of the last line drawn, to blank leftovers
	drawn bool
}

func newProgressLine(w io.Writer, slots int) *progressLine {
	return &progressLine{w: w, slots: make([]string, slots)}
}

// slot returns the writer for collector i. It stands for a terminal, so the
// collectors show their progress through it.
func (p *progressLine) slot(i int) io.Writer { return progressSlot{p, i} }

type progressSlot struct {
	p *progressLine
	i int
}

func (s progressSlot) IsTerminal() bool { return true }

func (s progressSlot) Write(b []byte) (int, error) {
	s.p.set(s.i, b)
	return len(b), nil
}

// set takes the latest status of slot i out of what the collector wrote:
// the text after the last carriage return or newline, without the
// erase-line escape and padding.
func (p *progressLine) set(i int, b []byte) {
	if k := bytes.LastIndexAny(b, "\r\n"); k >= 0 {
		b = b[k+1:]
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(b), "\033[K", ""))
	p.mu.Lock()
	defer p.mu.Unlock()
	if text == p.slots[i] {
		return
	}
	p.slots[i] = text
	p.draw()
}

func (p *progressLine) draw() {
	var shown []string
	for _, s := range p.slots {
		if s != "" {
			shown = append(shown, s)
		}
	}
	line := strings.Join(shown, "  ·  ")
	pad := max(p.width-len([]rune(line)), 0)
	io.WriteString(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.width = len([]rune(line))
	p.drawn = true
}

// close ends the progress line, leaving the last statuses on screen.
func (p *progressLine) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		io.WriteString(p.w, "\n")
		p.drawn = false
	}
}
