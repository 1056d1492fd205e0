package ad

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exoready/exoready/collector/snapshot"
	ber "github.com/go-asn1-ber/asn1-ber"
)

// Snapshot paths the AD collector reports errors against.
const (
	pathAD                = "ad"
	pathUsers             = "ad.users"
	pathContacts          = "ad.contacts"
	pathGroups            = "ad.groups"
	pathSecurityGroups    = "ad.security_groups"
	pathExchange          = "ad.exchange"
	pathReceiveConnectors = "ad.exchange.receive_connectors"
)

// autodiscoverKeyword marks an Autodiscover serviceConnectionPoint.
const autodiscoverKeyword = "77378F46-2C66-4aa9-A6A6-3E7A48B19596"

// Containers relative to the naming contexts.
const (
	exchangeContainer       = "CN=Microsoft Exchange,CN=Services"
	securityGroupsOU        = "OU=Microsoft Exchange Security Groups"
	extendedRightsContainer = "CN=Extended-Rights"
	hybridConfigurationRDN  = "CN=Hybrid Configuration"
)

// mailEnabledAttrs are the attributes whose presence makes a user, contact
// or group a recipient. The live LDAP filter is built from the same list, so
// live and LDIF collection select the same objects.
var mailEnabledAttrs = []string{"proxyAddresses", "msExchRecipientTypeDetails", "homeMDB", "targetAddress", "mailNickname"}

// recipientAttrs are the domain-partition attributes the snapshot reads.
var recipientAttrs = func() []string {
	a := []string{
		"objectClass", "objectGUID", "msDS-ExternalDirectoryObjectId", "sAMAccountName",
		"userPrincipalName", "displayName", "department", "mail", "mailNickname", "targetAddress",
		"proxyAddresses", "msExchRecipientTypeDetails", "msExchRecipientDisplayType",
		"msExchRemoteRecipientType", "msExchHideFromAddressLists", "homeMDB", "msExchMailboxGuid",
		"msExchArchiveGUID", "userAccountControl", "whenCreated", "whenChanged", "memberOf",
		"groupType", "member",
	}
	for n := 1; n <= 15; n++ {
		a = append(a, fmt.Sprintf("extensionAttribute%d", n))
	}
	for n := 1; n <= 5; n++ {
		a = append(a, fmt.Sprintf("msExchExtensionCustomAttribute%d", n))
	}
	return a
}()

// exchangeAttrs are the configuration-partition attributes the snapshot reads.
var exchangeAttrs = []string{
	"objectClass", "objectVersion", "serialNumber", "msExchCurrentServerRoles",
	"msExchSmtpReceiveBindings", "msExchSmtpReceiveRemoteIPRanges", "msExchSmtpReceiveEnabled",
	"nTSecurityDescriptor", "routingList", "msExchSmtpSmartHost", "msExchSourceBridgeheadServersDN",
	"msExchSmtpSendEnabled", "msExchOwningServer", "msExchAcceptedDomainName",
	"msExchAcceptedDomainFlags", "serviceBindingInformation", "keywords",
	"msExchCoexistenceDomains", "msExchCoexistenceFeatureFlags",
}

// builder turns directory entries, from LDAP or LDIF, into the AD section.
// Domain objects are converted to their snapshot form as they arrive; the
// few configuration objects are kept as entries until finish. Entries are
// keyed by lower-case DN, so an object seen twice counts once (the last
// one read wins).
//
// domainDN may be unknown ("") while entries arrive: an LDIF export names
// its domain partition only by the entries it holds. Domain objects are
// then converted all the same, and finish keeps those under the domain DN
// set by then. Which groups are Exchange security groups, and so which
// snapshot path a decode error belongs to, is decided there too.
type builder struct {
	domainDN, configDN string

	users, contacts chunks[snapshot.ADRecipient]
	groups          chunks[groupObj]
	// objErrs are the decode errors of domain objects, placed by finish.
	objErrs []objErr

	orgs       map[string]*entry
	servers    map[string]*entry
	receive    map[string]*entry
	send       map[string]*entry
	mdbs, pfdb map[string]*entry
	domains    map[string]*entry
	scps       map[string]*entry
	hybrid     map[string]*entry

	// rightsGUID is the resolved ms-Exch-SMTP-Accept-Any-Recipient right.
	rightsGUID string

	// decodeErrs collects bad values, keyed by snapshot path.
	decodeErrs map[string][]string

	mem memo
	// final holds the domain objects kept, once finish sorted them.
	final domainObjects
	// cur is the domain object being converted, for its decode errors.
	cur objErr
}

