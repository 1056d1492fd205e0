package gen

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// Entra role template ids (DOMAIN.md §7).
const (
	roleGlobalAdmin   = "62e90394-69f5-4237-9190-012177145e10"
	roleExchangeAdmin = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	roleGlobalReader  = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	writebackTemplate = "Entra2ADExchangeOnlineAttributeWriteback"
)

// setMailboxParameters are the parameters of the Mail Recipients role's
// Set-Mailbox entry, IsExchangeCloudManaged among them.
var setMailboxParameters = func() []string {
	p := []string{
		"AcceptMessagesOnlyFrom", "Alias", "ArchiveName", "AuditEnabled", "Confirm", "DisplayName",
		"EmailAddresses", "ErrorAction", "ForwardingAddress", "ForwardingSmtpAddress", "GrantSendOnBehalfTo",
		"HiddenFromAddressListsEnabled", "Identity", "IsExchangeCloudManaged", "MailTip", "MaxReceiveSize",
		"MaxSendSize", "ModeratedBy", "ModerationEnabled", "Name", "PrimarySmtpAddress", "ProhibitSendQuota",
		"SimpleDisplayName", "Type", "WarningAction", "WhatIf", "WindowsEmailAddress",
	}
	for i := 1; i <= 15; i++ {
		p = append(p, "CustomAttribute"+strconv.Itoa(i))
	}
	for i := 1; i <= 5; i++ {
		p = append(p, "ExtensionCustomAttribute"+strconv.Itoa(i))
	}
	slices.Sort(p)
	return p
}()

// adminNames are the administrators' display names: generated users picked
// during generation, or fixed names for tiny tenants.
func (b *builder) adminNames() []string {
	var out []string
	for _, i := range b.admins {
		out = append(out, b.mailboxes[i].DisplayName)
	}
	for _, n := range []string{"Jordan Lee", "Priya Natarajan", "Marek Nowak", "Aisha Khan", "Sam Rivera", "Lena Fischer"} {
		if len(out) >= 6 {
			break
		}
		out = append(out, n)
	}
	return out
}

