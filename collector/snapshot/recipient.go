package snapshot

import (
	"sort"
	"strconv"
	"strings"
)

// recipientTypeNames maps msExchRecipientTypeDetails values to the names
// Exchange uses for RecipientTypeDetails (DOMAIN.md §5).
var recipientTypeNames = map[int64]string{
	1:             "UserMailbox",
	2:             "LinkedMailbox",
	4:             "SharedMailbox",
	8:             "LegacyMailbox",
	16:            "RoomMailbox",
	32:            "EquipmentMailbox",
	64:            "MailContact",
	128:           "MailUser",
	256:           "MailUniversalDistributionGroup",
	512:           "MailNonUniversalGroup",
	1024:          "MailUniversalSecurityGroup",
	2048:          "DynamicDistributionGroup",
	4096:          "PublicFolder",
	8192:          "SystemAttendantMailbox",
	16384:         "SystemMailbox",
	32768:         "MailForestContact",
	65536:         "User",
	131072:        "Contact",
	262144:        "UniversalDistributionGroup",
	524288:        "UniversalSecurityGroup",
	1048576:       "NonUniversalGroup",
	2097152:       "DisabledUser",
	4194304:       "MicrosoftExchange",
	8388608:       "ArbitrationMailbox",
	16777216:      "MailboxPlan",
	33554432:      "LinkedUser",
	268435456:     "RoomList",
	536870912:     "DiscoveryMailbox",
	1073741824:    "RoleGroup",
	2147483648:    "RemoteUserMailbox",
	4294967296:    "Computer",
	8589934592:    "RemoteRoomMailbox",
	17179869184:   "RemoteEquipmentMailbox",
	34359738368:   "RemoteSharedMailbox",
	68719476736:   "PublicFolderMailbox",
	137438953472:  "TeamMailbox",
	274877906944:  "RemoteTeamMailbox",
	549755813888:  "MonitoringMailbox",
	1099511627776: "GroupMailbox",
	2199023255552: "LinkedRoomMailbox",
	4398046511104: "AuditLogMailbox",
	8796093022208: "RemoteGroupMailbox",
}

// recipientTypeValues is the reverse of recipientTypeNames, keyed by lower-case name.
var recipientTypeValues = func() map[string]int64 {
	m := make(map[string]int64, len(recipientTypeNames))
	for v, n := range recipientTypeNames {
		m[strings.ToLower(n)] = v
	}
	return m
}()

// RecipientTypeName returns the RecipientTypeDetails name of an
// msExchRecipientTypeDetails value, "" for 0 and "Unknown(<v>)" for values
// Exchange does not define.
func RecipientTypeName(v int64) string {
	if v == 0 {
		return ""
	}
	if n, ok := recipientTypeNames[v]; ok {
		return n
	}
	return "Unknown(" + formatInt(v) + ")"
}

// RecipientTypeValue returns the numeric value of a RecipientTypeDetails name
// (case-insensitive), and whether it is known.
func RecipientTypeValue(name string) (int64, bool) {
	v, ok := recipientTypeValues[strings.ToLower(strings.TrimSpace(name))]
	return v, ok
}

// remoteRecipientFlags are the additive msExchRemoteRecipientType flags.
var remoteRecipientFlags = []struct {
	bit  int64
	name string
}{
	{1, "ProvisionMailbox"},
	{2, "ProvisionArchive"},
	{4, "Migrated"},
	{8, "DeprovisionMailbox"},
	{16, "DeprovisionArchive"},
	{32, "RoomMailbox"},
	{64, "EquipmentMailbox"},
	{128, "TeamMailbox"},
}

// RemoteRecipientTypeNames decodes msExchRemoteRecipientType into flag names.
// 96 (32|64) reads as SharedMailbox, as Exchange shows it. Unknown bits are
// kept as "Unknown(<bit>)" so nothing is silently dropped.
func RemoteRecipientTypeNames(v int64) []string {
	if v == 0 {
		return nil
	}
	var out []string
	rest := v
	if v&96 == 96 {
		out = append(out, "SharedMailbox")
		rest &^= 96
	}
	for _, f := range remoteRecipientFlags {
		if rest&f.bit != 0 {
			out = append(out, f.name)
			rest &^= f.bit
		}
	}
	for bit := int64(1); rest != 0 && bit > 0; bit <<= 1 {
		if rest&bit != 0 {
			out = append(out, "Unknown("+formatInt(bit)+")")
			rest &^= bit
		}
	}
	sort.Strings(out)
	return out
}

// Mailbox kinds used in the joined view and by the rules.
const (
	KindUser      = "user"
	KindShared    = "shared"
	KindRoom      = "room"
	KindEquipment = "equipment"
	KindOther     = "other"
)

// mailboxKinds maps RecipientTypeDetails names (lower case) of the mailboxes
// IsExchangeCloudManaged applies to, on either side, to their kind.
var mailboxKinds = map[string]string{
	"usermailbox":            KindUser,
	"linkedmailbox":          KindUser,
	"remoteusermailbox":      KindUser,
	"sharedmailbox":          KindShared,
	"remotesharedmailbox":    KindShared,
	"roommailbox":            KindRoom,
	"linkedroommailbox":      KindRoom,
	"remoteroommailbox":      KindRoom,
	"equipmentmailbox":       KindEquipment,
	"remoteequipmentmailbox": KindEquipment,
}

// MailboxKind returns the kind (user, shared, room, equipment) of a
// RecipientTypeDetails name, or "" when the type is not such a mailbox.
func MailboxKind(recipientTypeDetails string) string {
	return mailboxKinds[strings.ToLower(recipientTypeDetails)]
}

// IsRemoteMailboxType reports whether an AD RecipientTypeDetails name is a
// remote (EXO-hosted) mailbox.
func IsRemoteMailboxType(recipientTypeDetails string) bool {
	t := strings.ToLower(recipientTypeDetails)
	return strings.HasPrefix(t, "remote") && strings.HasSuffix(t, "mailbox")
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }
