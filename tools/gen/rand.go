package gen

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
)

// rng is the tenant's one source of randomness: a PCG stream seeded from
// --seed, drawn in a fixed order, so the same seed and size always give the
// same tenant.
type rng struct{ *rand.Rand }

func newRNG(seed uint64) rng { return rng{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// chance is true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// between is a whole number in [lo, hi].
func (r rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pick is a random element of list.
func pick[T any](r rng, list []T) T { return list[r.IntN(len(list))] }

// duration is a duration in [lo, hi), to the second.
func (r rng) duration(lo, hi time.Duration) time.Duration {
	return (lo + time.Duration(r.Int64N(int64(hi-lo)))).Truncate(time.Second)
}

// guidBytes are 16 random bytes shaped as a version 4 GUID.
func (r rng) guidBytes() [16]byte {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// guid is a GUID in the canonical lower-case form Exchange Online and
// Graph print.
func (r rng) guid() string {
	b := r.guidBytes()
	return canonicalGUID(b[:])
}

func canonicalGUID(b []byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// adGUID is an objectGUID as AD stores it (raw, the first three groups
// little-endian), its canonical text and its ImmutableId (base64 of the raw
// bytes): the three forms the collectors see.
type adGUID struct {
	raw       [16]byte
	canonical string
	immutable string
}

func (r rng) adGUID() adGUID {
	raw := r.guidBytes()
	b := raw
	b[0], b[1], b[2], b[3] = raw[3], raw[2], raw[1], raw[0]
	b[4], b[5] = raw[5], raw[4]
	b[6], b[7] = raw[7], raw[6]
	return adGUID{raw: raw, canonical: canonicalGUID(b[:]), immutable: base64.StdEncoding.EncodeToString(raw[:])}
}

// hexString is n random lower-case hex digits.
func (r rng) hexString(n int) string {
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(hex.EncodeToString([]byte{byte(r.Uint32())}))
	}
	return sb.String()[:n]
}

// fold lower-cases a name and drops diacritics, the way mail aliases are
// made from names ("Zoë Šťastná" → "zoe stastna"); other letters outside
// ASCII are dropped.
func fold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c < unicode.MaxASCII:
			b.WriteRune(c)
		default:
			if f, ok := asciiFold[c]; ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}

var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'ä': "ae", 'å': "a", 'ã': "a", 'ą': "a", 'č': "c", 'ç': "c", 'ć': "c", 'ď': "d",
	'é': "e", 'è': "e", 'ë': "e", 'ě': "e", 'ę': "e", 'í': "i", 'ı': "i", 'ï': "i", 'ł': "l", 'ñ': "n", 'ň': "n", 'ń': "n",
	'ó': "o", 'ö': "oe", 'ø': "o", 'ő': "o", 'ř': "r", 'š': "s", 'ş': "s", 'ś': "s", 'ß': "ss", 'ť': "t", 'ú': "u",
	'ü': "ue", 'ů': "u", 'ý': "y", 'ž': "z", 'ż': "z", 'ğ': "g",
}

// rdnEscape escapes an RDN value (RFC 4514) for use in a DN.
func rdnEscape(v string) string {
	if !strings.ContainsAny(v, `,+"\<>;=#`) && !strings.HasPrefix(v, " ") && !strings.HasSuffix(v, " ") {
		return v
	}
	var b strings.Builder
	for i, c := range v {
		if strings.ContainsRune(`,+"\<>;=`, c) || (i == 0 && (c == '#' || c == ' ')) || (i == len(v)-1 && c == ' ') {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }
