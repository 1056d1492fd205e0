package exo

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture is the tenant of fixtures/exo in one of its wire forms.
func fixture(form string) string { return filepath.Join("..", "..", "fixtures", "exo", form) }

func readExport(t *testing.T, dir string) *Result {
	t.Helper()
	r, err := ReadExport(t.Context(), dir, zerolog.Nop())
	if err != nil {
		t.Fatalf("ReadExport(%s): %v", dir, err)
	}
	return r
}

func sectionsJSON(t *testing.T, r *Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"exo": r.EXO, "entra": r.Entra}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExportFormsAgree reads the same tenant exported by PowerShell 7
// (UTF-8, ISO dates with offsets, enum names) and by Windows PowerShell 5.1
// (UTF-16LE with BOM, \/Date()\/ in three shapes, numeric
// RecipientTypeDetails, {"value":[],"Count":n} wrappers, one value as a
// string, remoting properties) and expects identical sections.
func TestExportFormsAgree(t *testing.T) {
	ps7 := readExport(t, fixture("ps7"))
	ps51 := readExport(t, fixture("ps51"))
	for _, r := range []*Result{ps7, ps51} {
		if !r.EXOStatus.Complete || !r.EntraStatus.Complete {
			t.Fatalf("incomplete: exo %+v entra %+v", r.EXOStatus.Errors, r.EntraStatus.Errors)
		}
	}
	if !reflect.DeepEqual(ps7.EXO, ps51.EXO) {
		t.Errorf("exo sections differ:\nps7:  %s\nps51: %s", sectionsJSON(t, ps7), sectionsJSON(t, ps51))
	}
	if !reflect.DeepEqual(ps7.Entra, ps51.Entra) {
		t.Errorf("entra sections differ:\nps7:  %s\nps51: %s", sectionsJSON(t, ps7), sectionsJSON(t, ps51))
	}
}

// TestExportGolden pins the sections of the fixture tenant
// (make golden refreshes the file after an intended change).
func TestExportGolden(t *testing.T) {
	golden := filepath.Join("testdata", "fixture-sections.golden.json")
	got := sectionsJSON(t, readExport(t, fixture("ps7")))
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("sections differ from %s (run go test -update after checking the change)", golden)
	}
}

