package ad

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/exoready/exoready/collector/snapshot"
	"golang.org/x/text/encoding/unicode"
)

func parseAll(t testing.TB, text string) ([]*entry, error) {
	t.Helper()
	var got []*entry
	err := parseLDIF(strings.NewReader(text), "test.ldif", func(e *entry) error {
		got = append(got, e)
		return nil
	})
	return got, err
}

// An ldifde -f export: CRLF, changetype add, folding at 80 columns with a
// leading space, base64 values, no version line.
const ldifdeSample = "dn: CN=Doe\\, Jane,OU=Corp Users,DC=corp,DC=example,DC=test\r\n" +
	"changetype: add\r\n" +
	"objectClass: top\r\n" +
	"objectClass: user\r\n" +
	"displayName:: SsO8cmdlbiBNw7xsbGVy\r\n" +
	"extensionAttribute2: a long value that ldifde folds because it is longer than e\r\n" +
	" ighty columns\r\n" +
	"objectGUID:: NXm3rb9H6kSSb3dU+9Zr7A==\r\n" +
	"\r\n" +
	"dn: CN=Second,DC=corp,DC=example,DC=test\r\n" +
	"changetype: add\r\n" +
	"proxyAddresses: SMTP:a@corp.example.test\r\n" +
	"proxyAddresses: smtp:b@corp.example.test\r\n"

// ldapsearch -L (one L) adds the search result as a record.
func TestParseLDIFSearchResultRecord(t *testing.T) {
	got, err := parseAll(t, "dn: CN=a\nmail: x\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 2\n")
	if err != nil || len(got) != 1 {
		t.Fatalf("got %d entries, %v", len(got), err)
	}
}

// An ldapsearch -LLL export: version line, comments (also folded), a base64
// DN, a search reference record, no trailing blank line.
const ldapsearchSample = "version: 1\n\n" +
	"# a comment that is\n  folded\n" +
	"dn:: Q049SsO8cmdlbixEQz1jb3Jw\n" +
	"department:: ICBFaW5rYXVmIA==\n" +
	"mail:  two-blanks@corp.example.test\n" +
	"\n" +
	"ref: ldap://corp.example.test/CN=Configuration,DC=corp,DC=example,DC=test\n" +
	"\n" +
	"dn: CN=Last,DC=corp\n" +
	"member;range=0-1: CN=a\n" +
	"member;range=0-1: CN=b"

func TestParseLDIFFormats(t *testing.T) {
	got, err := parseAll(t, ldifdeSample)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].dn != `CN=Doe\, Jane,OU=Corp Users,DC=corp,DC=example,DC=test` {
		t.Fatalf("entries: %+v", got)
	}
	if got[0].str("displayName") != "Jürgen Müller" || got[0].str("extensionAttribute2") != "a long value that ldifde folds because it is longer than eighty columns" {
		t.Errorf("values: %q %q", got[0].str("displayName"), got[0].str("extensionAttribute2"))
	}
	if g, _ := formatGUID(got[0].values("objectGUID")[0]); g != "adb77935-47bf-44ea-926f-7754fbd66bec" {
		t.Errorf("objectGUID %q", g)
	}
	if got[0].has("changetype") || !slices.Equal(got[1].strs("proxyAddresses"), []string{"SMTP:a@corp.example.test", "smtp:b@corp.example.test"}) {
		t.Errorf("second entry: %v", got[1].attrs)
	}

	got, err = parseAll(t, ldapsearchSample)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].dn != "CN=Jürgen,DC=corp" || got[1].dn != "CN=Last,DC=corp" {
		t.Fatalf("entries: %v", got)
	}
	if got[0].str("department") != "  Einkauf " || got[0].str("mail") != "two-blanks@corp.example.test" {
		t.Errorf("department %q mail %q", got[0].str("department"), got[0].str("mail"))
	}
	if len(got[1].values("member;range=0-1")) != 2 {
		t.Errorf("ranged attribute: %v", got[1].attrs)
	}
}

