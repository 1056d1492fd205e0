package snapshot_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// adUser is a remote user mailbox in AD with every join key set.
func adUser(key string) snapshot.ADRecipient {
	return snapshot.ADRecipient{
		DN:                        "CN=" + key + ",OU=Users,DC=corp,DC=example,DC=test",
		ObjectClass:               "user",
		ObjectGUID:                "00000000-0000-4000-8000-0000000000" + key[len(key)-2:],
		ImmutableID:               "imm-" + key,
		ExternalDirectoryObjectID: "EDOID-" + key,
		UserPrincipalName:         key + "@corp.example.test",
		DisplayName:               "AD " + key,
		Mail:                      key + "@corp.example.test",
		MailNickname:              key,
		ProxyAddresses:            []string{"SMTP:" + key + "@corp.example.test", "smtp:" + key + "@corp.mail.onmicrosoft.com"},
		RecipientTypeDetails:      "RemoteUserMailbox",
	}
}

// exoMailbox is the EXO mailbox matching adUser(key) on every key.
func exoMailbox(key string) snapshot.Mailbox {
	return snapshot.Mailbox{
		Guid:                      "guid-" + key,
		ExternalDirectoryObjectID: "edoid-" + key,
		ImmutableID:               "imm-" + key,
		Identity:                  key,
		DisplayName:               "EXO " + key,
		Alias:                     key,
		UserPrincipalName:         strings.ToUpper(key) + "@corp.example.test",
		PrimarySMTPAddress:        key + "@corp.example.test",
		WindowsEmailAddress:       key + "@corp.example.test",
		EmailAddresses:            []string{"smtp:" + key + "@corp.mail.onmicrosoft.com", "SMTP:" + strings.ToUpper(key) + "@Corp.Example.Test"},
		RecipientTypeDetails:      "UserMailbox",
		IsDirSynced:               true,
	}
}

func joinOf(ad []snapshot.ADRecipient, exo []snapshot.Mailbox) *snapshot.Snapshot {
	s := &snapshot.Snapshot{AD: &snapshot.AD{Users: ad}, EXO: &snapshot.EXO{Mailboxes: exo}}
	snapshot.Join(s)
	return s
}

// byDisplay indexes joined entries by the EXO display name, or the AD one
// for AD-only entries.
func byDisplay(s *snapshot.Snapshot) map[string]snapshot.JoinedMailbox {
	out := map[string]snapshot.JoinedMailbox{}
	for _, j := range s.Joined {
		out[j.DisplayName] = j
	}
	return out
}

func TestJoinMethods(t *testing.T) {
	tests := []struct {
		name       string
		strip      func(a *snapshot.ADRecipient, m *snapshot.Mailbox)
		wantMethod string
	}{
		{"external directory object id, case-insensitive", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {}, snapshot.JoinExternalDirectoryObjectID},
		{"immutable id", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) { a.ExternalDirectoryObjectID = "" }, snapshot.JoinImmutableID},
		{"user principal name, case-insensitive", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			a.ExternalDirectoryObjectID, m.ImmutableID = "", ""
		}, snapshot.JoinUPN},
		{"primary smtp address from the one SMTP: proxy", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			a.ExternalDirectoryObjectID, m.ImmutableID, m.UserPrincipalName = "", "", "u01@corp.onmicrosoft.com"
			a.Mail = "other@corp.example.test" // the proxy address wins over mail
		}, snapshot.JoinPrimarySMTP},
		{"no key in common", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			a.ExternalDirectoryObjectID, m.ImmutableID, m.UserPrincipalName = "", "", "u01@corp.onmicrosoft.com"
			m.EmailAddresses = []string{"SMTP:someone.else@corp.example.test"}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, m := adUser("u01"), exoMailbox("u01")
			tt.strip(&a, &m)
			s := joinOf([]snapshot.ADRecipient{a}, []snapshot.Mailbox{m})
			if tt.wantMethod == "" {
				if len(s.Joined) != 2 {
					t.Fatalf("want the two objects unjoined, got %d entries", len(s.Joined))
				}
				for _, j := range s.Joined {
					if j.JoinMethod != "" || (j.AD != nil) == (j.EXO != nil) {
						t.Errorf("entry %s joined (%s) or empty", j.ID, j.JoinMethod)
					}
				}
				return
			}
			if len(s.Joined) != 1 {
				t.Fatalf("want 1 joined entry, got %d", len(s.Joined))
			}
			j := s.Joined[0]
			if j.JoinMethod != tt.wantMethod || j.AD == nil || j.EXO == nil {
				t.Errorf("joined by %q (ad %v, exo %v), want %q", j.JoinMethod, j.AD != nil, j.EXO != nil, tt.wantMethod)
			}
			if j.ID != "edoid-u01" {
				t.Errorf("id %q, want the lower-cased EXO ExternalDirectoryObjectId", j.ID)
			}
		})
	}
}

