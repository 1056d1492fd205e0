// Package parallel runs independent work over index ranges on every
// processor, for the per-mailbox steps of a scan (join, inventory) that
// would otherwise leave one of two cores idle.
package parallel
