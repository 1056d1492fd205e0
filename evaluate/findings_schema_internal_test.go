package evaluate

import (
	"encoding/json"
	"testing"
)

// The schema's rule id pattern is the one policies are loaded with.
func TestFindingsSchemaRuleIDPattern(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(FindingsJSONSchema(), &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := doc.Defs["rule_id"].Pattern, ruleIDPattern.String(); got != want {
		t.Errorf("$defs.rule_id pattern %q, want the loader's %q", got, want)
	}
}
