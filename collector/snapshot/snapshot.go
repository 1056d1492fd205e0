package snapshot

import (
	"time"
)

// SchemaVersion is the version of the snapshot document. Bump it only with a
// migration note in docs/snapshot.md: policies and saved snapshots depend on it.
const SchemaVersion = 1

// Snapshot is the canonical document every policy evaluates (the Rego input).
//
// Conventions, relied on by the policy engine's "requires" check:
//   - a section or dataset that was not collected is null (nil pointer or nil
//     slice); a dataset collected and found empty is an empty array;
//   - every problem met while collecting is a SourceError naming the snapshot
//     path it starves (for example "exo.move_requests"), so the rules that need
//     that path report status error with the collector's own message;
//   - times are RFC 3339 UTC; enums are normalised to Exchange's names.
type Snapshot struct {
	SchemaVersion int       `json:"schema_version"`
	CollectedAt   time.Time `json:"collected_at"`
	Sources       Sources   `json:"sources"`
	AD            *AD       `json:"ad"`
	EXO           *EXO      `json:"exo"`
	Entra         *Entra    `json:"entra"`
	Facts         *Facts    `json:"facts"`
	// Joined holds every mailbox once: AD and EXO objects side by side, or
	// one side alone when the join found no partner (see JoinedMailbox).
	Joined []JoinedMailbox `json:"joined"`
}

// Sources records, per source, whether and how it was collected.
type Sources struct {
	AD    SourceStatus `json:"ad"`
	EXO   SourceStatus `json:"exo"`
	Entra SourceStatus `json:"entra"`
	Facts SourceStatus `json:"facts"`
}

// SourceStatus is the collection status of one source.
type SourceStatus struct {
	// Collected is true when the source was asked for at all.
	Collected bool `json:"collected"`
	// Complete is true when it was collected with no error.
	Complete bool `json:"complete"`
	// Method is how it was collected: ldap, ldif, export, rest, file, demo.
	Method string `json:"method,omitempty"`
	// Origin names where it came from (URL without credentials, folder, file).
	Origin string `json:"origin,omitempty"`
	// Files lists every input file read for this source, with its hash.
	Files []InputFile `json:"files"`
	// Errors lists what could not be collected.
	Errors []SourceError `json:"errors"`
}

// InputFile is one file read while collecting, for the evidence manifest.
type InputFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// SourceError is a collection problem. Path is the snapshot path it leaves
// unassessed ("exo.move_requests", "ad" for the whole section).
type SourceError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ---------------------------------------------------------------------------
// Active Directory (on-premises)

// AD is everything read from the on-premises forest.
type AD struct {
	// Forest is the forest root DNS name (corp.example.test).
	Forest   string `json:"forest"`
	DomainDN string `json:"domain_dn"`
	ConfigDN string `json:"config_dn"`
	// Users are mail-enabled user objects of every recipient type: on-prem
	// mailboxes, remote mailboxes, mail users, system and public folder mailboxes.
	Users []ADRecipient `json:"users"`
	// Contacts are mail-enabled contacts.
	Contacts []ADRecipient `json:"contacts"`
	// Groups are mail-enabled groups (distribution and mail-enabled security).
	Groups []ADGroup `json:"groups"`
	// SecurityGroups are the Exchange security groups (Organization Management...).
	SecurityGroups []ADGroup `json:"security_groups"`
	// Exchange is the configuration partition's Exchange organization; nil when
	// the configuration NC was not read, with an empty Name when no organization exists.
	Exchange *ExchangeOrg `json:"exchange"`
	// DuplicateAddresses is a view computed from Users, Contacts and Groups
	// (DuplicateAddresses, run by Join): the proxy addresses two or more of
	// them carry, so policies never sort every address themselves. nil when
	// one of the three was not collected.
	DuplicateAddresses []DuplicateAddress `json:"duplicate_addresses"`
}