// TestExportValues checks, value by value, what the fixture README states.
func TestExportValues(t *testing.T) {
	r := readExport(t, fixture("ps51"))
	mb := map[string]snapshot.Mailbox{}
	for _, m := range r.EXO.Mailboxes {
		mb[m.Alias] = m
	}
	if len(mb) != 6 {
		t.Fatalf("%d mailboxes, want 6", len(mb))
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"alice guid lower-cased", mb["alice"].Guid, "0f5a8c1e-1111-4a2b-9c3d-000000000001"},
		{"alice type from 1", mb["alice"].RecipientTypeDetails, "UserMailbox"},
		{"alice changed (ms)", *mb["alice"].WhenChangedUTC, at("2026-07-15T16:40:06.123Z")},
		{"alice cloud-managed", *mb["alice"].IsExchangeCloudManaged, true},
		{"alice custom attributes (empty ones left out)", mb["alice"].CustomAttributes, map[string]string{"CustomAttribute1": "Dept-42", "CustomAttribute15": "cost;center=7"}},
		{"alice extension attributes", mb["alice"].ExtensionCustomAttributes, map[string][]string{"ExtensionCustomAttribute1": {"blue", "green"}}},
		{"alice move flags from 0", mb["alice"].MailboxMoveFlags, "None"},
		{"bjorn unicode name", mb["bjorn"].DisplayName, "Bjørn Østergård 山田"},
		{"bjorn created before 1970", *mb["bjorn"].WhenCreatedUTC, at("1969-12-31T23:59:59Z")},
		{"bjorn move flags", mb["bjorn"].MailboxMoveFlags, "CrossOrg, Pull"},
		{"info one address as a string", mb["info"].EmailAddresses, []string{"SMTP:info@fabrikamlab.example"}},
		{"info type from 4", mb["info"].RecipientTypeDetails, "SharedMailbox"},
		{"info cloud-managed unknown", mb["info"].IsExchangeCloudManaged == nil, true},
		{"room wrapped date", *mb["room101"].WhenChangedUTC, at("2026-07-01T12:00:00Z")},
		{"room date with offset suffix", *mb["room101"].WhenCreatedUTC, at("2020-05-05T05:05:05Z")},
		{"room one extension value as a string", mb["room101"].ExtensionCustomAttributes["ExtensionCustomAttribute2"], []string{"floor-1"}},
		{"room type from 16", mb["room101"].RecipientTypeDetails, "RoomMailbox"},
		{"carol not synced", mb["carol"].IsDirSynced, false},
		{"projector no change date", mb["projector"].WhenChangedUTC == nil, true},
		{"projector created +0100 form", *mb["projector"].WhenCreatedUTC, at("2019-11-19T22:33:39Z")},
		{"projector type from 32", mb["projector"].RecipientTypeDetails, "EquipmentMailbox"},
		{"org config unwrapped empty list", r.EXO.OrganizationConfig["RemotePublicFolderMailboxes"], []any{}},
		{"org config date as RFC 3339", r.EXO.OrganizationConfig["WhenChangedUTC"], "2026-07-01T08:00:00Z"},
		{"org config number", r.EXO.OrganizationConfig["MaxConcurrentMigrations"], int64(100)},
		{"org config remoting noise dropped", r.EXO.OrganizationConfig["PSComputerName"], nil},
		{"audit ingestion", r.EXO.AdminAuditLogConfig["UnifiedAuditLogIngestionEnabled"], true},
		{"role entry one parameter as a string", r.EXO.RoleEntries[1].Parameters, []string{"DisplayName"}},
		{"delegating assignment", r.EXO.RoleAssignments[2].Delegating, true},
		{"regular assignment", r.EXO.RoleAssignments[0].Delegating, false},
		{"move direction", r.EXO.MoveRequests[0].Direction, "Push"},
		{"inbound has no smart hosts", r.EXO.InboundConnectors[0].SmartHosts == nil, true},
		{"coexistence domain", r.EXO.RemoteDomains[1].TargetDeliveryDomain, true},
		{"tenant id from Graph", r.EXO.TenantID, "7d1c9a3e-52b4-4f0e-9a61-2c8e5b0f4d17"},
		{"last sync", *r.Entra.Organization.OnPremisesLastSyncDateTime, at("2026-07-21T06:30:12Z")},
		{"verified domains sorted", r.Entra.Organization.VerifiedDomains[0].Name, "fabrikamlab.example"},
		{"role name from template id", r.Entra.RoleAssignments[3].RoleName, "Exchange Recipient Administrator"},
		{"custom role has no name", r.Entra.RoleAssignments[4].RoleName, ""},
		{"principal type", r.Entra.RoleAssignments[2].PrincipalType, "servicePrincipal"},
		{"sync job service principal lower-cased", r.Entra.SyncJobs[0].ServicePrincipalID, "9c3e7a1b-0006-4e5f-8a9b-0c1d2e3f4a01"},
		{"sync job targets (no mail)", r.Entra.SyncJobs[0].TargetAttributes, []string{"extensionAttribute1", "msExchRecipientTypeDetails", "proxyAddresses"}},
		{"sync job last run", *r.Entra.SyncJobs[0].LastExecutionTime, at("2026-07-21T06:00:42.5Z")},
		{"sync interval kept as returned", r.Entra.OnPremisesSynchronization["configuration"].(map[string]any)["synchronizationInterval"], "PT30M"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if n := len(r.EXOStatus.Files); n != 14 {
		t.Errorf("exo files = %d, want 14", n)
	}
	if f := r.EXOStatus.Files[0]; f.Path != "Get-AdminAuditLogConfig.json" || len(f.SHA256) != 64 || f.Bytes == 0 {
		t.Errorf("first file = %+v", f)
	}
	if f := r.EntraStatus.Files[0]; f.Path != "graph/onPremisesSynchronization.json" {
		t.Errorf("first graph file = %+v", f)
	}
}

// copyFixture copies a fixture form into a temp folder a test may change.
func copyFixture(t *testing.T, form string) string {
	t.Helper()
	dst := t.TempDir()
	src := fixture(form)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sourceError(t *testing.T, st snapshot.SourceStatus, path string) string {
	t.Helper()
	for _, e := range st.Errors {
		if e.Path == path {
			return e.Message
		}
	}
	t.Fatalf("no source error for %s in %+v", path, st.Errors)
	return ""
}

func TestExportMissingOptionalFile(t *testing.T) {
	dir := copyFixture(t, "ps7")
	if err := os.Remove(filepath.Join(dir, "Get-MoveRequest.json")); err != nil {
		t.Fatal(err)
	}
	r := readExport(t, dir)
	if r.EXO.MoveRequests != nil {
		t.Error("a dataset not exported must stay nil")
	}
	if r.EXOStatus.Complete || !r.EntraStatus.Complete {
		t.Errorf("complete: exo %v entra %v", r.EXOStatus.Complete, r.EntraStatus.Complete)
	}
	msg := sourceError(t, r.EXOStatus, "exo.move_requests")
	for _, want := range []string{"Get-MoveRequest.json missing in " + dir, "scripts/Export-ExoReady.ps1",
		"Get-MoveRequest -ResultSize 'Unlimited' | ConvertTo-Json -Depth 5 | Out-File -Encoding utf8"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if r.EXO.Mailboxes == nil || len(r.EXO.Mailboxes) != 6 {
		t.Error("other datasets must still be read")
	}
}

func TestExportMissingGraphFolder(t *testing.T) {
	dir := copyFixture(t, "ps7")
	if err := os.RemoveAll(filepath.Join(dir, "graph")); err != nil {
		t.Fatal(err)
	}
	r := readExport(t, dir)
	if msg := sourceError(t, r.EntraStatus, "entra"); !strings.Contains(msg, "graph/ folder missing") {
		t.Errorf("message = %q", msg)
	}
	if r.Entra.Organization != nil || r.EXO.TenantID != "" || !r.EXOStatus.Complete {
		t.Errorf("entra = %+v, tenant %q", r.Entra, r.EXO.TenantID)
	}
}

func TestExportRequiredMailboxes(t *testing.T) {
	dir := copyFixture(t, "ps7")
	if err := os.Remove(filepath.Join(dir, "Get-Mailbox.json")); err != nil {
		t.Fatal(err)
	}
	_, err := ReadExport(t.Context(), dir, zerolog.Nop())
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "Get-Mailbox.json missing") {
		t.Errorf("error = %v", err)
	}
	write(t, dir, "Get-Mailbox.json", `[{"Identity":"a","WhenChangedUTC":"yesterday"},{"Identity":"b","IsDirSynced":"perhaps"}]`)
	_, err = ReadExport(t.Context(), dir, zerolog.Nop())
	for _, want := range []string{`Get-Mailbox.json object 1 at line 1 ("a"): property WhenChangedUTC: "yesterday" is not a date`,
		`Get-Mailbox.json object 2 at line 1 ("b"): property IsDirSynced: expected True or False, found "perhaps"`} {
		if !errors.Is(err, ErrInput) || err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v\nwant it to contain %s", err, want)
		}
	}
	if _, err := ReadExport(t.Context(), filepath.Join(dir, "nope"), zerolog.Nop()); !errors.Is(err, ErrInput) {
		t.Errorf("missing folder: %v", err)
	}
}

// TestExportFileProblems: each broken optional file starves only its path,
// with a message naming the file and line.
func TestExportFileProblems(t *testing.T) {
	tests := []struct {
		name, file, path string
		content          string
		want             string
	}{
		{"truncated", "Get-RemoteDomain.json", "exo.remote_domains", "[\n {\"Name\": \"Default\"},\n {\"Name\": \"Hyb", "Get-RemoteDomain.json: line 3: the JSON ends early"},
		{"syntax", "Get-RemoteDomain.json", "exo.remote_domains", "[\n {\"Name\": \"Default\"},\n {\"Name\" \"x\"}\n]", "Get-RemoteDomain.json: line 3: invalid character"},
		{"count mismatch", "Get-RoleGroup.json", "exo.role_groups", "{\"value\":[{\"Name\":\"a\"}],\"Count\":2}", "says Count 2 but holds 1 objects"},
		{"utf-16 without BOM", "Get-RoleGroup.json", "exo.role_groups", "[\x00{\x00}\x00]\x00", "UTF-16 without a byte-order mark"},
		{"utf-16 big-endian", "Get-RoleGroup.json", "exo.role_groups", "\xFE\xFF\x00[\x00]", "UTF-16 big-endian"},
		{"ansi", "Get-RoleGroup.json", "exo.role_groups", "[\n{\"Name\":\"Caf\xE9\"}\n]", "line 2: byte 0xE9 is not UTF-8"},
		{"numeric enum", "Get-MoveRequest.json", "exo.move_requests", "[{\"Identity\":\"bjorn\",\"Direction\":1}]", `object 1 at line 1 ("bjorn"): property Direction: the enum is the number 1`},
		{"object line", "Get-MoveRequest.json", "exo.move_requests", "[\n  {\n    \"Identity\": \"a\"\n  },\n  {\n    \"Identity\": \"b\",\n    \"Direction\": 1\n  }\n]", `Get-MoveRequest.json object 2 at line 5 ("b"): property Direction`},
		{"depth lost", "Get-RoleGroup.json", "exo.role_groups", "[{\"Name\":\"x\",\"Members\":\"System.Collections.ArrayList\"}]", "ConvertTo-Json ran out of depth"},
		{"not objects", "Get-RoleGroup.json", "exo.role_groups", "[\"a\",\"b\"]", "element 0 is not an object"},
		{"graph error saved", "graph/organization.json", "entra.organization", "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}", "holds an error response instead of data: Authorization_RequestDenied: Insufficient privileges"},
		{"graph first page only", "graph/roleAssignments.json", "entra.role_assignments", "{\"value\":[],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/x?$skiptoken=1\"}", "only the first page"},
		{"two organizations", "graph/organization.json", "entra.organization", "[{\"id\":\"a\"},{\"id\":\"b\"}]", "organization returns one object per tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, "ps7")
			write(t, dir, tt.file, tt.content)
			r := readExport(t, dir)
			msg := sourceError(t, *r.status(strings.HasPrefix(tt.path, "entra")), tt.path)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q\nwant it to contain %q", msg, tt.want)
			}
			if !strings.HasPrefix(msg, tt.file) {
				t.Errorf("message %q does not start with the file name", msg)
			}
		})
	}
}

