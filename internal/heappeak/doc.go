// Package heappeak samples the Go heap while a measurement runs and
// reports its peak, for benchmarks of the large-tenant paths (report's
// workbook benchmark, tools/bench).
package heappeak
