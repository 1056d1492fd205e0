package gen

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// ldifWriter writes records as ldapsearch -LLL does: "name: value", or
// "name:: base64" for values that are not safe strings, lines folded at 76
// columns with a leading space.
type ldifWriter struct {
	w   *bufio.Writer
	buf []byte
	n   int // records written
}

func (l *ldifWriter) dn(dn string) {
	if l.n > 0 {
		l.w.WriteByte('\n')
	}
	l.n++
	l.attr("dn", dn)
}

func (l *ldifWriter) attr(name, value string) {
	if value == "" {
		return
	}
	l.buf = l.buf[:0]
	l.buf = append(l.buf, name...)
	if safeString(value) {
		l.buf = append(l.buf, ": "...)
		l.buf = append(l.buf, value...)
	} else {
		l.buf = append(l.buf, ":: "...)
		l.buf = base64.StdEncoding.AppendEncode(l.buf, []byte(value))
	}
	l.fold()
}

func (l *ldifWriter) attrs(name string, values []string) {
	for _, v := range values {
		l.attr(name, v)
	}
}

func (l *ldifWriter) binary(name string, value []byte) {
	l.buf = l.buf[:0]
	l.buf = append(l.buf, name...)
	l.buf = append(l.buf, ":: "...)
	l.buf = base64.StdEncoding.AppendEncode(l.buf, value)
	l.fold()
}

func (l *ldifWriter) int(name string, v int64) { l.attr(name, strconv.FormatInt(v, 10)) }

func (l *ldifWriter) bool(name string, v bool) {
	if v {
		l.attr(name, "TRUE")
	} else {
		l.attr(name, "FALSE")
	}
}

func (l *ldifWriter) time(name string, t *time.Time) {
	if t != nil {
		l.attr(name, t.UTC().Format("20060102150405")+".0Z")
	}
}

// fold writes l.buf as one logical line, 76 columns per physical line.
func (l *ldifWriter) fold() {
	b := l.buf
	const width = 76
	if len(b) <= width {
		l.w.Write(b)
		l.w.WriteByte('\n')
		return
	}
	l.w.Write(b[:width])
	b = b[width:]
	for len(b) > 0 {
		n := min(len(b), width-1)
		l.w.WriteString("\n ")
		l.w.Write(b[:n])
		b = b[n:]
	}
	l.w.WriteByte('\n')
}

// safeString reports whether v can be written plainly (RFC 2849 SAFE-STRING,
// and no trailing space, as ldapsearch decides).
func safeString(v string) bool {
	if v == "" {
		return true
	}
	switch v[0] {
	case ' ', ':', '<':
		return false
	}
	if v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == 0 || c == '\n' || c == '\r' || c >= 0x80 {
			return false
		}
	}
	return true
}

// rawGUID turns a canonical GUID back into the bytes AD stores (the first
// three groups little-endian).
func rawGUID(canonical string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(canonical, "-", ""))
	if err != nil || len(b) != 16 {
		panic("gen: bad GUID " + canonical)
	}
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b
}