// ADRecipient is a mail-enabled user or contact with its Exchange attributes.
type ADRecipient struct {
	DN                        string   `json:"dn"`
	ObjectClass               string   `json:"object_class"` // user | contact
	ObjectGUID                string   `json:"object_guid"`  // canonical 8-4-4-4-12 form
	ImmutableID               string   `json:"immutable_id"` // base64 of objectGUID bytes
	ExternalDirectoryObjectID string   `json:"external_directory_object_id"`
	SAMAccountName            string   `json:"sam_account_name"`
	UserPrincipalName         string   `json:"user_principal_name"`
	DisplayName               string   `json:"display_name"`
	Department                string   `json:"department"`
	Mail                      string   `json:"mail"`
	MailNickname              string   `json:"mail_nickname"`
	TargetAddress             string   `json:"target_address"`
	ProxyAddresses            []string `json:"proxy_addresses"`
	RecipientTypeDetailsValue int64    `json:"recipient_type_details_value"`
	RecipientTypeDetails      string   `json:"recipient_type_details"` // decoded name, "" when unset
	RecipientDisplayType      *int64   `json:"recipient_display_type"`
	RemoteRecipientTypeValue  int64    `json:"remote_recipient_type_value"`
	RemoteRecipientType       []string `json:"remote_recipient_type"` // decoded flags
	HiddenFromAddressLists    *bool    `json:"hidden_from_address_lists"`
	// CustomAttributes is keyed CustomAttribute1..15 (extensionAttributeN); empty values omitted.
	// The AD collector shares one map, and lists such as RemoteRecipientType, between
	// recipients with equal values: treat them as read-only.
	CustomAttributes map[string]string `json:"custom_attributes"`
	// ExtensionCustomAttributes is keyed ExtensionCustomAttribute1..5; multi-valued.
	ExtensionCustomAttributes map[string][]string `json:"extension_custom_attributes"`
	HomeMDB                   string              `json:"home_mdb"`
	MailboxGUID               string              `json:"mailbox_guid"`
	ArchiveGUID               string              `json:"archive_guid"`
	UserAccountControl        int64               `json:"user_account_control"`
	Enabled                   bool                `json:"enabled"`
	WhenCreated               *time.Time          `json:"when_created"`
	WhenChanged               *time.Time          `json:"when_changed"`
	MemberOf                  []string            `json:"member_of"`
}

// ADGroup is a mail-enabled group or an Exchange security group.
type ADGroup struct {
	DN                        string   `json:"dn"`
	ObjectGUID                string   `json:"object_guid"`
	ImmutableID               string   `json:"immutable_id"`
	ExternalDirectoryObjectID string   `json:"external_directory_object_id"`
	SAMAccountName            string   `json:"sam_account_name"`
	DisplayName               string   `json:"display_name"`
	Mail                      string   `json:"mail"`
	MailNickname              string   `json:"mail_nickname"`
	ProxyAddresses            []string `json:"proxy_addresses"`
	GroupType                 int64    `json:"group_type"`
	RecipientTypeDetailsValue int64    `json:"recipient_type_details_value"`
	RecipientTypeDetails      string   `json:"recipient_type_details"`
	// Members are member DNs, complete (range retrieval followed).
	Members     []string   `json:"members"`
	WhenChanged *time.Time `json:"when_changed"`
}

// ExchangeOrg is the Exchange organization in the configuration partition.
type ExchangeOrg struct {
	Name                  string               `json:"name"`
	DN                    string               `json:"dn"`
	ObjectVersion         int64                `json:"object_version"`
	Servers               []ExchangeServer     `json:"servers"`
	ReceiveConnectors     []ReceiveConnector   `json:"receive_connectors"`
	SendConnectors        []SendConnector      `json:"send_connectors"`
	MailboxDatabases      []Database           `json:"mailbox_databases"`
	PublicFolderDatabases []Database           `json:"public_folder_databases"`
	AcceptedDomains       []AcceptedDomain     `json:"accepted_domains"`
	AutodiscoverSCPs      []AutodiscoverSCP    `json:"autodiscover_scps"`
	HybridConfiguration   *HybridConfiguration `json:"hybrid_configuration"`
}

