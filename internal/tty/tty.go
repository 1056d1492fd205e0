package tty

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// Terminal is implemented by writers that stand for a terminal without
// being one themselves, such as the line that shows the progress of several
// collectors at once.
type Terminal interface {
	IsTerminal() bool
}

// IsTerminal reports whether w is a terminal: an *os.File on a terminal
// (Cygwin's included), or a writer that says it stands for one.
func IsTerminal(w io.Writer) bool {
	switch t := w.(type) {
	case Terminal:
		return t.IsTerminal()
	case *os.File:
		return isatty.IsTerminal(t.Fd()) || isatty.IsCygwinTerminal(t.Fd())
	}
	return false
}
