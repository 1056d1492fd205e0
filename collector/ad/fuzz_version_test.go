package ad

import (
	"regexp"
	"testing"
)

// serverVersionShape is what the rules' lib.valid_version accepts.
var serverVersionShape = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9}){3}$`)

// FuzzParseServerVersion feeds arbitrary serialNumber values: the decoded
// version is empty or a four-part version the rules can compare.
func FuzzParseServerVersion(f *testing.F) {
	for _, s := range []string{"Version 15.2 (Build 1544.4)", "Version 15.1 (Build 2507.6)", "Version 8.3 (Build 83.6)", " Version 15.2 (Build 1544.4) ",
		"Version -1.2 (Build 3.4)", "Version 15.2 (Build 99999999999999999999.4)", "Version 15 (Build 1)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, serial string) {
		if v := parseServerVersion(serial); v != "" && !serverVersionShape.MatchString(v) {
			t.Fatalf("parseServerVersion(%q) = %q, not a version the rules compare", serial, v)
		}
	})
}