// The first key that matches wins, even when a later key points elsewhere.
func TestJoinKeyOrder(t *testing.T) {
	a1, a2 := adUser("u01"), adUser("u02")
	a1.UserPrincipalName = "renamed@corp.example.test"
	a2.UserPrincipalName = "u01@corp.example.test"
	m := exoMailbox("u01") // its EDOID matches a1, its UPN matches a2
	s := joinOf([]snapshot.ADRecipient{a1, a2}, []snapshot.Mailbox{m})
	j := byDisplay(s)["EXO u01"]
	if j.AD == nil || j.AD.DN != a1.DN || j.JoinMethod != snapshot.JoinExternalDirectoryObjectID {
		t.Fatalf("joined to %v by %s, want %s by external_directory_object_id", j.AD, j.JoinMethod, a1.DN)
	}
	if _, ok := byDisplay(s)["AD u02"]; !ok {
		t.Error("a2 must stay unjoined")
	}
}

// A key two AD objects share is never used: the next key decides, and with
// none left the objects stay apart rather than being paired wrongly.
func TestJoinAmbiguousKeysNeverUsed(t *testing.T) {
	t.Run("next key decides", func(t *testing.T) {
		a1, a2 := adUser("u01"), adUser("u02")
		a1.ExternalDirectoryObjectID, a2.ExternalDirectoryObjectID = "", ""
		a2.ImmutableID = a1.ImmutableID // copied objectGUID: ambiguous
		m := exoMailbox("u02")
		m.ImmutableID = a1.ImmutableID
		s := joinOf([]snapshot.ADRecipient{a1, a2}, []snapshot.Mailbox{m})
		j := byDisplay(s)["EXO u02"]
		if j.AD == nil || j.AD.DN != a2.DN || j.JoinMethod != snapshot.JoinUPN {
			t.Fatalf("joined to %v by %q, want %s by UPN", j.AD, j.JoinMethod, a2.DN)
		}
	})
	t.Run("all keys ambiguous", func(t *testing.T) {
		a1, a2 := adUser("u01"), adUser("u02")
		for _, a := range []*snapshot.ADRecipient{&a1, &a2} {
			a.ExternalDirectoryObjectID, a.ImmutableID = "", ""
			a.UserPrincipalName = "shared@corp.example.test"
			a.ProxyAddresses = []string{"SMTP:shared@corp.example.test"}
		}
		m := exoMailbox("u03")
		m.UserPrincipalName = "SHARED@corp.example.test"
		m.EmailAddresses = []string{"SMTP:shared@corp.example.test"}
		s := joinOf([]snapshot.ADRecipient{a1, a2}, []snapshot.Mailbox{m})
		if len(s.Joined) != 3 {
			t.Fatalf("want 3 unjoined entries, got %d", len(s.Joined))
		}
		for _, j := range s.Joined {
			if j.AD != nil && j.EXO != nil {
				t.Errorf("%s joined by ambiguous %s", j.ID, j.JoinMethod)
			}
		}
	})
	t.Run("an AD object joins once", func(t *testing.T) {
		a := adUser("u01")
		a.ExternalDirectoryObjectID = ""
		m1, m2 := exoMailbox("u01"), exoMailbox("u01")
		m1.ImmutableID, m2.ImmutableID = "", ""
		m2.ExternalDirectoryObjectID, m2.DisplayName = "edoid-u01-dup", "EXO duplicate"
		s := joinOf([]snapshot.ADRecipient{a}, []snapshot.Mailbox{m1, m2})
		joined := 0
		for _, j := range s.Joined {
			if j.AD != nil && j.EXO != nil {
				joined++
			}
		}
		if joined != 1 || len(s.Joined) != 2 {
			t.Errorf("%d pairs in %d entries, want 1 pair and the duplicate EXO mailbox alone", joined, len(s.Joined))
		}
	})
}

