// Package fileio holds the two file operations every output and input of
// exoready goes through: writing a file atomically (a temporary file in the
// same folder, synced, then renamed, so no reader ever sees half a file)
// and hashing a file for the evidence manifest. It depends on nothing of
// the project, so collectors, tools and writers can all use it.
package fileio
