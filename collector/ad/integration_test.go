//go:build integration

package ad

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
)

// The test DC comes from scripts/samba-dc.sh start (make test does it).

const (
	testDomainDN = "DC=corp,DC=example,DC=test"
	testConfigDN = "CN=Configuration,DC=corp,DC=example,DC=test"
)

func testOptions(t testing.TB) Options {
	t.Helper()
	u := os.Getenv("EXOREADY_TEST_LDAP_URL")
	if u == "" {
		// In CI the suite must meet the real directory: a skip there would
		// turn "the collector works against AD" into an untested claim.
		if os.Getenv("CI") != "" {
			t.Fatal(`EXOREADY_TEST_LDAP_URL is unset in CI: make test starts the Samba DC (scripts/samba-dc.sh)`)
		}
		t.Skip(`EXOREADY_TEST_LDAP_URL is unset: start the test DC with eval "$(scripts/samba-dc.sh start)"`)
	}
	pw, err := os.ReadFile(os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE"))
	if err != nil {
		t.Fatalf("read EXOREADY_TEST_LDAP_PASSWORD_FILE: %v", err)
	}
	return Options{
		URL: u, StartTLS: true, CAFile: os.Getenv("EXOREADY_TEST_CA_FILE"),
		BindDN: os.Getenv("EXOREADY_TEST_BIND_DN"), Password: strings.TrimSpace(string(pw)),
		PageSize: 25, Timeout: 30 * time.Second, DialTimeout: 5 * time.Second,
	}
}

func collect(t *testing.T, o Options) (*snapshot.AD, snapshot.SourceStatus) {
	t.Helper()
	ad, st, err := Collect(t.Context(), o)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return ad, st
}

func findUser(ad *snapshot.AD, sam string) *snapshot.ADRecipient {
	for i := range ad.Users {
		if strings.EqualFold(ad.Users[i].SAMAccountName, sam) {
			return &ad.Users[i]
		}
	}
	return nil
}

func TestLiveCollection(t *testing.T) {
	ad, st := collect(t, testOptions(t))
	if !st.Complete || len(st.Errors) != 0 {
		t.Fatalf("status not complete: %+v", st.Errors)
	}
	validateAgainstSchema(t, ad, st)
	if st.Method != "ldap" || st.Origin != os.Getenv("EXOREADY_TEST_LDAP_URL") {
		t.Errorf("method/origin = %q %q", st.Method, st.Origin)
	}
	if ad.Forest != "corp.example.test" || ad.DomainDN != testDomainDN || ad.ConfigDN != testConfigDN {
		t.Errorf("naming contexts: %q %q %q", ad.Forest, ad.DomainDN, ad.ConfigDN)
	}

	// Every recipient type of the fixtures, and nothing that is not a recipient.
	types := map[string]int{}
	for _, u := range ad.Users {
		types[u.RecipientTypeDetails]++
	}
	for typ, n := range map[string]int{
		"UserMailbox": 1, "LinkedMailbox": 1, "SharedMailbox": 1, "RoomMailbox": 1, "EquipmentMailbox": 1,
		"MailUser": 1, "ArbitrationMailbox": 1, "DiscoveryMailbox": 1, "MonitoringMailbox": 1, "AuditLogMailbox": 1,
		"PublicFolderMailbox": 1, "RemoteUserMailbox": 303, "RemoteRoomMailbox": 1, "RemoteEquipmentMailbox": 1,
		"RemoteSharedMailbox": 1, "RemoteGroupMailbox": 1, "GroupMailbox": 1, "Unknown(999999999999)": 1, "": 1,
	} {
		if types[typ] != n {
			t.Errorf("%d users of type %q, want %d (all: %v)", types[typ], typ, n, types)
		}
	}
	for _, sam := range []string{"plain", "WS001$", "nickonly"} {
		if findUser(ad, sam) != nil {
			t.Errorf("%s is not a recipient but was collected", sam)
		}
	}
	if len(ad.Contacts) != 2 {
		t.Errorf("%d contacts, want 2 (Address Book Only has no Exchange attributes)", len(ad.Contacts))
	}

	alice := findUser(ad, "alice")
	if alice == nil {
		t.Fatal("alice missing")
	}
	// Samba's own rendering of objectGUID is the reference for the byte order.
	wantGUID := ldbGUID(t, alice.DN)
	if alice.ObjectGUID != wantGUID {
		t.Errorf("alice objectGUID %q, Samba says %q", alice.ObjectGUID, wantGUID)
	}
	if alice.ImmutableID == "" || alice.HomeMDB == "" || alice.MailboxGUID == "" || alice.ArchiveGUID == "" {
		t.Errorf("alice lacks immutable id, homeMDB or GUIDs: %+v", alice)
	}
	if alice.CustomAttributes["CustomAttribute1"] != "Finance" || len(alice.ExtensionCustomAttributes["ExtensionCustomAttribute1"]) != 2 {
		t.Errorf("alice custom attributes: %v %v", alice.CustomAttributes, alice.ExtensionCustomAttributes)
	}
	if alice.WhenCreated == nil || alice.WhenChanged == nil || time.Since(*alice.WhenChanged) > 24*time.Hour {
		t.Errorf("alice times: %v %v", alice.WhenCreated, alice.WhenChanged)
	}
	if !alice.Enabled || len(alice.MemberOf) < 3 {
		t.Errorf("alice enabled=%v memberOf=%v", alice.Enabled, alice.MemberOf)
	}
	carol := findUser(ad, "carol")
	if carol == nil || len(carol.ExternalDirectoryObjectID) != 36 || strings.HasPrefix(carol.ExternalDirectoryObjectID, "User_") {
		t.Errorf("carol external id %+v", carol)
	}
	if carol != nil && strings.Join(carol.RemoteRecipientType, ",") != "Migrated" {
		t.Errorf("carol remote recipient type %v", carol.RemoteRecipientType)
	}

	groups := map[string]snapshot.ADGroup{}
	for _, g := range ad.Groups {
		groups[g.SAMAccountName] = g
	}
	if len(groups) != 4 || len(groups["bulkall"].Members) != 300 || len(groups["allstaff"].Members) != 3 {
		t.Errorf("groups: %d, bulkall members %d, allstaff members %d", len(groups), len(groups["bulkall"].Members), len(groups["allstaff"].Members))
	}
	if len(ad.SecurityGroups) != 4 {
		t.Errorf("%d Exchange security groups, want 4", len(ad.SecurityGroups))
	}

	ex := ad.Exchange
	if ex == nil || ex.Name != "Corp Example" || ex.ObjectVersion != 16763 {
		t.Fatalf("exchange org: %+v", ex)
	}
	versions := map[string]string{}
	for _, s := range ex.Servers {
		versions[s.Name] = s.Version
	}
	if versions["EX01"] != "15.2.1544.4" || versions["EX02"] != "15.1.2507.6" {
		t.Errorf("server versions %v", versions)
	}
	relay := map[string]bool{}
	for _, rc := range ex.ReceiveConnectors {
		if rc.AnonymousRelay == nil {
			t.Errorf("%s: relay not analysed: %s", rc.Name, rc.ACLError)
			continue
		}
		relay[rc.Name] = *rc.AnonymousRelay
		if rc.Server != "EX01" {
			t.Errorf("%s: server %q", rc.Name, rc.Server)
		}
	}
	want := map[string]bool{"App Relay": true, "Legacy Open Relay": true, "Default Frontend EX01": false, "Deny First": false}
	for name, w := range want {
		if got, ok := relay[name]; !ok || got != w {
			t.Errorf("connector %q anonymous relay = %v (seen %v), want %v", name, got, ok, w)
		}
	}
	if len(ex.SendConnectors) != 2 || len(ex.MailboxDatabases) != 2 || len(ex.PublicFolderDatabases) != 1 ||
		len(ex.AcceptedDomains) != 4 || len(ex.AutodiscoverSCPs) != 2 || ex.HybridConfiguration == nil {
		t.Errorf("exchange objects: %d send, %d mdb, %d pf, %d domains, %d scps, hybrid %v",
			len(ex.SendConnectors), len(ex.MailboxDatabases), len(ex.PublicFolderDatabases),
			len(ex.AcceptedDomains), len(ex.AutodiscoverSCPs), ex.HybridConfiguration)
	}
}

// ldbGUID asks Samba's own tools for the string form of an objectGUID.
func ldbGUID(t *testing.T, dn string) string {
	t.Helper()
	o := testOptions(t)
	cmd := exec.Command("ldbsearch", "-H", "ldap://127.0.0.1", "--simple-bind-dn="+o.BindDN,
		"-b", dn, "-s", "base", "objectGUID")
	cmd.Env = append(os.Environ(), "PASSWD="+o.Password) // Samba tools read the password from $PASSWD
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ldbsearch: %v: %s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "objectGUID: "); ok {
			return v
		}
	}
	t.Fatalf("ldbsearch printed no objectGUID: %s", out)
	return ""
}