func TestJoinUnjoinedAndLocations(t *testing.T) {
	remote := adUser("u01")
	orphanAD := adUser("u02") // remote mailbox whose EXO mailbox is missing
	orphanAD.ExternalDirectoryObjectID = ""
	onprem := adUser("u03")
	onprem.RecipientTypeDetails, onprem.HomeMDB, onprem.ExternalDirectoryObjectID = "UserMailbox", "CN=DB01,CN=Databases", ""
	stamped := adUser("u04") // mailbox-enabled user whose type was never stamped
	stamped.RecipientTypeDetails, stamped.HomeMDB, stamped.ExternalDirectoryObjectID = "", "CN=DB02,CN=Databases", ""
	system := adUser("u05")
	system.RecipientTypeDetails, system.HomeMDB = "ArbitrationMailbox", "CN=DB01,CN=Databases"
	mailUser := adUser("u06")
	mailUser.RecipientTypeDetails = "MailUser"

	cloud := exoMailbox("c01")
	cloud.IsDirSynced = false
	orphanEXO := exoMailbox("u09") // dir-synced, no AD object
	room := exoMailbox("u01")
	room.RecipientTypeDetails = "RoomMailbox"

	s := joinOf([]snapshot.ADRecipient{remote, orphanAD, onprem, stamped, system, mailUser},
		[]snapshot.Mailbox{room, cloud, orphanEXO})
	got := byDisplay(s)
	want := map[string]struct {
		id, kind, location string
		ad, exo            bool
	}{
		"EXO u01": {"edoid-u01", snapshot.KindRoom, snapshot.LocationRemote, true, true},
		"EXO c01": {"edoid-c01", snapshot.KindUser, snapshot.LocationCloud, false, true},
		"EXO u09": {"edoid-u09", snapshot.KindUser, snapshot.LocationRemote, false, true},
		"AD u02":  {"ad:00000000-0000-4000-8000-000000000002", snapshot.KindUser, snapshot.LocationRemote, true, false},
		"AD u03":  {"ad:00000000-0000-4000-8000-000000000003", snapshot.KindUser, snapshot.LocationOnPrem, true, false},
		"AD u04":  {"ad:00000000-0000-4000-8000-000000000004", snapshot.KindOther, snapshot.LocationOnPrem, true, false},
	}
	if len(got) != len(want) {
		t.Errorf("%d entries, want %d (system mailboxes and mail users are not joined)", len(got), len(want))
	}
	for name, w := range want {
		j, ok := got[name]
		if !ok {
			t.Errorf("%s missing from joined", name)
			continue
		}
		if j.ID != w.id || j.Kind != w.kind || j.Location != w.location || (j.AD != nil) != w.ad || (j.EXO != nil) != w.exo {
			t.Errorf("%s = id %q kind %q location %q ad %v exo %v; want %+v", name, j.ID, j.Kind, j.Location, j.AD != nil, j.EXO != nil, w)
		}
		if !w.ad || !w.exo {
			if j.Drift != nil || j.JoinMethod != "" {
				t.Errorf("%s: an unjoined entry has no drift and no join method", name)
			}
		}
	}
	for i := 1; i < len(s.Joined); i++ {
		if s.Joined[i-1].ID >= s.Joined[i].ID {
			t.Errorf("joined not sorted by id: %q before %q", s.Joined[i-1].ID, s.Joined[i].ID)
		}
	}
}

func TestJoinNotCollected(t *testing.T) {
	for name, s := range map[string]*snapshot.Snapshot{
		"no ad":             {EXO: &snapshot.EXO{Mailboxes: []snapshot.Mailbox{exoMailbox("u01")}}},
		"no exo":            {AD: &snapshot.AD{Users: []snapshot.ADRecipient{adUser("u01")}}},
		"ad users missing":  {AD: &snapshot.AD{}, EXO: &snapshot.EXO{Mailboxes: []snapshot.Mailbox{}}},
		"mailboxes missing": {AD: &snapshot.AD{Users: []snapshot.ADRecipient{}}, EXO: &snapshot.EXO{}},
	} {
		s.Joined = []snapshot.JoinedMailbox{{ID: "stale"}}
		snapshot.Join(s)
		if s.Joined != nil {
			t.Errorf("%s: joined = %v, want null (not assessable)", name, s.Joined)
		}
	}
	s := joinOf([]snapshot.ADRecipient{}, []snapshot.Mailbox{})
	data, err := json.Marshal(s.Joined)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "[]" {
		t.Errorf("both sides collected and empty: joined = %s, want []", data)
	}
}

