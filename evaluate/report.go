package evaluate

import (
	"time"
)

// FindingsSchemaVersion is the version of findings.json.
const FindingsSchemaVersion = 1

// Status of a finding.
type Status string

// Finding statuses.
const (
	StatusFail   Status = "fail"
	StatusPass   Status = "pass"
	StatusError  Status = "error"
	StatusWaived Status = "waived"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SeverityRank returns 0 for critical .. 4 for info, -1 for unknown.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Report is the content of findings.json. Every other output format renders
// from a Report alone, so everything a writer shows must be in here.
type Report struct {
	SchemaVersion int        `json:"schema_version"`
	Tool          Tool       `json:"tool"`
	ScanID        string     `json:"scan_id"`
	Timings       Timings    `json:"timings"`
	Inputs        Inputs     `json:"inputs"`
	PolicyPack    PolicyPack `json:"policy_pack"`
	// Complete is false when a source could not be collected or a rule could
	// not be assessed: the verdicts then rest on partial evidence.
	Complete  bool         `json:"complete"`
	Redacted  bool         `json:"redacted"`
	Summary   Summary      `json:"summary"`
	Changes   *Changes     `json:"changes,omitempty"` // vs a baseline scan (diff.go); nil without one
	Rules     []RuleResult `json:"rules"`
	Findings  []Finding    `json:"findings"`
	Inventory Inventory    `json:"inventory"`
}

// Tool identifies the exoready build.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// Timings are taken from the injected clock.
type Timings struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Phases are durations in milliseconds by phase name (collect, evaluate...).
	Phases map[string]int64 `json:"phases"`
}

// Inputs is the evidence manifest of what was read.
type Inputs struct {
	Snapshot SnapshotRef `json:"snapshot"`
	// Files are the source files the snapshot was built from, and the
	// configuration files of the run (scan.yaml, waivers).
	Files []InputFile `json:"files"`
	// Sources is the per-source collection status, as in the snapshot.
	Sources map[string]SourceRef `json:"sources"`
}

// SnapshotRef identifies the evaluated snapshot.
type SnapshotRef struct {
	SHA256        string    `json:"sha256"`
	Bytes         int64     `json:"bytes"`
	SchemaVersion int       `json:"schema_version"`
	CollectedAt   time.Time `json:"collected_at"`
	// Forest and Tenant name the organization assessed.
	Forest string `json:"forest"`
	Tenant string `json:"tenant"`
}

