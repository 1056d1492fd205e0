// Package gen builds a synthetic hybrid Exchange tenant of any size,
// deterministically from a seed, and writes it in all three input forms
// exoready reads: an LDIF export of AD (as ldapsearch -LLL writes it), a
// PowerShell export folder of Exchange Online and Graph (as
// scripts/Export-ExoReady.ps1 writes it), a facts file, and the snapshot
// JSON the collectors make of them. Distributions follow a tenant midway
// through the move to cloud-managed mailboxes (see docs/benchmarks.md);
// cmd/exoready-gen is its command line, and make bench its main user.
package gen