// groupObj is a converted group and whether it is mail-enabled: a group
// that is not counts only as an Exchange security group.
type groupObj struct {
	g    snapshot.ADGroup
	mail bool
}

type objKind uint8

const (
	kindUser objKind = iota
	kindContact
	kindGroup
)

// objErr is a bad value of a domain object, with what finish needs to
// tell whether the object is kept and under which path.
type objErr struct {
	kind objKind
	mail bool
	dn   string
	msg  string
}

func newBuilder(domainDN, configDN string) *builder {
	return &builder{
		domainDN: domainDN, configDN: configDN,
		orgs: map[string]*entry{}, servers: map[string]*entry{}, receive: map[string]*entry{},
		send: map[string]*entry{}, mdbs: map[string]*entry{}, pfdb: map[string]*entry{},
		domains: map[string]*entry{}, scps: map[string]*entry{}, hybrid: map[string]*entry{},
		decodeErrs: map[string][]string{},
		mem:        newMemo(),
	}
}

func (b *builder) exchangeDN() string {
	if b.configDN == "" {
		return ""
	}
	return exchangeContainer + "," + b.configDN
}

func (b *builder) securityGroupsDN() string {
	if b.domainDN == "" {
		return ""
	}
	return securityGroupsOU + "," + b.domainDN
}

func (b *builder) extendedRightDN() string {
	return "CN=" + acceptAnyRecipientRight + "," + extendedRightsContainer + "," + b.configDN
}

// badValue records an attribute value that could not be decoded. path is
// pathObject for the domain object being converted.
func (b *builder) badValue(path string, e *entry, attr string, err error) {
	msg := fmt.Sprintf("%s: attribute %s: %v", e.dn, attr, err)
	if path == pathObject {
		o := b.cur
		o.dn, o.msg = e.dn, msg
		b.objErrs = append(b.objErrs, o)
		return
	}
	b.decodeErrs[path] = append(b.decodeErrs[path], msg)
}

// pathObject stands for the path of the domain object being converted,
// which finish decides.
const pathObject = ""

// isMailEnabled reports whether a domain object carries any recipient attribute.
func isMailEnabled(e *entry) bool {
	for _, a := range mailEnabledAttrs {
		if len(e.attrs[attrKey(a)]) > 0 {
			return true
		}
	}
	return false
}

// add classifies one entry. Entries of neither partition, and objects that
// are not recipients or Exchange configuration, are ignored. add keeps
// nothing of e itself: it may be reused for the next entry.
func (b *builder) add(e *entry) {
	switch {
	case b.configDN != "" && hasSuffixDN(e.dn, b.configDN):
		b.addConfig(strings.ToLower(e.dn), e)
	case b.domainDN == "" || hasSuffixDN(e.dn, b.domainDN):
		b.addDomain(e)
	}
}

// addDomain converts a recipient or a possible Exchange security group.
func (b *builder) addDomain(e *entry) {
	if e.hasClass("computer") {
		return
	}
	mail := isMailEnabled(e)
	if e.hasClass("group") {
		if !mail && !maybeSecurityGroup(e.dn) {
			return
		}
		b.cur = objErr{kind: kindGroup, mail: mail}
		g := b.groups.add()
		g.mail = mail
		b.group(&g.g, e)
		return
	}
	if !mail {
		return
	}
	switch {
	case e.hasClass("user"):
		b.cur = objErr{kind: kindUser, mail: true}
		b.recipient(b.users.add(), "user", e)
	case e.hasClass("contact"):
		b.cur = objErr{kind: kindContact, mail: true}
		b.recipient(b.contacts.add(), "contact", e)
	}
}

