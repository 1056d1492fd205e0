package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exoready/exoready/internal/tty"
)

func TestProgressLineShowsEveryCollector(t *testing.T) {
	var out bytes.Buffer
	line := newProgressLine(&out, 2)
	ad, exo := line.slot(0), line.slot(1)
	if !tty.IsTerminal(ad) {
		t.Fatal("a slot must pass the collectors' terminal check, or they show nothing")
	}
	fmt.Fprintf(ad, "\rAD LDIF: %d objects read (%.0f/s)   ", 5000, 2500.0)
	fmt.Fprintf(exo, "\r\033[Kexo: Get-Mailbox: %d objects (page %d)", 1000, 1)
	fmt.Fprintf(ad, "\rAD LDIF: %d objects read (%.0f/s)   ", 12000, 3000.0)
	fmt.Fprint(exo, "\r\033[K") // exo clears its status between datasets
	line.close()

	draws := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")[1:]
	want := []string{
		"AD LDIF: 5000 objects read (2500/s)",
		"AD LDIF: 5000 objects read (2500/s)  ·  exo: Get-Mailbox: 1000 objects (page 1)",
		"AD LDIF: 12000 objects read (3000/s)  ·  exo: Get-Mailbox: 1000 objects (page 1)",
		"AD LDIF: 12000 objects read (3000/s)",
	}
	if len(draws) != len(want) {
		t.Fatalf("drew %d lines %q, want %d", len(draws), draws, len(want))
	}
	for i, w := range want {
		if strings.TrimRight(draws[i], " ") != w {
			t.Errorf("draw %d = %q, want %q", i, draws[i], w)
		}
		if i > 0 && utf8.RuneCountInString(draws[i]) < utf8.RuneCountInString(draws[i-1]) {
			t.Errorf("draw %d is shorter than the one before: leftovers of it stay on screen", i)
		}
	}
	if strings.Contains(out.String(), "\033[K") {
		t.Error("the erase-line escape of a collector leaked into the shared line")
	}
	if !strings.HasSuffix(out.String(), "\n") {
		t.Error("close must end the line")
	}
}

func TestFirstCollectErrorSkipsTheStopItCaused(t *testing.T) {
	bad := errors.New("ad.ldif:12: broken line")
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		errs []error
		want error
	}{
		{"none", context.Background(), []error{nil, nil, nil}, nil},
		{"AD failed, EXO stopped", stopped, []error{bad, context.Canceled, nil}, bad},
		{"EXO failed, AD stopped", stopped, []error{fmt.Errorf("read: %w", context.Canceled), bad, nil}, bad},
		{"both failed: AD first", stopped, []error{bad, errors.New("exo"), nil}, bad},
		{"interrupted from outside", stopped, []error{context.Canceled, context.Canceled, nil}, context.Canceled},
	}
	for _, c := range cases {
		if got := firstCollectError(c.ctx, c.errs); !errors.Is(got, c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
