package tty

import (
	"bytes"
	"os"
	"testing"
)

type standIn bool

func (s standIn) Write(p []byte) (int, error) { return len(p), nil }
func (s standIn) IsTerminal() bool            { return bool(s) }

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := []struct {
		name string
		w    interface{ Write([]byte) (int, error) }
		want bool
	}{
		{"regular file", f, false},
		{"buffer", &bytes.Buffer{}, false},
		{"nil", nil, false},
		{"stand-in for a terminal", standIn(true), true},
		{"stand-in that is not", standIn(false), false},
	}
	for _, c := range cases {
		if got := IsTerminal(c.w); got != c.want {
			t.Errorf("%s: IsTerminal = %v, want %v", c.name, got, c.want)
		}
	}
}
