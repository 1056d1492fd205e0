package snapshot

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/exoready/exoready/internal/parallel"
)

// Join computes s.Joined from s.AD and s.EXO: every mailbox once, its AD
// object and EXO object side by side. Keys are tried in order:
// msDS-ExternalDirectoryObjectId, objectGUID ↔ ImmutableId, UPN, primary
// SMTP address. A key shared by two AD objects is ambiguous and never used,
// so a wrong pair is never made; the next key is tried instead.
//
// When either side was not collected, Joined stays nil: rules that need the
// joined view then report "not assessed" instead of judging half the data.
//
// Join also computes the AD section's other view, ad.duplicate_addresses
// (DuplicateAddresses), and makes each joined EXO mailbox share the values
// equal to its AD object's (shareEqual).
func Join(s *Snapshot) {
	// The other view reads only the AD arrays (the join writes none of
	// them): it is computed while the pairing below keeps one processor.
	var view sync.WaitGroup
	if ad := s.AD; ad != nil {
		view.Go(func() { ad.DuplicateAddresses = DuplicateAddresses(ad) })
	}
	defer view.Wait()
	s.Joined = nil
	if s.AD == nil || s.EXO == nil || s.AD.Users == nil || s.EXO.Mailboxes == nil {
		return
	}
	idx := newADIndex(s.AD.Users)
	claimed := make([]bool, len(s.AD.Users))
	joined := make([]JoinedMailbox, 0, len(s.EXO.Mailboxes)+len(idx.candidates)/8)

	// Pairing is sequential (a claimed AD object is not offered twice, in
	// mailbox order); what each pair then needs is computed on every
	// processor.
	for i := range s.EXO.Mailboxes {
		m := &s.EXO.Mailboxes[i]
		j := JoinedMailbox{EXO: m}
		if ai, method := idx.find(m, claimed); ai >= 0 {
			claimed[ai] = true
			j.AD = &s.AD.Users[ai]
			j.JoinMethod = method
		}
		joined = append(joined, j)
	}
	for _, ai := range idx.candidates {
		if !claimed[ai] {
			joined = append(joined, JoinedMailbox{AD: &s.AD.Users[ai]})
		}
	}
	parallel.Ranges(len(joined), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			complete(&joined[i])
		}
	})
	slices.SortStableFunc(joined, func(a, b JoinedMailbox) int { return strings.Compare(a.ID, b.ID) })
	s.Joined = joined
}

// complete fills in what a joined pair (or lone side) shows: name, kind,
// id, location and drift, once the pair shares its equal values.
func complete(j *JoinedMailbox) {
	shareEqual(j.AD, j.EXO)
	if j.EXO != nil {
		j.DisplayName, j.Kind = j.EXO.DisplayName, MailboxKind(j.EXO.RecipientTypeDetails)
	} else {
		j.DisplayName, j.Kind = j.AD.DisplayName, MailboxKind(j.AD.RecipientTypeDetails)
	}
	if j.Kind == "" {
		j.Kind = KindOther // e.g. a mailbox-enabled user whose type was never stamped
	}
	j.ID = joinedID(j)
	j.Location = location(j)
	j.Drift = Drift(j.AD, j.EXO)
}

// adIndex holds the AD mailbox objects a mailbox can join to, by each key.
type adIndex struct {
	candidates []int
	byKey      [4]map[string]int // -1 marks an ambiguous key
}

var joinMethods = [4]string{JoinExternalDirectoryObjectID, JoinImmutableID, JoinUPN, JoinPrimarySMTP}

func newADIndex(users []ADRecipient) *adIndex {
	idx := &adIndex{}
	for k := range idx.byKey {
		idx.byKey[k] = make(map[string]int)
	}
	for i := range users {
		u := &users[i]
		if !IsJoinCandidate(u) {
			continue
		}
		idx.candidates = append(idx.candidates, i)
		for k, key := range adKeys(u) {
			if key == "" {
				continue
			}
			if _, dup := idx.byKey[k][key]; dup {
				idx.byKey[k][key] = -1
			} else {
				idx.byKey[k][key] = i
			}
		}
	}
	return idx
}

