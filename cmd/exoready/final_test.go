package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestFinalLineFollowsLogFormat(t *testing.T) {
	cases := []struct {
		args   []string
		env    string
		tty    bool
		asJSON bool
	}{
		{[]string{"exoready", "scan", "--log-format", "json"}, "", true, true},
		{[]string{"exoready", "scan", "--log-format=console"}, "json", false, false},
		{[]string{"exoready", "scan"}, "json", true, true},
		{[]string{"exoready", "scan"}, "", false, true},
		{[]string{"exoready", "scan"}, "", true, false},
	}
	for _, tc := range cases {
		if got := jsonLogs(tc.args, tc.env, tc.tty); got != tc.asJSON {
			t.Errorf("jsonLogs(%v, %q, tty=%t) = %t", tc.args, tc.env, tc.tty, got)
		}
	}
	var b bytes.Buffer
	printFinal(&b, &outcomeError{code: exitFindings, msg: "3 findings at or above critical"}, exitFindings, true)
	var ev map[string]any
	if err := json.Unmarshal(b.Bytes(), &ev); err != nil || ev["level"] != "warn" || ev["exit_code"] != float64(3) {
		t.Fatalf("final JSON line %q: %v", b.String(), err)
	}
}
