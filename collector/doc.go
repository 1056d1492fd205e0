// Package collector turns exoready's sources — AD over LDAP or LDIF
// (collector/ad), Exchange Online and Entra from PowerShell exports or REST
// (collector/exo), and operator facts — into one canonical snapshot
// (collector/snapshot), the document every policy evaluates. It knows
// nothing of OPA.
package collector
