package exo

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// dataset is one cmdlet or Graph resource: where its export file lives, how
// it is fetched live, which snapshot path it fills and how objects convert.
type dataset struct {
	name     string         // cmdlet name, or the Graph file stem
	file     string         // export file, relative to the folder
	path     string         // snapshot path it fills
	entra    bool           // Graph (entra section) rather than EXO
	required bool           // the collection fails without it
	params   map[string]any // InvokeCommand parameters
	graph    string         // Graph request path below /v1.0 ("" = composite)
	newSink  func() sink
}

// sink gathers the converted objects of one dataset and stores them in the
// sections once the whole dataset was read without a problem.
type sink interface {
	sinkPart
	store(s *sections)
}

// sinkPart converts objects into a sink or into one part of it.
type sinkPart interface {
	add(f *fields)
}

// partedSink is a sink whose objects can be converted on several
// goroutines, each into its own part; parts are merged in file order.
type partedSink interface {
	sink
	newPart(n int) sinkPart // for n objects
	merge(sinkPart)
	// names are the top-level properties the converter reads.
	names() *slotNames
	// grow makes room for about n more objects; room says how many fit.
	grow(n int)
	room() int
	// reset drops what was read, to read again.
	reset()
}

// sections are the two snapshot sections this package fills.
type sections struct {
	exo   *snapshot.EXO
	entra *snapshot.Entra
}

type listSink[T any] struct {
	conv  func(*fields) T
	set   func(*sections, []T)
	slots func() *slotNames
	items []T
	spare chan []T // parts merged, for reuse: fewer copies for the collector to free
}

func (l *listSink[T]) add(f *fields) { l.items = append(l.items, l.conv(f)) }

func (l *listSink[T]) store(s *sections) {
	if l.items == nil {
		l.items = []T{} // collected and empty
	}
	l.set(s, l.items)
}

func (l *listSink[T]) newPart(n int) sinkPart {
	p := &listSink[T]{conv: l.conv}
	select {
	case p.items = <-l.spare:
	default:
	}
	if cap(p.items) < n {
		p.items = make([]T, 0, n)
	}
	return p
}

func (l *listSink[T]) merge(sp sinkPart) {
	p := sp.(*listSink[T])
	l.items = append(l.items, p.items...)
	var zero T
	for i := range p.items {
		p.items[i] = zero
	}
	select {
	case l.spare <- p.items[:0]:
	default:
	}
}

func (l *listSink[T]) names() *slotNames { return l.slots() }

func (l *listSink[T]) grow(n int) { l.items = slices.Grow(l.items, n) }

func (l *listSink[T]) room() int { return cap(l.items) - len(l.items) }

func (l *listSink[T]) reset() { l.items = nil }

func list[T any](conv func(*fields) T, set func(*sections, []T)) func() sink {
	slots := sync.OnceValue(func() *slotNames { return namesRead(func(f *fields) { conv(f) }) })
	return func() sink { return &listSink[T]{conv: conv, set: set, slots: slots, spare: make(chan []T, 8)} }
}

// oneSink keeps the single object of a per-tenant dataset.
type oneSink[T any] struct {
	conv func(*fields) T
	set  func(*sections, T)
	name string
	v    T
	n    int
}

func (o *oneSink[T]) add(f *fields) {
	o.n++
	if o.n > 1 {
		f.failObject("%s returns one object per tenant, but the data holds several", o.name)
		return
	}
	o.v = o.conv(f)
}

func (o *oneSink[T]) store(s *sections) { o.set(s, o.v) }

func one[T any](name string, conv func(*fields) T, set func(*sections, T)) func() sink {
	return func() sink { return &oneSink[T]{conv: conv, set: set, name: name} }
}

// Recipient types exported by Get-Recipient: groups and contacts (mailboxes
// come from Get-Mailbox).
var recipientTypes = []string{
	"MailUniversalDistributionGroup", "MailUniversalSecurityGroup", "MailNonUniversalGroup",
	"DynamicDistributionGroup", "RoomList", "MailContact",
}

func cmdlet(name, path string, params map[string]any, newSink func() sink) dataset {
	return dataset{name: name, file: name + ".json", path: path, params: params, newSink: newSink}
}

func graphSet(stem, path, req string, newSink func() sink) dataset {
	return dataset{name: stem, file: "graph/" + stem + ".json", path: path, entra: true, graph: req, newSink: newSink}
}

var unlimited = map[string]any{"ResultSize": "Unlimited"}

