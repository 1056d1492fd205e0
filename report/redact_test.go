package report

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/evaluate"
)

var testRedactKey = []byte("0123456789abcdef-test-key")

func redactSample() *evaluate.Report {
	return &evaluate.Report{
		SchemaVersion: 1,
		Rules:         []evaluate.RuleResult{{RuleMeta: evaluate.RuleMeta{ID: "EXR-MBX-008", Title: "proxyAddresses hygiene"}}},
		Findings: []evaluate.Finding{
			{
				RuleID: "EXR-MBX-008", Title: "proxyAddresses hygiene", Status: evaluate.StatusFail,
				Object:  evaluate.Object{Type: "mailbox", ID: "06f5ce19-fcbc-48ee-88ad-2321142ff6e7", DisplayName: "Marta Kowalska", DN: `CN=Kowalska\, Marta,OU=Sales,OU=Corp,DC=corp,DC=example,DC=test`},
				Message: "Marta Kowalska carries smtp:sales@corp.example.test, also carried by CN=Sales Team,OU=Groups,OU=Corp,DC=corp,DC=example,DC=test: sync refuses duplicate addresses",
				Evidence: map[string]any{
					"address": "smtp:sales@corp.example.test",
					"also_on": []any{"CN=Sales Team,OU=Groups,OU=Corp,DC=corp,DC=example,DC=test"},
					"proxy_addresses": []any{"SMTP:Marta.Kowalska@corp.example.test",
						"X500:/o=CorpExample/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0f1e2d3c-marta"},
					"count": json.Number("12345678901234567890"),
				},
				Remediation: "Set-RemoteMailbox -Identity 'marta.kowalska@corp.example.test' -EmailAddresses @{remove='smtp:sales@corp.example.test'}",
				Key:         "duplicate:smtp:sales@corp.example.test",
			},
			{
				RuleID: "EXR-DEP-003", Status: evaluate.StatusFail,
				Object:  evaluate.Object{Type: "receive_connector", ID: "rc1", DisplayName: "App Relay EX01", DN: "CN=App Relay EX01,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=CorpExample,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test"},
				Message: "App Relay EX01 lets Marta Kowalska relay for Salesforce",
			},
		},
		Inventory: evaluate.Inventory{
			Mailboxes: []evaluate.MailboxRow{{ID: "06f5ce19", DisplayName: "Marta Kowalska", Kind: "user",
				AD:  map[string]any{"sam_account_name": "mkowalska", "dn": `CN=Kowalska\, Marta,OU=Sales,OU=Corp,DC=corp,DC=example,DC=test`, "department": "Sales"},
				EXO: map[string]any{"alias": "mkowalska", "user_principal_name": "marta.kowalska@corp.example.test"}}},
			Sections: map[string][]map[string]any{"toggle_principals": {{"type": "user", "display_name": "Jo Li", "principal": "jo.li@corp.example.test",
				"via": []any{"Exchange Administrator (Entra role)", "Jo Li"}}}},
		},
	}
}

func TestRedactPseudonymises(t *testing.T) {
	orig := redactSample()
	before, _ := json.Marshal(orig)
	r, err := Redact(orig, testRedactKey)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(orig); string(after) != string(before) {
		t.Fatal("Redact modified the report it was given")
	}
	if !r.Redacted || orig.Redacted {
		t.Fatalf("Redacted = %t on the copy, %t on the original", r.Redacted, orig.Redacted)
	}
	out, _ := json.Marshal(r)
	for _, leak := range []string{"Marta", "Kowalska", "marta.kowalska", "Sales Team", "mkowalska", "Jo Li", "jo.li@", "cn=0f1e2d3c-marta", "smtp:sales@"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("redacted report still holds %q:\n%s", leak, out)
		}
	}
	rd := &redactor{key: testRedactKey}
	name, sales := rd.pseudonym("Marta Kowalska"), rd.pseudonym("sales")
	f := r.Findings[0]
	// The display name, the DN's CN (escaped comma and all: "Kowalska, Marta"
	// is another name) and the name in the message correlate by pseudonym.
	if f.Object.DisplayName != name || !strings.HasPrefix(f.Message, name+" carries smtp:"+sales+"@corp.example.test") {
		t.Errorf("object %q, message %q", f.Object.DisplayName, f.Message)
	}
	if want := "CN=" + rd.pseudonym("Kowalska, Marta") + ",OU=Sales,OU=Corp,DC=corp,DC=example,DC=test"; f.Object.DN != want {
		t.Errorf("DN = %q, want %q", f.Object.DN, want)
	}
	if f.Key != "duplicate:smtp:"+sales+"@corp.example.test" || f.Evidence["count"] != json.Number("12345678901234567890") {
		t.Errorf("key %q, count %v", f.Key, f.Evidence["count"])
	}
	addrs := f.Evidence["proxy_addresses"].([]any)
	if addrs[0] != "SMTP:"+rd.pseudonym("marta.kowalska")+"@corp.example.test" ||
		addrs[1] != "X500:/o=CorpExample/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="+rd.pseudonym("0f1e2d3c-marta") {
		t.Errorf("proxy addresses %q", addrs)
	}
	// Infrastructure keeps its names and configuration DN; people named in
	// its text do not, and other words are left alone.
	c := r.Findings[1]
	if c.Object.DisplayName != "App Relay EX01" || c.Object.DN != orig.Findings[1].Object.DN {
		t.Errorf("connector object changed: %+v", c.Object)
	}
	if c.Message != "App Relay EX01 lets "+name+" relay for Salesforce" {
		t.Errorf("connector message %q", c.Message)
	}
	m := r.Inventory.Mailboxes[0]
	if m.DisplayName != name || evaluate.Attr(m.AD, "sam_account_name") != rd.pseudonym("mkowalska") || evaluate.Attr(m.EXO, "alias") != rd.pseudonym("mkowalska") || evaluate.Attr(m.AD, "department") != "Sales" {
		t.Errorf("mailbox row %+v", m)
	}
	tp := r.Inventory.Sections["toggle_principals"][0]
	if tp["display_name"] != rd.pseudonym("Jo Li") || !reflect.DeepEqual(tp["via"], []any{"Exchange Administrator (Entra role)", rd.pseudonym("Jo Li")}) {
		t.Errorf("toggle principal %v", tp)
	}
	if r.Rules[0].Title != "proxyAddresses hygiene" || r.Findings[0].RuleID != "EXR-MBX-008" {
		t.Error("rule metadata must stay as it is")
	}
}

