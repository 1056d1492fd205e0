package snapshot

import (
	"maps"
	"slices"
	"strings"
)

// shareEqual makes a joined pair's EXO mailbox hold its AD object's copy of
// every value the two have equal (byte for byte): the proxy address list
// or each address, display name, alias, UPN, primary and Windows e-mail
// address, object ids, and the custom attribute maps. Sync copies these
// from AD, so in a synced tenant they are equal for nearly every mailbox;
// sharing them lets the EXO collector's own copies go (a third of the
// section at 600,000 mailboxes) without changing any value the snapshot
// holds or writes. Values that differ, and the order of every list, are
// left as they are.
//
// The AD collector's strings live in shared blocks and its maps are shared
// between recipients, so it is the EXO side that takes the AD values. Like
// the AD collector's shared maps and lists, what is shared is read-only:
// change a joined object's lists or maps by replacing them, never in place.
func shareEqual(ad *ADRecipient, m *Mailbox) {
	if ad == nil || m == nil {
		return
	}
	if slices.Equal(m.EmailAddresses, ad.ProxyAddresses) && m.EmailAddresses != nil && ad.ProxyAddresses != nil {
		m.EmailAddresses = ad.ProxyAddresses
	} else {
		for i, a := range m.EmailAddresses {
			if k := slices.Index(ad.ProxyAddresses, a); k >= 0 {
				m.EmailAddresses[i] = ad.ProxyAddresses[k]
			}
		}
	}
	names := [...]string{ad.DisplayName, ad.MailNickname, ad.Mail, ad.UserPrincipalName,
		ad.ExternalDirectoryObjectID, ad.ImmutableID, ad.MailboxGUID, ad.SAMAccountName}
	for _, p := range [...]*string{&m.DisplayName, &m.Name, &m.Identity, &m.Alias, &m.ExternalDirectoryObjectID,
		&m.ImmutableID, &m.ExchangeGuid, &m.UserPrincipalName, &m.PrimarySMTPAddress, &m.WindowsEmailAddress} {
		*p = sharedString(*p, names[:], ad.ProxyAddresses)
	}
	if m.CustomAttributes != nil && ad.CustomAttributes != nil && maps.Equal(m.CustomAttributes, ad.CustomAttributes) {
		m.CustomAttributes = ad.CustomAttributes
	}
	if m.ExtensionCustomAttributes != nil && ad.ExtensionCustomAttributes != nil &&
		maps.EqualFunc(m.ExtensionCustomAttributes, ad.ExtensionCustomAttributes, slices.Equal) {
		m.ExtensionCustomAttributes = ad.ExtensionCustomAttributes
	}
}

// sharedString returns the copy of s among names, or the address part of a
// proxy address equal to s, or s itself.
func sharedString(s string, names []string, proxies []string) string {
	if s == "" {
		return s
	}
	for _, n := range names {
		if n == s {
			return n
		}
	}
	for _, p := range proxies {
		if i := strings.IndexByte(p, ':'); i >= 0 && p[i+1:] == s {
			return p[i+1:]
		}
	}
	return s
}