// ExchangeServer is an msExchExchangeServer object.
type ExchangeServer struct {
	Name         string   `json:"name"`
	DN           string   `json:"dn"`
	SerialNumber string   `json:"serial_number"` // "Version 15.2 (Build 1544.4)"
	Version      string   `json:"version"`       // "15.2.1544.4" parsed from SerialNumber
	Roles        int64    `json:"roles"`         // msExchCurrentServerRoles
	RoleNames    []string `json:"role_names"`
}

// ReceiveConnector is an msExchSmtpReceiveConnector with its relay analysis.
type ReceiveConnector struct {
	Name           string   `json:"name"`
	DN             string   `json:"dn"`
	Server         string   `json:"server"`
	Enabled        bool     `json:"enabled"`
	Bindings       []string `json:"bindings"`
	RemoteIPRanges []string `json:"remote_ip_ranges"`
	// PermissionGroups is msExchSMTPReceivePermissionGroups decoded, when present.
	PermissionGroups []string `json:"permission_groups"`
	// AnonymousRelay is true when the ACL grants ANONYMOUS LOGON (S-1-5-7)
	// ms-Exch-SMTP-Accept-Any-Recipient; nil when the ACL could not be read.
	AnonymousRelay *bool `json:"anonymous_relay"`
	// RelayGrantees lists SIDs granted Accept-Any-Recipient by the ACL.
	RelayGrantees []string `json:"relay_grantees"`
	// ACLError says why the ACL could not be analysed, "" when it was.
	ACLError string `json:"acl_error"`
}

// SendConnector is an msExchRoutingSMTPConnector.
type SendConnector struct {
	Name          string   `json:"name"`
	DN            string   `json:"dn"`
	AddressSpaces []string `json:"address_spaces"`
	SmartHosts    []string `json:"smart_hosts"`
	SourceServers []string `json:"source_servers"`
	Enabled       bool     `json:"enabled"`
}

// Database is a mailbox or public folder database.
type Database struct {
	Name   string `json:"name"`
	DN     string `json:"dn"`
	Server string `json:"server"`
}

// AcceptedDomain is an msExchAcceptedDomain.
type AcceptedDomain struct {
	Name       string `json:"name"`
	DomainName string `json:"domain_name"`
	DomainType string `json:"domain_type"` // Authoritative | InternalRelay | ExternalRelay
	Default    bool   `json:"default"`
}

// AutodiscoverSCP is a serviceConnectionPoint for Autodiscover.
type AutodiscoverSCP struct {
	Name     string   `json:"name"`
	DN       string   `json:"dn"`
	Server   string   `json:"server"`
	URLs     []string `json:"urls"` // serviceBindingInformation
	Keywords []string `json:"keywords"`
}

// HybridConfiguration is the HCW's object under the organization.
type HybridConfiguration struct {
	DN       string   `json:"dn"`
	Domains  []string `json:"domains"`
	Features []string `json:"features"`
}

// ---------------------------------------------------------------------------
// Exchange Online

// EXO is everything read from Exchange Online (exports or REST).
type EXO struct {
	TenantID  string    `json:"tenant_id"`
	Mailboxes []Mailbox `json:"mailboxes"`
	// Recipients holds groups and contacts from Get-Recipient.
	Recipients []Recipient `json:"recipients"`
	// OrganizationConfig is Get-OrganizationConfig, properties as exported
	// (enums as names, dates RFC 3339). Rules read property names from policy
	// data where the property is uncertain.
	OrganizationConfig map[string]any `json:"organization_config"`
	// AdminAuditLogConfig is Get-AdminAuditLogConfig, properties as exported.
	AdminAuditLogConfig         map[string]any               `json:"admin_audit_log_config"`
	RoleEntries                 []RoleEntry                  `json:"role_entries"`
	RoleAssignments             []RoleAssignment             `json:"role_assignments"`
	RoleGroups                  []RoleGroup                  `json:"role_groups"`
	MoveRequests                []MoveRequest                `json:"move_requests"`
	InboundConnectors           []Connector                  `json:"inbound_connectors"`
	OutboundConnectors          []Connector                  `json:"outbound_connectors"`
	OrganizationRelationships   []OrganizationRelationship   `json:"organization_relationships"`
	IntraOrganizationConnectors []IntraOrganizationConnector `json:"intra_organization_connectors"`
	RemoteDomains               []RemoteDomain               `json:"remote_domains"`
	MigrationEndpoints          []MigrationEndpoint          `json:"migration_endpoints"`
}

