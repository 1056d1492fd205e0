package gen

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/snapshot"
)

// DefaultAt is the collection time of generated tenants unless told
// otherwise: a fixed instant, so output depends on seed and size only.
var DefaultAt = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// Options say which tenant to make.
type Options struct {
	// Seed selects the tenant; the same seed and size give the same bytes.
	Seed uint64
	// Mailboxes is the number of mailboxes (user, shared, room, equipment;
	// synced, on-prem or cloud-only) in the joined view, give or take the
	// few unjoinable ones that count twice.
	Mailboxes int
	// At is collected_at (DefaultAt when zero).
	At time.Time
}

// Rates are the distributions of a generated tenant, as fractions. They
// describe an organization midway through the move to cloud-managed
// mailboxes; docs/benchmarks.md lists them.
var Rates = struct {
	User, Shared, Room                           float64 // kinds; the rest is equipment
	OnPrem, CloudOnly                            float64 // placement; the rest is synced remote mailboxes
	ADOnly, EXOOnly                              float64 // synced but unjoinable (MBX-006)
	NoEDOID, UPNJoin, SMTPJoin                   float64 // join key other than msDS-ExternalDirectoryObjectId
	CloudManaged                                 float64 // IsExchangeCloudManaged among synced mailboxes
	RecentChange                                 float64 // AD whenChanged within the last 30 h (MBX-002)
	WritebackDrift, HiddenDrift, OnPremEdit      float64 // drift on cloud-managed mailboxes (MBX-004, GOV-005)
	PendingDrift                                 float64 // drift on the others (MBX-005)
	TwoPrimaries, NoPrimary, DuplicateAddress    float64 // proxyAddresses hygiene (MBX-008)
	Onboarded, Onboarding, Offboarding           float64 // move requests: completed, in flight, Push on cloud-managed (MBX-003)
	Archive, Hidden, HiddenUnset, Disabled       float64
	CostCentre, Contractor, SiteCode, EmployeeID float64 // custom attributes
	Projects                                     float64 // ExtensionCustomAttribute1, multi-valued
	GroupsPer, ContactsPer, MailUsersPer         int     // one per so many mailboxes
	NonMailUsersPer, ComputersPer                int     // LDIF-only objects the collector skips
	GroupSOA, ContactSOA                         float64 // Group/Contact SOA transferred (DEP-004)
}{
	User: 0.88, Shared: 0.07, Room: 0.03,
	OnPrem: 0.005, CloudOnly: 0.02,
	ADOnly: 0.001, EXOOnly: 0.001,
	NoEDOID: 0.10, UPNJoin: 0.03, SMTPJoin: 0.02,
	CloudManaged:   0.55,
	RecentChange:   0.015,
	WritebackDrift: 0.01, HiddenDrift: 0.005, OnPremEdit: 0.003,
	PendingDrift: 0.005,
	TwoPrimaries: 0.0005, NoPrimary: 0.0005, DuplicateAddress: 0.0002,
	Onboarded: 0.03, Onboarding: 0.001, Offboarding: 0.0002,
	Archive: 0.3, Hidden: 0.02, HiddenUnset: 0.05, Disabled: 0.01,
	CostCentre: 0.7, Contractor: 0.12, SiteCode: 0.4, EmployeeID: 0.5,
	Projects:  0.1,
	GroupsPer: 25, ContactsPer: 40, MailUsersPer: 100,
	NonMailUsersPer: 10, ComputersPer: 50,
	GroupSOA: 0.1, ContactSOA: 0.05,
}

// Tenant is a generated organization: the snapshot sections, and what the
// LDIF writer needs besides them.
type Tenant struct {
	Options
	Forest     string // corp DNS name and the vanity mail domain
	ExOrg      string // Exchange organization name
	TenantName string // Entra display name
	TenantID   string
	Initial    string // <prefix>.onmicrosoft.com
	Coex       string // <prefix>.mail.onmicrosoft.com
	Hybrid     string // hybrid endpoint host

	AD    *snapshot.AD
	EXO   *snapshot.EXO
	Entra *snapshot.Entra
	Facts *snapshot.Facts

	// LDIF-only content: objects the collector skips, the relay right, SIDs.
	domainSID    string
	rightsGUID   adGUID
	nonMailUsers int
	computers    int
	servers      []serverInfo
}

type serverInfo struct {
	name, dn string
}

