package ad

import "sort"

// Access mask bits that can grant an extended right (MS-ADTS 5.1.3.2).
const (
	rightDSControlAccess = 0x00000100
	rightGenericAll      = 0x10000000
)

// Well-known SIDs.
const (
	sidAnonymousLogon = "S-1-5-7"
	sidEveryone       = "S-1-1-0"
)

// Name of the extended right that lets a sender relay to any recipient.
const acceptAnyRecipientRight = "ms-Exch-SMTP-Accept-Any-Recipient"

// relayAnalysis is what a receive connector's DACL says about relaying.
type relayAnalysis struct {
	// Anonymous is true when ANONYMOUS LOGON is granted the right.
	Anonymous bool
	// Grantees are the SIDs granted the right by the DACL, sorted.
	Grantees []string
}

// analyseRelay evaluates, for every SID named in the DACL, whether the DACL
// grants it the extended right rightGUID (canonical GUID form), the way an
// access check does for a token holding only that SID: ACEs in order, the
// first one that covers the right decides (deny wins if it comes first).
// Inherit-only ACEs do not apply to the object itself. A NULL DACL grants
// everything to everyone.
func analyseRelay(sd *securityDescriptor, rightGUID string) relayAnalysis {
	if sd.NullDACL || !sd.HasDACL {
		return relayAnalysis{Anonymous: true, Grantees: []string{sidEveryone}}
	}
	decided := map[string]bool{} // SID → granted
	for _, a := range sd.DACL {
		if a.Flags&aceInheritOnly != 0 || !coversRight(a, rightGUID) {
			continue
		}
		if _, done := decided[a.SID]; done {
			continue
		}
		switch a.Type {
		case aceAccessAllowed, aceAccessAllowedObject:
			decided[a.SID] = true
		case aceAccessDenied, aceAccessDeniedObject:
			decided[a.SID] = false
		}
	}
	out := relayAnalysis{Grantees: []string{}}
	for sid, granted := range decided {
		if granted {
			out.Grantees = append(out.Grantees, sid)
		}
	}
	sort.Strings(out.Grantees)
	out.Anonymous = decided[sidAnonymousLogon]
	return out
}

// coversRight reports whether an allow or deny ACE concerns the extended
// right: generic all, or control access either for all rights (no object
// type) or for exactly this right.
func coversRight(a ace, rightGUID string) bool {
	switch a.Type {
	case aceAccessAllowed, aceAccessDenied:
		return a.Mask&(rightGenericAll|rightDSControlAccess) != 0
	case aceAccessAllowedObject, aceAccessDeniedObject:
		if a.Mask&(rightGenericAll|rightDSControlAccess) == 0 {
			return false
		}
		return a.ObjectType == "" || a.ObjectType == rightGUID
	}
	return false
}
