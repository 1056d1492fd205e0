package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/fixtures"
)

// systemRecipientTypes are Exchange's own mailboxes: their names are product
// names ("Microsoft Exchange"), not people's (report/redact.go keeps them).
var systemRecipientTypes = map[string]bool{
	"ArbitrationMailbox": true, "DiscoveryMailbox": true, "MonitoringMailbox": true, "AuditLogMailbox": true,
	"AuxAuditLogMailbox": true, "SystemMailbox": true, "PublicFolderMailbox": true,
}

// tenantPersonalStrings walks a snapshot for every display name, alias,
// account name, UPN, address and DN of a person or recipient (Exchange's
// system mailboxes excepted). Address prefixes (SMTP:, X500:) are dropped.
func tenantPersonalStrings(t *testing.T, data []byte) (strs []string, departments map[string]bool) {
	t.Helper()
	s, err := snapshot.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	departments = map[string]bool{}
	add := func(vs ...string) {
		for _, v := range vs {
			if i := strings.IndexByte(v, ':'); i > 0 && i <= 5 && !strings.Contains(v[:i], "=") {
				v = v[i+1:] // SMTP:, smtp:, X500:, SPO:, SIP:
			}
			if v = strings.TrimSpace(v); len(v) >= 3 {
				set[v] = true
			}
		}
	}
	if s.AD != nil {
		for _, list := range [][]snapshot.ADRecipient{s.AD.Users, s.AD.Contacts} {
			for _, u := range list {
				departments[strings.ToLower(u.Department)] = true
				if systemRecipientTypes[u.RecipientTypeDetails] {
					continue
				}
				add(u.DN, u.SAMAccountName, u.UserPrincipalName, u.DisplayName, u.Mail, u.MailNickname, u.TargetAddress)
				add(u.ProxyAddresses...)
			}
		}
		for _, g := range s.AD.Groups {
			add(g.DN, g.SAMAccountName, g.DisplayName, g.Mail, g.MailNickname)
			add(g.ProxyAddresses...)
		}
	}
	if s.EXO != nil {
		for _, m := range s.EXO.Mailboxes {
			if systemRecipientTypes[m.RecipientTypeDetails] {
				continue
			}
			add(m.Identity, m.Name, m.DisplayName, m.Alias, m.UserPrincipalName, m.PrimarySMTPAddress, m.WindowsEmailAddress)
			add(m.EmailAddresses...)
		}
		for _, r := range s.EXO.Recipients {
			add(r.Identity, r.Name, r.DisplayName, r.Alias, r.PrimarySMTPAddress)
			add(r.EmailAddresses...)
		}
		for _, m := range s.EXO.MoveRequests {
			add(m.Identity, m.DisplayName, m.Alias)
		}
		for _, a := range s.EXO.RoleAssignments {
			if a.RoleAssigneeType == "User" {
				add(a.RoleAssigneeName)
			}
			add(a.EffectiveUserName)
		}
	}
	if s.Entra != nil {
		for _, a := range s.Entra.RoleAssignments {
			add(a.PrincipalDisplayName, a.PrincipalUPN)
		}
	}
	for _, j := range s.Joined {
		add(j.DisplayName)
	}
	for v := range set {
		strs = append(strs, v)
	}
	sort.Strings(strs)
	return strs, departments
}

var (
	configDN = regexp.MustCompile(`(?i)\b(?:cn|ou)=[^\n"]*?,cn=configuration,dc=[a-z0-9-]+(?:,dc=[a-z0-9-]+)*`)
	ouPart   = regexp.MustCompile(`(?i)\bou=[^,\n]+`)
	nonWord  = regexp.MustCompile(`[^\pL\pN]+`)
)

// leaks returns the personal strings found in text. Configuration-partition
// DNs and OU names are kept by design and removed first. A one-word value
// ("sales", an alias) counts as a whole word only, and not when it is also
// a word of the rule catalog (vocabulary) or a department (kept: not a
// name).
func leaks(text string, personal []string, vocabulary, departments map[string]bool) []string {
	text = strings.ToLower(ouPart.ReplaceAllString(configDN.ReplaceAllString(text, ""), ""))
	words := map[string]bool{}
	for _, w := range nonWord.Split(text, -1) {
		words[w] = true
	}
	var out []string
	for _, p := range personal {
		l := strings.ToLower(p)
		if nonWord.MatchString(l) {
			if strings.Contains(text, l) {
				out = append(out, p)
			}
			continue
		}
		if words[l] && !vocabulary[l] && !departments[l] {
			out = append(out, p)
		}
	}
	return out
}

