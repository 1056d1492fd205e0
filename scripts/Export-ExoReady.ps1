<#
.SYNOPSIS
    Exports what exoready reads from Exchange Online and Microsoft Graph into a folder.

.DESCRIPTION
    Read-only. Runs on Windows PowerShell 5.1 and PowerShell 7. Writes one file per
    cmdlet, named after it (Get-Mailbox.json, Get-MoveRequest.json, ...), and the
    Microsoft Graph responses under graph/, all as UTF-8 without a byte-order mark,
    whatever the PowerShell defaults. Objects are flattened before ConvertTo-Json:
    enums become their names, dates ISO 8601 UTC, lists arrays of text, so Windows
    PowerShell 5.1 and PowerShell 7 write the same values.

    Give the folder to exoready:  exoready scan --exo-export FOLDER ...

    Permissions (see docs/exo-collection.md):
      Exchange Online: View-Only Organization Management, or the Entra role Global Reader.
      Microsoft Graph (delegated): Organization.Read.All, RoleManagement.Read.Directory,
        OnPremDirectorySynchronization.Read.All, Application.Read.All, Synchronization.Read.All.

    A cmdlet that fails (missing role, feature not licensed) is reported as a warning
    and its file is not written: exoready then reports the rules that need it as
    "not assessed". Get-Mailbox is required and stops the export when it fails.

.PARAMETER OutputFolder
    The folder to write. Created when missing; files from an earlier run are replaced.

.PARAMETER SkipGraph
    Export Exchange Online only (no graph/ folder; exoready reports Entra as not collected).

.PARAMETER SyncServicePrincipalFilter
    The Graph $filter that finds the Entra Cloud Sync service principals whose
    synchronization jobs are exported (the same default as exoready's live collector).

.EXAMPLE
    Connect-ExchangeOnline -UserPrincipalName auditor@contoso.onmicrosoft.com -ShowBanner:$false
    Connect-MgGraph -Scopes Organization.Read.All,RoleManagement.Read.Directory,OnPremDirectorySynchronization.Read.All,Application.Read.All,Synchronization.Read.All
    .\Export-ExoReady.ps1 -OutputFolder .\exo-export
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $OutputFolder,

    [switch] $SkipGraph,

    [string] $SyncServicePrincipalFilter = "applicationTemplateId eq '1a4721b3-e57f-4451-ae87-ef078703ec94'"
)

$ErrorActionPreference = 'Stop'
$Utf8NoBom = New-Object System.Text.UTF8Encoding($false)
$RemotingNoise = @('PSComputerName', 'RunspaceId', 'PSShowComputerName', 'PSSourceJobInstanceId')

# ConvertTo-ExoReadyValue flattens one property value to what JSON carries
# the same way on 5.1 and 7: text, numbers, booleans, ISO dates, arrays and
# dictionaries of those.
function ConvertTo-ExoReadyValue {
    param($Value, [int] $Level = 0)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [int] -or $Value -is [long] -or
        $Value -is [double] -or $Value -is [decimal]) {
        return $Value
    }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
    if ($Value -is [datetimeoffset]) { return $Value.UtcDateTime.ToString('o') }
    if ($Value -is [enum] -or $Value -is [guid]) { return $Value.ToString() }
    if ($Level -gt 30) { return $Value.ToString() }
    if ($Value -is [System.Collections.IDictionary]) {
        $map = [ordered]@{}
        foreach ($key in $Value.Keys) {
            $map["$key"] = ConvertTo-ExoReadyValue -Value $Value[$key] -Level ($Level + 1)
        }
        return $map
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Value) {
            $list.Add((ConvertTo-ExoReadyValue -Value $item -Level ($Level + 1)))
        }
        return , $list.ToArray()
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $map = [ordered]@{}
        foreach ($p in $Value.PSObject.Properties) {
            $map[$p.Name] = ConvertTo-ExoReadyValue -Value $p.Value -Level ($Level + 1)
        }
        return $map
    }
    return $Value.ToString()
}

# ConvertTo-ExoReadyObject flattens a cmdlet's output object.
function ConvertTo-ExoReadyObject {
    param([Parameter(ValueFromPipeline = $true)] $InputObject)
    process {
        $map = [ordered]@{}
        foreach ($p in $InputObject.PSObject.Properties) {
            if ($RemotingNoise -contains $p.Name) { continue }
            try {
                $map[$p.Name] = ConvertTo-ExoReadyValue -Value $p.Value
            }
            catch {
                $map[$p.Name] = $null
            }
        }
        $map
    }
}

# Save-ExoReadyJson writes JSON as UTF-8 without BOM, replacing the file.
function Save-ExoReadyJson {
    param([string] $RelativePath, $Document, [int] $Depth = 5)
    $path = Join-Path $script:OutputPath $RelativePath
    $json = ConvertTo-Json -InputObject $Document -Depth $Depth
    if ($null -eq $json) { $json = '[]' }
    [System.IO.File]::WriteAllText($path, $json, $Utf8NoBom)
}

$script:OutputPath = (New-Item -ItemType Directory -Force -Path $OutputFolder).FullName

if (-not (Get-Command Get-Mailbox -ErrorAction SilentlyContinue)) {
    throw 'Exchange Online is not connected: Install-Module ExchangeOnlineManagement; Connect-ExchangeOnline'
}