// Mailbox is one Get-Mailbox object.
type Mailbox struct {
	Guid                      string   `json:"guid"`
	ExternalDirectoryObjectID string   `json:"external_directory_object_id"`
	ExchangeGuid              string   `json:"exchange_guid"`
	ImmutableID               string   `json:"immutable_id"`
	Identity                  string   `json:"identity"`
	Name                      string   `json:"name"`
	DisplayName               string   `json:"display_name"`
	Alias                     string   `json:"alias"`
	UserPrincipalName         string   `json:"user_principal_name"`
	PrimarySMTPAddress        string   `json:"primary_smtp_address"`
	WindowsEmailAddress       string   `json:"windows_email_address"`
	EmailAddresses            []string `json:"email_addresses"`
	RecipientTypeDetails      string   `json:"recipient_type_details"`
	IsDirSynced               bool     `json:"is_dir_synced"`
	// IsExchangeCloudManaged is nil when the export lacks the property (an old
	// module or a trimmed Select-Object): rules must treat that as unknown.
	IsExchangeCloudManaged        *bool               `json:"is_exchange_cloud_managed"`
	HiddenFromAddressListsEnabled bool                `json:"hidden_from_address_lists_enabled"`
	CustomAttributes              map[string]string   `json:"custom_attributes"`
	ExtensionCustomAttributes     map[string][]string `json:"extension_custom_attributes"`
	WhenChangedUTC                *time.Time          `json:"when_changed_utc"`
	WhenCreatedUTC                *time.Time          `json:"when_created_utc"`
	MailboxMoveFlags              string              `json:"mailbox_move_flags"`
	MailboxMoveRemoteHostName     string              `json:"mailbox_move_remote_host_name"`
	MailboxMoveStatus             string              `json:"mailbox_move_status"`
	ArchiveStatus                 string              `json:"archive_status"`
}

// Recipient is one Get-Recipient object (groups and contacts).
type Recipient struct {
	Guid                      string   `json:"guid"`
	ExternalDirectoryObjectID string   `json:"external_directory_object_id"`
	Identity                  string   `json:"identity"`
	Name                      string   `json:"name"`
	DisplayName               string   `json:"display_name"`
	Alias                     string   `json:"alias"`
	PrimarySMTPAddress        string   `json:"primary_smtp_address"`
	EmailAddresses            []string `json:"email_addresses"`
	RecipientType             string   `json:"recipient_type"`
	RecipientTypeDetails      string   `json:"recipient_type_details"`
	IsDirSynced               bool     `json:"is_dir_synced"`
	// IsCloudManaged is the Entra object's onPremisesSyncBehavior.isCloudManaged
	// (Group/Contact SOA transferred) when known; nil when not collected.
	IsCloudManaged *bool      `json:"is_cloud_managed"`
	WhenChangedUTC *time.Time `json:"when_changed_utc"`
}

// RoleEntry is one Get-ManagementRoleEntry object.
type RoleEntry struct {
	Name       string   `json:"name"` // cmdlet
	Role       string   `json:"role"`
	Parameters []string `json:"parameters"`
	Type       string   `json:"type"`
}

// RoleAssignment is one Get-ManagementRoleAssignment object (-GetEffectiveUsers).
type RoleAssignment struct {
	Name                             string `json:"name"`
	Role                             string `json:"role"`
	RoleAssignee                     string `json:"role_assignee"`
	RoleAssigneeName                 string `json:"role_assignee_name"`
	RoleAssigneeType                 string `json:"role_assignee_type"`
	EffectiveUserName                string `json:"effective_user_name"`
	AssignmentChain                  string `json:"assignment_chain"`
	RecipientWriteScope              string `json:"recipient_write_scope"`
	CustomRecipientWriteScope        string `json:"custom_recipient_write_scope"`
	CustomResourceScope              string `json:"custom_resource_scope"`
	RecipientOrganizationalUnitScope string `json:"recipient_organizational_unit_scope"`
	Enabled                          bool   `json:"enabled"`
	Delegating                       bool   `json:"delegating"`
}

