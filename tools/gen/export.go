package gen

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/fileio"
)

// jsonWriter writes JSON as PowerShell 7's ConvertTo-Json does: two-space
// indent, "name": value, non-ASCII text as is.
type jsonWriter struct {
	w     *bufio.Writer
	depth int
	first []bool // per open container: no element written yet
}

// kv is one property; obj an ordered object.
type kv struct {
	k string
	v any
}
type obj []kv

// rawJSON is a value written as is.
type rawJSON string

func (j *jsonWriter) indent() {
	j.w.WriteByte('\n')
	for range j.depth {
		j.w.WriteString("  ")
	}
}

func (j *jsonWriter) sep() {
	n := len(j.first) - 1
	if !j.first[n] {
		j.w.WriteByte(',')
	}
	j.first[n] = false
	j.indent()
}

func (j *jsonWriter) open(c byte) {
	j.w.WriteByte(c)
	j.depth++
	j.first = append(j.first, true)
}

func (j *jsonWriter) close(c byte) {
	empty := j.first[len(j.first)-1]
	j.first = j.first[:len(j.first)-1]
	j.depth--
	if !empty {
		j.indent()
	}
	j.w.WriteByte(c)
}

func (j *jsonWriter) str(s string) {
	w := j.w
	w.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			w.WriteByte('\\')
			w.WriteByte(c)
			i++
		case c < 0x20:
			fmt.Fprintf(w, `\u%04x`, c)
			i++
		case c < utf8.RuneSelf:
			w.WriteByte(c)
			i++
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			w.WriteString(s[i : i+n])
			i += n
		}
	}
	w.WriteByte('"')
}

func (j *jsonWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		j.w.WriteString("null")
	case string:
		j.str(x)
	case bool:
		j.w.WriteString(strconv.FormatBool(x))
	case int:
		j.w.WriteString(strconv.Itoa(x))
	case int64:
		j.w.WriteString(strconv.FormatInt(x, 10))
	case rawJSON:
		j.w.WriteString(string(x))
	case *time.Time:
		if x == nil {
			j.w.WriteString("null")
			return
		}
		j.str(psDate(*x))
	case []string:
		j.open('[')
		for _, s := range x {
			j.sep()
			j.str(s)
		}
		j.close(']')
	case []any:
		j.open('[')
		for _, e := range x {
			j.sep()
			j.value(e)
		}
		j.close(']')
	case []obj:
		j.open('[')
		for _, e := range x {
			j.sep()
			j.value(e)
		}
		j.close(']')
	case obj:
		j.open('{')
		for _, p := range x {
			j.sep()
			if p.k == "" { // properties pre-rendered at this depth
				j.value(p.v)
				continue
			}
			j.str(p.k)
			j.w.WriteString(": ")
			j.value(p.v)
		}
		j.close('}')
	case map[string]any:
		j.value(mapObject(x))
	default:
		panic(fmt.Sprintf("gen: cannot write %T", v))
	}
}

// psDate is a date as scripts/Export-ExoReady.ps1 writes it: .ToString('o') in UTC.
func psDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// writeList writes objects as one top-level array, the way the export
// script saves a cmdlet's output.
func writeList[T any](path string, items []T, conv func(int, *T) obj) (err error) {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		j := &jsonWriter{w: w}
		j.open('[')
		for i := range items {
			j.sep()
			j.value(conv(i, &items[i]))
		}
		j.close(']')
		w.WriteByte('\n')
		return nil
	})
}

// writeDoc writes one JSON document.
func writeDoc(path string, v any) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		j := &jsonWriter{w: w}
		j.value(v)
		w.WriteByte('\n')
		return nil
	})
}

// writeFileAtomic creates path's folder and writes the file through a
// buffered writer with report.WriteAtomic (temporary file, then rename).
func writeFileAtomic(path string, fill func(*bufio.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return fileio.WriteAtomic(path, func(out io.Writer) error {
		w := bufio.NewWriterSize(out, 1<<20)
		if err := fill(w); err != nil {
			return err
		}
		return w.Flush()
	})
}

// mailboxNoise are Get-Mailbox properties exoready does not read, with the
// values an Exchange Online export typically holds: a real export carries
// some 230 properties per mailbox, and parsing cost follows its size.
var mailboxNoise = rawJSON(func() string {
	props := []string{
		`"Database": "EURPR01DG123-db042"`, `"MailboxProvisioningConstraint": null`, `"IsMonitoringMailbox": false`,
		`"MailboxRegion": null`, `"MailboxRegionLastUpdateTime": null`, `"MessageRecallProcessingEnabled": true`,
		`"MessageCopyForSentAsEnabled": false`, `"MessageCopyForSendOnBehalfEnabled": false`, `"MailboxProvisioningPreferences": []`,
		`"UseDatabaseRetentionDefaults": false`, `"RetainDeletedItemsUntilBackup": false`, `"DeliverToMailboxAndForward": false`,
		`"IsExcludedFromServingHierarchy": false`, `"IsHierarchyReady": true`, `"IsHierarchySyncEnabled": true`,
		`"IsPublicFolderSystemMailbox": false`, `"HasSnackyAppData": false`, `"LitigationHoldEnabled": false`,
		`"SingleItemRecoveryEnabled": true`, `"RetentionHoldEnabled": false`, `"EndDateForRetentionHold": null`,
		`"StartDateForRetentionHold": null`, `"RetentionComment": ""`, `"RetentionUrl": ""`, `"LitigationHoldDate": null`,
		`"LitigationHoldOwner": ""`, `"ElcProcessingDisabled": false`, `"ComplianceTagHoldApplied": false`,
		`"WasInactiveMailbox": false`, `"DelayHoldApplied": false`, `"DelayReleaseHoldApplied": false`, `"PitrEnabled": false`,
		`"PitrCopyIntervalInSeconds": 0`, `"InactiveMailboxRetireTime": null`, `"OrphanSoftDeleteTrackingTime": null`,
		`"LitigationHoldDuration": "Unlimited"`, `"ManagedFolderMailboxPolicy": null`, `"RetentionPolicy": "Default MRM Policy"`,
		`"AddressBookPolicy": null`, `"CalendarRepairDisabled": false`, `"UnifiedMailbox": null`, `"MailboxLocations": ["1;d1b6d6a4-51b1-4c0e-9c6a-2b8e1e3f0b11;Primary;eurprd01.prod.outlook.com;8f1c2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b"]`,
		`"AggregatedMailboxGuids": []`, `"ExchangeUserAccountControl": "None"`, `"AdminDisplayVersion": "Version 15.20 (Build 8769.22)"`,
		`"MessageTrackingReadStatusEnabled": true`, `"ExternalOofOptions": "External"`, `"ForwardingAddress": null`,
		`"ForwardingSmtpAddress": null`, `"RetainDeletedItemsFor": "14.00:00:00"`, `"IsMailboxEnabled": true`, `"Languages": []`,
		`"OfflineAddressBook": null`, `"ProhibitSendQuota": "99 GB (106,300,440,576 bytes)"`,
		`"ProhibitSendReceiveQuota": "100 GB (107,374,182,400 bytes)"`, `"RecoverableItemsQuota": "30 GB (32,212,254,720 bytes)"`,
		`"RecoverableItemsWarningQuota": "20 GB (21,474,836,480 bytes)"`, `"CalendarLoggingQuota": "6 GB (6,442,450,944 bytes)"`,
		`"DowngradeHighPriorityMessagesEnabled": false`, `"ProtocolSettings": ["RemotePowerShell§1"]`, `"RecipientLimits": "500"`,
		`"ImListMigrationCompleted": false`, `"SiloName": null`, `"IsResource": false`, `"IsLinked": false`, `"IsShared": false`,
		`"IsRootPublicFolderMailbox": false`, `"LinkedMasterAccount": ""`, `"ResetPasswordOnNextLogon": false`,
		`"ResourceCapacity": null`, `"ResourceCustom": []`, `"ResourceType": null`, `"RoomMailboxAccountEnabled": null`,
		`"SCLDeleteThreshold": null`, `"SCLDeleteEnabled": null`, `"SCLRejectThreshold": null`, `"SCLRejectEnabled": null`,
		`"SCLQuarantineThreshold": null`, `"SCLQuarantineEnabled": null`, `"SCLJunkThreshold": null`, `"SCLJunkEnabled": null`,
		`"AntispamBypassEnabled": false`, `"ServerLegacyDN": "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=AM0PR01MB1234"`,
		`"ServerName": "am0pr01mb1234"`, `"UseDatabaseQuotaDefaults": false`, `"IssueWarningQuota": "98 GB (105,226,698,752 bytes)"`,
		`"RulesQuota": "256 KB (262,144 bytes)"`, `"Office": ""`, `"UMEnabled": false`, `"MaxSafeSenders": null`,
		`"MaxBlockedSenders": null`, `"NetID": "100320001234ABCD"`, `"ReconciliationId": null`, `"WindowsLiveID": ""`,
		`"ThrottlingPolicy": null`, `"RoleAssignmentPolicy": "Default Role Assignment Policy"`, `"DefaultPublicFolderMailbox": null`,
		`"EffectivePublicFolderMailbox": null`, `"SharingPolicy": "Default Sharing Policy"`, `"RemoteAccountPolicy": null`,
		`"MailboxPlan": "ExchangeOnlineEnterprise-5f1e2d3c"`, `"ArchiveDatabase": null`, `"ArchiveName": []`,
		`"JournalArchiveAddress": ""`, `"ArchiveQuota": "100 GB (107,374,182,400 bytes)"`,
		`"ArchiveWarningQuota": "90 GB (96,636,764,160 bytes)"`, `"ArchiveDomain": ""`, `"ArchiveState": "None"`,
		`"AutoExpandingArchiveEnabled": false`, `"DisabledMailboxLocations": false`, `"RemoteRecipientType": "None"`,
		`"DisabledArchiveDatabase": null`, `"DisabledArchiveGuid": "00000000-0000-0000-0000-000000000000"`,
		`"QueryBaseDN": null`, `"QueryBaseDNRestrictionEnabled": false`, `"MailboxMoveTargetMDB": null`,
		`"MailboxMoveSourceMDB": null`, `"MailboxMoveBatchName": ""`, `"MailboxRelease": "E15"`, `"ArchiveRelease": ""`,
		`"IsPersonToPersonTextMessagingEnabled": false`, `"IsMachineToPersonTextMessagingEnabled": true`,
		`"UserSMimeCertificate": []`, `"UserCertificate": []`, `"CalendarVersionStoreDisabled": false`,
		`"PersistedCapabilities": []`, `"SKUAssigned": true`, `"AuditEnabled": true`, `"AuditLogAgeLimit": "90.00:00:00"`,
		`"AuditAdmin": ["Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"]`,
		`"AuditDelegate": ["Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "SendAs", "SendOnBehalf", "Create", "UpdateFolderPermissions", "UpdateInboxRules", "ApplyRecord", "MailItemsAccessed"]`,
		`"AuditOwner": ["Update", "MoveToDeletedItems", "SoftDelete", "HardDelete", "UpdateFolderPermissions", "UpdateInboxRules", "UpdateCalendarDelegation", "ApplyRecord", "MailItemsAccessed", "Send"]`,
		`"DefaultAuditSet": ["Admin", "Delegate", "Owner"]`, `"UsageLocation": "US"`, `"IsSoftDeletedByRemove": false`,
		`"IsSoftDeletedByDisable": false`, `"IsInactiveMailbox": false`, `"IncludeInGarbageCollection": false`,
		`"WhenSoftDeleted": null`, `"InPlaceHolds": []`, `"GeneratedOfflineAddressBooks": []`, `"AccountDisabled": false`,
		`"StsRefreshTokensValidFrom": "2026-01-12T09:14:03.0000000Z"`, `"NonCompliantDevices": []`, `"DataEncryptionPolicy": null`,
		`"MessageCopyForSMTPClientSubmissionEnabled": true`, `"RecipientThrottlingThreshold": "Standard"`,
		`"SharedEmailDomainTenant": ""`, `"SharedEmailDomainState": "None"`, `"SharedWithTargetSmtpAddress": ""`,
		`"SharedEmailDomainStateLastModified": null`, `"AcceptMessagesOnlyFrom": []`, `"AcceptMessagesOnlyFromDLMembers": []`,
		`"AcceptMessagesOnlyFromSendersOrMembers": []`, `"AddressListMembership": ["\\Mailboxes(VLV)", "\\All Mailboxes(VLV)", "\\All Recipients(VLV)", "\\Default Global Address List", "\\All Users"]`,
		`"AdministrativeUnits": []`, `"ArbitrationMailbox": "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"`,
		`"BypassModerationFromSendersOrMembers": []`, `"GrantSendOnBehalfTo": []`, `"MaxSendSize": "35 MB (36,700,160 bytes)"`,
		`"MaxReceiveSize": "36 MB (37,748,736 bytes)"`, `"ModeratedBy": []`, `"ModerationEnabled": false`, `"PoliciesIncluded": []`,
		`"PoliciesExcluded": ["{26491cfc-9e50-4857-861b-0cb8df22b5d7}"]`, `"EmailAddressPolicyEnabled": false`,
		`"RecipientType": "UserMailbox"`, `"RejectMessagesFrom": []`, `"RejectMessagesFromDLMembers": []`,
		`"RejectMessagesFromSendersOrMembers": []`, `"RequireSenderAuthenticationEnabled": false`, `"SimpleDisplayName": ""`,
		`"SendModerationNotifications": "Always"`, `"MailTip": null`, `"MailTipTranslations": []`, `"IsValid": true`,
		`"ExchangeVersion": "0.20 (15.0.0.0)"`, `"ObjectCategory": "EURPR01A001.prod.outlook.com/Configuration/Schema/Person"`,
		`"ObjectClass": ["top", "person", "organizationalPerson", "user"]`, `"ObjectState": "Unchanged"`,
		`"OrganizationalUnitRoot": "tenant.onmicrosoft.com"`, `"OriginatingServer": "AM0PR01A001DC01.EURPR01A001.prod.outlook.com"`,
	}
	return strings.Join(props, ",\n    ")
}())

// WriteExport writes the Exchange Online and Graph export folder.
func (t *Tenant) WriteExport(dir string) error {
	x, e := t.EXO, t.Entra
	steps := []func() error{
		func() error {
			return writeList(filepath.Join(dir, "Get-Mailbox.json"), x.Mailboxes, func(i int, m *snapshot.Mailbox) obj {
				return mailboxObject(t, m)
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-Recipient.json"), x.Recipients, func(_ int, r *snapshot.Recipient) obj {
				return obj{{"Guid", r.Guid}, {"ExternalDirectoryObjectId", r.ExternalDirectoryObjectID}, {"Identity", r.Identity},
					{"Name", r.Name}, {"DisplayName", r.DisplayName}, {"Alias", r.Alias}, {"PrimarySmtpAddress", r.PrimarySMTPAddress},
					{"EmailAddresses", r.EmailAddresses}, {"RecipientType", r.RecipientType}, {"RecipientTypeDetails", r.RecipientTypeDetails},
					{"IsDirSynced", r.IsDirSynced}, {"IsCloudManaged", *r.IsCloudManaged}, {"WhenChangedUTC", r.WhenChangedUTC}}
			})
		},
		func() error { return writeDoc(filepath.Join(dir, "Get-OrganizationConfig.json"), x.OrganizationConfig) },
		func() error {
			return writeDoc(filepath.Join(dir, "Get-AdminAuditLogConfig.json"), x.AdminAuditLogConfig)
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-ManagementRoleEntry.json"), x.RoleEntries, func(_ int, r *snapshot.RoleEntry) obj {
				return obj{{"Name", r.Name}, {"Role", r.Role}, {"Parameters", r.Parameters}, {"Type", r.Type}, {"Identity", r.Role + `\` + r.Name}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-ManagementRoleAssignment.json"), x.RoleAssignments, func(_ int, a *snapshot.RoleAssignment) obj {
				del := "Regular"
				if a.Delegating {
					del = "DelegatingOrgWide"
				}
				return obj{{"Name", a.Name}, {"Role", a.Role}, {"RoleAssignee", a.RoleAssignee}, {"RoleAssigneeName", a.RoleAssigneeName},
					{"RoleAssigneeType", a.RoleAssigneeType}, {"EffectiveUserName", a.EffectiveUserName}, {"AssignmentChain", a.AssignmentChain},
					{"RecipientWriteScope", a.RecipientWriteScope}, {"CustomRecipientWriteScope", a.CustomRecipientWriteScope},
					{"CustomResourceScope", a.CustomResourceScope}, {"RecipientOrganizationalUnitScope", a.RecipientOrganizationalUnitScope},
					{"Enabled", a.Enabled}, {"RoleAssignmentDelegationType", del}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-RoleGroup.json"), x.RoleGroups, func(_ int, g *snapshot.RoleGroup) obj {
				return obj{{"Name", g.Name}, {"Guid", g.Guid}, {"Members", g.Members}, {"Roles", g.Roles}, {"ManagedBy", g.ManagedBy}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-MoveRequest.json"), x.MoveRequests, func(_ int, m *snapshot.MoveRequest) obj {
				return obj{{"Identity", m.Identity}, {"DisplayName", m.DisplayName}, {"Alias", m.Alias}, {"ExchangeGuid", m.ExchangeGuid},
					{"ExternalDirectoryObjectId", m.ExternalDirectoryObjectID}, {"Direction", m.Direction}, {"Flags", m.Flags},
					{"RemoteHostName", m.RemoteHostName}, {"Status", m.Status}, {"RequestStyle", m.RequestStyle}, {"BatchName", m.BatchName}}
			})
		},
		func() error {
			return writeConnectors(filepath.Join(dir, "Get-InboundConnector.json"), x.InboundConnectors)
		},
		func() error {
			return writeConnectors(filepath.Join(dir, "Get-OutboundConnector.json"), x.OutboundConnectors)
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-OrganizationRelationship.json"), x.OrganizationRelationships, func(_ int, o *snapshot.OrganizationRelationship) obj {
				return obj{{"Name", o.Name}, {"Identity", o.Identity}, {"DomainNames", o.DomainNames}, {"Enabled", o.Enabled}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-IntraOrganizationConnector.json"), x.IntraOrganizationConnectors, func(_ int, c *snapshot.IntraOrganizationConnector) obj {
				return obj{{"Name", c.Name}, {"Identity", c.Identity}, {"TargetAddressDomains", c.TargetAddressDomains},
					{"DiscoveryEndpoint", c.DiscoveryEndpoint}, {"Enabled", c.Enabled}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-RemoteDomain.json"), x.RemoteDomains, func(_ int, d *snapshot.RemoteDomain) obj {
				return obj{{"Name", d.Name}, {"Identity", d.Identity}, {"DomainName", d.DomainName}, {"TargetDeliveryDomain", d.TargetDeliveryDomain}}
			})
		},
		func() error {
			return writeList(filepath.Join(dir, "Get-MigrationEndpoint.json"), x.MigrationEndpoints, func(_ int, m *snapshot.MigrationEndpoint) obj {
				return obj{{"Identity", m.Identity}, {"EndpointType", m.EndpointType}, {"RemoteServer", m.RemoteServer}}
			})
		},
		func() error {
			return writeGraph(filepath.Join(dir, "graph", "organization.json"), "organization", []obj{organizationObject(e.Organization)})
		},
		func() error {
			var list []obj
			for _, a := range e.RoleAssignments {
				list = append(list, obj{{"id", a.ID}, {"principalId", a.PrincipalID}, {"directoryScopeId", a.DirectoryScopeID},
					{"roleDefinitionId", a.RoleDefinitionID},
					{"principal", obj{{"@odata.type", "#microsoft.graph." + a.PrincipalType}, {"id", a.PrincipalID},
						{"displayName", a.PrincipalDisplayName}, {"userPrincipalName", a.PrincipalUPN}}},
					{"roleDefinition", obj{{"id", a.RoleDefinitionID}, {"displayName", a.RoleName}}}})
			}
			return writeGraph(filepath.Join(dir, "graph", "roleAssignments.json"), "roleManagement/directory/roleAssignments(principal(),roleDefinition())", list)
		},
		func() error {
			return writeGraph(filepath.Join(dir, "graph", "onPremisesSynchronization.json"), "directory/onPremisesSynchronization",
				[]obj{mapObject(e.OnPremisesSynchronization)})
		},
		func() error {
			var list []obj
			for _, j := range e.SyncJobs {
				list = append(list, syncJobObject(&j))
			}
			return writeGraph(filepath.Join(dir, "graph", "synchronizationJobs.json"), "servicePrincipals/synchronization/jobs", list)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func mailboxObject(t *Tenant, m *snapshot.Mailbox) obj {
	o := make(obj, 0, 64)
	o = append(o, kv{"Guid", m.Guid}, kv{"ExternalDirectoryObjectId", m.ExternalDirectoryObjectID}, kv{"ExchangeGuid", m.ExchangeGuid},
		kv{"ImmutableId", m.ImmutableID}, kv{"DisplayName", m.DisplayName}, kv{"Alias", m.Alias},
		kv{"UserPrincipalName", m.UserPrincipalName}, kv{"PrimarySmtpAddress", m.PrimarySMTPAddress},
		kv{"WindowsEmailAddress", m.WindowsEmailAddress}, kv{"EmailAddresses", m.EmailAddresses},
		kv{"RecipientTypeDetails", m.RecipientTypeDetails}, kv{"IsDirSynced", m.IsDirSynced})
	if m.IsExchangeCloudManaged != nil {
		o = append(o, kv{"IsExchangeCloudManaged", *m.IsExchangeCloudManaged})
	}
	o = append(o, kv{"HiddenFromAddressListsEnabled", m.HiddenFromAddressListsEnabled},
		kv{"WhenChangedUTC", m.WhenChangedUTC}, kv{"WhenCreatedUTC", m.WhenCreatedUTC},
		kv{"WhenChanged", m.WhenChangedUTC}, kv{"WhenCreated", m.WhenCreatedUTC},
		kv{"WhenMailboxCreated", m.WhenCreatedUTC},
		kv{"MailboxMoveFlags", m.MailboxMoveFlags}, kv{"MailboxMoveRemoteHostName", m.MailboxMoveRemoteHostName},
		kv{"MailboxMoveStatus", m.MailboxMoveStatus}, kv{"ArchiveStatus", m.ArchiveStatus},
		kv{"ArchiveGuid", "00000000-0000-0000-0000-000000000000"}, kv{"SamAccountName", "$" + m.Alias},
		kv{"LegacyExchangeDN", "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + m.Guid[:8] + "-" + m.Alias},
		kv{"DistinguishedName", "CN=" + m.Name + ",OU=" + t.Initial + ",OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM"},
		kv{"", mailboxNoise})
	for n := 1; n <= 15; n++ {
		o = append(o, kv{"CustomAttribute" + strconv.Itoa(n), m.CustomAttributes["CustomAttribute"+strconv.Itoa(n)]})
	}
	for n := 1; n <= 5; n++ {
		v := m.ExtensionCustomAttributes["ExtensionCustomAttribute"+strconv.Itoa(n)]
		if v == nil {
			v = []string{}
		}
		o = append(o, kv{"ExtensionCustomAttribute" + strconv.Itoa(n), v})
	}
	return append(o, kv{"Identity", m.Identity}, kv{"Id", m.Identity}, kv{"Name", m.Name},
		kv{"ExchangeObjectId", m.ExternalDirectoryObjectID}, kv{"OrganizationId", "EURPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/" + t.Initial})
}

func writeConnectors(path string, cs []snapshot.Connector) error {
	return writeList(path, cs, func(_ int, c *snapshot.Connector) obj {
		return obj{{"Name", c.Name}, {"Identity", c.Identity}, {"ConnectorType", c.ConnectorType}, {"Enabled", c.Enabled},
			{"SmartHosts", c.SmartHosts}, {"RecipientDomains", c.RecipientDomains}, {"SenderDomains", c.SenderDomains},
			{"TlsSenderCertificateName", c.TLSSenderCertificateName}, {"Comment", c.Comment}}
	})
}

func writeGraph(path, context string, values []obj) error {
	return writeDoc(path, obj{{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#" + context}, {"value", values}})
}

func organizationObject(o *snapshot.Organization) obj {
	var domains []obj
	for _, d := range o.VerifiedDomains {
		domains = append(domains, obj{{"capabilities", "Email"}, {"isDefault", d.IsDefault}, {"isInitial", d.IsInitial}, {"name", d.Name}, {"type", "Managed"}})
	}
	return obj{{"id", o.ID}, {"displayName", o.DisplayName}, {"onPremisesSyncEnabled", *o.OnPremisesSyncEnabled},
		{"onPremisesLastSyncDateTime", o.OnPremisesLastSyncDateTime}, {"verifiedDomains", domains}}
}

func mapObject(m map[string]any) obj {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := make(obj, 0, len(keys))
	for _, k := range keys {
		v := m[k]
		if sub, ok := v.(map[string]any); ok {
			v = mapObject(sub)
		}
		o = append(o, kv{k, v})
	}
	return o
}

func syncJobObject(j *snapshot.SyncJob) obj {
	var mappings []obj
	for _, a := range j.TargetAttributes {
		mappings = append(mappings, obj{{"targetAttributeName", a}, {"source", obj{{"name", a}, {"type", "Attribute"}}}})
	}
	return obj{{"id", j.ID}, {"templateId", j.TemplateID},
		{"schedule", obj{{"expiration", nil}, {"interval", "PT20M"}, {"state", j.ScheduleState}}},
		{"status", obj{{"code", "Active"}, {"lastExecution", obj{{"state", j.LastExecutionState}, {"timeBegan", j.LastExecutionTime}, {"timeEnded", j.LastExecutionTime}}}}},
		{"servicePrincipalId", j.ServicePrincipalID}, {"createdDateTime", j.CreatedAt},
		{"schema", obj{{"id", j.ID}, {"synchronizationRules", []obj{{{"name", "EXOAttributeWriteback"},
			{"objectMappings", []obj{{{"name", "Writeback Exchange Online attributes"}, {"attributeMappings", mappings}}}}}}}}}}
}

// WriteFacts writes the operator facts file.
func (t *Tenant) WriteFacts(w io.Writer) error {
	f := t.Facts
	_, err := fmt.Fprintf(w, "# Operator facts of the synthetic tenant (seed %d).\nentra_connect:\n  version: %s\n  sync_interval_minutes: %d\n  hybrid_exchange_feature: %t\ncloud_sync:\n  agent_version: %s\n  writeback_planned: %t\n",
		t.Seed, f.EntraConnect.Version, f.EntraConnect.SyncIntervalMinutes, *f.EntraConnect.HybridExchangeFeature,
		f.CloudSync.AgentVersion, *f.CloudSync.WritebackPlanned)
	return err
}