func (t *Tenant) domainDN() string { return "DC=" + strings.ReplaceAll(t.Forest, ".", ",DC=") }
func (t *Tenant) configDN() string { return "CN=Configuration," + t.domainDN() }
func (t *Tenant) orgDN() string {
	return "CN=" + t.ExOrg + ",CN=Microsoft Exchange,CN=Services," + t.configDN()
}
func (t *Tenant) adminGroupDN() string {
	return "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups," + t.orgDN()
}
func (t *Tenant) serverDN(name string) string {
	return "CN=" + name + ",CN=Servers," + t.adminGroupDN()
}
func (t *Tenant) databaseDN(name string) string {
	return "CN=" + name + ",CN=Databases," + t.adminGroupDN()
}
func (t *Tenant) ou(name string) string { return "OU=" + rdnEscape(name) + ",OU=Corp," + t.domainDN() }
func (t *Tenant) ago(d time.Duration) *time.Time {
	return ptr(t.At.Add(-d).UTC())
}

// Snapshot assembles the snapshot the collectors make of the written files
// (sources collected and complete; file lists empty: they depend on where
// the files are written, see Write).
func (t *Tenant) Snapshot() *snapshot.Snapshot {
	st := func(method, origin string) snapshot.SourceStatus {
		return snapshot.SourceStatus{Collected: true, Complete: true, Method: method, Origin: origin}
	}
	return collector.Build(collector.Parts{
		CollectedAt: t.At,
		AD:          t.AD, ADStatus: st("ldif", LDIFFile),
		EXO: t.EXO, EXOStatus: st("export", ExportDir),
		Entra: t.Entra, EntraStatus: st("export", ExportDir),
		Facts: t.Facts, FactsStatus: st("file", FactsFile),
	})
}

// mailboxTypes are the per-kind values of a mailbox on each side.
var mailboxTypes = map[string]struct {
	adRemote, adLocal, exo string
	remoteFlags            int64
	displayType            int64
	uac                    int64
	ou                     string
}{
	snapshot.KindUser:      {"RemoteUserMailbox", "UserMailbox", "UserMailbox", 4, -2147483642, 512, ""},
	snapshot.KindShared:    {"RemoteSharedMailbox", "SharedMailbox", "SharedMailbox", 100, -2147483642, 514, "Shared Mailboxes"},
	snapshot.KindRoom:      {"RemoteRoomMailbox", "RoomMailbox", "RoomMailbox", 36, -2147481850, 514, "Resources"},
	snapshot.KindEquipment: {"RemoteEquipmentMailbox", "EquipmentMailbox", "EquipmentMailbox", 68, -2147481594, 514, "Resources"},
}

func typeValue(name string) int64 {
	v, ok := snapshot.RecipientTypeValue(name)
	if !ok {
		panic("gen: unknown recipient type " + name)
	}
	return v
}

// builder carries the state of one generation run.
type builder struct {
	t    *Tenant
	r    rng
	used map[string]int // local parts taken, for unique aliases

	users      []snapshot.ADRecipient
	contacts   []snapshot.ADRecipient
	groups     []snapshot.ADGroup
	secGroups  []snapshot.ADGroup
	mailboxes  []snapshot.Mailbox
	recipients []snapshot.Recipient
	moves      []snapshot.MoveRequest

	// members are AD users that can be group members (DN index in users).
	members []int
	// admins are synced users picked as administrators (EXO index).
	admins []int
	dbs    []string
}