// datasets lists everything collected, in collection order. The export
// folder contract (PRODUCT.md) and scripts/Export-ExoReady.ps1 follow it.
var datasets = []dataset{
	func() dataset {
		d := cmdlet("Get-Mailbox", "exo.mailboxes", unlimited, list(toMailbox, func(s *sections, v []snapshot.Mailbox) { s.exo.Mailboxes = v }))
		d.required = true
		return d
	}(),
	cmdlet("Get-Recipient", "exo.recipients", map[string]any{"ResultSize": "Unlimited", "RecipientTypeDetails": recipientTypes},
		list(toRecipient, func(s *sections, v []snapshot.Recipient) { s.exo.Recipients = v })),
	cmdlet("Get-OrganizationConfig", "exo.organization_config", map[string]any{},
		one("Get-OrganizationConfig", (*fields).plainMap, func(s *sections, v map[string]any) { s.exo.OrganizationConfig = v })),
	cmdlet("Get-AdminAuditLogConfig", "exo.admin_audit_log_config", map[string]any{},
		one("Get-AdminAuditLogConfig", (*fields).plainMap, func(s *sections, v map[string]any) { s.exo.AdminAuditLogConfig = v })),
	cmdlet("Get-ManagementRoleEntry", "exo.role_entries", map[string]any{"Identity": `*\Set-Mailbox`},
		list(toRoleEntry, func(s *sections, v []snapshot.RoleEntry) { s.exo.RoleEntries = v })),
	cmdlet("Get-ManagementRoleAssignment", "exo.role_assignments", map[string]any{"GetEffectiveUsers": true},
		list(toRoleAssignment, func(s *sections, v []snapshot.RoleAssignment) { s.exo.RoleAssignments = v })),
	cmdlet("Get-RoleGroup", "exo.role_groups", unlimited,
		list(toRoleGroup, func(s *sections, v []snapshot.RoleGroup) { s.exo.RoleGroups = v })),
	cmdlet("Get-MoveRequest", "exo.move_requests", unlimited,
		list(toMoveRequest, func(s *sections, v []snapshot.MoveRequest) { s.exo.MoveRequests = v })),
	cmdlet("Get-InboundConnector", "exo.inbound_connectors", map[string]any{},
		list(toConnector, func(s *sections, v []snapshot.Connector) { s.exo.InboundConnectors = v })),
	cmdlet("Get-OutboundConnector", "exo.outbound_connectors", map[string]any{},
		list(toConnector, func(s *sections, v []snapshot.Connector) { s.exo.OutboundConnectors = v })),
	cmdlet("Get-OrganizationRelationship", "exo.organization_relationships", map[string]any{},
		list(toOrgRelationship, func(s *sections, v []snapshot.OrganizationRelationship) { s.exo.OrganizationRelationships = v })),
	cmdlet("Get-IntraOrganizationConnector", "exo.intra_organization_connectors", map[string]any{},
		list(toIOC, func(s *sections, v []snapshot.IntraOrganizationConnector) { s.exo.IntraOrganizationConnectors = v })),
	cmdlet("Get-RemoteDomain", "exo.remote_domains", map[string]any{},
		list(toRemoteDomain, func(s *sections, v []snapshot.RemoteDomain) { s.exo.RemoteDomains = v })),
	cmdlet("Get-MigrationEndpoint", "exo.migration_endpoints", map[string]any{},
		list(toMigrationEndpoint, func(s *sections, v []snapshot.MigrationEndpoint) { s.exo.MigrationEndpoints = v })),

	graphSet("organization", "entra.organization", "/organization",
		one("organization", toOrganization, func(s *sections, v *snapshot.Organization) { s.entra.Organization = v })),
	graphSet("roleAssignments", "entra.role_assignments", "/roleManagement/directory/roleAssignments?$expand=principal",
		list(toDirectoryRoleAssignment, func(s *sections, v []snapshot.DirectoryRoleAssignment) { s.entra.RoleAssignments = v })),
	graphSet("onPremisesSynchronization", "entra.on_premises_synchronization", "/directory/onPremisesSynchronization",
		one("onPremisesSynchronization", (*fields).plainMap, func(s *sections, v map[string]any) { s.entra.OnPremisesSynchronization = v })),
	graphSet("synchronizationJobs", "entra.sync_jobs", "",
		list(toSyncJob, func(s *sections, v []snapshot.SyncJob) { s.entra.SyncJobs = v })),
}