func TestDriftNormalisation(t *testing.T) {
	base := func() (*snapshot.ADRecipient, *snapshot.Mailbox) {
		a, m := adUser("u01"), exoMailbox("u01")
		a.CustomAttributes = map[string]string{"CustomAttribute1": "SAL"}
		m.CustomAttributes = map[string]string{"CustomAttribute1": "SAL", "CustomAttribute2": ""}
		a.ExtensionCustomAttributes = map[string][]string{"ExtensionCustomAttribute1": {"b", "a"}}
		m.ExtensionCustomAttributes = map[string][]string{"ExtensionCustomAttribute1": {"a", "b"}, "ExtensionCustomAttribute2": {}}
		return &a, &m
	}
	tests := []struct {
		name   string
		mutate func(a *snapshot.ADRecipient, m *snapshot.Mailbox)
		want   []snapshot.AttributeDrift
	}{
		{"address case, set order, empty custom attribute and nil vs empty list are not drift", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {}, nil},
		{"hidden nil in AD equals false", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) { a.HiddenFromAddressLists = nil }, nil},
		{"prefix case is drift: it marks the primary", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			a.ProxyAddresses = []string{"smtp:u01@corp.example.test", "SMTP:u01@corp.mail.onmicrosoft.com"}
		}, []snapshot.AttributeDrift{{Attribute: "EmailAddresses", ADName: "proxyAddresses",
			AD:  []string{"SMTP:u01@corp.mail.onmicrosoft.com", "smtp:u01@corp.example.test"},
			EXO: []string{"SMTP:U01@Corp.Example.Test", "smtp:u01@corp.mail.onmicrosoft.com"}}}},
		{"an extra address is drift", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			m.EmailAddresses = append(m.EmailAddresses, "smtp:new@corp.example.test")
		}, []snapshot.AttributeDrift{{Attribute: "EmailAddresses", ADName: "proxyAddresses",
			AD:  []string{"SMTP:u01@corp.example.test", "smtp:u01@corp.mail.onmicrosoft.com"},
			EXO: []string{"SMTP:U01@Corp.Example.Test", "smtp:new@corp.example.test", "smtp:u01@corp.mail.onmicrosoft.com"}}}},
		{"hidden differs", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) { m.HiddenFromAddressListsEnabled = true },
			[]snapshot.AttributeDrift{{Attribute: "HiddenFromAddressListsEnabled", ADName: "msExchHideFromAddressLists", AD: false, EXO: true}}},
		{"custom attribute differs", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) { m.CustomAttributes["CustomAttribute15"] = "x" },
			[]snapshot.AttributeDrift{{Attribute: "CustomAttribute15", ADName: "extensionAttribute15", AD: "", EXO: "x"}}},
		{"extension attribute values differ", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			m.ExtensionCustomAttributes["ExtensionCustomAttribute1"] = []string{"a"}
		}, []snapshot.AttributeDrift{{Attribute: "ExtensionCustomAttribute1", ADName: "msExchExtensionCustomAttribute1",
			AD: []string{"a", "b"}, EXO: []string{"a"}}}},
		{"alias and windows email address compare case-insensitively", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) {
			m.Alias, m.WindowsEmailAddress = "U01", "U01@CORP.EXAMPLE.TEST"
		}, nil},
		{"recipient type of another kind", func(a *snapshot.ADRecipient, m *snapshot.Mailbox) { m.RecipientTypeDetails = "SharedMailbox" },
			[]snapshot.AttributeDrift{{Attribute: "RecipientTypeDetails", ADName: "msExchRecipientTypeDetails", AD: "RemoteUserMailbox", EXO: "SharedMailbox"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, m := base()
			tt.mutate(a, m)
			got := snapshot.Drift(a, m)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("drift = %#v\nwant    %#v", got, tt.want)
			}
		})
	}
	if d := snapshot.Drift(nil, &snapshot.Mailbox{}); d != nil {
		t.Errorf("drift without an AD side = %v, want nil", d)
	}
}

// Joining is deterministic: the input order of either side does not change
// the joined view.
func TestJoinIndependentOfInputOrder(t *testing.T) {
	ad := []snapshot.ADRecipient{adUser("u01"), adUser("u02"), adUser("u03")}
	exo := []snapshot.Mailbox{exoMailbox("u03"), exoMailbox("u01"), exoMailbox("u04")}
	s1 := joinOf(ad, exo)
	s2 := joinOf([]snapshot.ADRecipient{ad[2], ad[0], ad[1]}, []snapshot.Mailbox{exo[1], exo[2], exo[0]})
	s1.CollectedAt, s2.CollectedAt = time.Unix(0, 0).UTC(), time.Unix(0, 0).UTC()
	b1, _ := json.Marshal(s1.Joined)
	b2, _ := json.Marshal(s2.Joined)
	if string(b1) != string(b2) {
		t.Errorf("joined view depends on input order:\n%s\n%s", b1, b2)
	}
}