func (idx *adIndex) find(m *Mailbox, claimed []bool) (int, string) {
	for k, key := range exoKeys(m) {
		if key == "" {
			continue
		}
		if ai, ok := idx.byKey[k][key]; ok && ai >= 0 && !claimed[ai] {
			return ai, joinMethods[k]
		}
	}
	return -1, ""
}

// IsJoinCandidate reports whether an AD user is a mailbox that should have an
// EXO counterpart or is hosted on-prem: user, shared, room and equipment
// mailboxes, local or remote. System, public folder and group mailboxes and
// mail users are not (the rules read them from ad.users directly).
func IsJoinCandidate(u *ADRecipient) bool {
	if MailboxKind(u.RecipientTypeDetails) != "" {
		return true
	}
	// A mailbox-enabled user whose type attribute was never stamped.
	return u.RecipientTypeDetails == "" && u.HomeMDB != ""
}

// NormalizeObjectID lower-cases an ExternalDirectoryObjectId and strips the
// "User_" (or "Group_", "Contact_") prefix Cloud Sync writes into
// msDS-ExternalDirectoryObjectId on-prem, so both sides compare equal.
func NormalizeObjectID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, p := range []string{"user_", "group_", "contact_"} {
		if strings.HasPrefix(id, p) {
			return id[len(p):]
		}
	}
	return id
}

func adKeys(u *ADRecipient) [4]string {
	return [4]string{
		NormalizeObjectID(u.ExternalDirectoryObjectID),
		u.ImmutableID,
		strings.ToLower(u.UserPrincipalName),
		strings.ToLower(PrimarySMTP(u.ProxyAddresses, u.Mail)),
	}
}

func exoKeys(m *Mailbox) [4]string {
	return [4]string{
		NormalizeObjectID(m.ExternalDirectoryObjectID),
		m.ImmutableID,
		strings.ToLower(m.UserPrincipalName),
		strings.ToLower(PrimarySMTP(m.EmailAddresses, m.PrimarySMTPAddress)),
	}
}

func joinedID(j *JoinedMailbox) string {
	if j.EXO != nil {
		if id := NormalizeObjectID(j.EXO.ExternalDirectoryObjectID); id != "" {
			return id
		}
		if id := strings.ToLower(j.EXO.Guid); id != "" {
			return id
		}
	}
	if j.AD != nil {
		if id := NormalizeObjectID(j.AD.ExternalDirectoryObjectID); id != "" {
			return id
		}
		if j.AD.ObjectGUID != "" {
			return "ad:" + strings.ToLower(j.AD.ObjectGUID)
		}
		return "ad:" + strings.ToLower(j.AD.DN)
	}
	if j.EXO != nil {
		return "exo:" + strings.ToLower(j.EXO.Identity)
	}
	return ""
}

// Locations of a joined mailbox.
const (
	LocationRemote = "remote" // hosted in EXO, object synced from AD
	LocationOnPrem = "onprem" // hosted on an on-prem database
	LocationCloud  = "cloud"  // cloud-only, no AD object
)

func location(j *JoinedMailbox) string {
	if j.AD != nil && (j.AD.HomeMDB != "" || (!IsRemoteMailboxType(j.AD.RecipientTypeDetails) && MailboxKind(j.AD.RecipientTypeDetails) != "")) {
		return LocationOnPrem
	}
	if j.EXO != nil && !j.EXO.IsDirSynced && j.AD == nil {
		return LocationCloud
	}
	return LocationRemote
}

// PrimarySMTP returns the address of the one "SMTP:" proxy address, or
// fallback when there is none or more than one.
func PrimarySMTP(proxies []string, fallback string) string {
	primary := ""
	n := 0
	for _, p := range proxies {
		if strings.HasPrefix(p, "SMTP:") {
			primary = p[5:]
			n++
		}
	}
	if n == 1 {
		return primary
	}
	return fallback
}

