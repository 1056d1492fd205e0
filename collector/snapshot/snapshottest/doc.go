// Package snapshottest lets collector tests check what they produce against
// the published snapshot JSON Schema and the snapshot loader: the sections a
// collector writes are the Rego input contract.
package snapshottest