// sidBytes encodes an S-1-5-21-... SID.
func sidBytes(sid string) []byte {
	parts := strings.Split(sid, "-")
	auth, _ := strconv.ParseUint(parts[2], 10, 48)
	out := []byte{1, byte(len(parts) - 3), 0, 0, 0, 0, 0, 0}
	for i := 0; i < 6; i++ {
		out[2+i] = byte(auth >> (8 * (5 - i)))
	}
	for _, p := range parts[3:] {
		v, _ := strconv.ParseUint(p, 10, 32)
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	return out
}

// securityDescriptor builds a self-relative security descriptor whose DACL
// grants the extended right to grantees, and holds the usual read grant,
// an anonymous grant of another right and an inherit-only full control
// that must not count.
func (t *Tenant) securityDescriptor(grantees []string, otherRight []byte) []byte {
	objectACE := func(sid string, right []byte) []byte {
		s := sidBytes(sid)
		a := []byte{5, 0, 0, 0}
		a = binary.LittleEndian.AppendUint32(a, 0x100) // control access
		a = binary.LittleEndian.AppendUint32(a, 1)     // object type present
		a = append(a, right...)
		a = append(a, s...)
		binary.LittleEndian.PutUint16(a[2:], uint16(len(a)))
		return a
	}
	plainACE := func(flags byte, mask uint32, sid string) []byte {
		a := []byte{0, flags, 0, 0}
		a = binary.LittleEndian.AppendUint32(a, mask)
		a = append(a, sidBytes(sid)...)
		binary.LittleEndian.PutUint16(a[2:], uint16(len(a)))
		return a
	}
	aces := [][]byte{
		plainACE(0, 0x20094, "S-1-5-11"),
		objectACE("S-1-5-7", otherRight),
		plainACE(0x08, 0x10000000, t.domainSID+"-512"),
	}
	right := rawGUID(t.rightsGUID.canonical)
	for _, g := range grantees {
		aces = append(aces, objectACE(g, right))
	}
	var acl []byte
	for _, a := range aces {
		acl = append(acl, a...)
	}
	acl = append([]byte{4, 0, 0, 0, byte(len(aces)), 0, 0, 0}, acl...)
	binary.LittleEndian.PutUint16(acl[2:], uint16(len(acl)))
	owner := sidBytes(t.domainSID + "-512")
	group := sidBytes(t.domainSID + "-513")
	sd := make([]byte, 20)
	sd[0] = 1
	binary.LittleEndian.PutUint16(sd[2:], 0x8004)
	binary.LittleEndian.PutUint32(sd[4:], 20)
	binary.LittleEndian.PutUint32(sd[8:], uint32(20+len(owner)))
	binary.LittleEndian.PutUint32(sd[16:], uint32(20+len(owner)+len(group)))
	sd = append(sd, owner...)
	sd = append(sd, group...)
	return append(sd, acl...)
}

// WriteLDIF writes the AD of the tenant as one ldapsearch -LLL export of
// the domain and configuration partitions, with the attributes a real
// export carries besides those exoready reads, and the users, computers
// and containers it skips.
func (t *Tenant) WriteLDIF(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	l := &ldifWriter{w: bw}
	dom := t.domainDN()
	l.dn(dom)
	l.attrs("objectClass", []string{"top", "domain", "domainDNS"})
	l.attr("dc", strings.Split(t.Forest, ".")[0])
	l.binary("objectSid", sidBytes(t.domainSID))
	containers := []string{"OU=Corp," + dom, "CN=Users," + dom, "OU=Microsoft Exchange Security Groups," + dom,
		"OU=Exchange Servers," + dom, "CN=Microsoft Exchange System Objects," + dom,
		"CN=Monitoring Mailboxes,CN=Microsoft Exchange System Objects," + dom}
	for _, d := range departments {
		containers = append(containers, t.ou(d.name))
	}
	for _, o := range []string{"Shared Mailboxes", "Resources", "Groups", "Contacts", "External", "Workstations"} {
		containers = append(containers, t.ou(o))
	}
	for _, c := range containers {
		l.dn(c)
		if strings.HasPrefix(c, "OU=") {
			l.attrs("objectClass", []string{"top", "organizationalUnit"})
			l.attr("ou", rdnOf(c))
		} else {
			l.attrs("objectClass", []string{"top", "container"})
			l.attr("cn", rdnOf(c))
		}
	}
	for i := range t.AD.Users {
		t.writeRecipient(l, &t.AD.Users[i], i)
	}
	for i := range t.AD.Contacts {
		t.writeRecipient(l, &t.AD.Contacts[i], len(t.AD.Users)+i)
	}
	for i := range t.AD.Groups {
		t.writeGroup(l, &t.AD.Groups[i], "Group_", 100000000+i)
	}
	for i := range t.AD.SecurityGroups {
		t.writeGroup(l, &t.AD.SecurityGroups[i], "", 200000000+i)
	}
	r := newRNG(t.Seed ^ 0x5eed)
	for i := range t.nonMailUsers {
		given, sur := pick(r, givenNames), pick(r, surnames)
		cn := fmt.Sprintf("%s %s (u%07d)", given, sur, i)
		l.dn("CN=" + rdnEscape(cn) + "," + t.ou(pick(r, departments).name))
		l.attrs("objectClass", []string{"top", "person", "organizationalPerson", "user"})
		l.attr("cn", cn)
		l.attr("sAMAccountName", fmt.Sprintf("u%07d", i))
		l.attr("userPrincipalName", fmt.Sprintf("u%07d@%s", i, t.Forest))
		l.attr("displayName", given+" "+sur)
		g := r.adGUID()
		l.binary("objectGUID", g.raw[:])
		l.binary("objectSid", sidBytes(fmt.Sprintf("%s-%d", t.domainSID, 300000000+i)))
		l.int("userAccountControl", 512)
		noise(l, t, i)
	}
	for i := range t.computers {
		name := fmt.Sprintf("WS%06d", i)
		ou := t.ou("Workstations")
		if i < len(t.servers) {
			name, ou = t.servers[i].name, "OU=Exchange Servers,"+dom
		}
		l.dn("CN=" + name + "," + ou)
		l.attrs("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
		l.attr("cn", name)
		l.attr("sAMAccountName", name+"$")
		l.attr("dNSHostName", strings.ToLower(name)+"."+t.Forest)
		g := r.adGUID()
		l.binary("objectGUID", g.raw[:])
		l.int("userAccountControl", 4096)
	}
	t.writeConfig(l)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write LDIF: %w", err)
	}
	return nil
}

// noise adds attributes every AD user carries that exoready does not read.
func noise(l *ldifWriter, t *Tenant, i int) {
	usn := 20000 + int64(i)*3
	l.int("instanceType", 4)
	l.int("uSNCreated", usn)
	l.int("uSNChanged", usn+2)
	l.attr("objectCategory", "CN=Person,CN=Schema,"+t.configDN())
	l.int("primaryGroupID", 513)
	l.int("pwdLastSet", 133700000000000000+int64(i)*1000003)
	l.int("accountExpires", 9223372036854775807)
	l.int("lastLogonTimestamp", 133750000000000000+int64(i)*999983)
	l.int("codePage", 0)
	l.int("countryCode", 0)
	l.int("logonCount", int64(i%997))
	l.int("badPwdCount", 0)
	l.attr("dSCorePropagationData", "16010101000000.0Z")
}

func (t *Tenant) writeRecipient(l *ldifWriter, a *snapshot.ADRecipient, i int) {
	l.dn(a.DN)
	if a.ObjectClass == "contact" {
		l.attrs("objectClass", []string{"top", "person", "organizationalPerson", "contact"})
	} else {
		l.attrs("objectClass", []string{"top", "person", "organizationalPerson", "user"})
	}
	l.attr("cn", rdnOf(a.DN))
	l.attr("distinguishedName", a.DN)
	l.binary("objectGUID", rawGUID(a.ObjectGUID))
	if a.ObjectClass != "contact" {
		l.binary("objectSid", sidBytes(fmt.Sprintf("%s-%d", t.domainSID, 1100+i)))
	}
	if a.ExternalDirectoryObjectID != "" {
		l.attr("msDS-ExternalDirectoryObjectId", "User_"+a.ExternalDirectoryObjectID)
	}
	l.attr("sAMAccountName", a.SAMAccountName)
	l.attr("userPrincipalName", a.UserPrincipalName)
	l.attr("displayName", a.DisplayName)
	if given, sur, ok := strings.Cut(a.DisplayName, " "); ok && a.Department != "" {
		l.attr("givenName", given)
		l.attr("sn", sur)
		l.attr("title", "Specialist")
		l.attr("company", "Corp Example")
		l.attr("physicalDeliveryOfficeName", a.CustomAttributes["CustomAttribute10"])
		l.attr("telephoneNumber", fmt.Sprintf("+1 555 %07d", i))
	}
	l.attr("department", a.Department)
	l.attr("mail", a.Mail)
	l.attr("mailNickname", a.MailNickname)
	l.attr("targetAddress", a.TargetAddress)
	l.attrs("proxyAddresses", a.ProxyAddresses)
	if a.RecipientTypeDetailsValue != 0 {
		l.int("msExchRecipientTypeDetails", a.RecipientTypeDetailsValue)
	}
	if a.RecipientDisplayType != nil {
		l.int("msExchRecipientDisplayType", *a.RecipientDisplayType)
	}
	if a.RemoteRecipientTypeValue != 0 {
		l.int("msExchRemoteRecipientType", a.RemoteRecipientTypeValue)
	}
	if a.HiddenFromAddressLists != nil {
		l.bool("msExchHideFromAddressLists", *a.HiddenFromAddressLists)
	}
	for n := 1; n <= 15; n++ {
		l.attr("extensionAttribute"+strconv.Itoa(n), a.CustomAttributes["CustomAttribute"+strconv.Itoa(n)])
	}
	for n := 1; n <= 5; n++ {
		l.attrs("msExchExtensionCustomAttribute"+strconv.Itoa(n), a.ExtensionCustomAttributes["ExtensionCustomAttribute"+strconv.Itoa(n)])
	}
	l.attr("homeMDB", a.HomeMDB)
	if a.MailboxGUID != "" {
		l.binary("msExchMailboxGuid", rawGUID(a.MailboxGUID))
	}
	if a.ArchiveGUID != "" {
		l.binary("msExchArchiveGUID", rawGUID(a.ArchiveGUID))
	}
	if a.ObjectClass != "contact" {
		l.int("userAccountControl", a.UserAccountControl)
	}
	l.time("whenCreated", a.WhenCreated)
	l.time("whenChanged", a.WhenChanged)
	l.attrs("memberOf", a.MemberOf)
	l.attr("legacyExchangeDN", "/o="+t.ExOrg+"/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="+a.MailNickname)
	l.attrs("showInAddressBook", []string{
		"CN=Default Global Address List,CN=All Global Address Lists,CN=Address Lists Container," + t.orgDN(),
		"CN=All Users,CN=All Address Lists,CN=Address Lists Container," + t.orgDN(),
	})
	l.int("msExchVersion", 88218628259840)
	if a.ObjectClass != "contact" {
		noise(l, t, i)
	}
}

func (t *Tenant) writeGroup(l *ldifWriter, g *snapshot.ADGroup, edoidPrefix string, i int) {
	l.dn(g.DN)
	l.attrs("objectClass", []string{"top", "group"})
	l.attr("cn", rdnOf(g.DN))
	l.binary("objectGUID", rawGUID(g.ObjectGUID))
	l.binary("objectSid", sidBytes(fmt.Sprintf("%s-%d", t.domainSID, i)))
	if g.ExternalDirectoryObjectID != "" {
		l.attr("msDS-ExternalDirectoryObjectId", edoidPrefix+g.ExternalDirectoryObjectID)
	}
	l.attr("sAMAccountName", g.SAMAccountName)
	l.attr("displayName", g.DisplayName)
	l.attr("mail", g.Mail)
	l.attr("mailNickname", g.MailNickname)
	l.attrs("proxyAddresses", g.ProxyAddresses)
	l.int("groupType", g.GroupType)
	if g.RecipientTypeDetailsValue != 0 {
		l.int("msExchRecipientTypeDetails", g.RecipientTypeDetailsValue)
	}
	l.attrs("member", g.Members)
	l.time("whenChanged", g.WhenChanged)
	l.int("instanceType", 4)
}

// rdnOf is the unescaped value of a DN's first RDN.
func rdnOf(dn string) string {
	var b strings.Builder
	for i := 3; i < len(dn); i++ {
		switch c := dn[i]; c {
		case '\\':
			i++
			if i < len(dn) {
				b.WriteByte(dn[i])
			}
		case ',':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (t *Tenant) writeConfig(l *ldifWriter) {
	cfg, org := t.configDN(), t.orgDN()
	x := t.AD.Exchange
	container := func(dn string, classes ...string) {
		l.dn(dn)
		l.attrs("objectClass", append([]string{"top"}, classes...))
		l.attr("cn", rdnOf(dn))
	}
	container(cfg, "configuration")
	container("CN=Services,"+cfg, "container")
	container("CN=Extended-Rights,"+cfg, "container")
	container("CN=ms-Exch-SMTP-Accept-Any-Recipient,CN=Extended-Rights,"+cfg, "controlAccessRight")
	l.attr("rightsGuid", t.rightsGUID.canonical)
	container("CN=Microsoft Exchange,CN=Services,"+cfg, "container", "msExchConfigurationContainer")
	container(org, "container", "msExchOrganizationContainer")
	l.int("objectVersion", x.ObjectVersion)
	container("CN=Administrative Groups,"+org, "container")
	container(t.adminGroupDN(), "msExchAdminGroup")
	container("CN=Servers,"+t.adminGroupDN(), "container")
	container("CN=Databases,"+t.adminGroupDN(), "container")
	container("CN=Routing Groups,"+t.adminGroupDN(), "container")
	rg := "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups," + t.adminGroupDN()
	container(rg, "msExchRoutingGroup")
	container("CN=Connections,"+rg, "container")
	container("CN=Transport Settings,"+org, "container")
	container("CN=Accepted Domains,CN=Transport Settings,"+org, "container")
	submit := newRNG(t.Seed ^ 0x5b).adGUID().raw
	for _, s := range x.Servers {
		container(s.DN, "server", "msExchExchangeServer")
		l.attr("serialNumber", s.SerialNumber)
		l.int("msExchCurrentServerRoles", s.Roles)
		container("CN=Protocols,"+s.DN, "container")
		container("CN=SMTP Receive Connectors,CN=Protocols,"+s.DN, "container")
		container("CN=Autodiscover,CN=Protocols,"+s.DN, "container")
	}
	for _, c := range x.ReceiveConnectors {
		container(c.DN, "msExchSmtpReceiveConnector")
		l.attrs("msExchSmtpReceiveBindings", c.Bindings)
		l.attrs("msExchSmtpReceiveRemoteIPRanges", c.RemoteIPRanges)
		l.bool("msExchSmtpReceiveEnabled", c.Enabled)
		l.binary("nTSecurityDescriptor", t.securityDescriptor(c.RelayGrantees, submit[:]))
	}
	serverDN := map[string]string{}
	for _, s := range x.Servers {
		serverDN[s.Name] = s.DN
	}
	for _, c := range x.SendConnectors {
		container(c.DN, "msExchRoutingSMTPConnector")
		l.attrs("routingList", c.AddressSpaces)
		l.attr("msExchSmtpSmartHost", strings.Join(c.SmartHosts, ";"))
		for _, s := range c.SourceServers {
			l.attr("msExchSourceBridgeheadServersDN", serverDN[s])
		}
		l.bool("msExchSmtpSendEnabled", c.Enabled)
	}
	for _, d := range x.MailboxDatabases {
		container(d.DN, "msExchMDB", "msExchPrivateMDB")
		l.attr("msExchOwningServer", serverDN[d.Server])
	}
	for _, d := range x.AcceptedDomains {
		container(t.acceptedDomainDN(d.Name), "msExchAcceptedDomain")
		l.attr("msExchAcceptedDomainName", d.DomainName)
		flags := map[string]int64{"Authoritative": 0, "ExternalRelay": 1, "InternalRelay": 2}[d.DomainType]
		if d.Default {
			flags |= 4
		}
		l.int("msExchAcceptedDomainFlags", flags)
	}
	for _, s := range x.AutodiscoverSCPs {
		container(s.DN, "leaf", "connectionPoint", "serviceConnectionPoint")
		l.attrs("keywords", s.Keywords)
		l.attrs("serviceBindingInformation", s.URLs)
	}
	if h := x.HybridConfiguration; h != nil {
		container(h.DN, "msExchCoexistenceRelationship")
		l.attrs("msExchCoexistenceDomains", h.Domains)
		var flags int64
		for _, f := range hybridFeatures {
			if slices.Contains(h.Features, f.name) {
				flags |= f.bit
			}
		}
		l.int("msExchCoexistenceFeatureFlags", flags)
	}
}
