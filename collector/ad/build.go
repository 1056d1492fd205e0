package ad

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
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
// Entries are keyed by lower-case DN, so an object seen twice counts once.
type builder struct {
	domainDN, configDN string

	users, contacts   map[string]snapshot.ADRecipient
	groupObjs, sgObjs map[string]snapshot.ADGroup

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

	// entries counts every entry offered, classified or not.
	entries int
	// decodeErrs collects bad values, keyed by snapshot path.
	decodeErrs map[string][]string
}

func newBuilder(domainDN, configDN string) *builder {
	return &builder{
		domainDN: domainDN, configDN: configDN,
		users: map[string]snapshot.ADRecipient{}, contacts: map[string]snapshot.ADRecipient{},
		groupObjs: map[string]snapshot.ADGroup{}, sgObjs: map[string]snapshot.ADGroup{},
		orgs: map[string]*entry{}, servers: map[string]*entry{}, receive: map[string]*entry{},
		send: map[string]*entry{}, mdbs: map[string]*entry{}, pfdb: map[string]*entry{},
		domains: map[string]*entry{}, scps: map[string]*entry{}, hybrid: map[string]*entry{},
		decodeErrs: map[string][]string{},
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

// badValue records an attribute value that could not be decoded.
func (b *builder) badValue(path string, e *entry, attr string, err error) {
	b.decodeErrs[path] = append(b.decodeErrs[path], fmt.Sprintf("%s: attribute %s: %v", e.dn, attr, err))
}

// isMailEnabled reports whether a domain object carries any recipient attribute.
func isMailEnabled(e *entry) bool {
	for _, a := range mailEnabledAttrs {
		if e.has(a) {
			return true
		}
	}
	return false
}

// add classifies one entry. Entries of neither partition, and objects that
// are not recipients or Exchange configuration, are ignored.
func (b *builder) add(e *entry) {
	b.entries++
	key := strings.ToLower(e.dn)
	switch {
	case b.configDN != "" && hasSuffixDN(e.dn, b.configDN):
		b.addConfig(key, e)
	case b.domainDN != "" && hasSuffixDN(e.dn, b.domainDN):
		b.addDomain(key, e)
	}
}

func (b *builder) addDomain(key string, e *entry) {
	if e.hasClass("computer") {
		return
	}
	isGroup := e.hasClass("group")
	if isGroup && hasSuffixDN(e.dn, b.securityGroupsDN()) {
		b.sgObjs[key] = b.group(pathSecurityGroups, e)
		return
	}
	if !isMailEnabled(e) {
		return
	}
	switch {
	case isGroup:
		b.groupObjs[key] = b.group(pathGroups, e)
	case e.hasClass("user"):
		b.users[key] = b.recipient(pathUsers, "user", e)
	case e.hasClass("contact"):
		b.contacts[key] = b.recipient(pathContacts, "contact", e)
	}
}

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
	switch {
	case e.hasClass("msExchOrganizationContainer"):
		b.orgs[key] = e
	case e.hasClass("msExchExchangeServer"):
		b.servers[key] = e
	case e.hasClass("msExchSmtpReceiveConnector"):
		b.receive[key] = e
	case e.hasClass("msExchRoutingSMTPConnector"):
		b.send[key] = e
	case e.hasClass("msExchPrivateMDB"):
		b.mdbs[key] = e
	case e.hasClass("msExchPublicMDB"):
		b.pfdb[key] = e
	case e.hasClass("msExchAcceptedDomain"):
		b.domains[key] = e
	case e.hasClass("msExchCoexistenceRelationship") || strings.HasPrefix(strings.ToLower(e.dn), strings.ToLower(hybridConfigurationRDN)+","):
		b.hybrid[key] = e
	case e.hasClass("serviceConnectionPoint") && hasKeyword(e, autodiscoverKeyword):
		b.scps[key] = e
	}
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
	raw := e.values(attr)
	if len(raw) == 0 {
		return ""
	}
	g, err := formatGUID(raw[0])
	if err != nil {
		b.badValue(path, e, attr, err)
	}
	return g
}

func (b *builder) int64Of(path string, e *entry, attr string) (int64, bool) {
	s := e.str(attr)
	if s == "" {
		return 0, false
	}
	v, err := parseInt(s)
	if err != nil {
		b.badValue(path, e, attr, err)
		return 0, false
	}
	return v, true
}

func (b *builder) boolOf(path string, e *entry, attr string) (bool, bool) {
	s := e.str(attr)
	if s == "" {
		return false, false
	}
	v, err := parseBool(s)
	if err != nil {
		b.badValue(path, e, attr, err)
		return false, false
	}
	return v, true
}

func (b *builder) timeOf(path string, e *entry, attr string) *time.Time {
	s := e.str(attr)
	if s == "" {
		return nil
	}
	t, err := parseGeneralizedTime(s)
	if err != nil {
		b.badValue(path, e, attr, err)
		return nil
	}
	return &t
}

// externalID reads msDS-ExternalDirectoryObjectId. Entra writes it as
// "User_<object id>" (groups: "Group_<object id>"); the snapshot holds the
// bare object id that Exchange Online shows as ExternalDirectoryObjectId.
// Any other form is kept as written.
func externalID(e *entry, prefix string) string {
	v := strings.TrimSpace(e.str("msDS-ExternalDirectoryObjectId"))
	if len(v) > len(prefix) && strings.EqualFold(v[:len(prefix)], prefix) {
		return v[len(prefix):]
	}
	return v
}

func (b *builder) recipient(path, class string, e *entry) snapshot.ADRecipient {
	r := snapshot.ADRecipient{
		DN:                        e.dn,
		ObjectClass:               class,
		ObjectGUID:                b.guid(path, e, "objectGUID"),
		ExternalDirectoryObjectID: externalID(e, "User_"),
		SAMAccountName:            e.str("sAMAccountName"),
		UserPrincipalName:         e.str("userPrincipalName"),
		DisplayName:               e.str("displayName"),
		Department:                e.str("department"),
		Mail:                      e.str("mail"),
		MailNickname:              e.str("mailNickname"),
		TargetAddress:             e.str("targetAddress"),
		ProxyAddresses:            e.strs("proxyAddresses"),
		CustomAttributes:          map[string]string{},
		ExtensionCustomAttributes: map[string][]string{},
		HomeMDB:                   e.str("homeMDB"),
		MailboxGUID:               b.guid(path, e, "msExchMailboxGuid"),
		ArchiveGUID:               b.guid(path, e, "msExchArchiveGUID"),
		WhenCreated:               b.timeOf(path, e, "whenCreated"),
		WhenChanged:               b.timeOf(path, e, "whenChanged"),
		MemberOf:                  e.strs("memberOf"),
	}
	if raw := e.values("objectGUID"); len(raw) > 0 && len(raw[0]) == 16 {
		r.ImmutableID = immutableID(raw[0])
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientTypeDetails"); ok {
		r.RecipientTypeDetailsValue = v
		r.RecipientTypeDetails = snapshot.RecipientTypeName(v)
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientDisplayType"); ok {
		r.RecipientDisplayType = &v
	}
	if v, ok := b.int64Of(path, e, "msExchRemoteRecipientType"); ok {
		r.RemoteRecipientTypeValue = v
	}
	r.RemoteRecipientType = snapshot.RemoteRecipientTypeNames(r.RemoteRecipientTypeValue)
	if r.RemoteRecipientType == nil {
		r.RemoteRecipientType = []string{}
	}
	if v, ok := b.boolOf(path, e, "msExchHideFromAddressLists"); ok {
		r.HiddenFromAddressLists = &v
	}
	for n := 1; n <= 15; n++ {
		if v := e.str(fmt.Sprintf("extensionAttribute%d", n)); v != "" {
			r.CustomAttributes[fmt.Sprintf("CustomAttribute%d", n)] = v
		}
	}
	for n := 1; n <= 5; n++ {
		if v := e.strs(fmt.Sprintf("msExchExtensionCustomAttribute%d", n)); len(v) > 0 {
			r.ExtensionCustomAttributes[fmt.Sprintf("ExtensionCustomAttribute%d", n)] = v
		}
	}
	if v, ok := b.int64Of(path, e, "userAccountControl"); ok {
		r.UserAccountControl = v
		r.Enabled = v&0x2 == 0 // ACCOUNTDISABLE
	}
	return r
}

func (b *builder) group(path string, e *entry) snapshot.ADGroup {
	g := snapshot.ADGroup{
		DN:                        e.dn,
		ObjectGUID:                b.guid(path, e, "objectGUID"),
		ExternalDirectoryObjectID: externalID(e, "Group_"),
		SAMAccountName:            e.str("sAMAccountName"),
		DisplayName:               e.str("displayName"),
		Mail:                      e.str("mail"),
		MailNickname:              e.str("mailNickname"),
		ProxyAddresses:            e.strs("proxyAddresses"),
		Members:                   e.strs("member"),
		WhenChanged:               b.timeOf(path, e, "whenChanged"),
	}
	if raw := e.values("objectGUID"); len(raw) > 0 && len(raw[0]) == 16 {
		g.ImmutableID = immutableID(raw[0])
	}
	if v, ok := b.int64Of(path, e, "groupType"); ok {
		g.GroupType = v
	}
	if v, ok := b.int64Of(path, e, "msExchRecipientTypeDetails"); ok {
		g.RecipientTypeDetailsValue = v
		g.RecipientTypeDetails = snapshot.RecipientTypeName(v)
	}
	return g
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
	if st.domain {
		ad.Users = sortedValues(b.users)
		ad.Contacts = sortedValues(b.contacts)
		ad.Groups = sortedValues(b.groupObjs)
	}
	if st.securityGroups {
		ad.SecurityGroups = sortedValues(b.sgObjs)
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

// sortedValues returns the map's values ordered by key (lower-case DN), never nil.
func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// joinLimited joins at most n messages and says how many were left out.
func joinLimited(msgs []string, n int) string {
	if len(msgs) <= n {
		return strings.Join(msgs, "; ")
	}
	return strings.Join(msgs[:n], "; ") + fmt.Sprintf("; and %d more", len(msgs)-n)
}
