// Package evidence writes and checks the evidence that a scan's outputs were
// not edited afterwards: manifest.json, a detached list of the SHA-256 of
// every file a run wrote (findings.json first, whose hash cannot live inside
// itself) and of snapshot files it read, optionally signed with an Ed25519
// key into manifest.json.sig. Verify checks the signature against a trusted
// public key, every hash in the manifest, and the input hashes findings.json
// records when those inputs are at hand. The format is in docs/evidence.md.
package evidence
