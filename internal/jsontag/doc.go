// Package jsontag reads a struct's fields the way encoding/json does (name
// from the json tag, "-" skipped, omitempty), for the code that writes the
// snapshot's JSON or converts it without encoding/json: the streaming
// snapshot writer and the engine's input conversion must agree with
// Snapshot.Marshal to the byte.
package jsontag
