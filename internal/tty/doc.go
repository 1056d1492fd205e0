// Package tty tells whether a writer reaches a terminal, so progress lines
// (carriage returns, erase-line escapes) are shown on terminals only and
// never end up in log files or CI output.
package tty