// Generate makes the tenant of o.
func Generate(o Options) *Tenant {
	if o.At.IsZero() {
		o.At = DefaultAt
	}
	o.At = o.At.UTC().Truncate(time.Second)
	r := newRNG(o.Seed)
	prefix := "tenant" + strconv.FormatUint(o.Seed%100000, 10)
	t := &Tenant{
		Options:    o,
		Forest:     "corp.example.test",
		ExOrg:      "CorpExample",
		TenantName: fmt.Sprintf("Synthetic Tenant %d", o.Seed),
		TenantID:   r.guid(),
		Initial:    prefix + ".onmicrosoft.com",
		Coex:       prefix + ".mail.onmicrosoft.com",
		Hybrid:     "mail.corp.example.test",
		domainSID:  fmt.Sprintf("S-1-5-21-%d-%d-%d", 1000000000+r.Uint32()%1000000000, 1000000000+r.Uint32()%1000000000, 1000000000+r.Uint32()%1000000000),
		rightsGUID: r.adGUID(),
	}
	b := &builder{t: t, r: r, used: map[string]int{}}
	b.exchangeConfig()
	for range o.Mailboxes {
		b.mailbox()
	}
	b.systemMailboxes()
	b.mailUsers()
	b.makeGroups()
	b.makeContacts()
	b.securityGroups()
	b.fillMemberOf()
	t.nonMailUsers = o.Mailboxes / Rates.NonMailUsersPer
	t.computers = o.Mailboxes/Rates.ComputersPer + len(t.servers)

	sortByDN(b.users, func(u *snapshot.ADRecipient) string { return u.DN })
	sortByDN(b.contacts, func(u *snapshot.ADRecipient) string { return u.DN })
	sortByDN(b.groups, func(g *snapshot.ADGroup) string { return g.DN })
	sortByDN(b.secGroups, func(g *snapshot.ADGroup) string { return g.DN })
	t.AD.Users, t.AD.Contacts, t.AD.Groups, t.AD.SecurityGroups = b.users, b.contacts, b.groups, b.secGroups
	b.exoSection()
	b.entraSection()
	t.Facts = &snapshot.Facts{
		EntraConnect: &snapshot.EntraConnectFacts{Version: "2.5.190.0", SyncIntervalMinutes: 30, HybridExchangeFeature: ptr(true)},
		CloudSync:    &snapshot.CloudSyncFacts{AgentVersion: "1.1.1107.0", WritebackPlanned: ptr(true)},
	}
	return t
}

// sortByDN orders objects as the AD collector does: by lower-case DN.
func sortByDN[T any](s []T, dn func(*T) string) {
	keys := make([]string, len(s))
	for i := range s {
		keys[i] = strings.ToLower(dn(&s[i]))
	}
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([]T, len(s))
	for i, j := range idx {
		out[i] = s[j]
	}
	copy(s, out)
}

// unique returns base, or base with a number when base is taken.
func (b *builder) unique(base string) (string, int) {
	n := b.used[base]
	b.used[base] = n + 1
	if n == 0 {
		return base, 0
	}
	return base + strconv.Itoa(n+1), n + 1
}

func (b *builder) department() (name, code, cc string) {
	total := 0
	for _, d := range departments {
		total += d.weight
	}
	x := b.r.IntN(total)
	for _, d := range departments {
		if x < d.weight {
			return d.name, d.code, d.costCentre
		}
		x -= d.weight
	}
	d := departments[0]
	return d.name, d.code, d.costCentre
}

// identity is a mailbox owner's names.
type identity struct {
	kind, display, cn, local, alias, dept, ou string
	ca                                        map[string]string
	eca                                       map[string][]string
}

func (b *builder) person(kind string) identity {
	r := b.r
	id := identity{kind: kind, ca: map[string]string{}, eca: map[string][]string{}}
	site := pick(r, sites)
	switch kind {
	case snapshot.KindUser:
		given, sur := pick(r, givenNames), pick(r, surnames)
		dept, code, cc := b.department()
		id.display, id.dept, id.ou = given+" "+sur, dept, b.t.ou(dept)
		base := strings.ReplaceAll(fold(given)+"."+fold(sur), " ", "")
		var n int
		id.local, n = b.unique(base)
		id.cn = id.display
		if n > 0 {
			id.cn = fmt.Sprintf("%s %d", id.display, n)
		}
		id.ca["CustomAttribute1"] = code
		if r.chance(Rates.CostCentre) {
			id.ca["CustomAttribute2"] = cc
		}
		if r.chance(Rates.Contractor) {
			id.ca["CustomAttribute7"] = "CTR"
		} else {
			id.ca["CustomAttribute7"] = "EMP"
		}
		if r.chance(Rates.SiteCode) {
			id.ca["CustomAttribute10"] = site
		}
		if r.chance(Rates.EmployeeID) {
			id.ca["CustomAttribute15"] = fmt.Sprintf("E%07d", r.IntN(10000000))
		}
		if r.chance(Rates.Projects) {
			tags := []string{pick(r, projectTags), pick(r, projectTags), pick(r, projectTags)}
			slices.Sort(tags)
			id.eca["ExtensionCustomAttribute1"] = slices.Compact(tags[:r.between(1, 3)])
		}
	default:
		var word string
		switch kind {
		case snapshot.KindShared:
			word = pick(r, sharedWords) + " " + site
		case snapshot.KindRoom:
			word = fmt.Sprintf("Room %s (%d) %s", pick(r, resourceWords), 2*r.between(2, 12), site)
		default:
			word = pick(r, equipmentWords) + " " + site
		}
		base := strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(fold(word))
		var n int
		id.local, n = b.unique(base)
		id.display = word
		if n > 0 {
			id.display = fmt.Sprintf("%s %d", word, n)
		}
		id.cn = id.display
		id.ou = b.t.ou(mailboxTypes[kind].ou)
		id.ca["CustomAttribute1"] = "RES"
	}
	id.alias = strings.ReplaceAll(id.local, "'", "")
	return id
}

