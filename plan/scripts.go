package plan

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"text/template"
	"time"
	"unicode"
)

//go:embed scripts.tmpl
var scriptsTemplate string

var scripts = template.Must(template.New("scripts").Funcs(template.FuncMap{
	"q":    psQuote,
	"c":    psComment,
	"ts":   ts,
	"join": strings.Join,
}).Parse(scriptsTemplate))

// Steps of a wave, in the order they run; each is one script.
var waveSteps = []string{"backup", "enable", "verify", "rollback"}

// CompareAttributes are the Exchange attributes verify and rollback compare
// with the backup: those whose source of authority the flag hands over,
// plus the identity and sync markers that must not move.
var CompareAttributes = func() []string {
	a := []string{"DisplayName", "Alias", "PrimarySmtpAddress", "WindowsEmailAddress", "EmailAddresses",
		"HiddenFromAddressListsEnabled", "RecipientTypeDetails"}
	for i := 1; i <= 15; i++ {
		a = append(a, fmt.Sprintf("CustomAttribute%d", i))
	}
	for i := 1; i <= 5; i++ {
		a = append(a, fmt.Sprintf("ExtensionCustomAttribute%d", i))
	}
	return append(a, "ForwardingSmtpAddress", "DeliverToMailboxAndForward", "GrantSendOnBehalfTo",
		"ExternalDirectoryObjectId", "IsDirSynced")
}()

// scriptData is what one wave script is rendered from.
type scriptData struct {
	Plan       *Plan
	Wave       *Wave
	Step       string
	Flips      []Mailbox
	SafeStart  string
	Attributes []string
	RBAC       *RBAC
}

// render builds every script of the plan in memory and records their hashes.
func (p *Plan) render() error {
	p.scripts = map[string][]byte{}
	p.Files = []File{}
	add := func(name string, wave int, step string, data scriptData) error {
		var b bytes.Buffer
		if err := scripts.ExecuteTemplate(&b, step, data); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		out := encodeScript(b.Bytes())
		sum := sha256.Sum256(out)
		p.scripts[name] = out
		p.Files = append(p.Files, File{Path: name, Wave: wave, Step: step, SHA256: hex.EncodeToString(sum[:])})
		return nil
	}
	for i := range p.Waves {
		w := &p.Waves[i]
		if w.Folder == "" {
			continue
		}
		d := scriptData{Plan: p, Wave: w, SafeStart: w.EarliestStart.UTC().Format(time.RFC3339), Attributes: CompareAttributes}
		for _, m := range w.Mailboxes {
			if m.Action == ActionFlip {
				d.Flips = append(d.Flips, m)
			}
		}
		for _, step := range waveSteps {
			d.Step = step
			if err := add(path.Join(w.Folder, step+".ps1"), w.Number, step, d); err != nil {
				return err
			}
		}
	}
	return add(p.RBAC.Script, -1, "rbac", scriptData{Plan: p, RBAC: &p.RBAC})
}

// Script returns the bytes of one script of the plan, by its path in Files.
func (p *Plan) Script(name string) ([]byte, bool) {
	b, ok := p.scripts[name]
	return b, ok
}

// encodeScript writes a script the way Windows PowerShell 5.1 reads it
// right: UTF-8 with a byte order mark (without one it assumes the ANSI code
// page and mangles every accented name) and CRLF line ends.
func encodeScript(lf []byte) []byte {
	body := bytes.ReplaceAll(bytes.ReplaceAll(lf, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	return append([]byte("\ufeff"), body...)
}

// psQuotes are the characters PowerShell accepts as a single quote:
// the apostrophe and the typographic quotes U+2018..U+201B.
const psQuotes = "'\u2018\u2019\u201a\u201b"

// psQuote renders s as a PowerShell single-quoted (verbatim) string. Inside
// one, any of the five single-quote characters ends the string unless it is
// doubled, so each is doubled; nothing else is special (no $ or backtick
// expansion).
func psQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune(psQuotes, r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// psComment makes s safe inside a # comment line: a line break (or any
// other control or separator character) would end the comment and turn
// the rest into code, so each becomes a space.
func psComment(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
