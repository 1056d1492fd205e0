package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseReport feeds arbitrary bytes to the findings.json reader used by
// report, diff and verify: no panic, refusals are ErrFindings, and an
// accepted report encodes and reads back to the same bytes.
func FuzzParseReport(f *testing.F) {
	f.Add([]byte(`{"schema_version":1,"tool":{"name":"exoready"},"findings":[{"uid":"u","rule_id":"EXR-MBX-001","status":"fail","object":{"type":"mailbox","id":"x"},"evidence":{"n":12345678901234567890,"f":1.5e300}}],"inventory":{"mailboxes":[],"sections":{"dependencies":[{"order":1}]}}}`))
	for _, s := range []string{"", "null", "{}", "[]", `{"schema_version":1}`, `{"schema_version":2}`, `{"schema_version":1,"nope":1}`,
		`{"schema_version":1,"timings":{"started_at":"2026-13-01T00:00:00Z"}}`, `{"schema_version":1,"findings":[{"evidence":{"a":[[[[]]]]}}]}`,
		`{"schema_version":1,"complete":"yes"}`, `{"schema_version":1}{"schema_version":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReport(data)
		if err != nil {
			if !errors.Is(err, ErrFindings) {
				t.Fatalf("refusal is not ErrFindings: %v", err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			// A time outside years 0-9999 decodes but cannot be written back.
			if strings.Contains(err.Error(), "year outside of range") {
				return
			}
			t.Fatalf("accepted report does not encode: %v", err)
		}
		r2, err := ParseReport(out)
		if err != nil {
			t.Fatalf("encoded report does not read back: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(r2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("second round trip differs:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseWaivers feeds arbitrary bytes to the waivers parser: no panic,
// refusals are ErrWaivers naming the file, and every accepted waiver has
// all its fields, a rule id, a line and a usable object pattern.
func FuzzParseWaivers(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "fixtures", "demo", "waivers.yaml")); err == nil {
		f.Add(data)
	}
	for _, s := range []string{"", "waivers: []\n", "waivers:\n  - id: W1\n    rule: exr-mbx-007\n    object: '*'\n    reason: r\n    owner: o\n    expires: 2027-06-30\n",
		"waivers:\n  - id: W1\n    rule: EXR-MBX-007\n    object: '[a-'\n    reason: r\n    owner: o\n    expires: 2027-06-30\n",
		"waivers:\n  - id: W1\n    rule: EXR-MBX-007\n    object: x\n    reason: r\n    owner: o\n    expires: 2027-02-30\n",
		"waivers:\n  - id: W1\n    id: W2\n", "waivers:\n  - &a {id: *a}\n", "waivers: {id: 1}\n", "other: 1\n", "[1]\n", "waivers:\n  - ~\n"} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ParseWaivers("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrWaivers) || !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("refusal without ErrWaivers or the file name: %v", err)
			}
			return
		}
		for _, w := range ws.Waivers {
			if w.ID == "" || w.Object == "" || w.Reason == "" || w.Owner == "" || w.Line < 1 || !ruleIDPattern.MatchString(w.Rule) {
				t.Fatalf("accepted an incomplete waiver: %+v", w)
			}
			if _, err := time.Parse(time.DateOnly, w.Expires); err != nil {
				t.Fatalf("accepted expires %q", w.Expires)
			}
			w.Expired(now)
			w.Matches(&Finding{RuleID: w.Rule, Object: Object{ID: "x", DisplayName: "y", DN: "CN=z"}})
		}
	})
}
