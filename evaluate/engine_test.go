package evaluate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
)

var fixedClock = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

// smallSnapshot is a tenant with two synced mailboxes (one cloud-managed),
// EXO and facts collected, AD collected, Entra not.
func smallSnapshot(t *testing.T) []byte {
	t.Helper()
	old := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id string, cm bool) snapshot.Mailbox {
		return snapshot.Mailbox{
			Guid: "g-" + id, ExternalDirectoryObjectID: id, ExchangeGuid: "eg-" + id, Identity: id, Name: id,
			DisplayName: "User " + id, Alias: id, UserPrincipalName: id + "@corp.example.test",
			PrimarySMTPAddress: id + "@corp.example.test", EmailAddresses: []string{"SMTP:" + id + "@corp.example.test"},
			RecipientTypeDetails: "UserMailbox", IsDirSynced: true, IsExchangeCloudManaged: ptr(cm),
		}
	}
	ad := func(id string) snapshot.ADRecipient {
		return snapshot.ADRecipient{
			DN: "CN=" + id + ",DC=corp,DC=example,DC=test", ObjectClass: "user", ObjectGUID: "guid-" + id,
			ExternalDirectoryObjectID: id, UserPrincipalName: id + "@corp.example.test", DisplayName: "User " + id,
			Mail: id + "@corp.example.test", MailNickname: id, ProxyAddresses: []string{"SMTP:" + id + "@corp.example.test"},
			RecipientTypeDetailsValue: 2147483648, RecipientTypeDetails: "RemoteUserMailbox", WhenChanged: &old,
		}
	}
	s := collector.Build(collector.Parts{
		CollectedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		AD:          &snapshot.AD{Forest: "corp.example.test", Users: []snapshot.ADRecipient{ad("u1"), ad("u2")}, Contacts: []snapshot.ADRecipient{}, Groups: []snapshot.ADGroup{}, Exchange: &snapshot.ExchangeOrg{PublicFolderDatabases: []snapshot.Database{}}},
		ADStatus:    snapshot.SourceStatus{Collected: true, Complete: true, Method: "test"},
		EXO: &snapshot.EXO{
			Mailboxes:           []snapshot.Mailbox{mk("u1", true), mk("u2", false)},
			OrganizationConfig:  map[string]any{"PublicFoldersEnabled": "Local"},
			AdminAuditLogConfig: map[string]any{"UnifiedAuditLogIngestionEnabled": true},
			MoveRequests:        nil, // not collected: EXR-MBX-003 must say so
		},
		EXOStatus: snapshot.SourceStatus{Collected: true, Complete: false, Method: "test",
			Errors: []snapshot.SourceError{{Path: "exo.move_requests", Message: "Get-MoveRequest.json missing"}}},
		Facts:       &snapshot.Facts{EntraConnect: &snapshot.EntraConnectFacts{Version: "2.5.190.0", SyncIntervalMinutes: 30}},
		FactsStatus: snapshot.SourceStatus{Collected: true, Complete: true, Method: "file"},
	})
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newEngine(t *testing.T, extra ...evaluate.PolicySource) *evaluate.Engine {
	t.Helper()
	o := embeddedOptions(t)
	o.Sources = append(o.Sources, extra...)
	e, err := evaluate.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evaluateSnap(t *testing.T, e *evaluate.Engine, snap []byte) *evaluate.Report {
	t.Helper()
	rep, err := e.Evaluate(t.Context(), evaluate.RunOptions{Snapshot: snap, Clock: fixedClock, Tool: evaluate.Tool{Name: "exoready", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findingsOf(rep *evaluate.Report, ruleID string) []evaluate.Finding {
	var out []evaluate.Finding
	for _, f := range rep.Findings {
		if f.RuleID == ruleID {
			out = append(out, f)
		}
	}
	return out
}

func TestMissingDatasetIsErrorNotPass(t *testing.T) {
	rep := evaluateSnap(t, newEngine(t), smallSnapshot(t))
	fs := findingsOf(rep, "EXR-MBX-003")
	if len(fs) != 1 || fs[0].Status != evaluate.StatusError || !strings.Contains(fs[0].Message, "Get-MoveRequest.json missing") {
		t.Fatalf("EXR-MBX-003 = %+v, want one error finding naming the missing file", fs)
	}
	for _, f := range findingsOf(rep, "EXR-GOV-002") {
		if f.Status != evaluate.StatusPass || !strings.Contains(f.Message, "1 object checked") {
			t.Errorf("EXR-GOV-002 = %s %q, want a pass that says what it checked", f.Status, f.Message)
		}
	}
	if rep.Complete {
		t.Error("report is complete although a dataset is missing")
	}
}

func TestWholeSourceMissingNamesTheFlag(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(smallSnapshot(t), &s); err != nil {
		t.Fatal(err)
	}
	s["facts"] = nil
	s["sources"].(map[string]any)["facts"] = map[string]any{"collected": false, "complete": false, "files": []any{}, "errors": []any{}}
	snap, _ := json.Marshal(s)
	rep := evaluateSnap(t, newEngine(t), snap)
	fs := findingsOf(rep, "EXR-SYNC-001")
	if len(fs) != 1 || fs[0].Status != evaluate.StatusError || !strings.Contains(fs[0].Message, "--facts") {
		t.Fatalf("EXR-SYNC-001 = %+v, want an error telling to give --facts", fs)
	}
	if rep.Summary.Verdicts.Decommission.Ready {
		t.Error("decommission verdict is ready although a critical rule was not assessed")
	}
}

func TestReadinessAndVerdicts(t *testing.T) {
	rep := evaluateSnap(t, newEngine(t), smallSnapshot(t))
	states := map[string]string{}
	for _, m := range rep.Inventory.Mailboxes {
		states[m.ID] = m.Readiness.State
	}
	// u2 is blocked only by EXR-MBX-003 being unassessed: unknown, not ready.
	if states["u1"] != evaluate.ReadyCloudManaged || states["u2"] != evaluate.ReadyUnknown {
		t.Fatalf("readiness = %v", states)
	}
	mbx := findingsOf(rep, "EXR-MBX-001")
	if len(mbx) != 1 || mbx[0].Object.ID != "u2" || mbx[0].Evidence["readiness"] == nil {
		t.Fatalf("EXR-MBX-001 = %+v, want u2 with its readiness in evidence", mbx)
	}
	d := rep.Summary.Verdicts.Decommission
	if d.Ready || len(d.Blockers) == 0 || d.Blockers[0] != "EXR-MBX-001" {
		t.Fatalf("decommission verdict = %+v", d)
	}
}

func TestRuntimeErrorBecomesErrorFinding(t *testing.T) {
	bad := fstest.MapFS{"boom.rego": {Data: []byte(`# METADATA
# title: Divides by a string
# related_resources:
#   - ref: https://example.test/guidance
# custom:
#   id: USR-BOOM-001
#   severity: high
#   category: custom
#   remediation: none
package custom.boom

checked := 1

deny contains {"msg": sprintf("%v", [to_number(input.schema_version) / to_number("x")])} if true
`)}}
	rep := evaluateSnap(t, newEngine(t, evaluate.PolicySource{Name: "test", FS: bad, Prefix: "user"}), smallSnapshot(t))
	fs := findingsOf(rep, "USR-BOOM-001")
	if len(fs) != 1 || fs[0].Status != evaluate.StatusError || !strings.Contains(fs[0].Message, "run time") {
		t.Fatalf("USR-BOOM-001 = %+v, want one error finding", fs)
	}
}

func TestPolicyLoadErrors(t *testing.T) {
	meta := func(id, sev string) string {
		return "# METADATA\n# title: t\n# related_resources:\n#   - ref: https://example.test/x\n# custom:\n#   id: " + id +
			"\n#   severity: " + sev + "\n#   category: c\n#   remediation: r\n"
	}
	cases := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"no metadata", fstest.MapFS{"a.rego": {Data: []byte("package x.a\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n")}}, "a.rego: rule package data.x.a has no package-scoped METADATA"},
		{"no id", fstest.MapFS{"a.rego": {Data: []byte("# METADATA\n# title: t\n# custom:\n#   severity: high\npackage x.a\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n")}}, "has no custom.id"},
		{"bad severity", fstest.MapFS{"a.rego": {Data: []byte(meta("USR-A-001", "urgent") + "package x.a\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n")}}, "severity \"urgent\""},
		{"duplicate id", fstest.MapFS{
			"a.rego": {Data: []byte(meta("EXR-MBX-001", "high") + "package x.a\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n")},
		}, "already used by policies/mailbox/not_cloud_managed.rego"},
		{"syntax", fstest.MapFS{"a.rego": {Data: []byte("package x.a\n\ndeny contains if {\n")}}, "a.rego:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := embeddedOptions(t)
			o.Sources = append(o.Sources, evaluate.PolicySource{Name: "user", FS: tc.fs, Prefix: "user"})
			_, err := evaluate.New(t.Context(), o)
			if err == nil || !errors.Is(err, evaluate.ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrPolicy containing %q", err, tc.want)
			}
		})
	}
}

func TestParamOverrides(t *testing.T) {
	o := embeddedOptions(t)
	o.Overrides = map[string]any{"connect_sync_min_version": "2.6.0.0"}
	e, err := evaluate.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	rep := evaluateSnap(t, e, smallSnapshot(t))
	if fs := findingsOf(rep, "EXR-SYNC-001"); len(fs) != 1 || fs[0].Status != evaluate.StatusFail {
		t.Fatalf("EXR-SYNC-001 with a raised minimum = %+v, want fail", fs)
	}
	for _, bad := range []map[string]any{{"no_such_param": 1}, {"connect_sync_min_version": 2}} {
		o.Overrides = bad
		if _, err := evaluate.New(t.Context(), o); err == nil || !errors.Is(err, evaluate.ErrPolicy) {
			t.Errorf("overrides %v: err = %v, want ErrPolicy", bad, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	snap := smallSnapshot(t)
	e := newEngine(t)
	a, _ := json.Marshal(evaluateSnap(t, e, snap))
	b, _ := json.Marshal(evaluateSnap(t, newEngine(t), snap))
	if !bytes.Equal(a, b) {
		t.Fatal("two evaluations of one snapshot differ")
	}
}

func TestPackHashCoversDefaultParameters(t *testing.T) {
	o := embeddedOptions(t)
	a, err := evaluate.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]any{}
	for k, v := range o.Params {
		changed[k] = v
	}
	changed["connect_sync_min_version"] = "9.9.9.9"
	o.Params = changed
	b, err := evaluate.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Pack().SHA256 == b.Pack().SHA256 {
		t.Fatal("changing a default parameter left the policy pack hash unchanged")
	}
}
