package snapshot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
)

const minimalDoc = `{
  "schema_version": 1,
  "collected_at": "2026-11-20T08:00:00Z",
  "sources": {
    "ad": {"collected": true, "complete": true, "files": [], "errors": []},
    "exo": {"collected": false, "complete": false, "files": null, "errors": null},
    "entra": {"collected": false, "complete": false, "files": null, "errors": null},
    "facts": {"collected": false, "complete": false, "files": null, "errors": null}
  },
  "ad": {"forest": "corp.example.test", "domain_dn": "", "config_dn": "", "users": [], "contacts": [], "groups": [], "security_groups": [], "exchange": null, "duplicate_addresses": []},
  "exo": null,
  "entra": null,
  "facts": null,
  "joined": null
}
`

func TestParseSnapshotAccepts(t *testing.T) {
	s, err := snapshot.ParseSnapshot([]byte(minimalDoc))
	if err != nil {
		t.Fatal(err)
	}
	if s.AD == nil || s.AD.Users == nil || len(s.AD.Users) != 0 || s.EXO != nil || s.Joined != nil {
		t.Errorf("null vs [] not preserved: ad.users %v, exo %v, joined %v", s.AD.Users, s.EXO, s.Joined)
	}
	if err := validate(t, compileSchema(t), []byte(minimalDoc)); err != nil {
		t.Errorf("the hand-written minimal document does not match the schema: %v", err)
	}
}

func TestParseSnapshotErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"malformed JSON", strings.Replace(minimalDoc, `"exo": null,`, `"exo": null`, 1),
			[]string{"line 12, column 3", "invalid character"}},
		{"truncated", minimalDoc[:200], []string{"line "}},
		{"wrong type", strings.Replace(minimalDoc, `"users": []`, `"users": {}`, 1),
			[]string{"line 10, column 84", "ad.users", "expected"}},
		{"column counts characters", strings.Replace(minimalDoc, `"forest": "corp.example.test",`, `"forest": "Zoë", "x": ]`, 1),
			[]string{"line 10, column 32"}}, // 33 if bytes were counted
		{"wrong schema_version", strings.Replace(minimalDoc, `"schema_version": 1`, `"schema_version": 2`, 1),
			[]string{"schema_version 2 is not supported", "version 1"}},
		{"no schema_version", strings.Replace(minimalDoc, `"schema_version": 1,`, ``, 1),
			[]string{"no schema_version"}},
		{"unknown field", strings.Replace(minimalDoc, `"forest":`, `"forrest": "x", "forest":`, 1),
			[]string{`unknown field "forrest"`}},
		{"section present but not collected", strings.Replace(minimalDoc, `"facts": null,`, `"facts": {"entra_connect": null, "cloud_sync": null},`, 1),
			[]string{`section "facts" is present but sources.facts.collected is false`}},
		{"collected_at missing", strings.Replace(minimalDoc, `"collected_at": "2026-11-20T08:00:00Z",`, ``, 1),
			[]string{"collected_at is missing"}},
		{"joined entry without id", strings.Replace(minimalDoc, `"joined": null`, `"joined": [{"id": "", "display_name": "x", "kind": "user", "location": "remote", "join_method": "", "ad": null, "exo": null, "drift": null}]`, 1),
			[]string{"joined[0] has no id"}},
		{"trailing data", minimalDoc + `{}`, []string{"line 16, column 1", "after top-level value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := snapshot.ParseSnapshot([]byte(tt.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, snapshot.ErrSnapshot) {
				t.Errorf("error %v does not wrap ErrSnapshot", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadSnapshotFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte("{\n  \"schema_version\": 1,\n  oops\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := snapshot.ReadSnapshotFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 3, column 3") {
		t.Errorf("error %v must name %s and line 3, column 3", err, path)
	}
}

// A saved snapshot re-encodes to the same bytes: what evaluate hashes and
// what a user re-evaluates later are the same document.
func TestFixturesRoundTrip(t *testing.T) {
	for name, data := range allFixtures(t) {
		s, err := snapshot.ParseSnapshot(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Errorf("%s: parse + marshal changes the bytes", name)
		}
		// The joined view is what Join computes from the sections.
		joined := s.Joined
		snapshot.Join(s)
		rejoined, _ := s.Marshal()
		if !bytes.Equal(rejoined, data) {
			t.Errorf("%s: joined view (%d entries) differs from a fresh join (%d entries)", name, len(joined), len(s.Joined))
		}
	}
}

func TestDemoIsEmbedded(t *testing.T) {
	s, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if s.AD.Forest != "corp.example.test" || !s.Complete() {
		t.Errorf("demo: forest %q, complete %v", s.AD.Forest, s.Complete())
	}
}

// A file is read in one pass: its digest is that of its bytes, and what it
// decodes to is what ParseSnapshot makes of the same bytes.
func TestReadSnapshotFileDigest(t *testing.T) {
	data := fixtures.DemoSnapshot()
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, d, err := snapshot.ReadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if d.SHA256 != hex.EncodeToString(sum[:]) || d.Bytes != int64(len(data)) {
		t.Errorf("digest %+v, want %x and %d bytes", d, sum, len(data))
	}
	again, err := s.Marshal()
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("the file decodes to something else than its bytes (err %v)", err)
	}
}

// The joined view of a loaded snapshot shares the section objects it
// repeats, as a scan's own does: half the memory of a large snapshot.
// A joined mailbox edited by hand keeps its own copy, so what the policies
// see is what the file says.
func TestLoadedJoinedSharesSectionObjects(t *testing.T) {
	s, err := snapshot.ParseSnapshot(fixtures.DemoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	users := map[*snapshot.ADRecipient]bool{}
	for i := range s.AD.Users {
		users[&s.AD.Users[i]] = true
	}
	mailboxes := map[*snapshot.Mailbox]bool{}
	for i := range s.EXO.Mailboxes {
		mailboxes[&s.EXO.Mailboxes[i]] = true
	}
	var withAD, withEXO int
	for _, j := range s.Joined {
		if j.AD != nil {
			withAD++
			if !users[j.AD] {
				t.Errorf("joined %s: its AD object is a copy, not ad.users'", j.ID)
			}
		}
		if j.EXO != nil {
			withEXO++
			if !mailboxes[j.EXO] {
				t.Errorf("joined %s: its EXO object is a copy, not exo.mailboxes'", j.ID)
			}
		}
	}
	if withAD == 0 || withEXO == 0 {
		t.Fatalf("the demo has %d joined mailboxes with AD and %d with EXO objects", withAD, withEXO)
	}

	// Edit the display name of the first joined AD object only.
	edited := s.Joined[0]
	if edited.AD == nil {
		t.Fatal("the first joined mailbox of the demo has no AD object")
	}
	own := *edited.AD
	own.DisplayName = "Edited By Hand"
	s.Joined[0].AD = &own
	doc, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := snapshot.ParseSnapshot(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := loaded.Joined[0].AD.DisplayName; got != "Edited By Hand" {
		t.Errorf("the edited joined object reads %q", got)
	}
	for i := range loaded.AD.Users {
		if loaded.Joined[0].AD == &loaded.AD.Users[i] {
			t.Error("the edited joined object was linked to ad.users: the edit is lost")
		}
	}
}