// exportCommand is the PowerShell that writes one dataset's export file.
func (d *dataset) exportCommand(dir string) string {
	if d.entra {
		return fmt.Sprintf("run scripts/Export-ExoReady.ps1 (it writes graph/%s.json with Invoke-MgGraphRequest)", d.name)
	}
	var params []string
	keys := make([]string, 0, len(d.params))
	for k := range d.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := d.params[k].(type) {
		case bool:
			params = append(params, "-"+k)
		case []string:
			params = append(params, "-"+k+" '"+strings.Join(v, "','")+"'")
		default:
			params = append(params, fmt.Sprintf("-%s '%v'", k, v))
		}
	}
	cmd := d.name
	if len(params) > 0 {
		cmd += " " + strings.Join(params, " ")
	}
	return fmt.Sprintf("run scripts/Export-ExoReady.ps1 or `%s | ConvertTo-Json -Depth 5 | Out-File -Encoding utf8 '%s'`", cmd, joinPS(dir, d.file))
}

func joinPS(dir, file string) string {
	if dir == "" {
		return file
	}
	return strings.TrimRight(dir, `/\`) + "/" + file
}

// ---------------------------------------------------------------------------
// Converters: one per object type. Property names are Exchange's and Graph's.

func toMailbox(f *fields) snapshot.Mailbox {
	m := snapshot.Mailbox{
		Guid:                          f.guid("Guid"),
		ExternalDirectoryObjectID:     f.guid("ExternalDirectoryObjectId"),
		ExchangeGuid:                  f.guid("ExchangeGuid"),
		ImmutableID:                   f.str("ImmutableId"),
		Identity:                      f.str("Identity"),
		Name:                          f.str("Name"),
		DisplayName:                   f.str("DisplayName"),
		Alias:                         f.str("Alias"),
		UserPrincipalName:             f.str("UserPrincipalName"),
		PrimarySMTPAddress:            f.str("PrimarySmtpAddress"),
		WindowsEmailAddress:           f.str("WindowsEmailAddress"),
		EmailAddresses:                f.multi("EmailAddresses"),
		RecipientTypeDetails:          f.enum("RecipientTypeDetails", "", recipientTypeName),
		IsDirSynced:                   f.boolean("IsDirSynced"),
		IsExchangeCloudManaged:        f.optBool("IsExchangeCloudManaged"),
		HiddenFromAddressListsEnabled: f.boolean("HiddenFromAddressListsEnabled"),
		CustomAttributes:              map[string]string{},
		ExtensionCustomAttributes:     map[string][]string{},
		WhenChangedUTC:                f.utcTime("WhenChangedUTC", "WhenChanged"),
		WhenCreatedUTC:                f.utcTime("WhenCreatedUTC", "WhenCreated"),
		MailboxMoveFlags:              f.enum("MailboxMoveFlags", "None", nil),
		MailboxMoveRemoteHostName:     f.str("MailboxMoveRemoteHostName"),
		MailboxMoveStatus:             f.enum("MailboxMoveStatus", "None", nil),
		ArchiveStatus:                 f.enum("ArchiveStatus", "None", nil),
	}
	for _, k := range customAttributes {
		if v := f.word(k); v != "" {
			m.CustomAttributes[k] = v
		}
	}
	for _, k := range extensionCustomAttributes {
		if v := f.multi(k); len(v) > 0 {
			m.ExtensionCustomAttributes[k] = v
		}
	}
	// The primary address is in EmailAddresses too: keep that one copy.
	for _, a := range m.EmailAddresses {
		if len(a) > 5 && strings.EqualFold(a[:5], "smtp:") {
			for _, p := range []*string{&m.UserPrincipalName, &m.PrimarySMTPAddress, &m.WindowsEmailAddress} {
				if *p == a[5:] {
					*p = a[5:]
				}
			}
		}
	}
	return m
}

// customAttributes and extensionCustomAttributes name the mailbox's custom
// attributes (one copy of each name for all mailboxes).
var (
	customAttributes          = numbered("CustomAttribute", 15)
	extensionCustomAttributes = numbered("ExtensionCustomAttribute", 5)
)

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

// utcTime reads the *UTC property, or its local twin when the export lacks
// it (the twin carries its offset in every form exoready reads).
func (f *fields) utcTime(utc, local string) *time.Time {
	if f.has(utc) {
		return f.timeValue(utc)
	}
	return f.timeValue(local)
}

func toRecipient(f *fields) snapshot.Recipient {
	return snapshot.Recipient{
		Guid:                      f.guid("Guid"),
		ExternalDirectoryObjectID: f.guid("ExternalDirectoryObjectId"),
		Identity:                  f.str("Identity"),
		Name:                      f.str("Name"),
		DisplayName:               f.str("DisplayName"),
		Alias:                     f.str("Alias"),
		PrimarySMTPAddress:        f.str("PrimarySmtpAddress"),
		EmailAddresses:            f.multi("EmailAddresses"),
		RecipientType:             f.enum("RecipientType", "", nil),
		RecipientTypeDetails:      f.enum("RecipientTypeDetails", "", recipientTypeName),
		IsDirSynced:               f.boolean("IsDirSynced"),
		IsCloudManaged:            f.optBool("IsCloudManaged"),
		WhenChangedUTC:            f.utcTime("WhenChangedUTC", "WhenChanged"),
	}
}

func toRoleEntry(f *fields) snapshot.RoleEntry {
	return snapshot.RoleEntry{
		Name:       f.str("Name"),
		Role:       f.str("Role"),
		Parameters: f.multi("Parameters"),
		Type:       f.enum("Type", "", nil),
	}
}

func toRoleAssignment(f *fields) snapshot.RoleAssignment {
	a := snapshot.RoleAssignment{
		Name:                             f.str("Name"),
		Role:                             f.str("Role"),
		RoleAssignee:                     f.str("RoleAssignee"),
		RoleAssigneeName:                 f.str("RoleAssigneeName"),
		RoleAssigneeType:                 f.enum("RoleAssigneeType", "", nil),
		EffectiveUserName:                f.str("EffectiveUserName"),
		AssignmentChain:                  f.str("AssignmentChain"),
		RecipientWriteScope:              f.enum("RecipientWriteScope", "", nil),
		CustomRecipientWriteScope:        f.str("CustomRecipientWriteScope"),
		CustomResourceScope:              f.str("CustomResourceScope"),
		RecipientOrganizationalUnitScope: f.str("RecipientOrganizationalUnitScope"),
		Enabled:                          f.boolean("Enabled"),
	}
	// Exchange shows delegation as RoleAssignmentDelegationType (Regular,
	// Delegating, DelegatingOrgWide); some tools flatten it to a boolean.
	if f.has("RoleAssignmentDelegationType") {
		a.Delegating = strings.HasPrefix(strings.ToLower(f.enum("RoleAssignmentDelegationType", "", nil)), "delegating")
	} else {
		a.Delegating = f.boolean("Delegating")
	}
	return a
}

func toRoleGroup(f *fields) snapshot.RoleGroup {
	return snapshot.RoleGroup{
		Name:      f.str("Name"),
		Guid:      f.guid("Guid"),
		Members:   f.multi("Members"),
		Roles:     f.multi("Roles"),
		ManagedBy: f.multi("ManagedBy"),
	}
}

func toMoveRequest(f *fields) snapshot.MoveRequest {
	return snapshot.MoveRequest{
		Identity:                  f.str("Identity"),
		DisplayName:               f.str("DisplayName"),
		Alias:                     f.str("Alias"),
		ExchangeGuid:              f.guid("ExchangeGuid"),
		ExternalDirectoryObjectID: f.guid("ExternalDirectoryObjectId"),
		Direction:                 f.enum("Direction", "", nil),
		Flags:                     f.enum("Flags", "None", nil),
		RemoteHostName:            f.str("RemoteHostName"),
		Status:                    f.enum("Status", "None", nil),
		RequestStyle:              f.enum("RequestStyle", "", nil),
		BatchName:                 f.str("BatchName"),
	}
}

func toConnector(f *fields) snapshot.Connector {
	return snapshot.Connector{
		Name:                     f.str("Name"),
		Identity:                 f.str("Identity"),
		ConnectorType:            f.enum("ConnectorType", "", nil),
		Enabled:                  f.boolean("Enabled"),
		SmartHosts:               f.multi("SmartHosts"),
		RecipientDomains:         f.multi("RecipientDomains"),
		SenderDomains:            f.multi("SenderDomains"),
		TLSSenderCertificateName: f.str("TlsSenderCertificateName"),
		Comment:                  f.str("Comment"),
	}
}

func toOrgRelationship(f *fields) snapshot.OrganizationRelationship {
	return snapshot.OrganizationRelationship{
		Name:        f.str("Name"),
		Identity:    f.str("Identity"),
		DomainNames: f.multi("DomainNames"),
		Enabled:     f.boolean("Enabled"),
	}
}

func toIOC(f *fields) snapshot.IntraOrganizationConnector {
	return snapshot.IntraOrganizationConnector{
		Name:                 f.str("Name"),
		Identity:             f.str("Identity"),
		TargetAddressDomains: f.multi("TargetAddressDomains"),
		DiscoveryEndpoint:    f.str("DiscoveryEndpoint"),
		Enabled:              f.boolean("Enabled"),
	}
}

func toRemoteDomain(f *fields) snapshot.RemoteDomain {
	return snapshot.RemoteDomain{
		Name:                 f.str("Name"),
		Identity:             f.str("Identity"),
		DomainName:           f.str("DomainName"),
		TargetDeliveryDomain: f.boolean("TargetDeliveryDomain"),
	}
}

func toMigrationEndpoint(f *fields) snapshot.MigrationEndpoint {
	return snapshot.MigrationEndpoint{
		Identity:     f.str("Identity"),
		EndpointType: f.enum("EndpointType", "", nil),
		RemoteServer: f.str("RemoteServer"),
	}
}

func toOrganization(f *fields) *snapshot.Organization {
	o := &snapshot.Organization{
		ID:                         f.guid("id"),
		DisplayName:                f.str("displayName"),
		OnPremisesSyncEnabled:      f.optBool("onPremisesSyncEnabled"),
		OnPremisesLastSyncDateTime: f.timeValue("onPremisesLastSyncDateTime"),
		VerifiedDomains:            []snapshot.VerifiedDomain{},
	}
	for _, d := range f.list("verifiedDomains") {
		o.VerifiedDomains = append(o.VerifiedDomains, snapshot.VerifiedDomain{
			Name:      d.str("name"),
			IsDefault: d.boolean("isDefault"),
			IsInitial: d.boolean("isInitial"),
		})
	}
	sort.Slice(o.VerifiedDomains, func(i, j int) bool { return o.VerifiedDomains[i].Name < o.VerifiedDomains[j].Name })
	return o
}

// builtinRoleNames name the Entra roles of DOMAIN.md §7 by template id, for
// exports whose assignments were not expanded with their roleDefinition.
var builtinRoleNames = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"31392ffb-586c-42d1-9346-e59415a2cc4e": "Exchange Recipient Administrator",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}

func toDirectoryRoleAssignment(f *fields) snapshot.DirectoryRoleAssignment {
	p := f.sub("principal")
	a := snapshot.DirectoryRoleAssignment{
		ID:                   f.str("id"),
		RoleDefinitionID:     f.guid("roleDefinitionId"),
		RoleName:             f.sub("roleDefinition").str("displayName"),
		PrincipalID:          f.guid("principalId"),
		PrincipalType:        strings.TrimPrefix(p.str("@odata.type"), "#microsoft.graph."),
		PrincipalDisplayName: p.str("displayName"),
		PrincipalUPN:         p.str("userPrincipalName"),
		DirectoryScopeID:     f.str("directoryScopeId"),
	}
	if a.RoleName == "" {
		a.RoleName = builtinRoleNames[a.RoleDefinitionID]
	}
	return a
}

func toSyncJob(f *fields) snapshot.SyncJob {
	last := f.sub("status").sub("lastExecution")
	j := snapshot.SyncJob{
		ID:                 f.str("id"),
		TemplateID:         f.str("templateId"),
		ServicePrincipalID: f.guid("servicePrincipalId"),
		ScheduleState:      f.sub("schedule").str("state"),
		LastExecutionState: last.str("state"),
		LastExecutionTime:  last.timeValue("timeEnded"),
		CreatedAt:          f.timeValue("createdDateTime"),
	}
	if j.LastExecutionTime == nil {
		j.LastExecutionTime = last.timeValue("timeBegan")
	}
	if f.has("schema") {
		j.TargetAttributes = targetAttributes(f.sub("schema"))
	}
	return j
}

// targetAttributes lists, sorted and once each, the target attributes of a
// synchronization schema's attribute mappings.
func targetAttributes(schema *fields) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, rule := range schema.list("synchronizationRules") {
		for _, om := range rule.list("objectMappings") {
			for _, am := range om.list("attributeMappings") {
				if t := am.str("targetAttributeName"); t != "" && !seen[strings.ToLower(t)] {
					seen[strings.ToLower(t)] = true
					out = append(out, t)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