// RoleGroup is one Get-RoleGroup object.
type RoleGroup struct {
	Name      string   `json:"name"`
	Guid      string   `json:"guid"`
	Members   []string `json:"members"`
	Roles     []string `json:"roles"`
	ManagedBy []string `json:"managed_by"`
}

// MoveRequest is one Get-MoveRequest object.
type MoveRequest struct {
	Identity                  string `json:"identity"`
	DisplayName               string `json:"display_name"`
	Alias                     string `json:"alias"`
	ExchangeGuid              string `json:"exchange_guid"`
	ExternalDirectoryObjectID string `json:"external_directory_object_id"`
	Direction                 string `json:"direction"` // Push | Pull
	Flags                     string `json:"flags"`
	RemoteHostName            string `json:"remote_host_name"`
	Status                    string `json:"status"`
	RequestStyle              string `json:"request_style"`
	BatchName                 string `json:"batch_name"`
}

// Connector is an EXO inbound or outbound connector.
type Connector struct {
	Name                     string   `json:"name"`
	Identity                 string   `json:"identity"`
	ConnectorType            string   `json:"connector_type"` // OnPremises | Partner
	Enabled                  bool     `json:"enabled"`
	SmartHosts               []string `json:"smart_hosts"`
	RecipientDomains         []string `json:"recipient_domains"`
	SenderDomains            []string `json:"sender_domains"`
	TLSSenderCertificateName string   `json:"tls_sender_certificate_name"`
	Comment                  string   `json:"comment"`
}

// OrganizationRelationship is one Get-OrganizationRelationship object.
type OrganizationRelationship struct {
	Name        string   `json:"name"`
	Identity    string   `json:"identity"`
	DomainNames []string `json:"domain_names"`
	Enabled     bool     `json:"enabled"`
}

// IntraOrganizationConnector is one Get-IntraOrganizationConnector object.
type IntraOrganizationConnector struct {
	Name                 string   `json:"name"`
	Identity             string   `json:"identity"`
	TargetAddressDomains []string `json:"target_address_domains"`
	DiscoveryEndpoint    string   `json:"discovery_endpoint"`
	Enabled              bool     `json:"enabled"`
}

// RemoteDomain is one Get-RemoteDomain object.
type RemoteDomain struct {
	Name                 string `json:"name"`
	Identity             string `json:"identity"`
	DomainName           string `json:"domain_name"`
	TargetDeliveryDomain bool   `json:"target_delivery_domain"`
}

// MigrationEndpoint is one Get-MigrationEndpoint object.
type MigrationEndpoint struct {
	Identity     string `json:"identity"`
	EndpointType string `json:"endpoint_type"`
	RemoteServer string `json:"remote_server"`
}

// ---------------------------------------------------------------------------
// Entra ID (Microsoft Graph)

// Entra is what Microsoft Graph tells about the tenant.
type Entra struct {
	Organization *Organization `json:"organization"`
	// RoleAssignments are directory role assignments with expanded principals.
	RoleAssignments []DirectoryRoleAssignment `json:"role_assignments"`
	// OnPremisesSynchronization is /directory/onPremisesSynchronization as returned.
	OnPremisesSynchronization map[string]any `json:"on_premises_synchronization"`
	// SyncJobs are Cloud Sync synchronization jobs (writeback among them).
	SyncJobs []SyncJob `json:"sync_jobs"`
}

// Organization is GET /organization.
type Organization struct {
	ID                         string           `json:"id"`
	DisplayName                string           `json:"display_name"`
	OnPremisesSyncEnabled      *bool            `json:"on_premises_sync_enabled"`
	OnPremisesLastSyncDateTime *time.Time       `json:"on_premises_last_sync_date_time"`
	VerifiedDomains            []VerifiedDomain `json:"verified_domains"`
}