// addresses are the proxy addresses of a migrated mailbox: 3 to 8 of them.
func (b *builder) addresses(id identity, x500 string) []string {
	t, r := b.t, b.r
	out := []string{
		"SMTP:" + id.local + "@" + t.Forest,
		"smtp:" + id.alias + "@" + t.Coex,
		"X500:" + x500,
	}
	extra := []string{
		"smtp:" + id.alias + "@" + t.Initial,
		"SIP:" + id.local + "@" + t.Forest,
		"smtp:" + id.alias + "." + strings.ToLower(pick(r, sites)) + "@" + t.Forest,
		fmt.Sprintf("X500:/o=%s/ou=First Administrative Group/cn=Recipients/cn=%s", t.ExOrg, id.alias),
		"smtp:" + id.alias + "@legacy." + t.Forest,
	}
	n := r.between(3, 8)
	for i := 0; len(out) < n && i < len(extra); i++ {
		out = append(out, extra[i])
	}
	return out
}

func (b *builder) x500(alias string) string {
	return fmt.Sprintf("/o=%s/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=%s-%s", b.t.ExOrg, b.r.hexString(32), alias)
}

// mailbox adds one mailbox: synced remote (most), on-prem, or cloud-only,
// with the odd states of Rates.
func (b *builder) mailbox() {
	r := b.r
	kind := snapshot.KindEquipment
	switch x := r.Float64(); {
	case x < Rates.User:
		kind = snapshot.KindUser
	case x < Rates.User+Rates.Shared:
		kind = snapshot.KindShared
	case x < Rates.User+Rates.Shared+Rates.Room:
		kind = snapshot.KindRoom
	}
	id := b.person(kind)
	switch x := r.Float64(); {
	case x < Rates.OnPrem:
		b.onPremMailbox(id)
	case x < Rates.OnPrem+Rates.CloudOnly:
		b.cloudMailbox(id)
	default:
		b.syncedMailbox(id)
	}
}

func (b *builder) adUser(id identity, typeName string) snapshot.ADRecipient {
	t, r := b.t, b.r
	mt := mailboxTypes[id.kind]
	g := r.adGUID()
	mbx := r.adGUID()
	uac := mt.uac
	if id.kind == snapshot.KindUser && r.chance(Rates.Disabled) {
		uac |= 2
	}
	sam := id.alias
	if len(sam) > 20 {
		sam = sam[:20]
	}
	a := snapshot.ADRecipient{
		DN:                        "CN=" + rdnEscape(id.cn) + "," + id.ou,
		ObjectClass:               "user",
		ObjectGUID:                g.canonical,
		ImmutableID:               g.immutable,
		SAMAccountName:            sam,
		UserPrincipalName:         id.local + "@" + t.Forest,
		DisplayName:               id.display,
		Department:                id.dept,
		Mail:                      id.local + "@" + t.Forest,
		MailNickname:              id.alias,
		RecipientTypeDetailsValue: typeValue(typeName),
		RecipientTypeDetails:      typeName,
		RemoteRecipientType:       []string{},
		CustomAttributes:          id.ca,
		ExtensionCustomAttributes: id.eca,
		MailboxGUID:               mbx.canonical,
		UserAccountControl:        uac,
		Enabled:                   uac&2 == 0,
		WhenCreated:               t.ago(r.duration(400*24*time.Hour, 3000*24*time.Hour)),
		WhenChanged:               t.ago(r.duration(2*24*time.Hour, 120*24*time.Hour)),
		MemberOf:                  []string{},
	}
	a.ProxyAddresses = b.addresses(id, b.x500(id.alias))
	slices.Sort(a.ProxyAddresses)
	switch x := r.Float64(); {
	case x < Rates.HiddenUnset:
	case x < Rates.HiddenUnset+Rates.Hidden:
		a.HiddenFromAddressLists = ptr(true)
	default:
		a.HiddenFromAddressLists = ptr(false)
	}
	if id.kind == snapshot.KindUser && r.chance(Rates.Archive) {
		a.ArchiveGUID = r.adGUID().canonical
	}
	return a
}

