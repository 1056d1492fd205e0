package gen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// autodiscoverKeyword marks an Autodiscover service connection point.
const autodiscoverKeyword = "77378F46-2C66-4aa9-A6A6-3E7A48B19596"

// serverBuilds are the Exchange builds servers run, with their role bits.
var serverBuilds = []struct {
	serial string
	roles  int64
}{
	{"Version 15.2 (Build 1544.4)", 38},
	{"Version 15.1 (Build 2507.6)", 54},
}

// hybridFeatures are the msExchCoexistenceFeatureFlags the HCW sets.
var hybridFeatures = []struct {
	bit  int64
	name string
}{
	{1, "FreeBusy"}, {2, "MoveMailbox"}, {4, "Mailtips"}, {8, "MessageTracking"}, {16, "OwaRedirection"},
	{32, "OnlineArchive"}, {64, "SecureMail"}, {512, "Photos"},
}

// exchangeConfig makes the configuration partition's Exchange organization:
// two to four servers with their databases, receive connectors (one an
// anonymous relay for applications), send connectors, accepted domains,
// Autodiscover SCPs and the hybrid configuration.
func (b *builder) exchangeConfig() {
	t, r := b.t, b.r
	n := 2 + t.Mailboxes/250000
	x := &snapshot.ExchangeOrg{
		Name: t.ExOrg, DN: t.orgDN(), ObjectVersion: 16763,
		PublicFolderDatabases: []snapshot.Database{},
		SendConnectors:        []snapshot.SendConnector{},
	}
	var names []string
	for i := range n {
		name := fmt.Sprintf("EX%02d", i+1)
		names = append(names, name)
		dn := t.serverDN(name)
		t.servers = append(t.servers, serverInfo{name: name, dn: dn})
		build := serverBuilds[min(i/2, len(serverBuilds)-1)]
		x.Servers = append(x.Servers, snapshot.ExchangeServer{
			Name: name, DN: dn, SerialNumber: build.serial, Version: serialVersion(build.serial),
			Roles: build.roles, RoleNames: roleNames(build.roles),
		})
		for d := range 2 {
			db := fmt.Sprintf("DB%02d%d", i+1, d+1)
			b.dbs = append(b.dbs, t.databaseDN(db))
			x.MailboxDatabases = append(x.MailboxDatabases, snapshot.Database{Name: db, DN: t.databaseDN(db), Server: name})
		}
		exchangeServers := t.domainSID + "-1118"
		rc := func(cn string, bindings, ranges []string, grantees ...string) snapshot.ReceiveConnector {
			slices.Sort(bindings)
			slices.Sort(ranges)
			grantees = append([]string{}, grantees...)
			slices.Sort(grantees)
			return snapshot.ReceiveConnector{
				Name: cn, DN: "CN=" + cn + ",CN=SMTP Receive Connectors,CN=Protocols," + dn, Server: name, Enabled: true,
				Bindings: bindings, RemoteIPRanges: ranges, AnonymousRelay: ptr(slices.Contains(grantees, "S-1-5-7")),
				RelayGrantees: grantees,
			}
		}
		anyIP := []string{"0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}
		x.ReceiveConnectors = append(x.ReceiveConnectors,
			rc("Default Frontend "+name, []string{"0.0.0.0:25", "[::]:25"}, anyIP, exchangeServers),
			rc("Default "+name, []string{"0.0.0.0:2525", "[::]:2525"}, anyIP, exchangeServers),
			rc("Client Frontend "+name, []string{"0.0.0.0:587", "[::]:587"}, anyIP),
			rc("Client Proxy "+name, []string{"0.0.0.0:465", "[::]:465"}, anyIP, exchangeServers),
			rc("Outbound Proxy Frontend "+name, []string{"0.0.0.0:717", "[::]:717"}, anyIP, exchangeServers),
		)
		if i == 0 {
			x.ReceiveConnectors = append(x.ReceiveConnectors,
				rc("App Relay "+name, []string{"10.20.0.21:25"}, []string{"10.20.0.0/24", "10.20.1.15"}, "S-1-5-7"))
		}
		x.AutodiscoverSCPs = append(x.AutodiscoverSCPs, snapshot.AutodiscoverSCP{
			Name: name, DN: "CN=" + name + ",CN=Autodiscover,CN=Protocols," + dn, Server: name,
			URLs:     []string{"https://autodiscover." + t.Forest + "/Autodiscover/Autodiscover.xml"},
			Keywords: []string{autodiscoverKeyword, "Site=Default-First-Site-Name"},
		})
	}
	hcw := r.guid()
	connections := ",CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups," + t.adminGroupDN()
	x.SendConnectors = append(x.SendConnectors,
		snapshot.SendConnector{Name: "Internet", DN: "CN=Internet" + connections, AddressSpaces: []string{"SMTP:*;1"},
			SmartHosts: []string{}, SourceServers: slices.Clone(names), Enabled: true},
		snapshot.SendConnector{Name: "Outbound to Office 365 - " + hcw, DN: "CN=Outbound to Office 365 - " + hcw + connections,
			AddressSpaces: []string{"smtp:" + t.Coex + ";1"}, SmartHosts: []string{strings.Split(t.Initial, ".")[0] + ".mail.protection.outlook.com"},
			SourceServers: slices.Clone(names), Enabled: true},
	)
	for _, d := range []struct {
		name, typ string
		def       bool
	}{{t.Forest, "Authoritative", true}, {t.Coex, "Authoritative", false}, {"legacy." + t.Forest, "InternalRelay", false}} {
		x.AcceptedDomains = append(x.AcceptedDomains, snapshot.AcceptedDomain{Name: d.name, DomainName: d.name, DomainType: d.typ, Default: d.def})
	}
	var features []string
	for _, f := range hybridFeatures {
		features = append(features, f.name)
	}
	slices.Sort(features)
	x.HybridConfiguration = &snapshot.HybridConfiguration{DN: "CN=Hybrid Configuration," + t.orgDN(), Domains: []string{t.Forest}, Features: features}

	sortByDN(x.Servers, func(s *snapshot.ExchangeServer) string { return s.DN })
	sortByDN(x.ReceiveConnectors, func(c *snapshot.ReceiveConnector) string { return c.DN })
	sortByDN(x.SendConnectors, func(c *snapshot.SendConnector) string { return c.DN })
	sortByDN(x.MailboxDatabases, func(d *snapshot.Database) string { return d.DN })
	sortByDN(x.AutodiscoverSCPs, func(s *snapshot.AutodiscoverSCP) string { return s.DN })
	sortByDN(x.AcceptedDomains, func(d *snapshot.AcceptedDomain) string { return t.acceptedDomainDN(d.Name) })
	t.AD = &snapshot.AD{Forest: t.Forest, DomainDN: t.domainDN(), ConfigDN: t.configDN(), Exchange: x}
}

func (t *Tenant) acceptedDomainDN(name string) string {
	return "CN=" + name + ",CN=Accepted Domains,CN=Transport Settings," + t.orgDN()
}

func serialVersion(serial string) string {
	var maj, mnr, build, rev int
	fmt.Sscanf(serial, "Version %d.%d (Build %d.%d)", &maj, &mnr, &build, &rev)
	return fmt.Sprintf("%d.%d.%d.%d", maj, mnr, build, rev)
}

func roleNames(v int64) []string {
	var out []string
	for _, f := range []struct {
		bit  int64
		name string
	}{{2, "Mailbox"}, {4, "ClientAccess"}, {16, "UnifiedMessaging"}, {32, "HubTransport"}} {
		if v&f.bit != 0 {
			out = append(out, f.name)
		}
	}
	slices.Sort(out)
	return out
}

// systemMailboxes adds the on-prem arbitration, discovery, audit,
// monitoring and public folder mailboxes an Exchange organization has.
func (b *builder) systemMailboxes() {
	t, r := b.t, b.r
	users := "CN=Users," + t.domainDN()
	monitoring := "CN=Monitoring Mailboxes,CN=Microsoft Exchange System Objects," + t.domainDN()
	add := func(cn, display, typeName, container string) {
		g := r.adGUID()
		local := strings.NewReplacer("{", "", "}", "", " ", "").Replace(cn)
		b.users = append(b.users, snapshot.ADRecipient{
			DN: "CN=" + rdnEscape(cn) + "," + container, ObjectClass: "user",
			ObjectGUID: g.canonical, ImmutableID: g.immutable,
			SAMAccountName: "SM_" + r.hexString(17), UserPrincipalName: cn + "@" + t.Forest,
			DisplayName: display, Mail: local + "@" + t.Forest, MailNickname: local,
			ProxyAddresses:            []string{"SMTP:" + local + "@" + t.Forest},
			RecipientTypeDetailsValue: typeValue(typeName), RecipientTypeDetails: typeName,
			RemoteRecipientType: []string{}, HiddenFromAddressLists: ptr(true),
			CustomAttributes: map[string]string{}, ExtensionCustomAttributes: map[string][]string{},
			HomeMDB: b.dbs[0], MailboxGUID: r.adGUID().canonical,
			UserAccountControl: 514, WhenCreated: t.ago(r.duration(1500*24*time.Hour, 2000*24*time.Hour)),
			WhenChanged: t.ago(r.duration(30*24*time.Hour, 200*24*time.Hour)), MemberOf: []string{},
		})
	}
	add("SystemMailbox{1f05a927-"+r.hexString(4)+"-4b1c-9c3e-"+r.hexString(12)+"}", "Microsoft Exchange Approval Assistant", "ArbitrationMailbox", users)
	add("SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}", "Microsoft Exchange", "ArbitrationMailbox", users)
	add("SystemMailbox{e0dc1c29-89c3-4034-b678-e6c29d823ed9}", "Microsoft Exchange", "ArbitrationMailbox", users)
	add("Migration.8f3e7716-2011-43e4-96b1-aba62d229136", "Microsoft Exchange Migration", "ArbitrationMailbox", users)
	add("DiscoverySearchMailbox {D919BA05-46A6-415f-80AD-7E09334BB852}", "Discovery Search Mailbox", "DiscoveryMailbox", users)
	add("SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}", "SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}", "AuditLogMailbox", users)
	for _, s := range t.servers {
		add("HealthMailbox"+r.hexString(32), "HealthMailbox-"+s.name+"-Mailbox-Database", "MonitoringMailbox", monitoring)
	}
	add("PF Mailbox Legacy", "PF Mailbox Legacy", "PublicFolderMailbox", users)
}

// mailUsers adds mail users (AD only here): recipients that are not mailboxes.
func (b *builder) mailUsers() {
	t, r := b.t, b.r
	for range b.t.Mailboxes / Rates.MailUsersPer {
		given, sur := pick(r, givenNames), pick(r, surnames)
		local, _ := b.unique("ext." + strings.ReplaceAll(fold(given)+"."+fold(sur), " ", ""))
		alias := strings.ReplaceAll(local, "'", "")
		g := r.adGUID()
		ext := alias + "@" + pick(r, partnerDomains)
		b.users = append(b.users, snapshot.ADRecipient{
			DN: "CN=" + rdnEscape(given+" "+sur+" (ext "+alias+")") + "," + t.ou("External"), ObjectClass: "user",
			ObjectGUID: g.canonical, ImmutableID: g.immutable, ExternalDirectoryObjectID: r.guid(),
			SAMAccountName: trim20(alias), UserPrincipalName: local + "@" + t.Forest,
			DisplayName: given + " " + sur + " (external)", Mail: ext, MailNickname: alias,
			TargetAddress:             "SMTP:" + ext,
			ProxyAddresses:            []string{"SMTP:" + ext, "smtp:" + alias + "@" + t.Coex},
			RecipientTypeDetailsValue: typeValue("MailUser"), RecipientTypeDetails: "MailUser",
			RecipientDisplayType: ptr(int64(6)), RemoteRecipientType: []string{}, HiddenFromAddressLists: ptr(false),
			CustomAttributes: map[string]string{"CustomAttribute7": "EXT"}, ExtensionCustomAttributes: map[string][]string{},
			UserAccountControl: 512, Enabled: true,
			WhenCreated: t.ago(r.duration(300*24*time.Hour, 1500*24*time.Hour)),
			WhenChanged: t.ago(r.duration(20*24*time.Hour, 200*24*time.Hour)), MemberOf: []string{},
		})
	}
}

func trim20(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

// makeGroups adds mail-enabled groups: one "All <department>" group of up to
// 1,500 members per department, and small teams of 3 to 60 members.
func (b *builder) makeGroups() {
	t, r := b.t, b.r
	n := max(4, t.Mailboxes/Rates.GroupsPer)
	for i := range n {
		var name string
		var members []string
		if i < len(departments) {
			name = "All " + departments[i].name
			members = b.sampleMembers(min(1500, len(b.members)/len(departments)+1))
		} else {
			name = fmt.Sprintf("%s %s %s", pick(r, departments).name, pick(r, []string{"Team", "Project", "Leads", "Updates", "Social"}), pick(r, sites))
			members = b.sampleMembers(r.between(3, 60))
		}
		local, k := b.unique("dl-" + strings.NewReplacer(" ", "-").Replace(fold(name)))
		if k > 0 {
			name += " " + strconv.Itoa(k)
		}
		security := r.chance(0.3)
		typeName, groupType := "MailUniversalDistributionGroup", int64(8)
		if security {
			typeName, groupType = "MailUniversalSecurityGroup", int64(-2147483640)
		}
		g := r.adGUID()
		addr := local + "@" + t.Forest
		edoid := r.guid()
		grp := snapshot.ADGroup{
			DN: "CN=" + rdnEscape(name) + "," + t.ou("Groups"), ObjectGUID: g.canonical, ImmutableID: g.immutable,
			ExternalDirectoryObjectID: edoid, SAMAccountName: trim20(local), DisplayName: name,
			Mail: addr, MailNickname: local,
			ProxyAddresses: []string{"SMTP:" + addr, "smtp:" + local + "@" + t.Initial},
			GroupType:      groupType, RecipientTypeDetailsValue: typeValue(typeName), RecipientTypeDetails: typeName,
			Members: members, WhenChanged: t.ago(r.duration(5*24*time.Hour, 90*24*time.Hour)),
		}
		slices.Sort(grp.ProxyAddresses)
		b.groups = append(b.groups, grp)
		b.recipient(name, local, addr, grp.ProxyAddresses, typeName, edoid, r.chance(Rates.GroupSOA))
	}
}

// sampleMembers picks n distinct member DNs, sorted as the collector sorts them.
func (b *builder) sampleMembers(n int) []string {
	n = min(n, len(b.members))
	seen := make(map[int]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		i := b.members[b.r.IntN(len(b.members))]
		if seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, b.users[i].DN)
	}
	slices.Sort(out)
	return out
}

// recipient adds the Get-Recipient object of a synced group or contact.
func (b *builder) recipient(name, alias, addr string, proxies []string, typeName, edoid string, soa bool) {
	t, r := b.t, b.r
	b.recipients = append(b.recipients, snapshot.Recipient{
		Guid: r.guid(), ExternalDirectoryObjectID: edoid, Identity: name, Name: name, DisplayName: name,
		Alias: alias, PrimarySMTPAddress: addr, EmailAddresses: slices.Clone(proxies),
		RecipientType: typeName, RecipientTypeDetails: typeName,
		IsDirSynced: !soa, IsCloudManaged: ptr(soa),
		WhenChangedUTC: t.ago(r.duration(5*24*time.Hour, 90*24*time.Hour)),
	})
}

// makeContacts adds mail contacts for partners.
func (b *builder) makeContacts() {
	t, r := b.t, b.r
	for range max(3, t.Mailboxes/Rates.ContactsPer) {
		given, sur := pick(r, givenNames), pick(r, surnames)
		local, k := b.unique("contact." + strings.ReplaceAll(fold(given)+"."+fold(sur), " ", ""))
		domain := pick(r, partnerDomains)
		ext := strings.TrimPrefix(strings.ReplaceAll(local, "'", ""), "contact.") + "@" + domain
		alias := "ext-" + strings.ReplaceAll(strings.TrimPrefix(local, "contact."), "'", "")
		name := given + " " + sur + " (" + domain + ")"
		if k > 0 {
			name = fmt.Sprintf("%s %s %d (%s)", given, sur, k, domain)
		}
		g := r.adGUID()
		proxies := []string{"SMTP:" + ext, "X500:" + b.x500(alias)}
		slices.Sort(proxies)
		b.contacts = append(b.contacts, snapshot.ADRecipient{
			DN: "CN=" + rdnEscape(name) + "," + t.ou("Contacts"), ObjectClass: "contact",
			ObjectGUID: g.canonical, ImmutableID: g.immutable, DisplayName: name,
			Mail: ext, MailNickname: alias, TargetAddress: "SMTP:" + ext, ProxyAddresses: proxies,
			RecipientTypeDetailsValue: typeValue("MailContact"), RecipientTypeDetails: "MailContact",
			RecipientDisplayType: ptr(int64(6)), RemoteRecipientType: []string{}, HiddenFromAddressLists: ptr(false),
			CustomAttributes: map[string]string{}, ExtensionCustomAttributes: map[string][]string{},
			WhenCreated: t.ago(r.duration(300*24*time.Hour, 1500*24*time.Hour)),
			WhenChanged: t.ago(r.duration(20*24*time.Hour, 200*24*time.Hour)), MemberOf: []string{},
		})
		b.recipient(name, alias, ext, proxies, "MailContact", r.guid(), r.chance(Rates.ContactSOA))
	}
}

// exchangeSecurityGroups are the groups Exchange setup creates.
var exchangeSecurityGroups = []string{
	"Compliance Management", "Delegated Setup", "Discovery Management", "Exchange Servers",
	"Exchange Trusted Subsystem", "Exchange Windows Permissions", "ExchangeLegacyInterop", "Help Desk",
	"Hygiene Management", "Managed Availability Servers", "Organization Management", "Public Folder Management",
	"Recipient Management", "Records Management", "Server Management", "View-Only Organization Management",
}

func (b *builder) securityGroups() {
	t, r := b.t, b.r
	ou := "OU=Microsoft Exchange Security Groups," + t.domainDN()
	for _, name := range exchangeSecurityGroups {
		g := r.adGUID()
		var members []string
		switch name {
		case "Organization Management", "Recipient Management":
			members = b.sampleMembers(r.between(2, 5))
		case "Exchange Servers", "Exchange Trusted Subsystem", "Managed Availability Servers":
			for _, s := range t.servers {
				members = append(members, "CN="+s.name+",OU=Exchange Servers,"+t.domainDN())
			}
		default:
			members = []string{}
		}
		slices.Sort(members)
		b.secGroups = append(b.secGroups, snapshot.ADGroup{
			DN: "CN=" + name + "," + ou, ObjectGUID: g.canonical, ImmutableID: g.immutable,
			SAMAccountName: name, DisplayName: name, ProxyAddresses: []string{},
			GroupType: -2147483640, RecipientTypeDetailsValue: typeValue("RoleGroup"), RecipientTypeDetails: "RoleGroup",
			Members: members, WhenChanged: t.ago(r.duration(20*24*time.Hour, 400*24*time.Hour)),
		})
	}
}

// fillMemberOf sets memberOf from the groups' member lists, as AD does.
func (b *builder) fillMemberOf() {
	idx := make(map[string]*snapshot.ADRecipient, len(b.users)+len(b.contacts))
	for i := range b.users {
		idx[strings.ToLower(b.users[i].DN)] = &b.users[i]
	}
	for i := range b.contacts {
		idx[strings.ToLower(b.contacts[i].DN)] = &b.contacts[i]
	}
	for _, gs := range [][]snapshot.ADGroup{b.groups, b.secGroups} {
		for _, g := range gs {
			for _, m := range g.Members {
				if u := idx[strings.ToLower(m)]; u != nil {
					u.MemberOf = append(u.MemberOf, g.DN)
				}
			}
		}
	}
	for _, u := range idx {
		slices.Sort(u.MemberOf)
	}
}
