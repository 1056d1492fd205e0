package exo

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestCSVMatchesJSON: Get-Mailbox.csv written the documented way (multi-valued
// columns joined with ";", ISO dates, #TYPE line, UTF-16LE) yields the same
// mailboxes as the JSON export.
func TestCSVMatchesJSON(t *testing.T) {
	want := readExport(t, fixture("ps7")).EXO.Mailboxes
	dir := copyFixture(t, "ps7")
	if err := os.Remove(filepath.Join(dir, "Get-Mailbox.json")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(fixture("csv"), "Get-Mailbox.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "Get-Mailbox.csv", string(data))
	r := readExport(t, dir)
	if !reflect.DeepEqual(r.EXO.Mailboxes, want) {
		t.Errorf("CSV mailboxes differ:\ncsv:  %+v\njson: %+v", r.EXO.Mailboxes, want)
	}
	if r.EXOStatus.Files[3].Path != "Get-Mailbox.csv" {
		t.Errorf("files = %+v", r.EXOStatus.Files)
	}
}

// TestCSVLossyRefused: Export-Csv of raw objects flattens lists into their
// type name; the error names file, line and column and gives the command.
func TestCSVLossyRefused(t *testing.T) {
	dir := copyFixture(t, "ps7")
	if err := os.Remove(filepath.Join(dir, "Get-Mailbox.json")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(fixture("csv"), "lossy", "Get-Mailbox.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "Get-Mailbox.csv", string(data))
	_, err = ReadExport(t.Context(), dir, zerolog.Nop())
	if !errors.Is(err, ErrInput) {
		t.Fatalf("error = %v, want ErrInput", err)
	}
	for _, want := range []string{
		`Get-Mailbox.csv line 4, column 6 ("bjorn"): property EmailAddresses: the cell holds "System.Collections.ArrayList"`,
		`Get-Mailbox.csv line 4, column 7 ("bjorn"): property ExtensionCustomAttribute1: the cell holds "System.Object[]"`,
		"ConvertTo-Json -Depth 5 | Out-File -Encoding utf8 Get-Mailbox.json",
		"@{n='EmailAddresses';e={$_.EmailAddresses -join ';'}}",
		"Export-Csv -NoTypeInformation -Encoding UTF8",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestCSVProblems(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"ragged row", "\"Identity\",\"Alias\"\n\"a\",\"a\"\n\"b\"\n", "line 3: character 1: wrong number of fields"},
		{"duplicate column", "Identity,Alias,Identity\n", `column "Identity" appears twice`},
		{"bad bool", "#TYPE x\nIdentity,IsDirSynced\nalice,Yes\n", `Get-Mailbox.csv line 3, column 2 ("alice"): property IsDirSynced: expected True or False, found "Yes"`},
		{"culture date", "Identity,WhenChangedUTC\nalice,15.07.2026 16:40:06\n", `"15.07.2026 16:40:06" is not a date exoready reads`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, "ps7")
			if err := os.Remove(filepath.Join(dir, "Get-Mailbox.json")); err != nil {
				t.Fatal(err)
			}
			write(t, dir, "Get-Mailbox.csv", tt.content)
			_, err := ReadExport(t.Context(), dir, zerolog.Nop())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCSVAcceptedForms(t *testing.T) {
	dir := copyFixture(t, "ps7")
	if err := os.Remove(filepath.Join(dir, "Get-Mailbox.json")); err != nil {
		t.Fatal(err)
	}
	// No #TYPE line, unquoted, invariant and en-US date forms, numeric type.
	write(t, dir, "Get-Mailbox.csv", "Identity,RecipientTypeDetails,IsDirSynced,WhenChangedUTC,WhenCreatedUTC,EmailAddresses\n"+
		"alice,1,true,07/15/2026 16:40:06,7/1/2026 4:05:06 PM,SMTP:alice@x.example; smtp:a@x.example\n")
	r := readExport(t, dir)
	m := r.EXO.Mailboxes[0]
	if m.RecipientTypeDetails != "UserMailbox" || !m.IsDirSynced ||
		m.WhenChangedUTC.Format("2006-01-02T15:04:05Z07:00") != "2026-07-15T16:40:06Z" ||
		m.WhenCreatedUTC.Format("2006-01-02T15:04:05Z07:00") != "2026-07-01T16:05:06Z" ||
		!reflect.DeepEqual(m.EmailAddresses, []string{"SMTP:alice@x.example", "smtp:a@x.example"}) {
		t.Errorf("mailbox = %+v", m)
	}
}

// TestCSVCommandDocumented keeps docs/exo-collection.md's Export-Csv
// command identical to the one exoready prints.
func TestCSVCommandDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "exo-collection.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), csvExportCommand()) {
		t.Errorf("docs/exo-collection.md lacks the command exoready prints:\n%s", csvExportCommand())
	}
}