func (b *builder) onPremMailbox(id identity) {
	mt := mailboxTypes[id.kind]
	a := b.adUser(id, mt.adLocal)
	a.HomeMDB = pick(b.r, b.dbs)
	a.RecipientDisplayType = ptr(int64(1073741824))
	b.members = append(b.members, len(b.users))
	b.users = append(b.users, a)
}

func (b *builder) cloudMailbox(id identity) {
	t, r := b.t, b.r
	addr := id.local + "@" + t.Forest
	m := snapshot.Mailbox{
		Guid:                      r.guid(),
		ExternalDirectoryObjectID: r.guid(),
		ExchangeGuid:              r.guid(),
		Identity:                  id.alias,
		Name:                      id.alias,
		DisplayName:               id.display,
		Alias:                     id.alias,
		UserPrincipalName:         addr,
		PrimarySMTPAddress:        addr,
		WindowsEmailAddress:       addr,
		EmailAddresses: []string{
			"SMTP:" + addr,
			"smtp:" + id.alias + "@" + t.Initial,
			"SPO:SPO_" + r.guid() + "@SPO_" + t.TenantID,
		},
		RecipientTypeDetails:      mailboxTypes[id.kind].exo,
		IsDirSynced:               false,
		IsExchangeCloudManaged:    ptr(false),
		CustomAttributes:          map[string]string{},
		ExtensionCustomAttributes: map[string][]string{},
		WhenChangedUTC:            t.ago(r.duration(24*time.Hour, 90*24*time.Hour)),
		WhenCreatedUTC:            t.ago(r.duration(100*24*time.Hour, 900*24*time.Hour)),
		MailboxMoveFlags:          "None",
		MailboxMoveStatus:         "None",
		ArchiveStatus:             "None",
	}
	b.mailboxes = append(b.mailboxes, m)
}

// syncedMailbox adds a remote mailbox synced to EXO and its EXO mailbox,
// agreeing unless one of the rates says otherwise.
func (b *builder) syncedMailbox(id identity) {
	t, r := b.t, b.r
	mt := mailboxTypes[id.kind]
	a := b.adUser(id, mt.adRemote)
	a.TargetAddress = "SMTP:" + id.alias + "@" + t.Coex
	a.RemoteRecipientTypeValue = mt.remoteFlags
	a.RemoteRecipientType = snapshot.RemoteRecipientTypeNames(mt.remoteFlags)
	a.RecipientDisplayType = ptr(mt.displayType)
	edoid := r.guid()
	cloud := r.chance(Rates.CloudManaged)
	m := snapshot.Mailbox{
		Guid:                          r.guid(),
		ExternalDirectoryObjectID:     edoid,
		ExchangeGuid:                  a.MailboxGUID,
		Identity:                      id.cn,
		Name:                          id.cn,
		DisplayName:                   id.display,
		Alias:                         id.alias,
		UserPrincipalName:             a.UserPrincipalName,
		PrimarySMTPAddress:            a.Mail,
		WindowsEmailAddress:           a.Mail,
		EmailAddresses:                slices.Clone(a.ProxyAddresses),
		RecipientTypeDetails:          mt.exo,
		IsDirSynced:                   true,
		IsExchangeCloudManaged:        ptr(cloud),
		HiddenFromAddressListsEnabled: a.HiddenFromAddressLists != nil && *a.HiddenFromAddressLists,
		CustomAttributes:              cloneMap(a.CustomAttributes),
		ExtensionCustomAttributes:     map[string][]string{},
		WhenChangedUTC:                t.ago(r.duration(24*time.Hour, 60*24*time.Hour)),
		WhenCreatedUTC:                t.ago(r.duration(200*24*time.Hour, 1200*24*time.Hour)),
		MailboxMoveFlags:              "None",
		MailboxMoveStatus:             "None",
		ArchiveStatus:                 "None",
	}
	for k, v := range a.ExtensionCustomAttributes {
		m.ExtensionCustomAttributes[k] = slices.Clone(v)
	}
	if a.ArchiveGUID != "" {
		m.ArchiveStatus = "Active"
	}
	// Join keys: most AD objects carry the id Cloud Sync wrote back.
	switch x := r.Float64(); {
	case x < Rates.SMTPJoin:
		m.UserPrincipalName = id.alias + "@" + t.Initial
	case x < Rates.SMTPJoin+Rates.UPNJoin:
	case x < Rates.SMTPJoin+Rates.UPNJoin+Rates.NoEDOID:
		m.ImmutableID = a.ImmutableID
	default:
		a.ExternalDirectoryObjectID = edoid
	}
	b.oddities(&a, &m, cloud)
	switch x := r.Float64(); {
	case x < Rates.ADOnly:
		a.ExternalDirectoryObjectID = ""
		b.members = append(b.members, len(b.users))
		b.users = append(b.users, a)
	case x < Rates.ADOnly+Rates.EXOOnly:
		b.moveRequest(&m, cloud)
		b.mailboxes = append(b.mailboxes, m)
	default:
		b.moveRequest(&m, cloud)
		b.members = append(b.members, len(b.users))
		b.users = append(b.users, a)
		if id.kind == snapshot.KindUser && len(b.admins) < 12 && r.chance(0.01) {
			b.admins = append(b.admins, len(b.mailboxes))
		}
		b.mailboxes = append(b.mailboxes, m)
	}
}

