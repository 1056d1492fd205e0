// Package exo collects Exchange Online and Entra ID data into the snapshot's
// exo and entra sections, from a folder of PowerShell exports (ReadExport) or
// live through the Exchange Online REST backend and Microsoft Graph
// (CollectLive). Both paths stream objects through one normaliser
// (datasets.go), so they yield the same sections for the same tenant: file
// encodings, the three date forms, enum numbers, PowerShell wrappers and
// type-companion properties are all resolved there. Export files that are
// plain arrays are read on every processor, skipping the properties no
// converter reads (fastread.go); anything else, errors included, is read by
// readObjects. Every problem is a snapshot.SourceError naming the dataset's
// snapshot path, except a missing or unreadable Get-Mailbox, which fails
// the collection.
package exo
