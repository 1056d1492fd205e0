package main

import (
	"path/filepath"
	"testing"
)

// exoFixture is the Windows PowerShell 5.1 export of the fixture tenant.
var exoFixture = filepath.Join("..", "..", "fixtures", "exo", "ps51")

func TestScanEXOFromExport(t *testing.T) {
	out := t.TempDir()
	factsFile := writeFile(t, "facts.yaml", "entra_connect:\n  version: 2.5.190.0\n  sync_interval_minutes: 30\n")
	code, _, stderr := run(t, "scan", "--exo-export", exoFixture, "--facts", factsFile, "--out", out, "--log-format", "json")
	if code != exitPartial { // AD was not given: its rules are not assessed
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitPartial, stderr)
	}
	type status struct {
		Complete bool   `json:"complete"`
		Method   string `json:"method"`
		Files    []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	var snap struct {
		Sources struct {
			EXO, Entra, Facts status
		} `json:"sources"`
		EXO struct {
			TenantID  string `json:"tenant_id"`
			Mailboxes []struct {
				RecipientTypeDetails string `json:"recipient_type_details"`
			} `json:"mailboxes"`
		} `json:"exo"`
		Facts struct {
			EntraConnect struct {
				Version string `json:"version"`
			} `json:"entra_connect"`
		} `json:"facts"`
	}
	readJSON(t, filepath.Join(out, "snapshot.json"), &snap)
	s := snap.Sources
	if !s.EXO.Complete || s.EXO.Method != "export" || len(s.EXO.Files) != 14 || !s.Entra.Complete || len(s.Entra.Files) != 4 ||
		!s.Facts.Complete || s.Facts.Method != "file" {
		t.Errorf("sources: %+v", s)
	}
	if len(snap.EXO.Mailboxes) != 6 || snap.EXO.Mailboxes[3].RecipientTypeDetails != "RoomMailbox" ||
		snap.EXO.TenantID != "7d1c9a3e-52b4-4f0e-9a61-2c8e5b0f4d17" || snap.Facts.EntraConnect.Version != "2.5.190.0" {
		t.Errorf("snapshot: %+v", snap)
	}
}

func TestScanEXOErrors(t *testing.T) {
	empty := t.TempDir()
	badFacts := writeFile(t, "facts.yaml", "entra_connect:\n  versoin: 2.5.190.0\n")
	cases := []scanCase{
		{"both sources", nil, []string{"--exo-export", exoFixture, "--exo-tenant", "contoso.onmicrosoft.com"}, exitUsage, "not both"},
		{"no Get-Mailbox", nil, []string{"--exo-export", empty}, exitUsage, "Get-Mailbox.json missing in " + empty},
		{"bad facts", nil, []string{"--exo-export", exoFixture, "--facts", badFacts}, exitUsage, "line 2: field versoin not found"},
		{"live without certificate", map[string]string{"EXOREADY_CERT_PASSWORD": "secret-not-logged"},
			[]string{"--exo-tenant", "contoso.onmicrosoft.com", "--client-id", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, exitUsage, "--cert-file"},
		{"live over plain http", nil, []string{"--exo-tenant", "contoso.onmicrosoft.com", "--client-id", "x", "--cert-file", "x.pem",
			"--exo-base-url", "http://127.0.0.1:1"}, exitUsage, "must be an https URL"},
	}
	runScanCases(t, cases)
}
