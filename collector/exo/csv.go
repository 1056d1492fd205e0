package exo

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Get-Mailbox.csv is accepted when every multi-valued column was joined with
// CSVSeparator and dates were written as ISO 8601. These lists build the
// exact Export-Csv command exoready recommends; they name every Get-Mailbox
// property the normaliser reads.
var (
	csvMailboxText = []string{
		"Guid", "ExternalDirectoryObjectId", "ExchangeGuid", "ImmutableId", "Identity", "Name", "DisplayName",
		"Alias", "UserPrincipalName", "PrimarySmtpAddress", "WindowsEmailAddress", "RecipientTypeDetails",
		"IsDirSynced", "IsExchangeCloudManaged", "HiddenFromAddressListsEnabled",
		"MailboxMoveFlags", "MailboxMoveRemoteHostName", "MailboxMoveStatus", "ArchiveStatus",
	}
	csvMailboxMulti = []string{"EmailAddresses", "ExtensionCustomAttribute1", "ExtensionCustomAttribute2",
		"ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5"}
	csvMailboxDates = []string{"WhenChangedUTC", "WhenCreatedUTC"}
)

// csvExportCommand is the PowerShell that writes a Get-Mailbox.csv exoready reads.
func csvExportCommand() string {
	var cols []string
	for _, c := range csvMailboxText {
		cols = append(cols, "'"+c+"'")
	}
	for n := 1; n <= 15; n++ {
		cols = append(cols, fmt.Sprintf("'CustomAttribute%d'", n))
	}
	for _, m := range csvMailboxMulti {
		cols = append(cols, fmt.Sprintf("@{n='%s';e={$_.%s -join '%s'}}", m, m, CSVSeparator))
	}
	for _, d := range csvMailboxDates {
		cols = append(cols, fmt.Sprintf("@{n='%s';e={if ($_.%s) { $_.%s.ToUniversalTime().ToString('o') }}}", d, d, d))
	}
	return "Get-Mailbox -ResultSize Unlimited | Select-Object " + strings.Join(cols, ",") +
		" | Export-Csv -NoTypeInformation -Encoding UTF8 -Path Get-Mailbox.csv"
}

// csvHint tells how to export Get-Mailbox without losing values.
var csvHint = "export JSON instead (preferred): `Get-Mailbox -ResultSize Unlimited | ConvertTo-Json -Depth 5 | Out-File -Encoding utf8 Get-Mailbox.json`, " +
	"or join the multi-valued columns yourself: `" + csvExportCommand() + "`"

// readCSV streams the rows of an Export-Csv file as objects. A leading
// "#TYPE ..." line (Windows PowerShell without -NoTypeInformation) is skipped.
func readCSV(t *textStream, fn func(*rawObject) error) error {
	br := bufio.NewReader(t)
	skipped := 0
	if head, _ := br.Peek(5); strings.EqualFold(string(head), "#TYPE") {
		if _, err := br.ReadString('\n'); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		skipped = 1
	}
	r := csv.NewReader(br)
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil // an empty export: no mailboxes
	}
	if err != nil {
		return csvError(err, skipped)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := cols[h]; dup {
			return &syntaxError{1 + skipped, fmt.Sprintf("column %q appears twice in the header", h)}
		}
		cols[h] = i + 1
		header[i] = h
	}
	for index := 0; ; index++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(err, skipped)
		}
		line, _ := r.FieldPos(0)
		o := &rawObject{cells: make(map[string]string, len(rec)), cols: cols, index: index, line: line + skipped}
		for i, v := range rec {
			o.cells[header[i]] = v
		}
		if err := fn(o); err != nil {
			return err
		}
	}
}

func csvError(err error, skipped int) error {
	var enc *encodingError
	if errors.As(err, &enc) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &syntaxError{pe.Line + skipped, fmt.Sprintf("character %d: %v (is this an Export-Csv file with a header row?)", pe.Column, pe.Err)}
	}
	return err
}