// maybeSecurityGroup reports whether dn lies directly or deeper under an
// OU=Microsoft Exchange Security Groups of any domain: whether it is an
// Exchange security group depends on the domain DN, which finish knows.
func maybeSecurityGroup(dn string) bool {
	for i := 0; i < len(dn); i++ {
		if i == 0 || dn[i-1] == ',' {
			if hasPrefixFold(dn[i:], securityGroupsOU+",") {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix under Unicode case
// folding, as strings.EqualFold compares.
func hasPrefixFold(s, prefix string) bool {
	n := 0
	for range utf8.RuneCountInString(prefix) {
		if n >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[n:])
		n += w
	}
	return strings.EqualFold(s[:n], prefix)
}

// isSecurityGroup reports whether dn lies under the domain's Exchange
// security groups OU.
func (b *builder) isSecurityGroup(dn string) bool { return hasSuffixDN(dn, b.securityGroupsDN()) }

func (b *builder) addConfig(key string, e *entry) {
	if hasSuffixDN(e.dn, b.configDN) && strings.EqualFold(e.dn, b.extendedRightDN()) {
		if g := e.str("rightsGuid"); g != "" {
			if c, err := canonicalGUIDString(g); err == nil {
				b.rightsGUID = c
			} else {
				b.badValue(pathReceiveConnectors, e, "rightsGuid", err)
			}
		}
		return
	}
	if !hasSuffixDN(e.dn, b.exchangeDN()) {
		return
	}
	keep := b.configKind(e)
	if keep != nil {
		keep[key] = e.clone()
	}
}

// configKind returns the map a configuration object is kept in, nil for
// objects the snapshot does not read.
func (b *builder) configKind(e *entry) map[string]*entry {
	switch {
	case e.hasClass("msExchOrganizationContainer"):
		return b.orgs
	case e.hasClass("msExchExchangeServer"):
		return b.servers
	case e.hasClass("msExchSmtpReceiveConnector"):
		return b.receive
	case e.hasClass("msExchRoutingSMTPConnector"):
		return b.send
	case e.hasClass("msExchPrivateMDB"):
		return b.mdbs
	case e.hasClass("msExchPublicMDB"):
		return b.pfdb
	case e.hasClass("msExchAcceptedDomain"):
		return b.domains
	case e.hasClass("msExchCoexistenceRelationship") || strings.HasPrefix(strings.ToLower(e.dn), strings.ToLower(hybridConfigurationRDN)+","):
		return b.hybrid
	case e.hasClass("serviceConnectionPoint") && hasKeyword(e, autodiscoverKeyword):
		return b.scps
	}
	return nil
}

func hasKeyword(e *entry, kw string) bool {
	for _, v := range e.values("keywords") {
		if strings.EqualFold(string(v), kw) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Domain objects

func (b *builder) guid(path string, e *entry, attr string) string {
	raw := e.attrs[attrKey(attr)]
	if len(raw) == 0 {
		return ""
	}
	g, err := appendGUID(b.mem.scratch[:0], raw[0])
	if err != nil {
		b.badValue(path, e, attr, err)
		return ""
	}
	b.mem.scratch = g
	return b.mem.str(g)
}

func (b *builder) int64Of(path string, e *entry, attr string) (int64, bool) {
	raw := e.first(attrKey(attr))
	if len(raw) == 0 {
		return 0, false
	}
	v, err := parseIntBytes(raw)
	if err != nil {
		b.badValue(path, e, attr, err)
		return 0, false
	}
	return v, true
}

func (b *builder) boolOf(path string, e *entry, attr string) (bool, bool) {
	raw := e.first(attrKey(attr))
	if len(raw) == 0 {
		return false, false
	}
	v, err := parseBoolBytes(raw)
	if err != nil {
		b.badValue(path, e, attr, err)
		return false, false
	}
	return v, true
}

// timeOf decodes a GeneralizedTime into *at and returns at, nil when the
// attribute is absent or bad.
func (b *builder) timeOf(path string, e *entry, attr string, at *time.Time) *time.Time {
	raw := e.first(attrKey(attr))
	if len(raw) == 0 {
		return nil
	}
	t, err := ber.ParseGeneralizedTime(raw)
	if err != nil {
		_, err = parseGeneralizedTime(string(raw)) // for its message
		b.badValue(path, e, attr, err)
		return nil
	}
	if at == nil {
		at = new(time.Time)
	}
	*at = t.UTC()
	return at
}

// externalID reads msDS-ExternalDirectoryObjectId. Entra writes it as
// "User_<object id>" (groups: "Group_<object id>"); the snapshot holds the
// bare object id that Exchange Online shows as ExternalDirectoryObjectId.
// Any other form is kept as written.
func (b *builder) externalID(e *entry, prefix string) string {
	v := bytes.TrimSpace(e.first("msds-externaldirectoryobjectid"))
	if len(v) > len(prefix) && strings.EqualFold(string(v[:len(prefix)]), prefix) {
		v = v[len(prefix):]
	}
	return b.mem.str(v)
}

// Attribute keys (lower-case, as entry holds them) of the custom attributes
// and their snapshot names.
var (
	customAttrKeys, customAttrNames       = numbered("extensionattribute", "CustomAttribute", 15)
	extCustomAttrKeys, extCustomAttrNames = numbered("msexchextensioncustomattribute", "ExtensionCustomAttribute", 5)
)

func numbered(key, name string, n int) (keys, names []string) {
	for i := 1; i <= n; i++ {
		keys = append(keys, fmt.Sprintf("%s%d", key, i))
		names = append(names, fmt.Sprintf("%s%d", name, i))
	}
	return keys, names
}

// recipientExtras holds the pointer fields of one recipient in one allocation.
type recipientExtras struct {
	displayType              int64
	hidden                   bool
	whenCreated, whenChanged time.Time
}

func (b *builder) recipient(r *snapshot.ADRecipient, class string, e *entry) {
	const path = pathObject
	m := &b.mem
	x := m.extras.add()
	proxies := m.strs(e.attrs["proxyaddresses"], false)
	sam := m.str(e.first("samaccountname"))
	mail := m.strOf(e.first("mail"), proxies)
	*r = snapshot.ADRecipient{
		DN:                        m.intern(e.dn),
		ObjectClass:               class,
		ObjectGUID:                b.guid(path, e, "objectGUID"),
		ExternalDirectoryObjectID: b.externalID(e, "User_"),
		SAMAccountName:            sam,
		UserPrincipalName:         m.strOf(e.first("userprincipalname"), proxies, mail),
		DisplayName:               m.str(e.first("displayname")),
		Department:                m.internBytes(e.first("department")),
		Mail:                      mail,
		MailNickname:              m.strOf(e.first("mailnickname"), nil, sam),
		TargetAddress:             m.str(e.first("targetaddress")),
		ProxyAddresses:            proxies,
		HomeMDB:                   m.internBytes(e.first("homemdb")),
		MailboxGUID:               b.guid(path, e, "msExchMailboxGuid"),
		ArchiveGUID:               b.guid(path, e, "msExchArchiveGUID"),
		WhenCreated:               b.timeOf(path, e, "whenCreated", &x.whenCreated),
		WhenChanged:               b.timeOf(path, e, "whenChanged", &x.whenChanged),
		MemberOf:                  m.strs(e.attrs["memberof"], true),
	}
	if raw := e.first("objectguid"); len(raw) == 16 {
		r.ImmutableID = m.str(appendImmutableID(m.scratch[:0], raw))
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientTypeDetails"); ok {
		r.RecipientTypeDetailsValue = v
		r.RecipientTypeDetails = m.recipientType(v)
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientDisplayType"); ok {
		x.displayType = v
		r.RecipientDisplayType = &x.displayType
	}
	if v, ok := b.int64Of(path, e, "msExchRemoteRecipientType"); ok {
		r.RemoteRecipientTypeValue = v
	}
	r.RemoteRecipientType = m.remoteType(r.RemoteRecipientTypeValue)
	if v, ok := b.boolOf(path, e, "msExchHideFromAddressLists"); ok {
		x.hidden = v
		r.HiddenFromAddressLists = &x.hidden
	}
	r.CustomAttributes = m.customAttrs(e)
	r.ExtensionCustomAttributes = m.extCustomAttrs(e)
	if v, ok := b.int64Of(path, e, "userAccountControl"); ok {
		r.UserAccountControl = v
		r.Enabled = v&0x2 == 0 // ACCOUNTDISABLE
	}
}

func (b *builder) group(g *snapshot.ADGroup, e *entry) {
	const path = pathObject
	m := &b.mem
	proxies := m.strs(e.attrs["proxyaddresses"], false)
	*g = snapshot.ADGroup{
		DN:                        m.intern(e.dn),
		ObjectGUID:                b.guid(path, e, "objectGUID"),
		ExternalDirectoryObjectID: b.externalID(e, "Group_"),
		SAMAccountName:            m.str(e.first("samaccountname")),
		DisplayName:               m.str(e.first("displayname")),
		Mail:                      m.strOf(e.first("mail"), proxies),
		MailNickname:              m.str(e.first("mailnickname")),
		ProxyAddresses:            proxies,
		Members:                   m.strs(e.attrs["member"], true),
	}
	g.WhenChanged = b.timeOf(path, e, "whenChanged", nil)
	if raw := e.first("objectguid"); len(raw) == 16 {
		g.ImmutableID = m.str(appendImmutableID(m.scratch[:0], raw))
	}
	if v, ok := b.int64Of(path, e, "groupType"); ok {
		g.GroupType = v
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientTypeDetails"); ok {
		g.RecipientTypeDetailsValue = v
		g.RecipientTypeDetails = m.recipientType(v)
	}
}

// ---------------------------------------------------------------------------
// Result

// readState tells finish which datasets were read completely. A dataset
// not read stays nil in the snapshot, so no rule judges half the data.
type readState struct {
	domain, securityGroups, exchange bool
	// rightLookedUp is true when the extended right was searched for (live)
	// or could have been in the input (LDIF holds the configuration NC).
	rightLookedUp bool
}

// finish assembles the AD section and the errors met while decoding.
func (b *builder) finish(st readState) (*snapshot.AD, []snapshot.SourceError) {
	ad := &snapshot.AD{Forest: dnsNameOf(b.configDN), DomainDN: b.domainDN, ConfigDN: b.configDN}
	var errs []snapshot.SourceError
	b.placeObjErrs()
	b.sortDomainObjects()
	if st.domain {
		ad.Users = b.final.users
		ad.Contacts = b.final.contacts
		ad.Groups = b.final.groups
	}
	if st.securityGroups {
		ad.SecurityGroups = b.final.securityGroups
	}
	if st.exchange {
		org, orgErrs := b.exchangeOrg(st.rightLookedUp)
		ad.Exchange = org
		errs = append(errs, orgErrs...)
	}
	for _, p := range sortedKeys(b.decodeErrs) {
		msgs := b.decodeErrs[p]
		sort.Strings(msgs)
		errs = append(errs, snapshot.SourceError{Path: p, Message: "bad attribute values (fix them in AD or in the export): " + joinLimited(msgs, 10)})
	}
	return ad, errs
}

// placeObjErrs files the decode errors of the domain objects that are kept
// under their snapshot paths.
func (b *builder) placeObjErrs() {
	for _, o := range b.objErrs {
		if !hasSuffixDN(o.dn, b.domainDN) {
			continue
		}
		path := pathUsers
		switch {
		case o.kind == kindContact:
			path = pathContacts
		case o.kind == kindGroup && b.isSecurityGroup(o.dn):
			path = pathSecurityGroups
		case o.kind == kindGroup && o.mail:
			path = pathGroups
		case o.kind == kindGroup:
			continue
		}
		b.decodeErrs[path] = append(b.decodeErrs[path], o.msg)
	}
	b.objErrs = nil
}

// domainObjects are the domain objects finish keeps, each list ordered by
// lower-case DN.
type domainObjects struct {
	users, contacts        []snapshot.ADRecipient
	groups, securityGroups []snapshot.ADGroup
}

// sortDomainObjects fills b.final: the objects under the domain DN, the
// last read of each DN, in DN order; groups split into mail-enabled groups
// and Exchange security groups. The converted objects are released.
func (b *builder) sortDomainObjects() {
	b.mem.shared, b.mem.customMaps, b.mem.extMaps = nil, nil, nil // no more objects come
	inDomain := func(dn string) bool { return hasSuffixDN(dn, b.domainDN) }
	b.final.users = pick(&b.users, func(r *snapshot.ADRecipient) string { return r.DN }, inDomain,
		func(r *snapshot.ADRecipient) snapshot.ADRecipient { return *r })
	b.final.contacts = pick(&b.contacts, func(r *snapshot.ADRecipient) string { return r.DN }, inDomain,
		func(r *snapshot.ADRecipient) snapshot.ADRecipient { return *r })
	groupDN := func(g *groupObj) string { return g.g.DN }
	group := func(g *groupObj) snapshot.ADGroup { return g.g }
	b.final.securityGroups = pick(&b.groups, groupDN, func(dn string) bool { return inDomain(dn) && b.isSecurityGroup(dn) }, group)
	// A group that is not mail-enabled never replaces an earlier read of
	// the same DN that is: only security groups count when they are not.
	var mailGroups chunks[groupObj]
	for i := range b.groups.n {
		if g := b.groups.at(i); g.mail {
			*mailGroups.add() = *g
		}
	}
	b.groups = chunks[groupObj]{}
	b.final.groups = pick(&mailGroups, groupDN, func(dn string) bool { return inDomain(dn) && !b.isSecurityGroup(dn) }, group)
	b.users, b.contacts = chunks[snapshot.ADRecipient]{}, chunks[snapshot.ADRecipient]{}
}

// pick returns out(o) for the objects o of c whose DN passes keep, the last
// one of each DN (compared case-insensitively), ordered by lower-case DN;
// never nil.
func pick[T, O any](c *chunks[T], dn func(*T) string, keep func(string) bool, out func(*T) O) []O {
	idx := make([]int32, 0, c.n)
	for i := range c.n {
		if keep(dn(c.at(i))) {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(x, y int32) int {
		if c := cmpLowerDN(dn(c.at(int(x))), dn(c.at(int(y)))); c != 0 {
			return c
		}
		return int(x - y)
	})
	res := make([]O, 0, len(idx))
	for k, i := range idx {
		if k+1 < len(idx) && cmpLowerDN(dn(c.at(int(i))), dn(c.at(int(idx[k+1])))) == 0 {
			continue // a later read of the same DN follows
		}
		res = append(res, out(c.at(int(i))))
	}
	return slices.Clip(res)
}

// cmpLowerDN compares strings.ToLower(a) with strings.ToLower(b) without
// building them.
func cmpLowerDN(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return cmpLowerRunes(a[i:], b[i:])
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// cmpLowerRunes compares rune by rune, as strings.ToLower maps them
// (an invalid byte becomes U+FFFD).
func cmpLowerRunes(a, b string) int {
	for len(a) > 0 && len(b) > 0 {
		ra, wa := utf8.DecodeRuneInString(a)
		rb, wb := utf8.DecodeRuneInString(b)
		if ra, rb = unicode.ToLower(ra), unicode.ToLower(rb); ra != rb {
			return int(ra) - int(rb)
		}
		a, b = a[wa:], b[wb:]
	}
	return len(a) - len(b)
}

func (b *builder) exchangeOrg(rightLookedUp bool) (*snapshot.ExchangeOrg, []snapshot.SourceError) {
	org := &snapshot.ExchangeOrg{
		Servers: []snapshot.ExchangeServer{}, ReceiveConnectors: []snapshot.ReceiveConnector{},
		SendConnectors: []snapshot.SendConnector{}, MailboxDatabases: []snapshot.Database{},
		PublicFolderDatabases: []snapshot.Database{}, AcceptedDomains: []snapshot.AcceptedDomain{},
		AutodiscoverSCPs: []snapshot.AutodiscoverSCP{},
	}
	var errs []snapshot.SourceError
	orgKeys := sortedKeys(b.orgs)
	if len(orgKeys) > 1 {
		dns := make([]string, len(orgKeys))
		for i, k := range orgKeys {
			dns[i] = b.orgs[k].dn
		}
		errs = append(errs, snapshot.SourceError{Path: pathExchange, Message: fmt.Sprintf(
			"%d Exchange organizations found (%s); a forest holds one: check the export mixes no forests", len(dns), strings.Join(dns, "; "))})
	}
	if len(orgKeys) > 0 {
		o := b.orgs[orgKeys[0]]
		org.Name, org.DN = rdnValue(o.dn), o.dn
		if v, ok := b.int64Of(pathExchange, o, "objectVersion"); ok {
			org.ObjectVersion = v
		}
	}
	for _, k := range sortedKeys(b.servers) {
		e := b.servers[k]
		s := snapshot.ExchangeServer{Name: rdnValue(e.dn), DN: e.dn, SerialNumber: e.str("serialNumber")}
		s.Version = parseServerVersion(s.SerialNumber)
		if v, ok := b.int64Of(pathExchange, e, "msExchCurrentServerRoles"); ok {
			s.Roles = v
		}
		s.RoleNames = serverRoleNames(s.Roles)
		org.Servers = append(org.Servers, s)
	}
	var aclProblems = map[string][]string{} // cause → connector names
	for _, k := range sortedKeys(b.receive) {
		e := b.receive[k]
		rc := snapshot.ReceiveConnector{
			Name: rdnValue(e.dn), DN: e.dn, Server: rdnAfter(e.dn, "CN=Protocols"),
			Enabled: true, Bindings: e.strs("msExchSmtpReceiveBindings"),
			RemoteIPRanges: e.strs("msExchSmtpReceiveRemoteIPRanges"), RelayGrantees: []string{},
		}
		if v, ok := b.boolOf(pathReceiveConnectors, e, "msExchSmtpReceiveEnabled"); ok {
			rc.Enabled = v
		}
		cause := b.analyseConnector(&rc, e, rightLookedUp)
		if cause != "" {
			rc.ACLError = cause
			aclProblems[cause] = append(aclProblems[cause], rc.Server+`\`+rc.Name)
		}
		org.ReceiveConnectors = append(org.ReceiveConnectors, rc)
	}
	for _, cause := range sortedKeys(aclProblems) {
		errs = append(errs, snapshot.SourceError{Path: pathReceiveConnectors, Message: fmt.Sprintf(
			"relay permissions of receive connector(s) %s not analysed: %s", strings.Join(aclProblems[cause], ", "), cause)})
	}
	for _, k := range sortedKeys(b.send) {
		e := b.send[k]
		sc := snapshot.SendConnector{
			Name: rdnValue(e.dn), DN: e.dn, AddressSpaces: e.strs("routingList"),
			SmartHosts: splitSmartHosts(e.str("msExchSmtpSmartHost")), SourceServers: rdnValues(e.strs("msExchSourceBridgeheadServersDN")),
			Enabled: true,
		}
		if v, ok := b.boolOf(pathExchange, e, "msExchSmtpSendEnabled"); ok {
			sc.Enabled = v
		}
		org.SendConnectors = append(org.SendConnectors, sc)
	}
	for _, k := range sortedKeys(b.mdbs) {
		e := b.mdbs[k]
		org.MailboxDatabases = append(org.MailboxDatabases, snapshot.Database{Name: rdnValue(e.dn), DN: e.dn, Server: rdnValueOrEmpty(e.str("msExchOwningServer"))})
	}
	for _, k := range sortedKeys(b.pfdb) {
		e := b.pfdb[k]
		org.PublicFolderDatabases = append(org.PublicFolderDatabases, snapshot.Database{Name: rdnValue(e.dn), DN: e.dn, Server: rdnValueOrEmpty(e.str("msExchOwningServer"))})
	}
	for _, k := range sortedKeys(b.domains) {
		e := b.domains[k]
		d := snapshot.AcceptedDomain{Name: rdnValue(e.dn), DomainName: e.str("msExchAcceptedDomainName"), DomainType: "Authoritative"}
		if v, ok := b.int64Of(pathExchange, e, "msExchAcceptedDomainFlags"); ok {
			d.DomainType = acceptedDomainType(v)
			d.Default = v&4 != 0
		}
		org.AcceptedDomains = append(org.AcceptedDomains, d)
	}
	for _, k := range sortedKeys(b.scps) {
		e := b.scps[k]
		org.AutodiscoverSCPs = append(org.AutodiscoverSCPs, snapshot.AutodiscoverSCP{
			Name: rdnValue(e.dn), DN: e.dn, Server: rdnAfter(e.dn, "CN=Protocols"),
			URLs: e.strs("serviceBindingInformation"), Keywords: e.strs("keywords"),
		})
	}
	if hk := sortedKeys(b.hybrid); len(hk) > 0 {
		e := b.hybrid[hk[0]]
		h := &snapshot.HybridConfiguration{DN: e.dn, Domains: e.strs("msExchCoexistenceDomains")}
		v, _ := b.int64Of(pathExchange, e, "msExchCoexistenceFeatureFlags")
		h.Features = hybridFeatureNames(v)
		org.HybridConfiguration = h
	}
	return org, errs
}

// analyseConnector fills the relay fields of a receive connector and returns
// why the ACL could not be analysed, "" when it was.
func (b *builder) analyseConnector(rc *snapshot.ReceiveConnector, e *entry, rightLookedUp bool) string {
	if b.rightsGUID == "" {
		if !rightLookedUp {
			return "the extended right " + acceptAnyRecipientRight + " could not be looked up"
		}
		return fmt.Sprintf("the extended right %s was not found at %s, so no ACE can be matched to it (export or grant read access to CN=Extended-Rights of the configuration partition)",
			acceptAnyRecipientRight, b.extendedRightDN())
	}
	raw := e.values("nTSecurityDescriptor")
	if len(raw) == 0 {
		return "nTSecurityDescriptor was not returned (the account needs Read Permissions on the connector; LDIF exports must include the attribute, read with the SD-flags control)"
	}
	sd, err := parseSecurityDescriptor(raw[0])
	if err != nil {
		return "nTSecurityDescriptor is corrupt: " + err.Error()
	}
	ra := analyseRelay(sd, b.rightsGUID)
	rc.AnonymousRelay = &ra.Anonymous
	rc.RelayGrantees = ra.Grantees
	return ""
}

// ---------------------------------------------------------------------------
// Small decoders for configuration values

// parseServerVersion turns "Version 15.2 (Build 1544.4)" into "15.2.1544.4";
// "" when the serial number has another shape.
// Signs are refused (fmt.Sscanf's %d took "-1"), so the
// result is always a version lib.valid_version accepts.
func parseServerVersion(serial string) string {
	m := serverSerial.FindStringSubmatch(strings.TrimSpace(serial))
	if m == nil {
		return ""
	}
	return m[1] + "." + m[2] + "." + m[3] + "." + m[4]
}

var serverSerial = regexp.MustCompile(`^Version ([0-9]{1,9})\.([0-9]{1,9}) \(Build ([0-9]{1,9})\.([0-9]{1,9})\)$`)

// serverRoles are the msExchCurrentServerRoles bits.
var serverRoles = []struct {
	bit  int64
	name string
}{
	{2, "Mailbox"}, {4, "ClientAccess"}, {16, "UnifiedMessaging"}, {32, "HubTransport"}, {64, "Edge"},
}

func serverRoleNames(v int64) []string { return flagNames(v, serverRoles) }

// hybridFeatures are the msExchCoexistenceFeatureFlags bits.
var hybridFeatures = []struct {
	bit  int64
	name string
}{
	{1, "FreeBusy"}, {2, "MoveMailbox"}, {4, "Mailtips"}, {8, "MessageTracking"}, {16, "OwaRedirection"},
	{32, "OnlineArchive"}, {64, "SecureMail"}, {128, "CentralizedTransportOnPrem"},
	{256, "CentralizedTransportInCloud"}, {512, "Photos"},
}

func hybridFeatureNames(v int64) []string { return flagNames(v, hybridFeatures) }

// flagNames decodes a bit set; unknown bits become "Unknown(<bit>)".
func flagNames(v int64, table []struct {
	bit  int64
	name string
}) []string {
	out := []string{}
	rest := v
	for _, f := range table {
		if rest&f.bit != 0 {
			out = append(out, f.name)
			rest &^= f.bit
		}
	}
	for bit := int64(1); rest != 0 && bit > 0; bit <<= 1 {
		if rest&bit != 0 {
			out = append(out, fmt.Sprintf("Unknown(%d)", bit))
			rest &^= bit
		}
	}
	if rest != 0 { // the sign bit
		out = append(out, fmt.Sprintf("Unknown(%d)", rest))
	}
	sort.Strings(out)
	return out
}

// acceptedDomainType decodes the low two bits of msExchAcceptedDomainFlags.
func acceptedDomainType(flags int64) string {
	switch flags & 3 {
	case 1:
		return "ExternalRelay"
	case 2:
		return "InternalRelay"
	case 3:
		return "Unknown(3)"
	}
	return "Authoritative"
}

// splitSmartHosts splits msExchSmtpSmartHost ("a.example;[10.0.0.1]").
func splitSmartHosts(s string) []string {
	out := []string{}
	for _, h := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func rdnValues(dns []string) []string {
	out := make([]string, 0, len(dns))
	for _, d := range dns {
		out = append(out, rdnValue(d))
	}
	sort.Strings(out)
	return out
}

func rdnValueOrEmpty(dn string) string {
	if dn == "" {
		return ""
	}
	return rdnValue(dn)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// joinLimited joins at most n messages and says how many were left out.
func joinLimited(msgs []string, n int) string {
	if len(msgs) <= n {
		return strings.Join(msgs, "; ")
	}
	return strings.Join(msgs[:n], "; ") + fmt.Sprintf("; and %d more", len(msgs)-n)
}
