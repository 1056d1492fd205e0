package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// docsWithCommands are the documents whose example commands must run as
// written: every subcommand and flag must exist.
var docsWithCommands = []string{"../../README.md", "../../docs/scheduling.md", "../../docs/evidence.md", "../../docs/exit-codes.md", "../../docs/planning.md"}

// TestSchedulingExampleConfigLoads reads the example scan.yaml of
// docs/scheduling.md with the real loader.
func TestSchedulingExampleConfigLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scheduling.md")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, block := range codeBlocks(string(doc), "yaml") {
		if !strings.HasPrefix(block, "# scan.yaml") {
			continue
		}
		found++
		p := filepath.Join(t.TempDir(), "scan.yaml")
		if err := os.WriteFile(p, []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(p)
		if err != nil {
			t.Fatalf("the example scan.yaml does not load: %v\n%s", err, block)
		}
		if cfg.AD.LDAPURL == "" || cfg.EXO.Tenant == "" || cfg.Facts == "" || cfg.Out == "" || !cfg.FailOnNew ||
			cfg.Baseline != filepath.Join(cfg.Out, "findings.json") || cfg.SignKey == "" || len(cfg.Params) == 0 {
			t.Errorf("the example lacks a setting a scheduled run needs: %+v", cfg)
		}
		if _, err := newEngine(t.Context(), evalOptions{Params: cfg.Params}, zerolog.Nop()); err != nil {
			t.Errorf("the example's params are refused: %v", err)
		}
	}
	if found != 1 {
		t.Fatalf("%d example scan.yaml blocks (starting with \"# scan.yaml\"), want 1", found)
	}
}

// commandPattern finds exoready invocations in shell lines, unit files and
// YAML flow lists: "exoready scan ...", "/usr/local/bin/exoready scan ...",
// "[exoready, scan, --config, FILE]".
var commandPattern = regexp.MustCompile(`(?:^|[\s=/\[])exoready(?:,? +)([a-z][^\n]*)`)

func TestDocumentedCommandsExist(t *testing.T) {
	app := newApp(&env{})
	n := 0
	for _, doc := range docsWithCommands {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(raw), "\\\n", " ")
		for _, block := range codeBlocks(text, "") {
			for _, m := range commandPattern.FindAllStringSubmatch(block, -1) {
				words := shellWords(m[1])
				if len(words) == 0 {
					continue
				}
				n++
				checkCommand(t, app, doc, words)
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d documented commands: is the pattern still right?", n)
	}
}

func checkCommand(t *testing.T, app *cli.App, doc string, words []string) {
	t.Helper()
	cmd := findCommand(app.Commands, words[0])
	if cmd == nil {
		t.Errorf("%s: exoready %s: no such command", doc, strings.Join(words, " "))
		return
	}
	rest := words[1:]
	if len(rest) > 0 && len(cmd.Subcommands) > 0 {
		if sub := findCommand(cmd.Subcommands, rest[0]); sub != nil {
			cmd, rest = sub, rest[1:]
		}
	}
	for _, w := range rest {
		if !strings.HasPrefix(w, "-") || w == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if name == "help" || name == "h" || name == "" {
			continue
		}
		if !hasFlag(cmd, name) {
			t.Errorf("%s: exoready %s: %s has no flag --%s", doc, strings.Join(words, " "), cmd.Name, name)
		}
	}
}

// codeBlocks returns the fenced code blocks of a Markdown text whose info
// string starts with lang ("" for all).
func codeBlocks(md, lang string) []string {
	var out []string
	var cur *strings.Builder
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			if strings.HasPrefix(strings.TrimPrefix(trimmed, "```"), lang) {
				cur = &strings.Builder{}
			} else {
				cur = &strings.Builder{}
				cur.WriteString("\x00skip")
			}
		case cur != nil && trimmed == "```":
			if s := cur.String(); !strings.HasPrefix(s, "\x00skip") {
				out = append(out, s)
			}
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return out
}

// shellWords splits a command line the way a shell would for our
// examples: quotes, then the end at a pipe, redirection, comment, list
// end or command separator.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord, quote := false, rune(0)
	flush := func() {
		if inWord {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == ',':
			flush()
		case strings.ContainsRune("|;&>#])", r):
			flush()
			return words
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}