// Names are replaced as whole words only, longest first, whatever their case.
func TestRedactNamesAsWords(t *testing.T) {
	rd := &redactor{key: testRedactKey, dict: map[string]string{}, lengths: map[rune][]int{}}
	for _, n := range []string{"Jo Li", "Jo Li (Admin)", "Ana"} {
		rd.dict[strings.ToLower(n)] = rd.pseudonym(n)
	}
	rd.index()
	got := rd.names("Jo Lin, JO LI, Jo Li (Admin) and Banana, Ana.")
	want := "Jo Lin, " + rd.pseudonym("Jo Li") + ", " + rd.pseudonym("Jo Li (Admin)") + " and Banana, " + rd.pseudonym("Ana") + "."
	if got != want {
		t.Errorf("names:\n got %q\nwant %q", got, want)
	}
}

func TestRedactKeyedAndStable(t *testing.T) {
	a1, _ := Redact(redactSample(), testRedactKey)
	a2, _ := Redact(redactSample(), testRedactKey)
	b, _ := Redact(redactSample(), []byte("another key of sixteen bytes+"))
	j1, _ := json.Marshal(a1)
	j2, _ := json.Marshal(a2)
	jb, _ := json.Marshal(b)
	if string(j1) != string(j2) {
		t.Error("the same key gave different pseudonyms")
	}
	if string(j1) == string(jb) {
		t.Error("another key gave the same pseudonyms")
	}
	if _, err := Redact(redactSample(), []byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
	// A redacted report is not redacted twice.
	again, err := Redact(a1, []byte("another key of sixteen bytes+"))
	if j, _ := json.Marshal(again); err != nil || string(j) != string(j1) {
		t.Errorf("second redaction changed the report (%v)", err)
	}
}

// TestRedactTypedRows checks that a mailbox row as evaluate builds it
// (typed AD and EXO objects) loses every personal attribute in Redact as
// a row read from findings.json does, and keeps the rest.
func TestRedactTypedRows(t *testing.T) {
	when := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC)
	no := false
	r := &evaluate.Report{Inventory: evaluate.Inventory{Mailboxes: []evaluate.MailboxRow{{ID: "06f5ce19", DisplayName: "Marta Kowalska", Kind: "user",
		AD: &evaluate.InventoryAD{DN: `CN=Kowalska\, Marta,OU=Sales,OU=Corp,DC=corp,DC=example,DC=test`, UserPrincipalName: "marta.kowalska@corp.example.test",
			Mail: "marta.kowalska@corp.example.test", ProxyAddresses: []string{"SMTP:marta.kowalska@corp.example.test", "smtp:mkowalska@corp.example.test"},
			TargetAddress: "SMTP:mkowalska@corp.mail.onmicrosoft.com", RecipientTypeDetails: "RemoteUserMailbox", HiddenFromAddressLists: &no,
			Department: "Sales", CustomAttributes: map[string]string{"CustomAttribute1": "Marta Kowalska"}, WhenChanged: &when},
		EXO: &evaluate.InventoryEXO{UserPrincipalName: "marta.kowalska@corp.example.test", PrimarySMTPAddress: "marta.kowalska@corp.example.test",
			EmailAddresses:            []string{"SMTP:marta.kowalska@corp.example.test", "X500:/o=CorpExample/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0f1e2d3c-marta"},
			ExtensionCustomAttributes: map[string][]string{"ExtensionCustomAttribute1": {"mkowalska@corp.example.test"}},
			Guid:                      "9c4f0a52-1111-4222-8333-444455556666", RecipientTypeDetails: "UserMailbox", IsDirSynced: true, WhenChangedUTC: &when},
	}}}}
	red, err := Redact(r, testRedactKey)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(red)
	for _, leak := range []string{"Marta", "Kowalska", "marta.kowalska", "mkowalska", "0f1e2d3c-marta"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("redacted report still holds %q:\n%s", leak, out)
		}
	}
	m := red.Inventory.Mailboxes[0]
	rd := &redactor{key: testRedactKey}
	if evaluate.Attr(m.AD, "mail") != rd.pseudonym("marta.kowalska")+"@corp.example.test" || evaluate.Attr(m.AD, "department") != "Sales" ||
		evaluate.Attr(m.EXO, "guid") != "9c4f0a52-1111-4222-8333-444455556666" || evaluate.Attr(m.AD, "when_changed") != "2026-11-19T10:00:00Z" ||
		evaluate.Attr(m.EXO, "is_dir_synced") != true || evaluate.Attr(m.AD, "hidden_from_address_lists") != false {
		t.Errorf("mailbox row %s", out)
	}
	if _, ok := r.Inventory.Mailboxes[0].AD.(*evaluate.InventoryAD); !ok || r.Inventory.Mailboxes[0].AD.(*evaluate.InventoryAD).Mail != "marta.kowalska@corp.example.test" {
		t.Error("Redact changed the original row")
	}
}