func (b *builder) exoSection() {
	t, r := b.t, b.r
	hcw := r.guid()
	admins := b.adminNames()
	x := &snapshot.EXO{
		TenantID:   t.TenantID,
		Mailboxes:  b.mailboxes,
		Recipients: b.recipients,
		OrganizationConfig: map[string]any{
			"Identity": t.Initial, "Name": t.Initial, "DisplayName": t.TenantName, "Guid": r.guid(),
			"PublicFoldersEnabled": "Remote", "RemotePublicFolderMailboxes": []any{"PF Mailbox Legacy"},
			"BlockExchangeProvisioningFromOnPremEnabled": false, "OAuth2ClientProfileEnabled": true,
			"IsDehydrated": false, "MailTipsExternalRecipientsTipsEnabled": true, "MaxConcurrentMigrations": int64(300),
			"DefaultPublicFolderProhibitPostQuota": "Unlimited", "ActivityBasedAuthenticationTimeoutInterval": "06:00:00",
		},
		AdminAuditLogConfig: map[string]any{
			"Identity": "Admin Audit Log Settings", "Name": "Admin Audit Log Settings", "AdminAuditLogEnabled": true,
			"UnifiedAuditLogIngestionEnabled": true, "AdminAuditLogAgeLimit": "90.00:00:00", "LogLevel": "None",
			"AdminAuditLogCmdlets": []any{"*"}, "AdminAuditLogParameters": []any{"*"},
		},
		RoleEntries: []snapshot.RoleEntry{
			{Name: "Get-Mailbox", Role: "Mail Recipients", Parameters: []string{"Anr", "Filter", "Identity", "RecipientTypeDetails", "ResultSize"}, Type: "Cmdlet"},
			{Name: "Set-Mailbox", Role: "Mail Recipients", Parameters: setMailboxParameters, Type: "Cmdlet"},
			{Name: "Set-Mailbox", Role: "Legal Hold", Parameters: []string{"Identity", "LitigationHoldDuration", "LitigationHoldEnabled"}, Type: "Cmdlet"},
			{Name: "Set-Mailbox", Role: "MyBaseOptions", Parameters: []string{"Identity", "Languages"}, Type: "Cmdlet"},
		},
		MoveRequests: b.moves,
		InboundConnectors: []snapshot.Connector{
			{Name: "Inbound from " + hcw, Identity: "Inbound from " + hcw, ConnectorType: "OnPremises", Enabled: true,
				SmartHosts: []string{}, RecipientDomains: []string{}, SenderDomains: []string{"smtp:*;1"}, TLSSenderCertificateName: t.Hybrid},
		},
		OutboundConnectors: []snapshot.Connector{
			{Name: "Outbound to " + hcw, Identity: "Outbound to " + hcw, ConnectorType: "OnPremises", Enabled: true,
				SmartHosts: []string{t.Hybrid}, RecipientDomains: []string{t.Forest}, SenderDomains: []string{}},
		},
		OrganizationRelationships: []snapshot.OrganizationRelationship{
			{Name: "O365 to On-Premises - " + hcw, Identity: "O365 to On-Premises - " + hcw, DomainNames: []string{t.Forest}, Enabled: true},
		},
		IntraOrganizationConnectors: []snapshot.IntraOrganizationConnector{
			{Name: "HybridIOC - " + hcw, Identity: "HybridIOC - " + hcw, TargetAddressDomains: []string{t.Forest},
				DiscoveryEndpoint: "https://" + t.Hybrid + "/autodiscover/autodiscover.svc", Enabled: true},
		},
		RemoteDomains: []snapshot.RemoteDomain{
			{Name: "Default", Identity: "Default", DomainName: "*"},
			{Name: "Hybrid Domain - " + t.Coex, Identity: "Hybrid Domain - " + t.Coex, DomainName: t.Coex, TargetDeliveryDomain: true},
			{Name: "Hybrid Domain - " + t.Initial, Identity: "Hybrid Domain - " + t.Initial, DomainName: t.Initial},
		},
		MigrationEndpoints: []snapshot.MigrationEndpoint{
			{Identity: "Hybrid Migration Endpoint - EWS (Default Web Site)", EndpointType: "ExchangeRemoteMove", RemoteServer: t.Hybrid},
		},
	}
	for i := 0; i < len(partnerDomains) && i < 3; i++ {
		d := partnerDomains[i]
		x.InboundConnectors = append(x.InboundConnectors, snapshot.Connector{
			Name: "Partner TLS - " + d, Identity: "Partner TLS - " + d, ConnectorType: "Partner", Enabled: true,
			SmartHosts: []string{}, RecipientDomains: []string{}, SenderDomains: []string{"smtp:" + d + ";1"},
			TLSSenderCertificateName: "mx." + d, Comment: "Forced TLS with " + d,
		})
	}
	assign := func(role, assignee, typ, user, chain string) snapshot.RoleAssignment {
		return snapshot.RoleAssignment{Name: role + "-" + assignee, Role: role, RoleAssignee: assignee, RoleAssigneeName: assignee,
			RoleAssigneeType: typ, EffectiveUserName: user, AssignmentChain: chain, RecipientWriteScope: "Organization", Enabled: true}
	}
	om, rm := admins[:2], admins[2:4]
	for _, u := range om {
		x.RoleAssignments = append(x.RoleAssignments, assign("Mail Recipients", "Organization Management", "RoleGroup", u, "Organization Management"))
	}
	for _, u := range rm {
		x.RoleAssignments = append(x.RoleAssignments, assign("Mail Recipients", "Recipient Management", "RoleGroup", u, "Recipient Management"))
	}
	x.RoleAssignments = append(x.RoleAssignments,
		assign("Mail Recipients", admins[4], "User", admins[4], ""),
		assign("Legal Hold", "Compliance Management", "RoleGroup", admins[5], "Compliance Management"),
		assign("MyBaseOptions", "Default Role Assignment Policy", "RoleAssignmentPolicy", "", ""),
	)
	x.RoleAssignments[len(x.RoleAssignments)-1].RecipientWriteScope = "Self"
	group := func(name string, members []string, roles ...string) snapshot.RoleGroup {
		return snapshot.RoleGroup{Name: name, Guid: r.guid(), Members: members, Roles: roles, ManagedBy: []string{"Organization Management"}}
	}
	x.RoleGroups = []snapshot.RoleGroup{
		group("Organization Management", slices.Clone(om), "Mail Recipients", "Legal Hold"),
		group("Recipient Management", slices.Clone(rm), "Mail Recipients"),
		group("Compliance Management", []string{admins[5]}, "Legal Hold"),
	}
	if x.MoveRequests == nil {
		x.MoveRequests = []snapshot.MoveRequest{}
	}
	if x.Recipients == nil {
		x.Recipients = []snapshot.Recipient{}
	}
	t.EXO = x
}