$groupAndContactTypes = @('MailUniversalDistributionGroup', 'MailUniversalSecurityGroup', 'MailNonUniversalGroup',
    'DynamicDistributionGroup', 'RoomList', 'MailContact')
$cmdlets = [ordered]@{
    'Get-Mailbox'                    = { Get-Mailbox -ResultSize Unlimited }
    'Get-Recipient'                  = { Get-Recipient -ResultSize Unlimited -RecipientTypeDetails $groupAndContactTypes }
    'Get-OrganizationConfig'         = { Get-OrganizationConfig }
    'Get-AdminAuditLogConfig'        = { Get-AdminAuditLogConfig }
    'Get-ManagementRoleEntry'        = { Get-ManagementRoleEntry -Identity '*\Set-Mailbox' }
    'Get-ManagementRoleAssignment'   = { Get-ManagementRoleAssignment -GetEffectiveUsers }
    'Get-RoleGroup'                  = { Get-RoleGroup -ResultSize Unlimited }
    'Get-MoveRequest'                = { Get-MoveRequest -ResultSize Unlimited }
    'Get-InboundConnector'           = { Get-InboundConnector }
    'Get-OutboundConnector'          = { Get-OutboundConnector }
    'Get-OrganizationRelationship'   = { Get-OrganizationRelationship }
    'Get-IntraOrganizationConnector' = { Get-IntraOrganizationConnector }
    'Get-RemoteDomain'               = { Get-RemoteDomain }
    'Get-MigrationEndpoint'          = { Get-MigrationEndpoint }
}

$step = 0
foreach ($name in $cmdlets.Keys) {
    $step++
    Write-Progress -Activity 'exoready: Exchange Online' -Status $name -PercentComplete (100 * $step / $cmdlets.Count)
    $file = "$name.json"
    $target = Join-Path $script:OutputPath $file
    if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target }
    try {
        $objects = @(& $cmdlets[$name] | ConvertTo-ExoReadyObject)
        Save-ExoReadyJson -RelativePath $file -Document $objects
        Write-Host ("{0,-36} {1,7} objects" -f $file, $objects.Count)
    }
    catch {
        if ($name -eq 'Get-Mailbox') { throw }
        Write-Warning "$name failed, $file not written (exoready will report the rules that need it as not assessed): $($_.Exception.Message)"
    }
}
Write-Progress -Activity 'exoready: Exchange Online' -Completed

if ($SkipGraph) { return }

if (-not (Get-Command Invoke-MgGraphRequest -ErrorAction SilentlyContinue)) {
    throw 'Microsoft Graph is not connected: Install-Module Microsoft.Graph.Authentication; Connect-MgGraph -Scopes (see the help of this script)'
}
$null = New-Item -ItemType Directory -Force -Path (Join-Path $script:OutputPath 'graph')

# Get-ExoReadyGraphPage reads every page of a Graph collection.
function Get-ExoReadyGraphPage {
    param([string] $Uri)
    $items = New-Object System.Collections.Generic.List[object]
    $next = $Uri
    while ($next) {
        $page = Invoke-MgGraphRequest -Method GET -Uri $next -OutputType Hashtable
        if ($page.ContainsKey('value')) {
            foreach ($item in $page['value']) { $items.Add($item) }
        }
        else {
            $items.Add($page)
        }
        $next = $page['@odata.nextLink']
    }
    return , $items.ToArray()
}

# Save-ExoReadyGraph writes a Graph collection as {"value":[...]}.
function Save-ExoReadyGraph {
    param([string] $Name, [object[]] $Items)
    $flat = @(foreach ($item in $Items) { ConvertTo-ExoReadyValue -Value $item })
    Save-ExoReadyJson -RelativePath "graph/$Name.json" -Document ([ordered]@{ value = $flat }) -Depth 32
    Write-Host ("{0,-36} {1,7} objects" -f "graph/$Name.json", $flat.Count)
}

$graph = [ordered]@{
    'organization'              = { Get-ExoReadyGraphPage 'v1.0/organization' }
    'roleAssignments'           = { Get-ExoReadyGraphPage 'v1.0/roleManagement/directory/roleAssignments?$expand=principal' }
    'onPremisesSynchronization' = { Get-ExoReadyGraphPage 'v1.0/directory/onPremisesSynchronization' }
    'synchronizationJobs'       = {
        $filter = [uri]::EscapeDataString($SyncServicePrincipalFilter)
        $principals = Get-ExoReadyGraphPage "v1.0/servicePrincipals?`$filter=$filter&`$select=id,displayName,applicationTemplateId"
        foreach ($sp in $principals) {
            $jobsUri = "v1.0/servicePrincipals/$($sp['id'])/synchronization/jobs"
            foreach ($job in (Get-ExoReadyGraphPage $jobsUri)) {
                $job['servicePrincipalId'] = $sp['id']
                $schemaUri = "$jobsUri/$([uri]::EscapeDataString($job['id']))/schema"
                $job['schema'] = Invoke-MgGraphRequest -Method GET -Uri $schemaUri -OutputType Hashtable
                $job
            }
        }
    }
}
foreach ($name in $graph.Keys) {
    $target = Join-Path $script:OutputPath "graph/$name.json"
    if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target }
    try {
        Save-ExoReadyGraph -Name $name -Items @(& $graph[$name])
    }
    catch {
        Write-Warning "Graph $name failed, graph/$name.json not written (exoready will report the rules that need it as not assessed): $($_.Exception.Message)"
    }
}