// oddities give a synced pair the drift, recent changes and address
// problems of Rates.
func (b *builder) oddities(a *snapshot.ADRecipient, m *snapshot.Mailbox, cloud bool) {
	t, r := b.t, b.r
	if cloud {
		if r.chance(Rates.WritebackDrift) {
			m.EmailAddresses = append(m.EmailAddresses, "smtp:"+m.Alias+".cloud@"+t.Forest)
			m.WhenChangedUTC = t.ago(r.duration(time.Hour, 72*time.Hour))
		}
		if r.chance(Rates.HiddenDrift) {
			m.HiddenFromAddressListsEnabled = !m.HiddenFromAddressListsEnabled
		}
		if r.chance(Rates.OnPremEdit) {
			a.CustomAttributes["CustomAttribute3"] = "Team Lead"
			a.WhenChanged = t.ago(r.duration(time.Hour, 96*time.Hour))
		}
	} else {
		if r.chance(Rates.RecentChange) {
			a.WhenChanged = t.ago(r.duration(time.Minute, 30*time.Hour))
		}
		if r.chance(Rates.PendingDrift) {
			a.CustomAttributes["CustomAttribute2"] = "CC-9999"
			a.WhenChanged = t.ago(r.duration(time.Minute, 50*time.Minute))
		}
	}
	switch x := r.Float64(); {
	case x < Rates.TwoPrimaries:
		a.ProxyAddresses = append(a.ProxyAddresses, "SMTP:"+m.Alias+".second@"+t.Forest)
	case x < Rates.TwoPrimaries+Rates.NoPrimary:
		a.ProxyAddresses[0] = "smtp:" + a.ProxyAddresses[0][5:]
	case x < Rates.TwoPrimaries+Rates.NoPrimary+Rates.DuplicateAddress && len(b.mailboxes) > 0:
		other := b.mailboxes[r.IntN(len(b.mailboxes))]
		a.ProxyAddresses = append(a.ProxyAddresses, "smtp:"+other.PrimarySMTPAddress)
	}
	slices.Sort(a.ProxyAddresses)
}

func (b *builder) moveRequest(m *snapshot.Mailbox, cloud bool) {
	t, r := b.t, b.r
	mr := snapshot.MoveRequest{
		Identity: m.Identity, DisplayName: m.DisplayName, Alias: m.Alias,
		ExchangeGuid: m.ExchangeGuid, ExternalDirectoryObjectID: m.ExternalDirectoryObjectID,
		Direction: "Pull", Flags: "CrossOrg, Pull", RemoteHostName: t.Hybrid, RequestStyle: "CrossOrg",
	}
	switch x := r.Float64(); {
	case cloud && x < Rates.Offboarding:
		mr.Direction, mr.Flags, mr.Status = "Push", "CrossOrg, Push", "InProgress"
		m.MailboxMoveFlags, m.MailboxMoveStatus, m.MailboxMoveRemoteHostName = "CrossOrg, Push", "InProgress", t.Hybrid
	case x < Rates.Offboarding+Rates.Onboarding:
		mr.Status, mr.BatchName = "InProgress", "MigrationService:Wave 12"
		m.MailboxMoveFlags, m.MailboxMoveStatus, m.MailboxMoveRemoteHostName = "CrossOrg, Pull", "InProgress", t.Hybrid
	case x < Rates.Offboarding+Rates.Onboarding+Rates.Onboarded:
		mr.Status, mr.BatchName = "Completed", fmt.Sprintf("MigrationService:Wave %d", r.between(1, 11))
	default:
		return
	}
	b.moves = append(b.moves, mr)
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