// dumpLDIF exports the test DC with ldapsearch -LLL, paged, the
// configuration partition with the SD-flags control so nTSecurityDescriptor
// is included, as an administrator would.
func dumpLDIF(t testing.TB, o Options, base, file string) {
	t.Helper()
	args := []string{"-LLL", "-x", "-ZZ", "-H", o.URL, "-D", o.BindDN, "-y", os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE"),
		"-E", "pr=100/noprompt", "-b", base}
	if strings.HasPrefix(base, "CN=Configuration") {
		args = append(args, "-E", "1.2.840.113556.1.4.801=::MAMCAQQ=", "(objectClass=*)", "*", "nTSecurityDescriptor")
	}
	cmd := exec.Command("ldapsearch", args...)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+o.CAFile)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("ldapsearch %s: %v: %s", base, err, ee.Stderr)
		}
		t.Fatalf("ldapsearch %s: %v", base, err)
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLiveEqualsLDIF(t *testing.T) {
	o := testOptions(t)
	live, st := collect(t, o)
	if !st.Complete {
		t.Fatalf("live collection incomplete: %+v", st.Errors)
	}
	dir := t.TempDir()
	domain, config := filepath.Join(dir, "domain.ldif"), filepath.Join(dir, "config.ldif")
	dumpLDIF(t, o, testDomainDN, domain)
	dumpLDIF(t, o, testConfigDN, config)

	t.Run("two files", func(t *testing.T) {
		got, lst, err := ReadLDIF(t.Context(), []string{domain, config}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !lst.Complete || len(lst.Files) != 2 || lst.Files[0].SHA256 == "" || lst.Files[0].Bytes == 0 {
			t.Fatalf("LDIF status: %+v", lst)
		}
		sameAD(t, live, got)
	})
	t.Run("one file", func(t *testing.T) {
		both := filepath.Join(dir, "both.ldif")
		a, _ := os.ReadFile(domain)
		b, _ := os.ReadFile(config)
		if err := os.WriteFile(both, append(append(a, '\n'), b...), 0o600); err != nil {
			t.Fatal(err)
		}
		got, lst, err := ReadLDIF(t.Context(), []string{both}, Options{})
		if err != nil || !lst.Complete {
			t.Fatalf("ReadLDIF: %v %+v", err, lst.Errors)
		}
		sameAD(t, live, got)
	})
	t.Run("domain only", func(t *testing.T) {
		got, lst, err := ReadLDIF(t.Context(), []string{domain}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if lst.Complete || got.Exchange != nil || !hasErrorPath(lst, pathExchange) {
			t.Errorf("a missing configuration partition must be an ad.exchange error: %+v", lst.Errors)
		}
	})
}

func hasErrorPath(st snapshot.SourceStatus, path string) bool {
	for _, e := range st.Errors {
		if e.Path == path {
			return true
		}
	}
	return false
}

func sameAD(t *testing.T, want, got *snapshot.AD) {
	t.Helper()
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	if bytes.Equal(w, g) {
		return
	}
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if wl[i] != gl[i] {
			lo := max(0, i-5)
			t.Fatalf("live and LDIF differ at line %d:\nlive: %s\nldif: %s\ncontext (live):\n%s",
				i+1, wl[i], gl[i], strings.Join(wl[lo:min(len(wl), i+5)], "\n"))
		}
	}
	t.Fatalf("live and LDIF differ in length: %d vs %d lines", len(wl), len(gl))
}

func TestConnectFaults(t *testing.T) {
	base := testOptions(t)
	ldaps := os.Getenv("EXOREADY_TEST_LDAPS_URL")
	otherCA := filepath.Join(filepath.Dir(base.CAFile), "other-ca.pem")
	cases := []struct {
		name string
		mod  func(*Options)
		want string // in the error; "" means success
	}{
		{"ldaps with CA", func(o *Options) { o.URL, o.StartTLS = ldaps, false }, ""},
		{"bind as UPN", func(o *Options) { o.BindDN = "svc-exoready@corp.example.test" }, ""},
		{"wrong password", func(o *Options) { o.Password += "x" }, "invalid credentials"},
		{"untrusted certificate", func(o *Options) { o.URL, o.StartTLS, o.CAFile = ldaps, false, otherCA }, "--ca-file"},
		{"untrusted certificate, StartTLS", func(o *Options) { o.CAFile = otherCA }, "--ca-file"},
		{"insecure skip verify", func(o *Options) { o.URL, o.StartTLS, o.CAFile, o.InsecureSkipVerify = ldaps, false, otherCA, true }, ""},
		{"unreachable", func(o *Options) { o.URL = "ldap://127.0.0.1:1" }, "connection refused"},
		{"no password", func(o *Options) { o.Password = "" }, "EXOREADY_LDAP_PASSWORD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			ad, st, err := Collect(t.Context(), o)
			if tc.want == "" {
				if err != nil || !st.Complete || ad == nil {
					t.Fatalf("want success, got %v %+v", err, st.Errors)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want ErrConnect mentioning %q, got %v", tc.want, err)
			}
			if ad != nil || st.Complete {
				t.Fatalf("a failed connection must give no snapshot and an incomplete status")
			}
			if strings.Contains(err.Error(), o.Password) && o.Password != "" {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// proxy forwards 127.0.0.1 TCP to the DC and, when cutAt > 0, closes both
// sides once that many bytes came back from the DC: the DC "dies" mid-search.
type proxy struct {
	ln     net.Listener
	target string
	cutAt  int64
	// stallAt > 0 stops forwarding from the DC after that many bytes and
	// closes stalled: a DC that hangs mid-search.
	stallAt   int64
	stalled   chan struct{}
	stallOnce sync.Once
	done      chan struct{}
	fromDC    atomic.Int64
	wg        sync.WaitGroup
	conns     sync.Map
	stopped   atomic.Bool
}

func startProxy(t *testing.T, target string, cutAt int64) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, cutAt: cutAt, stalled: make(chan struct{}), done: make(chan struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		dc, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.conns.Store(c, dc)
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(dc, c); dc.Close() }()
		go func() {
			defer p.wg.Done()
			buf := make([]byte, 4096)
			for {
				n, err := dc.Read(buf)
				if n > 0 {
					got := p.fromDC.Add(int64(n))
					if p.cutAt > 0 && got > p.cutAt {
						c.Close()
						dc.Close()
						return
					}
					if p.stallAt > 0 && got > p.stallAt {
						p.stallOnce.Do(func() { close(p.stalled) })
						<-p.done
						return
					}
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					c.Close()
					return
				}
			}
		}()
	}
}

func (p *proxy) close() {
	if p.stopped.Swap(true) {
		return
	}
	close(p.done)
	p.ln.Close()
	p.conns.Range(func(k, v any) bool { k.(net.Conn).Close(); v.(net.Conn).Close(); return true })
	p.wg.Wait()
}

func TestDCDiesMidSearch(t *testing.T) {
	o := testOptions(t)
	o.StartTLS, o.PageSize = false, 5 // plain LDAP through the proxy; many small pages
	target := strings.TrimPrefix(o.URL, "ldap://")

	// Measure the whole conversation, then cut it near its end: the domain
	// partition's recipients are the bulk of the bytes and come last.
	full := startProxy(t, target, 0)
	o.URL = "ldap://" + full.ln.Addr().String()
	if _, st := collect(t, o); !st.Complete {
		t.Fatalf("collection through the proxy incomplete: %+v", st.Errors)
	}
	total := full.fromDC.Load()
	full.close()

	cut := startProxy(t, target, total*85/100)
	o.URL = "ldap://" + cut.ln.Addr().String()
	ad, st, err := Collect(t.Context(), o)
	if err != nil {
		t.Fatalf("a DC lost after the bind is a partial collection, not a failure: %v", err)
	}
	if st.Complete {
		t.Fatal("status complete although the DC went away mid-search")
	}
	if ad.Users != nil {
		t.Errorf("users kept from a search that did not finish (%d)", len(ad.Users))
	}
	if ad.Exchange == nil {
		t.Errorf("the configuration partition was read before the cut but is missing")
	}
	var msg string
	for _, e := range st.Errors {
		if e.Path == pathUsers {
			msg = e.Message
		}
	}
	if !strings.Contains(msg, "connection to the DC was lost") || !strings.Contains(msg, testDomainDN) {
		t.Errorf("ad.users error %q should say the connection was lost and name the search base (all: %+v)", msg, st.Errors)
	}
}

func TestCancelStopsCollection(t *testing.T) {
	o := testOptions(t)
	o.StartTLS, o.PageSize = false, 5
	p := startProxy(t, strings.TrimPrefix(o.URL, "ldap://"), 0)
	p.stallAt = 20000 // past the bind and RootDSE, inside the searches
	o.URL = "ldap://" + p.ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { _, _, err := Collect(ctx, o); errc <- err }()
	select {
	case <-p.stalled:
	case err := <-errc:
		t.Fatalf("collection ended before the DC stalled: %v", err)
	}
	cancel()
	// Collect must return on cancel although the DC never answers (the
	// operation timeout is 30 s; the test's own deadline catches a hang).
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// BenchmarkLiveCollect reports the entries per second Collect's searches
// read from the test DC (connect, bind and all searches included);
// BenchmarkLdapsearch reads the same three searches with ldapsearch.
func BenchmarkLiveCollect(b *testing.B) {
	o := testOptions(b)
	o.PageSize = 1000
	o = o.withDefaults()
	log := zerolog.Nop()
	var entries int
	for b.Loop() {
		conn, err := connect(b.Context(), o, &log)
		if err != nil {
			b.Fatal(err)
		}
		c := &collector{s: conn, o: o, log: log}
		if _, errs, err := c.run(b.Context()); err != nil || len(errs) > 0 {
			b.Fatalf("run: %v %+v", err, errs)
		}
		entries = c.prog.n
		conn.Close()
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(entries), "entries")
}

func BenchmarkLdapsearch(b *testing.B) {
	o := testOptions(b)
	filters := []struct{ base, filter string }{
		{testDomainDN, recipientFilter()},
		{"OU=Microsoft Exchange Security Groups," + testDomainDN, "(objectClass=group)"},
		{exchangeContainer + "," + testConfigDN, exchangeFilter()},
	}
	var entries int
	for b.Loop() {
		entries = 0
		for _, f := range filters {
			args := append([]string{"-LLL", "-x", "-ZZ", "-H", o.URL, "-D", o.BindDN, "-y", os.Getenv("EXOREADY_TEST_LDAP_PASSWORD_FILE"),
				"-E", "pr=1000/noprompt", "-b", f.base, f.filter}, recipientAttrs...)
			cmd := exec.Command("ldapsearch", args...)
			cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+o.CAFile)
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("ldapsearch: %v", err)
			}
			entries += bytes.Count(out, []byte("\ndn: ")) + bytes.Count(out, []byte("\ndn:: "))
			if bytes.HasPrefix(out, []byte("dn")) {
				entries++
			}
		}
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(entries), "entries")
}
