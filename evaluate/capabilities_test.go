package evaluate

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rs/zerolog"
)

// A policy may not reach the network, the process environment or the
// clock: it fails to compile, saying why.
func TestPoliciesCannotReachOut(t *testing.T) {
	for _, call := range []string{`http.send({"method": "get", "url": "https://attacker.example/"})`, `opa.runtime()`, `time.now_ns()`, `net.lookup_ip_addr("example.com")`} {
		rego := "# METADATA\n# title: Reaches out\n# related_resources:\n#   - https://example.test/\n# custom:\n#   id: EXR-TST-009\n#   severity: info\n#   category: governance\n#   remediation: none\n" +
			"package exoready.rules.test.reach\n\nchecked := 1\n\ndeny contains {\"msg\": sprintf(\"%v\", [" + call + "])} if false\n"
		_, err := New(t.Context(), Options{Sources: []PolicySource{{Name: "user", FS: fstest.MapFS{"reach.rego": {Data: []byte(rego)}}}}, Logger: zerolog.Nop()})
		name := call[:strings.IndexByte(call, '(')]
		if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "undefined function "+name) || !strings.Contains(err.Error(), "may not call") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
