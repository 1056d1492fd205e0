package ad

// Search is one subtree search of live collection.
type Search struct {
	Base, Filter string
	Attrs        []string
}

// Searches are the subtree searches Collect runs for the given naming
// contexts (besides RootDSE, the base search for the relay right and range
// retrieval), so that tools can compare with other LDAP clients: make bench
// pages through the same searches with ldapsearch.
func Searches(domainDN, configDN string) []Search {
	b := newBuilder(domainDN, configDN)
	return []Search{
		{Base: b.exchangeDN(), Filter: exchangeFilter(), Attrs: exchangeAttrs},
		{Base: domainDN, Filter: recipientFilter(), Attrs: recipientAttrs},
		{Base: b.securityGroupsDN(), Filter: "(objectClass=group)", Attrs: recipientAttrs},
	}
}
