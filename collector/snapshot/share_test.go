package snapshot_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/exoready/exoready/collector/snapshot"
)

// sameBytes reports whether two strings are one copy.
func sameBytes(a, b string) bool { return a != "" && unsafe.StringData(a) == unsafe.StringData(b) }

// fresh returns a copy of s in its own memory, equal in value.
func fresh(s string) string { return strings.Clone(s) }

func TestShareEqualSharesEqualValuesOnly(t *testing.T) {
	ad := adUser("u01")
	ad.ProxyAddresses = []string{"SMTP:u01@corp.example.test", "smtp:u01@corp.mail.onmicrosoft.com", "x500:/o=corp/cn=u01"}
	ad.CustomAttributes = map[string]string{"CustomAttribute1": "ENG"}
	ad.ExtensionCustomAttributes = map[string][]string{}

	same := exoMailbox("u01") // every value equal to AD's, in copies of its own
	same.DisplayName, same.Alias, same.UserPrincipalName = fresh(ad.DisplayName), fresh(ad.MailNickname), fresh(ad.UserPrincipalName)
	same.ExternalDirectoryObjectID = fresh(ad.ExternalDirectoryObjectID)
	same.EmailAddresses = []string{fresh(ad.ProxyAddresses[0]), fresh(ad.ProxyAddresses[1]), fresh(ad.ProxyAddresses[2])}
	same.CustomAttributes = map[string]string{"CustomAttribute1": "ENG"}
	same.ExtensionCustomAttributes = map[string][]string{}

	ad2 := adUser("u02")
	ad2.CustomAttributes = map[string]string{"CustomAttribute1": "ENG"}
	ad2.ExtensionCustomAttributes = nil
	differ := exoMailbox("u02") // addresses in another order and one more, other maps, other case
	differ.EmailAddresses = []string{"smtp:new@corp.example.test", fresh(ad2.ProxyAddresses[1]), fresh(ad2.ProxyAddresses[0])}
	differ.CustomAttributes = map[string]string{"CustomAttribute1": "OPS"}
	differ.ExtensionCustomAttributes = map[string][]string{}

	before, err := json.Marshal([]snapshot.Mailbox{same, differ})
	if err != nil {
		t.Fatal(err)
	}
	s := joinOf([]snapshot.ADRecipient{ad, ad2}, []snapshot.Mailbox{same, differ})
	after, err := json.Marshal(s.EXO.Mailboxes)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Fatalf("sharing changed the mailboxes:\nbefore %s\nafter  %s", before, after)
	}
	for _, j := range s.Joined {
		if j.AD == nil || j.EXO == nil {
			t.Fatalf("%s did not join", j.ID)
		}
	}

	a, m := &s.AD.Users[0], &s.EXO.Mailboxes[0]
	if &m.EmailAddresses[0] != &a.ProxyAddresses[0] {
		t.Error("equal address lists are not one list")
	}
	for name, p := range map[string][2]string{
		"DisplayName":               {m.DisplayName, a.DisplayName},
		"Alias":                     {m.Alias, a.MailNickname},
		"Identity":                  {m.Identity, a.MailNickname},
		"UserPrincipalName":         {m.UserPrincipalName, a.Mail}, // the first equal AD value
		"ExternalDirectoryObjectID": {m.ExternalDirectoryObjectID, a.ExternalDirectoryObjectID},
		"ImmutableID":               {m.ImmutableID, a.ImmutableID},
		"PrimarySMTPAddress":        {m.PrimarySMTPAddress, a.Mail},
		"WindowsEmailAddress":       {m.WindowsEmailAddress, a.Mail},
	} {
		if !sameBytes(p[0], p[1]) {
			t.Errorf("%s %q is not AD's copy", name, p[0])
		}
	}
	if reflect.ValueOf(m.CustomAttributes).UnsafePointer() != reflect.ValueOf(a.CustomAttributes).UnsafePointer() ||
		reflect.ValueOf(m.ExtensionCustomAttributes).UnsafePointer() != reflect.ValueOf(a.ExtensionCustomAttributes).UnsafePointer() {
		t.Error("equal custom attribute maps are not one map")
	}

	a, m = &s.AD.Users[1], &s.EXO.Mailboxes[1]
	if m.EmailAddresses[0] != "smtp:new@corp.example.test" || !sameBytes(m.EmailAddresses[1], a.ProxyAddresses[1]) || !sameBytes(m.EmailAddresses[2], a.ProxyAddresses[0]) {
		t.Errorf("addresses in another order: got %q, want EXO's order with AD's copies", m.EmailAddresses)
	}
	if sameBytes(m.UserPrincipalName, a.UserPrincipalName) || m.UserPrincipalName != "U02@corp.example.test" {
		t.Errorf("a UPN that differs in case was replaced: %q", m.UserPrincipalName)
	}
	if m.CustomAttributes["CustomAttribute1"] != "OPS" || m.ExtensionCustomAttributes == nil {
		t.Errorf("maps that differ (or null against empty) were replaced: %v %v", m.CustomAttributes, m.ExtensionCustomAttributes)
	}
}