// reportText is every string a report file shows: JSON strings, CSV cells,
// workbook cells, or the Markdown text.
func reportText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	switch filepath.Ext(path) {
	case ".json", ".sarif":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				b.WriteString(x + "\n")
			case []any:
				for _, c := range x {
					walk(c)
				}
			case map[string]any:
				for _, c := range x {
					walk(c)
				}
			}
		}
		walk(v)
	case ".csv":
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, r := range recs {
			b.WriteString(strings.Join(r, "\n") + "\n")
		}
	case ".xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				b.WriteString(strings.Join(r, "\n") + "\n")
			}
		}
	default:
		b.Write(data)
	}
	return b.String()
}

// catalogVocabulary is the words of the rule catalog of a report.
func catalogVocabulary(rep *evaluate.Report) map[string]bool {
	v := map[string]bool{}
	for _, s := range evaluate.Severities {
		v[s] = true
	}
	for _, r := range rep.Rules {
		for _, w := range nonWord.Split(strings.ToLower(r.Title+" "+r.Description+" "+r.Remediation+" "+r.Category), -1) {
			v[w] = true
		}
	}
	return v
}

func TestRedactedDemoLeaksNoName(t *testing.T) {
	personal, departments := tenantPersonalStrings(t, fixtures.DemoSnapshot())
	if len(personal) < 300 {
		t.Fatalf("only %d personal strings in the demo tenant: the walk misses sections", len(personal))
	}
	formats := "json,xlsx,csv,markdown,sarif"
	plain := t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--out", plain, "--format", formats, "--fail-on", "none"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Setenv(redactKeyEnv, "demo-redaction-key-0123456789")
	red := t.TempDir()
	if code, _, stderr := run(t, "scan", "--demo", "--redact", "--out", red, "--format", formats, "--fail-on", "none"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep, err := evaluate.ReadReportFile(filepath.Join(red, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := evaluate.ReadReportFile(filepath.Join(plain, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	vocab := catalogVocabulary(rep)
	for _, name := range []string{"findings.json", "report.xlsx", "findings.csv", "summary.md", "findings.sarif"} {
		// The check can fail: the same files unredacted hold hundreds.
		if n := len(leaks(reportText(t, filepath.Join(plain, name)), personal, vocab, departments)); name != "summary.md" && n < 100 {
			t.Errorf("unredacted %s: only %d personal strings found, the check is blind", name, n)
		}
		if l := leaks(reportText(t, filepath.Join(red, name)), personal, vocab, departments); len(l) > 0 {
			t.Errorf("redacted %s still holds %d personal strings: %q", name, len(l), l)
		}
	}
	// Redacted, but still the same assessment, and rows still correlate.
	if !rep.Redacted || orig.Redacted || len(rep.Findings) != len(orig.Findings) ||
		rep.Summary.Verdicts.Decommission.Text != orig.Summary.Verdicts.Decommission.Text || len(rep.Inventory.Mailboxes) != len(orig.Inventory.Mailboxes) {
		t.Fatalf("redacted report differs in substance: redacted=%t findings %d/%d", rep.Redacted, len(rep.Findings), len(orig.Findings))
	}
	byName := map[string]string{}
	for _, m := range rep.Inventory.Mailboxes {
		byName[m.ID] = m.DisplayName
	}
	for _, f := range rep.Findings {
		if want, ok := byName[f.Object.ID]; ok && f.Object.Type == "mailbox" && f.Object.DisplayName != want {
			t.Fatalf("mailbox %s is %q in the inventory but %q in %s", f.Object.ID, want, f.Object.DisplayName, f.RuleID)
		}
	}
	for name, note := range map[string]string{"summary.md": "| Redacted | yes: ", "findings.csv": ",true\r\n", "findings.sarif": `"redacted": true`} {
		if data, _ := os.ReadFile(filepath.Join(red, name)); !bytes.Contains(data, []byte(note)) {
			t.Errorf("%s does not say it is redacted (%q)", name, note)
		}
	}
	if !strings.Contains(reportText(t, filepath.Join(red, "report.xlsx")), "yes: names, addresses") {
		t.Error("report.xlsx does not say it is redacted")
	}
	// The key stays with the operator: not in any file written.
	filepath.Walk(red, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte("demo-redaction-key-0123456789")) {
				t.Errorf("%s holds the redaction key", p)
			}
		}
		return nil
	})

	// report --redact of the plain findings gives the same file; a short
	// key and a key file without --redact are usage errors.
	again := t.TempDir()
	if code, _, stderr := run(t, "report", filepath.Join(plain, "findings.json"), "--redact", "--format", "json", "--out", again); code != exitOK {
		t.Fatalf("report --redact: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(red, "findings.json"))
	b, _ := os.ReadFile(filepath.Join(again, "findings.json"))
	if !bytes.Equal(a, b) {
		t.Error("report --redact with the same key differs from scan --redact")
	}
	t.Setenv(redactKeyEnv, "short")
	if code, _, stderr := run(t, "scan", "--demo", "--redact", "--out", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "at least 16") {
		t.Errorf("short key: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--redact-key-file", "k", "--out", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "without --redact") {
		t.Errorf("key file without --redact: exit %d: %s", code, stderr)
	}
}