// Drift compares the Exchange attributes of a joined pair and returns those
// that differ. Addresses compare case-insensitively except for the prefix,
// whose case marks the primary; multi-valued attributes compare as sets.
func Drift(ad *ADRecipient, exo *Mailbox) []AttributeDrift {
	if ad == nil || exo == nil {
		return nil
	}
	var out []AttributeDrift
	add := func(attr, adName string, a, e any) {
		out = append(out, AttributeDrift{Attribute: attr, ADName: adName, AD: a, EXO: e})
	}
	if !sameSet(ad.ProxyAddresses, exo.EmailAddresses, sameAddress) {
		add("EmailAddresses", "proxyAddresses", sortedCopy(ad.ProxyAddresses), sortedCopy(exo.EmailAddresses))
	}
	if !strings.EqualFold(ad.Mail, exo.WindowsEmailAddress) && exo.WindowsEmailAddress != "" {
		add("WindowsEmailAddress", "mail", ad.Mail, exo.WindowsEmailAddress)
	}
	if !strings.EqualFold(ad.MailNickname, exo.Alias) && exo.Alias != "" {
		add("Alias", "mailNickname", ad.MailNickname, exo.Alias)
	}
	adHidden := ad.HiddenFromAddressLists != nil && *ad.HiddenFromAddressLists
	if adHidden != exo.HiddenFromAddressListsEnabled {
		add("HiddenFromAddressListsEnabled", "msExchHideFromAddressLists", adHidden, exo.HiddenFromAddressListsEnabled)
	}
	for _, n := range customAttributeNames {
		if a, e := ad.CustomAttributes[n.exo], exo.CustomAttributes[n.exo]; a != e {
			add(n.exo, n.ad, a, e)
		}
	}
	for _, n := range extensionAttributeNames {
		if a, e := ad.ExtensionCustomAttributes[n.exo], exo.ExtensionCustomAttributes[n.exo]; !sameSet(a, e, equalString) {
			add(n.exo, n.ad, sortedCopy(a), sortedCopy(e))
		}
	}
	if ak, ek := MailboxKind(ad.RecipientTypeDetails), MailboxKind(exo.RecipientTypeDetails); ak != "" && ek != "" && ak != ek {
		add("RecipientTypeDetails", "msExchRecipientTypeDetails", ad.RecipientTypeDetails, exo.RecipientTypeDetails)
	}
	return out
}

// attributeName is an Exchange attribute's name in EXO and in AD.
type attributeName struct{ exo, ad string }

var (
	customAttributeNames    = attributeNames(15, "CustomAttribute%d", "extensionAttribute%d")
	extensionAttributeNames = attributeNames(5, "ExtensionCustomAttribute%d", "msExchExtensionCustomAttribute%d")
)

func attributeNames(n int, exo, ad string) []attributeName {
	names := make([]attributeName, n)
	for i := range names {
		names[i] = attributeName{fmt.Sprintf(exo, i+1), fmt.Sprintf(ad, i+1)}
	}
	return names
}

// sameAddress compares two proxy addresses: the prefix as written (its case
// marks the primary), the address part ignoring case.
func sameAddress(a, b string) bool {
	i, j := strings.IndexByte(a, ':'), strings.IndexByte(b, ':')
	if i <= 0 || j <= 0 {
		return i <= 0 && j <= 0 && strings.EqualFold(a, b)
	}
	return a[:i] == b[:j] && strings.EqualFold(a[i:], b[j:])
}

func equalString(a, b string) bool { return a == b }

// sameSet reports whether a and b hold the same values, as sets, under eq.
// The lists are a mailbox's few addresses or attribute values, so each
// value is looked for in the other list rather than hashed.
func sameSet(a, b []string, eq func(string, string) bool) bool {
	return within(a, b, eq) && within(b, a, eq)
}

// within reports whether every value of a is in b.
func within(a, b []string, eq func(string, string) bool) bool {
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return eq(x, y) }) {
			return false
		}
	}
	return true
}

func sortedCopy(v []string) []string {
	if v == nil {
		return []string{}
	}
	c := slices.Clone(v)
	sort.Strings(c)
	return c
}