func (b *builder) entraSection() {
	t, r := b.t, b.r
	admins := b.adminNames()
	domains := []snapshot.VerifiedDomain{{Name: t.Forest, IsDefault: true}, {Name: t.Initial, IsInitial: true}, {Name: t.Coex}}
	sort.Slice(domains, func(i, j int) bool { return domains[i].Name < domains[j].Name })
	e := &snapshot.Entra{
		Organization: &snapshot.Organization{
			ID: t.TenantID, DisplayName: t.TenantName, OnPremisesSyncEnabled: ptr(true),
			OnPremisesLastSyncDateTime: t.ago(12 * time.Minute), VerifiedDomains: domains,
		},
		OnPremisesSynchronization: map[string]any{
			"id": t.TenantID,
			"configuration": map[string]any{
				"accidentalDeletionPrevention":             map[string]any{"synchronizationPreventionType": "enabledForCount", "alertThreshold": int64(500)},
				"synchronizationInterval":                  "PT30M",
				"customerRequestedSynchronizationInterval": nil,
			},
			"features": map[string]any{"passwordSyncEnabled": true, "exchangeHybridWritebackEnabled": true, "groupWriteBackEnabled": false},
		},
	}
	role := func(def, name, who string) snapshot.DirectoryRoleAssignment {
		upn := fmt.Sprintf("admin%d@%s", len(e.RoleAssignments)+1, t.Forest)
		return snapshot.DirectoryRoleAssignment{
			ID: r.hexString(43) + "-1", RoleDefinitionID: def, RoleName: name, PrincipalID: r.guid(),
			PrincipalType: "user", PrincipalDisplayName: who, PrincipalUPN: upn, DirectoryScopeID: "/",
		}
	}
	e.RoleAssignments = append(e.RoleAssignments, role(roleGlobalAdmin, "Global Administrator", admins[0]))
	e.RoleAssignments = append(e.RoleAssignments, role(roleGlobalAdmin, "Global Administrator", "Break Glass Admin"))
	e.RoleAssignments = append(e.RoleAssignments, role(roleExchangeAdmin, "Exchange Administrator", admins[1]))
	e.RoleAssignments = append(e.RoleAssignments, role(roleGlobalReader, "Global Reader", admins[2]))
	attrs := []string{"mail", "proxyAddresses", "msExchRecipientDisplayType", "msExchRecipientTypeDetails"}
	for i := 1; i <= 15; i++ {
		attrs = append(attrs, "extensionAttribute"+strconv.Itoa(i))
	}
	for i := 1; i <= 5; i++ {
		attrs = append(attrs, "msExchExtensionCustomAttribute"+strconv.Itoa(i))
	}
	slices.Sort(attrs)
	e.SyncJobs = []snapshot.SyncJob{{
		ID: writebackTemplate + "." + r.hexString(32) + "." + t.TenantID, TemplateID: writebackTemplate,
		ServicePrincipalID: r.guid(), ScheduleState: "Active", LastExecutionState: "Succeeded",
		LastExecutionTime: t.ago(9 * time.Minute), CreatedAt: ptr(time.Date(2026, 8, 10, 9, 30, 0, 0, time.UTC)),
		TargetAttributes: attrs,
	}}
	t.Entra = e
}
