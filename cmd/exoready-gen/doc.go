// Command exoready-gen writes a synthetic hybrid Exchange tenant of any
// size, deterministically from a seed, in every input form exoready reads:
//
//	exoready-gen --mailboxes 100000 --seed 1 --out bench/100k
//
// writes bench/100k/ad.ldif (ldapsearch -LLL export of both partitions),
// bench/100k/exo-export/ (scripts/Export-ExoReady.ps1's folder),
// bench/100k/facts.yaml and bench/100k/snapshot.json (what exoready collect
// makes of them). See tools/gen and docs/benchmarks.md.
package main
