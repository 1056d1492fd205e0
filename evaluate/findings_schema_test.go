package evaluate_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/internal/schematest"
)

func findingsSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return schematest.Compile(t, "findings.schema.json", evaluate.FindingsJSONSchema())
}

// findingsJSON serialises a report as findings.json is written (the json
// writer of package report: indented, HTML characters unescaped).
func findingsJSON(t *testing.T, rep *evaluate.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFindingsSchemaMatchesGoTypes walks the Go types from Report alongside
// findings.schema.json (internal/schematest): a field added to Report or any
// type it holds without the schema following, or the other way round, fails.
func TestFindingsSchemaMatchesGoTypes(t *testing.T) {
	schematest.Check(t, reflect.TypeFor[evaluate.Report](), evaluate.FindingsJSONSchema(), evaluate.FindingsSchemaVersion)
}

// The enums of the schema must list exactly the Go constants.
func TestFindingsSchemaEnums(t *testing.T) {
	want := map[string][]string{
		"$defs.status":                 {string(evaluate.StatusFail), string(evaluate.StatusPass), string(evaluate.StatusError), string(evaluate.StatusWaived)},
		"$defs.severity":               evaluate.Severities,
		"$defs.readiness_state":        {evaluate.ReadyCloudManaged, evaluate.ReadyNow, evaluate.ReadyWait, evaluate.ReadyBlocked, evaluate.ReadyUnknown, evaluate.ReadyNotApplicable},
		"$defs.Change.properties.kind": {evaluate.ChangeNew, evaluate.ChangeChanged, evaluate.ChangeResolved},
		// Mailbox rows copy the snapshot's joined view.
		"$defs.MailboxRow.properties.kind":        {snapshot.KindUser, snapshot.KindShared, snapshot.KindRoom, snapshot.KindEquipment, snapshot.KindOther},
		"$defs.MailboxRow.properties.location":    {snapshot.LocationRemote, snapshot.LocationOnPrem, snapshot.LocationCloud},
		"$defs.MailboxRow.properties.join_method": {"", snapshot.JoinExternalDirectoryObjectID, snapshot.JoinImmutableID, snapshot.JoinUPN, snapshot.JoinPrimarySMTP},
	}
	for path, values := range want {
		if got := schematest.Enum(t, evaluate.FindingsJSONSchema(), path); !slices.Equal(got, values) {
			t.Errorf("%s enum = %v, want %v", path, got, values)
		}
	}
}

// scenario is one report the schema must accept.
type scenario struct {
	name string
	rep  *evaluate.Report
}

// reportScenarios evaluates the demo (with its waivers), every fixture
// snapshot, a partial tenant, and the demo compared with a baseline.
func reportScenarios(t *testing.T) []scenario {
	t.Helper()
	e := newEngine(t)
	ws, err := evaluate.ParseWaivers(fixtures.DemoWaiversPath, fixtures.DemoWaivers())
	if err != nil {
		t.Fatal(err)
	}
	eval := func(snap []byte, ws *evaluate.WaiverSet) *evaluate.Report {
		rep, err := e.Evaluate(t.Context(), evaluate.RunOptions{
			Snapshot: snap, Clock: fixedClock, Waivers: ws,
			Tool:   evaluate.Tool{Name: "exoready", Version: "test", Commit: "0123abc"},
			Phases: map[string]int64{"collect": 1234},
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	demo := eval(fixtures.DemoSnapshot(), ws)
	out := []scenario{{"demo with its waivers", demo}, {"partial small tenant", eval(smallSnapshot(t), nil)}}
	variants, err := fixtures.VariantSnapshots()
	if err != nil {
		t.Fatal(err)
	}
	if len(variants) < 2 {
		t.Fatalf("only %d fixture snapshots embedded", len(variants))
	}
	for _, n := range slices.Sorted(maps.Keys(variants)) {
		out = append(out, scenario{"fixtures/snapshots/" + n, eval(variants[n], nil)})
	}
	// The demo before its Entra Connect upgrade as the baseline; now with
	// waivers and without move requests and audit configuration: resolved
	// (upgrade, waivers), new (EXR-MBX-003 not assessed) and changed
	// (EXR-GOV-002 from fail to error) entries.
	partial := withoutPath(t, withoutPath(t, fixtures.DemoSnapshot(), "exo.move_requests"), "exo.admin_audit_log_config")
	current := eval(partial, ws)
	current.Changes = evaluate.Diff(eval(demoBeforeUpgrade(t), nil), current)
	current.Changes.Baseline.Path = "previous/findings.json"
	out = append(out, scenario{"demo with a baseline", current})
	return out
}

func TestFindingsMatchSchema(t *testing.T) {
	sch := findingsSchema(t)
	// What the scenarios must contain between them, so that every branch
	// of the schema meets real data.
	seen := map[string]bool{}
	for _, sc := range reportScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			data := findingsJSON(t, sc.rep)
			if err := schematest.Validate(t, sch, data); err != nil {
				t.Fatalf("findings.json does not match findings.schema.json:\n%v", err)
			}
			// What the schema accepts, the reader must accept too.
			if _, err := evaluate.ParseReport(data); err != nil {
				t.Errorf("findings.json does not read back: %v", err)
			}
		})
		rep := sc.rep
		seen["incomplete"] = seen["incomplete"] || !rep.Complete
		for _, f := range rep.Findings {
			seen["status "+string(f.Status)] = true
			seen["waiver"] = seen["waiver"] || f.Waiver != nil
			seen["key"] = seen["key"] || f.Key != ""
		}
		for _, m := range rep.Inventory.Mailboxes {
			seen["readiness "+m.Readiness.State] = true
			seen["wait_until"] = seen["wait_until"] || m.Readiness.WaitUntil != nil
		}
		for name := range rep.Inventory.Sections {
			seen["section "+name] = true
		}
		if rep.Changes != nil {
			for _, c := range rep.Changes.Entries {
				seen["change "+c.Kind] = true
			}
		}
	}
	for _, want := range []string{
		"incomplete", "status fail", "status pass", "status error", "status waived", "waiver", "key",
		"readiness cloud_managed", "readiness ready", "readiness wait", "readiness blocked", "readiness not_applicable", "wait_until",
		"section toggle_principals", "section dependencies", "section waivers",
		"change new", "change changed", "change resolved",
	} {
		if !seen[want] {
			t.Errorf("no scenario has %s: the schema is not tested against it", want)
		}
	}
}

// TestFindingsSchemaRejects breaks the demo's findings.json in the ways the
// contract forbids; the schema must refuse each, naming the place, or
// validating reports against it would prove nothing.
func TestFindingsSchemaRejects(t *testing.T) {
	scenarios := reportScenarios(t)
	base := findingsJSON(t, scenarios[len(scenarios)-1].rep) // the demo with waivers and a baseline
	finding := func(m map[string]any) map[string]any { return m["findings"].([]any)[0].(map[string]any) }
	schematest.Rejects(t, findingsSchema(t), base, []schematest.Case{
		{Name: "other schema_version", Mutate: func(m map[string]any) { m["schema_version"] = 2 }, Want: "/schema_version"},
		{Name: "unknown top-level field", Mutate: func(m map[string]any) { m["extra"] = true }, Want: "extra"},
		{Name: "unknown finding field", Mutate: func(m map[string]any) { finding(m)["resource"] = "x" }, Want: "resource"},
		{Name: "wrong status", Mutate: func(m map[string]any) { finding(m)["status"] = "failed" }, Want: "/findings/0/status"},
		{Name: "missing uid", Mutate: func(m map[string]any) { delete(finding(m), "uid") }, Want: "uid"},
		{Name: "uid not a hash", Mutate: func(m map[string]any) { finding(m)["uid"] = "EXR-MBX-001/u1" }, Want: "/findings/0/uid"},
		{Name: "unknown severity", Mutate: func(m map[string]any) { finding(m)["severity"] = "urgent" }, Want: "/findings/0/severity"},
		{Name: "bad rule id", Mutate: func(m map[string]any) { finding(m)["rule_id"] = "mbx1" }, Want: "/findings/0/rule_id"},
		{Name: "object without dn", Mutate: func(m map[string]any) { delete(finding(m)["object"].(map[string]any), "dn") }, Want: "dn"},
		{Name: "bad time", Mutate: func(m map[string]any) { m["timings"].(map[string]any)["started_at"] = "20 Nov 2026" }, Want: "/timings/started_at"},
		{Name: "rule status", Mutate: func(m map[string]any) { m["rules"].([]any)[0].(map[string]any)["status"] = "skipped" }, Want: "/rules/0/status"},
		{Name: "readiness state", Mutate: func(m map[string]any) {
			m["inventory"].(map[string]any)["mailboxes"].([]any)[0].(map[string]any)["readiness"].(map[string]any)["state"] = "maybe"
		}, Want: "/inventory/mailboxes/0/readiness/state"},
		{Name: "count missing from by_status", Mutate: func(m map[string]any) {
			delete(m["summary"].(map[string]any)["by_status"].(map[string]any), "waived")
		}, Want: "waived"},
		{Name: "unknown severity counted", Mutate: func(m map[string]any) {
			m["summary"].(map[string]any)["by_severity"].(map[string]any)["urgent"] = 1
		}, Want: "urgent"},
		{Name: "verdict in other words", Mutate: func(m map[string]any) {
			m["summary"].(map[string]any)["verdicts"].(map[string]any)["decommission"].(map[string]any)["text"] = "maybe"
		}, Want: "/summary/verdicts/decommission/text"},
		{Name: "change kind", Mutate: func(m map[string]any) {
			m["changes"].(map[string]any)["entries"].([]any)[0].(map[string]any)["kind"] = "fixed"
		}, Want: "/changes/entries/0/kind"},
		{Name: "waiver without expiry", Mutate: func(m map[string]any) {
			for _, f := range m["findings"].([]any) {
				if w, ok := f.(map[string]any)["waiver"].(map[string]any); ok {
					delete(w, "expires")
					return
				}
			}
		}, Want: "expires"},
		{Name: "inventory row not an object", Mutate: func(m map[string]any) {
			m["inventory"].(map[string]any)["sections"].(map[string]any)["dependencies"] = []any{"row"}
		}, Want: "/inventory/sections/dependencies/0"},
	})
}

// TestFindingsDocNamesEveryField keeps docs/findings.md in step with the
// schema: every property name and enum value must appear in it as code
// (`name`, or a part of a dotted `path.name`).
func TestFindingsDocNamesEveryField(t *testing.T) {
	doc, err := os.ReadFile("../docs/findings.md")
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]bool{}
	for _, span := range regexp.MustCompile("`([^`\n]+)`").FindAllStringSubmatch(string(doc), -1) {
		for _, tok := range regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`).FindAllString(span[1], -1) {
			code[tok] = true
		}
	}
	var schema struct {
		Defs map[string]struct {
			Enum       []string `json:"enum"`
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(evaluate.FindingsJSONSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	for def, d := range schema.Defs {
		names := d.Enum
		for name, p := range d.Properties {
			names = append(append(names, name), p.Enum...)
		}
		for _, n := range names {
			if n != "" && !code[n] {
				t.Errorf("docs/findings.md does not mention %q (%s) as code", n, def)
			}
		}
	}
}