func (r *Result) status(entra bool) *snapshot.SourceStatus {
	if entra {
		return &r.EntraStatus
	}
	return &r.EXOStatus
}

func TestExportEmptyAndSingle(t *testing.T) {
	dir := copyFixture(t, "ps7")
	write(t, dir, "Get-MoveRequest.json", "")                                                                                // no move requests: ConvertTo-Json wrote nothing
	write(t, dir, "Get-MigrationEndpoint.json", "\xEF\xBB\xBF{\"Identity\":\"EP\",\"EndpointType\":\"ExchangeRemoteMove\"}") // one object, BOM
	write(t, dir, "Get-RoleGroup.json", "null")
	r := readExport(t, dir)
	if r.EXO.MoveRequests == nil || len(r.EXO.MoveRequests) != 0 {
		t.Errorf("move requests = %#v, want []", r.EXO.MoveRequests)
	}
	if r.EXO.RoleGroups == nil || len(r.EXO.RoleGroups) != 0 {
		t.Errorf("role groups = %#v, want []", r.EXO.RoleGroups)
	}
	if len(r.EXO.MigrationEndpoints) != 1 || r.EXO.MigrationEndpoints[0].Identity != "EP" {
		t.Errorf("migration endpoints = %#v", r.EXO.MigrationEndpoints)
	}
}

func TestExportObjectWithErrorProperty(t *testing.T) {
	dir := copyFixture(t, "ps7")
	write(t, dir, "Get-AdminAuditLogConfig.json", `{"Name":"Admin Audit Log Settings","error":{"code":"x","message":"not an envelope"},"UnifiedAuditLogIngestionEnabled":true}`)
	r := readExport(t, dir)
	if !r.EXOStatus.Complete || r.EXO.AdminAuditLogConfig["UnifiedAuditLogIngestionEnabled"] != true {
		t.Errorf("status %+v, config %v", r.EXOStatus.Errors, r.EXO.AdminAuditLogConfig)
	}
}