// InputFile is one file read, with its hash.
type InputFile struct {
	Source string `json:"source"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// SourceRef is one source's collection status.
type SourceRef struct {
	Collected bool     `json:"collected"`
	Complete  bool     `json:"complete"`
	Method    string   `json:"method"`
	Origin    string   `json:"origin"`
	Errors    []string `json:"errors"`
}

// PolicyPack identifies the policies evaluated.
type PolicyPack struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	// Sources are "embedded" and each --policy location.
	Sources []string `json:"sources"`
	Rules   int      `json:"rules"`
}

// Summary holds the verdicts and counts.
type Summary struct {
	Verdicts Verdicts `json:"verdicts"`
	// BySeverity counts failing findings per severity.
	BySeverity map[string]int `json:"by_severity"`
	// ByStatus counts findings per status.
	ByStatus map[string]int `json:"by_status"`
	// ByCategory counts failing findings per rule category.
	ByCategory map[string]int `json:"by_category"`
}

// Verdicts answer the two questions exoready exists for.
type Verdicts struct {
	Decommission DecommissionVerdict `json:"decommission"`
	Flip         FlipVerdict         `json:"flip"`
}

// DecommissionVerdict: ready when no critical rule fails or errors.
type DecommissionVerdict struct {
	Ready bool `json:"ready"`
	// Text is the verdict in words: READY, NOT READY, or NOT ASSESSED.
	Text string `json:"text"`
	// Blockers are the critical rules that fail; Unassessed those that errored.
	Blockers   []string `json:"blockers"`
	Unassessed []string `json:"unassessed"`
}

// FlipVerdict counts mailboxes per readiness state.
type FlipVerdict struct {
	Mailboxes int            `json:"mailboxes"`
	ByState   map[string]int `json:"by_state"`
	// TenantBlockers are tenant-wide rules that block every flip.
	TenantBlockers []string `json:"tenant_blockers"`
	Text           string   `json:"text"`
}

// RuleResult is one rule of the catalog with its counts.
type RuleResult struct {
	RuleMeta
	Status Status     `json:"status"`
	Counts RuleCounts `json:"counts"`
}

// RuleCounts say how much a rule looked at and found.
type RuleCounts struct {
	Checked int `json:"checked"`
	Failed  int `json:"failed"`
	Passed  int `json:"passed"`
	Errors  int `json:"errors"`
	Waived  int `json:"waived"`
}

// Finding is one result of one rule on one object.
type Finding struct {
	UID         string         `json:"uid"`
	RuleID      string         `json:"rule_id"`
	Title       string         `json:"title"`
	Severity    string         `json:"severity"`
	Category    string         `json:"category"`
	Status      Status         `json:"status"`
	Object      Object         `json:"object"`
	Message     string         `json:"message"`
	Evidence    map[string]any `json:"evidence"`
	Remediation string         `json:"remediation"`
	References  []string       `json:"references"`
	// Key tells apart several findings of one rule on one object.
	Key string `json:"key,omitempty"`
	// Waiver is set when a waiver applies (or applied and expired).
	Waiver *WaiverRef `json:"waiver,omitempty"`
}

// Object is what a finding is about.
type Object struct {
	Type        string `json:"type"` // tenant, mailbox, group, contact, server, connector, principal...
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	DN          string `json:"dn"`
}

// WaiverRef records the waiver matched by a finding.
type WaiverRef struct {
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	Expired bool   `json:"expired"`
}

// Inventory is what the workbook shows besides findings.
type Inventory struct {
	Mailboxes []MailboxRow `json:"mailboxes"`
	// Sections are lists contributed by rules (toggle_principals,
	// dependencies, ...), each sorted.
	Sections map[string][]map[string]any `json:"sections"`
}

// Attributes is one side of a mailbox row: a JSON object of attribute
// names and values, or null (see MailboxRow). It is an interface so that a
// row read back from a file keeps attributes this build does not know.
type Attributes interface{}

// MailboxRow is one joined mailbox with its readiness.
//
// AD and EXO are the mailbox's AD recipient and EXO mailbox reduced to the
// attributes the workbook and the rollout planner read, nil when the
// mailbox has no such side. Evaluate sets them to *InventoryAD and
// *InventoryEXO; a row read back from a findings.json holds the objects as
// written there (map[string]any: a file of another build may carry other
// attributes, and they are kept). Read them with Attr.
type MailboxRow struct {
	ID          string     `json:"id"`
	DisplayName string     `json:"display_name"`
	Kind        string     `json:"kind"`
	Location    string     `json:"location"`
	JoinMethod  string     `json:"join_method"`
	AD          Attributes `json:"ad"`
	EXO         Attributes `json:"exo"`
	Drift       []string   `json:"drift"`
	Readiness   Readiness  `json:"readiness"`
}

// InventoryAD is the inventory's projection of a snapshot.ADRecipient:
// the same JSON names and types, fields in name order so findings.json
// writes them as it writes a map's sorted keys. Strings, lists and maps are
// the snapshot's own (read-only).
type InventoryAD struct {
	CustomAttributes          map[string]string   `json:"custom_attributes"`
	Department                string              `json:"department"`
	DN                        string              `json:"dn"`
	ExtensionCustomAttributes map[string][]string `json:"extension_custom_attributes"`
	HiddenFromAddressLists    *bool               `json:"hidden_from_address_lists"`
	HomeMDB                   string              `json:"home_mdb"`
	Mail                      string              `json:"mail"`
	ProxyAddresses            []string            `json:"proxy_addresses"`
	RecipientTypeDetails      string              `json:"recipient_type_details"`
	TargetAddress             string              `json:"target_address"`
	UserPrincipalName         string              `json:"user_principal_name"`
	WhenChanged               *time.Time          `json:"when_changed"`
}

// InventoryEXO is the inventory's projection of a snapshot.Mailbox, like
// InventoryAD. guid and the move fields let the rollout planner address a
// mailbox unambiguously and see moves from findings.json alone.
type InventoryEXO struct {
	CustomAttributes              map[string]string   `json:"custom_attributes"`
	EmailAddresses                []string            `json:"email_addresses"`
	ExtensionCustomAttributes     map[string][]string `json:"extension_custom_attributes"`
	ExternalDirectoryObjectID     string              `json:"external_directory_object_id"`
	Guid                          string              `json:"guid"`
	HiddenFromAddressListsEnabled bool                `json:"hidden_from_address_lists_enabled"`
	IsDirSynced                   bool                `json:"is_dir_synced"`
	IsExchangeCloudManaged        *bool               `json:"is_exchange_cloud_managed"`
	MailboxMoveFlags              string              `json:"mailbox_move_flags"`
	MailboxMoveStatus             string              `json:"mailbox_move_status"`
	PrimarySMTPAddress            string              `json:"primary_smtp_address"`
	RecipientTypeDetails          string              `json:"recipient_type_details"`
	UserPrincipalName             string              `json:"user_principal_name"`
	WhenChangedUTC                *time.Time          `json:"when_changed_utc"`
}

// Readiness states of a mailbox.
const (
	ReadyCloudManaged  = "cloud_managed"
	ReadyNow           = "ready"
	ReadyWait          = "wait"
	ReadyBlocked       = "blocked"
	ReadyUnknown       = "unknown"
	ReadyNotApplicable = "not_applicable"
)

// Readiness says whether a mailbox can be flipped now.
type Readiness struct {
	State     string     `json:"state"`
	Text      string     `json:"text"`
	BlockedBy []string   `json:"blocked_by"`
	WaitUntil *time.Time `json:"wait_until"`
}
