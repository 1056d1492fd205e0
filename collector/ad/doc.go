// Package ad collects the on-premises half of the snapshot: mail-enabled
// users, contacts and groups of the domain partition and the Exchange
// organization of the configuration partition, either live over LDAP
// (Collect: RootDSE discovery, paged searches, range retrieval of member,
// nTSecurityDescriptor read with the SD-flags control) or offline from
// ldifde/ldapsearch LDIF exports (ReadLDIF). Both paths feed the same entry
// builder, so the same directory gives the same *snapshot.AD, and both report
// what they could not read as snapshot.SourceError values naming the snapshot
// paths they leave unassessed. Live search results are read by a lean LDAP
// decoder of its own (wire.go) straight into the builder's entries.
package ad
