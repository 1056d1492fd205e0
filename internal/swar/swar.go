// Package swar tests eight bytes of text at once in a 64-bit word (SIMD
// within a register), for the writers' escaping loops: they copy runs of
// bytes that need no escaping whole and look at the others one by one.
package swar

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// Load8 reads the first eight bytes of s as one little-endian word (one
// load once compiled).
func Load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The functions below return a word that, masked with High, is non-zero
// exactly when some byte of w has the property (which bytes it marks
// beyond the lowest is not exact): OR them and test against High.

// Below marks bytes below n (n at most 0x80).
func Below(w uint64, n byte) uint64 { return (w - ones*uint64(n)) &^ w }

// Equal marks bytes equal to c.
func Equal(w uint64, c byte) uint64 {
	x := w ^ (ones * uint64(c))
	return (x - ones) &^ x
}

// NonASCII marks bytes of 0x80 and above.
func NonASCII(w uint64) uint64 { return w }

// High is the mask of the bits the functions above set.
const High = highs
