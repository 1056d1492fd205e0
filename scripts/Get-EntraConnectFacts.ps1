<#
.SYNOPSIS
    Writes the operator facts file exoready reads with --facts, on the Entra Connect Sync server.

.DESCRIPTION
    Read-only. Run it on the Entra Connect Sync server, in Windows PowerShell 5.1 or
    PowerShell 7, as a member of ADSyncAdmins or ADSyncOperators (the ADSync module
    ships with Entra Connect). It reads:
      - the Sync version: (Get-ADSyncGlobalSettings).Parameters,
        Microsoft.Synchronize.ServerConfigurationVersion;
      - the Exchange hybrid feature: Microsoft.OptionalFeature.HybridExchange;
      - the sync interval: (Get-ADSyncScheduler).CurrentlyEffectiveSyncCycleInterval;
      - the Entra Cloud Sync provisioning agent version, when the agent is installed on
        this server (or as given with -CloudSyncAgentVersion / -NoCloudSyncAgent).
    and writes them as YAML (UTF-8 without BOM) in the shape of PRODUCT.md:

      entra_connect:
        version: 2.5.190.0
        sync_interval_minutes: 30
        hybrid_exchange_feature: true
      cloud_sync:
        agent_version: 1.1.1107.0
        writeback_planned: true

    What the script cannot tell is left out, so exoready reports it as unknown
    instead of guessing.

.PARAMETER OutputFile
    The YAML file to write (default facts.yaml in the current folder).

.PARAMETER CloudSyncAgentVersion
    The Entra Cloud Sync provisioning agent version, when the agent runs on another server.

.PARAMETER NoCloudSyncAgent
    State that no Cloud Sync provisioning agent is installed anywhere (agent_version: "").

.PARAMETER WritebackPlanned
    State whether Exchange attribute writeback (Cloud Sync) is wanted: true or false.

.EXAMPLE
    .\Get-EntraConnectFacts.ps1 -OutputFile C:\temp\facts.yaml -WritebackPlanned true
#>
[CmdletBinding()]
param(
    [string] $OutputFile = 'facts.yaml',
    [string] $CloudSyncAgentVersion,
    [switch] $NoCloudSyncAgent,
    [ValidateSet('true', 'false')]
    [string] $WritebackPlanned
)

$ErrorActionPreference = 'Stop'
$versionPattern = '^\d+\.\d+\.\d+\.\d+$'

Import-Module ADSync
$parameters = (Get-ADSyncGlobalSettings).Parameters

function Get-SyncParameter {
    param([string] $Name)
    $p = $parameters | Where-Object { $_.Name -eq $Name } | Select-Object -First 1
    if ($null -eq $p) { return $null }
    return [string] $p.Value
}

$version = Get-SyncParameter 'Microsoft.Synchronize.ServerConfigurationVersion'
if ($version -notmatch $versionPattern) {
    throw "Microsoft.Synchronize.ServerConfigurationVersion is '$version', not a version like 2.5.190.0: is this the Entra Connect Sync server?"
}
$hybrid = Get-SyncParameter 'Microsoft.OptionalFeature.HybridExchange'
$interval = (Get-ADSyncScheduler).CurrentlyEffectiveSyncCycleInterval

$lines = New-Object System.Collections.Generic.List[string]
$lines.Add("# written by scripts/Get-EntraConnectFacts.ps1 on $env:COMPUTERNAME at $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))")
$lines.Add('entra_connect:')
$lines.Add("  version: $version")
if ($null -ne $interval -and $interval.TotalMinutes -ge 1) {
    $lines.Add("  sync_interval_minutes: $([int][math]::Round($interval.TotalMinutes))")
}
if ($hybrid -eq 'True' -or $hybrid -eq 'False') {
    $lines.Add("  hybrid_exchange_feature: $($hybrid.ToLowerInvariant())")
}

if (-not $CloudSyncAgentVersion -and -not $NoCloudSyncAgent) {
    $uninstall = @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*')
    $agent = Get-ItemProperty -Path $uninstall -ErrorAction SilentlyContinue |
        Where-Object { $_.PSObject.Properties['DisplayName'] -and $_.DisplayName -like '*Provisioning Agent*' } |
        Select-Object -First 1
    if ($agent) { $CloudSyncAgentVersion = [string] $agent.DisplayVersion }
}
if ($CloudSyncAgentVersion -and $CloudSyncAgentVersion -notmatch $versionPattern) {
    throw "Cloud Sync agent version '$CloudSyncAgentVersion' is not a version like 1.1.1107.0"
}
if ($CloudSyncAgentVersion -or $NoCloudSyncAgent -or $WritebackPlanned) {
    $lines.Add('cloud_sync:')
    if ($CloudSyncAgentVersion) { $lines.Add("  agent_version: $CloudSyncAgentVersion") }
    elseif ($NoCloudSyncAgent) { $lines.Add('  agent_version: ""') }
    if ($WritebackPlanned) { $lines.Add("  writeback_planned: $WritebackPlanned") }
}

$path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputFile)
$text = ($lines -join "`n") + "`n"
[System.IO.File]::WriteAllText($path, $text, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "wrote $path"
Write-Host $text