// VerifiedDomain is one of the organization's verified domains.
type VerifiedDomain struct {
	Name      string `json:"name"`
	IsDefault bool   `json:"is_default"`
	IsInitial bool   `json:"is_initial"`
}

// DirectoryRoleAssignment is one unified role assignment with its principal.
type DirectoryRoleAssignment struct {
	ID                   string `json:"id"`
	RoleDefinitionID     string `json:"role_definition_id"` // = template id for built-in roles
	RoleName             string `json:"role_name"`
	PrincipalID          string `json:"principal_id"`
	PrincipalType        string `json:"principal_type"` // user | group | servicePrincipal
	PrincipalDisplayName string `json:"principal_display_name"`
	PrincipalUPN         string `json:"principal_upn"`
	DirectoryScopeID     string `json:"directory_scope_id"`
}

// SyncJob is one synchronization job of a Cloud Sync service principal.
type SyncJob struct {
	ID                 string     `json:"id"`
	TemplateID         string     `json:"template_id"`
	ServicePrincipalID string     `json:"service_principal_id"`
	ScheduleState      string     `json:"schedule_state"`       // Active | Disabled | Paused
	LastExecutionState string     `json:"last_execution_state"` // Succeeded | Failed | ...
	LastExecutionTime  *time.Time `json:"last_execution_time"`
	CreatedAt          *time.Time `json:"created_at"`
	// TargetAttributes lists the attributes the job's mappings write (nil when
	// the schema was not read).
	TargetAttributes []string `json:"target_attributes"`
}

// ---------------------------------------------------------------------------
// Operator facts

// Facts are what no API exposes, given by the operator (--facts).
type Facts struct {
	EntraConnect *EntraConnectFacts `json:"entra_connect" yaml:"entra_connect"`
	CloudSync    *CloudSyncFacts    `json:"cloud_sync" yaml:"cloud_sync"`
}

// EntraConnectFacts describe the Entra Connect Sync server.
type EntraConnectFacts struct {
	Version               string `json:"version" yaml:"version"`
	SyncIntervalMinutes   int    `json:"sync_interval_minutes" yaml:"sync_interval_minutes"`
	HybridExchangeFeature *bool  `json:"hybrid_exchange_feature" yaml:"hybrid_exchange_feature"`
}

// CloudSyncFacts describe the Entra Cloud Sync provisioning agent.
type CloudSyncFacts struct {
	AgentVersion     string `json:"agent_version" yaml:"agent_version"`
	WritebackPlanned *bool  `json:"writeback_planned" yaml:"writeback_planned"`
}

// ---------------------------------------------------------------------------
// Joined view

// Join methods, in the order they are tried.
const (
	JoinExternalDirectoryObjectID = "external_directory_object_id"
	JoinImmutableID               = "immutable_id"
	JoinUPN                       = "user_principal_name"
	JoinPrimarySMTP               = "primary_smtp_address"
)

// JoinedMailbox is one mailbox's AD object and EXO object side by side.
type JoinedMailbox struct {
	// ID is the stable object id used in findings: the EXO
	// ExternalDirectoryObjectId when known, else the AD objectGUID.
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	// Kind is user, shared, room, equipment, or other.
	Kind string `json:"kind"`
	// Location is remote (EXO-hosted, synced), onprem (homeMDB set), or cloud (cloud-only).
	Location   string       `json:"location"`
	JoinMethod string       `json:"join_method"`
	AD         *ADRecipient `json:"ad"`
	EXO        *Mailbox     `json:"exo"`
	// Drift lists Exchange attributes whose AD and EXO values differ.
	Drift []AttributeDrift `json:"drift"`
}

// AttributeDrift is one attribute that differs between AD and EXO.
type AttributeDrift struct {
	Attribute string `json:"attribute"` // EXO name: EmailAddresses, CustomAttribute3, ...
	ADName    string `json:"ad_name"`   // LDAP name: proxyAddresses, extensionAttribute3, ...
	AD        any    `json:"ad"`
	EXO       any    `json:"exo"`
}