func TestParseLDIFUTF16(t *testing.T) {
	// ldifde -u writes UTF-16LE with a byte order mark.
	u := utf16.Encode([]rune("\ufeffdn: CN=Zoë,DC=corp\r\nmail: zoe@corp.example.test\r\n"))
	var b bytes.Buffer
	for _, c := range u {
		b.WriteByte(byte(c))
		b.WriteByte(byte(c >> 8))
	}
	var got []*entry
	if err := parseLDIF(&b, "u.ldf", func(e *entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].dn != "CN=Zoë,DC=corp" || got[0].str("mail") != "zoe@corp.example.test" {
		t.Fatalf("got %+v", got)
	}
}

// UTF-8 with a byte order mark, and bytes that are not UTF-8: each bad
// sequence becomes U+FFFD, as decoding the whole stream makes it, also at
// the end of a line and of the file.
func TestParseLDIFUTF8(t *testing.T) {
	text := "\xef\xbb\xbfdn: CN=Zo\xc3\xab \xff\xe2\x82,DC=corp\nmail: a\xe2\x82\n z\xf0\x9f\n\ndn: CN=b\ndisplayName: x\xc3"
	want, err := unicode.UTF8.NewDecoder().String(text[3:])
	if err != nil {
		t.Fatal(err)
	}
	var dns, mails []string
	for _, reuse := range []bool{false, true} {
		err := readLDIF(strings.NewReader(text), "u8.ldif", reuse, func(e *entry) error {
			dns = append(dns, e.dn)
			mails = append(mails, e.str("mail")+"|"+e.str("displayName"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wantDN := strings.TrimPrefix(strings.Split(want, "\n")[0], "dn: ")
	if dns[0] != wantDN || dns[0] != "CN=Zoë \ufffd\ufffd,DC=corp" || dns[2] != dns[0] {
		t.Errorf("dn %q, want %q", dns[0], wantDN)
	}
	if mails[0] != "a\ufffdz\ufffd|" || mails[1] != "|x\ufffd" || mails[3] != mails[1] {
		t.Errorf("values %q", mails)
	}
}

func TestParseLDIFErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"broken line", "dn: CN=a\nmail: x@y\nthis line lost its colon\n", "test.ldif:3: "},
		{"continuation after blank", "dn: CN=a\n\n continued\n", "test.ldif:3: line starts with a space"},
		{"bad base64", "dn: CN=a\nobjectGUID:: !!!\n", "test.ldif:2: attribute objectGUID: the base64 value"},
		{"change file", "dn: CN=a\nchangetype: modify\nreplace: mail\n", "test.ldif:2: changetype \"modify\""},
		{"no dn", "mail: x@y\n", "test.ldif:1: a record must start with \"dn:\""},
		{"url value", "dn: CN=a\njpegPhoto:< file:///x\n", "test.ldif:2: attribute jpegPhoto: values by URL"},
		{"bad attribute", "dn: CN=a\nma il: x\n", "test.ldif:2: \"ma il\" is not an attribute name"},
		{"search cut short", "dn: CN=a\nmail: x\n\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n", "test.ldif:6: the export ends with LDAP result \"4 Size limit exceeded\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseAll(t, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadInput) {
				t.Fatalf("want an ErrBadInput containing %q, got %v", tc.want, err)
			}
		})
	}
}

// A small forest in LDIF: both partitions, every kind of object the
// builder classifies, and objects it must skip.
const forestLDIF = `dn: DC=corp,DC=example,DC=test
objectClass: top
objectClass: domain
objectClass: domainDNS

dn: CN=Alice,OU=Users,DC=corp,DC=example,DC=test
objectClass: user
objectGUID:: NXm3rb9H6kSSb3dU+9Zr7A==
sAMAccountName: alice
userAccountControl: 512
msExchRecipientTypeDetails: 2147483648
msExchRemoteRecipientType: 100
msDS-ExternalDirectoryObjectId: User_0b8c2d4e-1f3a-4b5c-9d6e-7f8091a2b3c4
proxyAddresses: smtp:alice@corp.mail.onmicrosoft.com
proxyAddresses: SMTP:alice@corp.example.test
extensionAttribute7: seven
msExchExtensionCustomAttribute2: x
msExchExtensionCustomAttribute2: w
whenChanged: 20260101120000.0Z

dn: CN=Plain,OU=Users,DC=corp,DC=example,DC=test
objectClass: user
sAMAccountName: plain
mail: plain@corp.example.test

dn: CN=PC1,OU=Users,DC=corp,DC=example,DC=test
objectClass: user
objectClass: computer
mailNickname: pc1

dn: CN=Partner,OU=Contacts,DC=corp,DC=example,DC=test
objectClass: contact
targetAddress: SMTP:p@partner.example

dn: CN=Big DL,OU=Groups,DC=corp,DC=example,DC=test
objectClass: group
mailNickname: bigdl
groupType: 8
member;range=0-1: CN=Alice,OU=Users,DC=corp,DC=example,DC=test
member;range=0-1: CN=Partner,OU=Contacts,DC=corp,DC=example,DC=test

dn: CN=Organization Management,OU=Microsoft Exchange Security Groups,DC=corp,DC=example,DC=test
objectClass: group
groupType: -2147483640
member: CN=Alice,OU=Users,DC=corp,DC=example,DC=test

dn: CN=ms-Exch-SMTP-Accept-Any-Recipient,CN=Extended-Rights,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: controlAccessRight
rightsGuid: 4A2C8F1E-5B7D-4C3A-9E6F-1D2B3C4D5E6F

dn: CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchOrganizationContainer
objectVersion: 16763

dn: CN=EX01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchExchangeServer
serialNumber: Version 15.2 (Build 1544.4)
msExchCurrentServerRoles: 38

dn: CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchSmtpReceiveConnector
msExchSmtpReceiveRemoteIPRanges: 10.0.0.1
nTSecurityDescriptor:: %s

dn: CN=NoACL,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchSmtpReceiveConnector
msExchSmtpReceiveEnabled: FALSE

dn: CN=corp.example.test,CN=Accepted Domains,CN=Transport Settings,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=test
objectClass: msExchAcceptedDomain
msExchAcceptedDomainName: corp.example.test
msExchAcceptedDomainFlags: 6
`

func writeForest(t *testing.T) string {
	t.Helper()
	sd := base64.StdEncoding.EncodeToString(sdBytes(true, []testACE{{typ: aceAccessAllowedObject, mask: 0x100, obj: relayGUID, sid: "S-1-5-7"}}))
	p := filepath.Join(t.TempDir(), "forest.ldif")
	if err := os.WriteFile(p, []byte(fmt.Sprintf(forestLDIF, sd)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLDIF(t *testing.T) {
	p := writeForest(t)
	ad, st, err := ReadLDIF(context.Background(), []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Method != "ldif" || st.Origin != p || len(st.Files) != 1 || len(st.Files[0].SHA256) != 64 || st.Files[0].Bytes == 0 {
		t.Errorf("status: %+v", st)
	}
	if ad.Forest != "corp.example.test" || ad.DomainDN != "DC=corp,DC=example,DC=test" || ad.ConfigDN != "CN=Configuration,DC=corp,DC=example,DC=test" {
		t.Errorf("naming contexts %q %q %q", ad.Forest, ad.DomainDN, ad.ConfigDN)
	}
	if len(ad.Users) != 1 || len(ad.Contacts) != 1 || len(ad.Groups) != 1 || len(ad.SecurityGroups) != 1 {
		t.Fatalf("users %d contacts %d groups %d sgs %d", len(ad.Users), len(ad.Contacts), len(ad.Groups), len(ad.SecurityGroups))
	}
	u := ad.Users[0]
	if u.ObjectGUID != "adb77935-47bf-44ea-926f-7754fbd66bec" || u.ExternalDirectoryObjectID != "0b8c2d4e-1f3a-4b5c-9d6e-7f8091a2b3c4" ||
		u.RecipientTypeDetails != "RemoteUserMailbox" || strings.Join(u.RemoteRecipientType, ",") != "Migrated,SharedMailbox" ||
		u.CustomAttributes["CustomAttribute7"] != "seven" || strings.Join(u.ExtensionCustomAttributes["ExtensionCustomAttribute2"], ",") != "w,x" ||
		!u.Enabled || u.WhenChanged == nil || u.ProxyAddresses[0] != "SMTP:alice@corp.example.test" {
		t.Errorf("alice: %+v", u)
	}
	if len(ad.Groups[0].Members) != 2 {
		t.Errorf("group members %v", ad.Groups[0].Members)
	}
	ex := ad.Exchange
	if ex == nil || ex.Name != "Org" || len(ex.Servers) != 1 || ex.Servers[0].Version != "15.2.1544.4" ||
		strings.Join(ex.Servers[0].RoleNames, ",") != "ClientAccess,HubTransport,Mailbox" {
		t.Fatalf("exchange: %+v", ex)
	}
	if d := ex.AcceptedDomains[0]; d.DomainType != "InternalRelay" || !d.Default {
		t.Errorf("accepted domain %+v", d)
	}
	var relay, noACL = ex.ReceiveConnectors[1], ex.ReceiveConnectors[0]
	if relay.Name != "Relay" || relay.AnonymousRelay == nil || !*relay.AnonymousRelay || relay.Server != "EX01" {
		t.Errorf("relay connector %+v", relay)
	}
	if noACL.AnonymousRelay != nil || noACL.Enabled || !strings.Contains(noACL.ACLError, "nTSecurityDescriptor") {
		t.Errorf("connector without ACL %+v", noACL)
	}
	// The cut member list and the unreadable ACL make the status incomplete, naming their paths.
	paths := map[string]string{}
	for _, e := range st.Errors {
		paths[e.Path] = e.Message
	}
	if st.Complete || !strings.Contains(paths[pathGroups], "CN=Big DL") || !strings.Contains(paths[pathReceiveConnectors], "NoACL") || len(paths) != 2 {
		t.Errorf("errors: %+v", st.Errors)
	}
}

func TestReadLDIFFaults(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	broken := write("broken.ldif", "dn: CN=a,DC=corp\nmail: a@b\nbroken\n")
	if _, _, err := ReadLDIF(context.Background(), []string{broken}, Options{}); err == nil || !strings.Contains(err.Error(), "broken.ldif:3:") {
		t.Errorf("broken line: %v", err)
	}
	if _, _, err := ReadLDIF(context.Background(), []string{filepath.Join(dir, "missing.ldif")}, Options{}); !errors.Is(err, ErrBadInput) {
		t.Errorf("missing file: %v", err)
	}
	configOnly := write("config.ldif", "dn: CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp\nobjectClass: msExchOrganizationContainer\n")
	ad, st, err := ReadLDIF(context.Background(), []string{configOnly}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Complete || ad.Users != nil || ad.Exchange == nil || !hasPath(st.Errors, pathUsers) {
		t.Errorf("config only: users %v exchange %v errors %+v", ad.Users, ad.Exchange, st.Errors)
	}
	twoForests := write("two.ldif", "dn: CN=X,CN=Configuration,DC=a\n\ndn: CN=Y,CN=Configuration,DC=b\n")
	if _, _, err := ReadLDIF(context.Background(), []string{twoForests}, Options{}); err == nil || !strings.Contains(err.Error(), "two forests") {
		t.Errorf("two forests: %v", err)
	}
}

func hasPath(errs []snapshot.SourceError, p string) bool {
	for _, e := range errs {
		if e.Path == p {
			return true
		}
	}
	return false
}

func FuzzParseLDIF(f *testing.F) {
	f.Add([]byte(ldifdeSample))
	f.Add([]byte(ldapsearchSample))
	f.Add([]byte("dn: CN=a\n member;range=0-*: x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// ReadLDIF's reused entry must give what fresh entries give.
		var fresh []*entry
		errFresh := parseLDIF(bytes.NewReader(b), "fuzz.ldif", func(e *entry) error {
			fresh = append(fresh, e)
			return nil
		})
		n := 0
		errReused := readLDIF(bytes.NewReader(b), "fuzz.ldif", true, func(e *entry) error {
			if n >= len(fresh) || !sameEntry(e, fresh[n]) {
				t.Fatalf("entry %d differs when reused", n)
			}
			n++
			_, _ = e.foldRanges()
			return nil
		})
		if fmt.Sprint(errFresh) != fmt.Sprint(errReused) || n != len(fresh) {
			t.Fatalf("fresh: %d entries, %v; reused: %d, %v", len(fresh), errFresh, n, errReused)
		}
	})
}

// benchLDIF is an ldapsearch-style export of n remote mailboxes.
func benchLDIF(n int) []byte {
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&buf, "dn: CN=Bulk User %04d,OU=Remote Mailboxes,DC=corp,DC=example,DC=test\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"+
			"objectGUID:: NXm3rb9H6kSSb3dU+9Zr7A==\nsAMAccountName: bulk%04d\nuserPrincipalName: bulk%04d@corp.example.test\n"+
			"proxyAddresses: SMTP:bulk%04d@corp.example.test\nproxyAddresses: smtp:bulk%04d@corp.mail.onmicrosoft.com\n"+
			"targetAddress: SMTP:bulk%04d@corp.mail.onmicrosoft.com\nmsExchRecipientTypeDetails: 2147483648\nmsExchRemoteRecipientType: 4\n"+
			"extensionAttribute2: a long value that ldapsearch folds over several lines because it is longer than seve\n nty-six characters\n"+
			"whenChanged: 20261121062131.0Z\n\n", i, i, i, i, i, i)
	}
	return buf.Bytes()
}

// BenchmarkLDIFParse parses an ldapsearch-style export of 5,000 remote
// mailboxes as ReadLDIF does (one reused entry) and reports entries per
// second.
func BenchmarkLDIFParse(b *testing.B) {
	const n = 5000
	data := benchLDIF(n)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		count := 0
		if err := readLDIF(bytes.NewReader(data), "bench.ldif", true, func(*entry) error { count++; return nil }); err != nil || count != n {
			b.Fatalf("%d entries, %v", count, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkLDIFRead reads the same export with ReadLDIF: parsing, hashing
// and converting to the AD section.
func BenchmarkLDIFRead(b *testing.B) {
	const n = 5000
	data := benchLDIF(n)
	p := filepath.Join(b.TempDir(), "bench.ldif")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ad, _, err := ReadLDIF(context.Background(), []string{p}, Options{})
		if err != nil || len(ad.Users) != n {
			b.Fatalf("%v", err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// Objects that make the builder's choices depend on the domain DN, which
// an export names only by its entries: a security group that is not
// mail-enabled (with a bad value), one under a look-alike OU elsewhere,
// users of a child domain and of another tree, a bad value on an object
// outside the domain.
const orderLDIF = `dn: CN=Recipient Management,OU=Microsoft Exchange Security Groups,DC=corp,DC=example,DC=test
objectClass: group
groupType: x

dn: CN=Look Alike,OU=Microsoft Exchange Security Groups,OU=Old,DC=corp,DC=example,DC=test
objectClass: group
groupType: 8

dn: CN=Look Alike Mail,OU=Microsoft Exchange Security Groups,OU=Old,DC=corp,DC=example,DC=test
objectClass: group
mailNickname: la
whenChanged: yesterday

dn: DC=child,DC=corp,DC=example,DC=test
objectClass: domainDNS

dn: CN=Carol,DC=child,DC=corp,DC=example,DC=test
objectClass: user
mailNickname: carol
memberOf: CN=Big DL,OU=Groups,DC=corp,DC=example,DC=test

dn: CN=Dave,OU=Users,DC=other,DC=test
objectClass: user
mailNickname: dave
userAccountControl: many
`

// The AD section and the errors do not depend on the order of the records
// nor on how they are split into files.
func TestReadLDIFOrder(t *testing.T) {
	text, err := os.ReadFile(writeForest(t))
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, r := range strings.Split(strings.TrimSpace(string(text))+"\n\n"+orderLDIF, "\n\n") {
		if r = strings.TrimSpace(r); r != "" {
			records = append(records, r+"\n")
		}
	}
	dir := t.TempDir()
	read := func(name string, order []string, files int) (*snapshot.AD, []snapshot.SourceError) {
		t.Helper()
		var paths []string
		per := (len(order) + files - 1) / files
		for i := 0; i < len(order); i += per {
			p := filepath.Join(dir, fmt.Sprintf("%s-%d.ldif", name, i))
			if err := os.WriteFile(p, []byte(strings.Join(order[i:min(i+per, len(order))], "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		ad, st, err := ReadLDIF(context.Background(), paths, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ad, st.Errors
	}
	wantAD, wantErrs := read("base", records, 1)
	if len(wantAD.Users) != 2 || len(wantAD.SecurityGroups) != 2 || len(wantAD.Groups) != 2 || wantAD.DomainDN != "DC=corp,DC=example,DC=test" {
		t.Fatalf("users %d, security groups %d, groups %d, domain %q", len(wantAD.Users), len(wantAD.SecurityGroups), len(wantAD.Groups), wantAD.DomainDN)
	}
	var msgs []string
	for _, e := range wantErrs {
		msgs = append(msgs, e.Path+": "+e.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "ad.security_groups: bad attribute values (fix them in AD or in the export): CN=Recipient Management") ||
		!strings.Contains(all, "ad.groups: bad attribute values (fix them in AD or in the export): CN=Look Alike Mail") || strings.Contains(all, "Dave") {
		t.Errorf("errors:\n%s", all)
	}
	reversed := slices.Clone(records)
	slices.Reverse(reversed)
	rotated := append(slices.Clone(records[len(records)/2:]), records[:len(records)/2]...)
	for name, order := range map[string][]string{"reversed": reversed, "rotated": rotated} {
		for _, files := range []int{1, 3} {
			ad, errs := read(fmt.Sprintf("%s%d", name, files), order, files)
			if !reflect.DeepEqual(ad, wantAD) || !reflect.DeepEqual(errs, wantErrs) {
				t.Errorf("%s in %d files: the result differs", name, files)
			}
		}
	}
}
