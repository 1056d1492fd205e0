package plan

import (
	"strings"
	"testing"
)

// readVerbatim reads one PowerShell single-quoted string at the start of s
// the way the PowerShell tokenizer does (language specification §2.3.5.2):
// it opens and closes at any single-quote character (' or U+2018..U+201B),
// and two in a row stand for one. It returns the value and the rest of s.
func readVerbatim(t *testing.T, s string) (string, string) {
	t.Helper()
	isQuote := func(r rune) bool { return strings.ContainsRune(psQuotes, r) }
	rs := []rune(s)
	if len(rs) == 0 || !isQuote(rs[0]) {
		t.Fatalf("%q does not start with a single quote", s)
	}
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		if !isQuote(rs[i]) {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 < len(rs) && isQuote(rs[i+1]) {
			b.WriteRune(rs[i+1])
			i++
			continue
		}
		return b.String(), string(rs[i+1:])
	}
	t.Fatalf("%q is not terminated", s)
	return "", ""
}

func TestPSQuote(t *testing.T) {
	for _, v := range []string{
		"", "Liam O'Brien", "O’Brien ‘the’ ‚low‛ quotes", "''", "'", "’", "end with '",
		"$(Remove-Item -Recurse C:\\) `n $env:PATH @(1) ; & calc", "line\nbreak\r\nCRLF",
		"Zoë Šťastná", "Smith, Ann", "\"double\"",
	} {
		q := psQuote(v)
		got, rest := readVerbatim(t, q+" -Next")
		if got != v || rest != " -Next" {
			t.Errorf("psQuote(%q) = %s reads back as %q, rest %q", v, q, got, rest)
		}
	}
}

func TestPSComment(t *testing.T) {
	got := psComment("Sales\nRemove-Item C:\\ -Recurse\r\u2028\u0085x")
	if strings.ContainsAny(got, "\r\n\u2028\u0085") {
		t.Fatalf("psComment left a line break: %q", got)
	}
}

func TestMarkdownText(t *testing.T) {
	got := mdText("a|b <script>x</script> *bold* [link](http://x) `code`\nnext")
	for _, bad := range []string{"a|b", "<script>", "*bold*", "[link]", "`code`", "\n"} {
		if strings.Contains(got, bad) {
			t.Errorf("mdText left %q active: %s", bad, got)
		}
	}
	if !strings.Contains(got, "<br>next") {
		t.Errorf("line break not kept as <br>: %s", got)
	}
}
