package snapshot

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/exoready/exoready/internal/parallel"
	"github.com/exoready/exoready/internal/swar"
)

// DuplicateAddress is a proxy address carried by two or more mail-enabled
// AD objects: Entra Connect refuses or quarantines such objects.
type DuplicateAddress struct {
	// Address is the proxy address lower-cased, prefix included
	// ("smtp:sales@corp.example.test"): SMTP: and smtp: spell one address.
	Address string `json:"address"`
	// Holders are the objects carrying it, each once: the users, then the
	// contacts, then the groups, each in the order of its array.
	Holders []AddressHolder `json:"holders"`
}

// AddressHolder is one object carrying a duplicated address.
type AddressHolder struct {
	// Array is the ad array holding the object: users, contacts or groups.
	Array string `json:"array"`
	// Index is the object's position in that array.
	Index int    `json:"index"`
	DN    string `json:"dn"`
	// ProxyAddress is the object's first proxy address equal to Address
	// but for case, as written.
	ProxyAddress string `json:"proxy_address"`
}

// The arrays of the AD section an AddressHolder names.
const (
	HolderUsers    = "users"
	HolderContacts = "contacts"
	HolderGroups   = "groups"
)

// DuplicateAddresses returns the proxy addresses carried by two or more
// distinct objects of ad.users, ad.contacts and ad.groups, compared as
// strings.ToLower (Rego's lower) spells them, sorted by address. It is nil
// when ad or one of the three arrays was not collected, empty when no
// address is duplicated.
//
// One pass over the 3.3 million addresses of a 600,000-mailbox tenant,
// with no allocation per address: each address is hashed lower-cased
// without being copied, the hashes are spread into buckets by their top
// bits and each bucket is sorted on its own, on every processor; only the
// addresses whose hashes meet are lower-cased and compared.
func DuplicateAddresses(ad *AD) []DuplicateAddress {
	if ad == nil || ad.Users == nil || ad.Contacts == nil || ad.Groups == nil {
		return nil
	}
	h := newHolderSet(ad)
	if h.starts[h.n] > math.MaxUint32 {
		panic(fmt.Sprintf("snapshot: %d proxy addresses: more than one index can number", h.starts[h.n]))
	}
	entries, buckets := h.bucketed()
	found := make([][]DuplicateAddress, len(buckets)-1)
	parallel.Ranges(len(buckets)-1, 16, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			bucket := entries[buckets[b]:buckets[b+1]]
			slices.Sort(bucket)
			found[b] = h.duplicatesIn(bucket, found[b])
		}
	})
	out := []DuplicateAddress{}
	for _, f := range found {
		out = append(out, f...)
	}
	slices.SortFunc(out, func(a, b DuplicateAddress) int { return strings.Compare(a.Address, b.Address) })
	return out
}

// holderSet numbers the objects of the three arrays one after the other
// (users, contacts, groups) and their addresses likewise: the addresses
// of object g are numbered starts[g] to starts[g+1]-1.
type holderSet struct {
	ad     *AD
	nu, nc int
	n      int
	starts []int
}

func newHolderSet(ad *AD) *holderSet {
	h := &holderSet{ad: ad, nu: len(ad.Users), nc: len(ad.Contacts)}
	h.n = h.nu + h.nc + len(ad.Groups)
	h.starts = make([]int, h.n+1)
	for g := range h.n {
		h.starts[g+1] = h.starts[g] + len(h.proxies(g))
	}
	return h
}

func (h *holderSet) proxies(g int) []string {
	switch {
	case g < h.nu:
		return h.ad.Users[g].ProxyAddresses
	case g < h.nu+h.nc:
		return h.ad.Contacts[g-h.nu].ProxyAddresses
	}
	return h.ad.Groups[g-h.nu-h.nc].ProxyAddresses
}

func (h *holderSet) holder(g int, address string) AddressHolder {
	switch {
	case g < h.nu:
		return AddressHolder{Array: HolderUsers, Index: g, DN: h.ad.Users[g].DN, ProxyAddress: address}
	case g < h.nu+h.nc:
		return AddressHolder{Array: HolderContacts, Index: g - h.nu, DN: h.ad.Contacts[g-h.nu].DN, ProxyAddress: address}
	}
	return AddressHolder{Array: HolderGroups, Index: g - h.nu - h.nc, DN: h.ad.Groups[g-h.nu-h.nc].DN, ProxyAddress: address}
}

// address returns the object and the proxy address numbered o.
func (h *holderSet) address(o int) (int, string) {
	g := sort.Search(h.n, func(g int) bool { return h.starts[g+1] > o })
	return g, h.proxies(g)[o-h.starts[g]]
}

const (
	bucketBits  = 10   // 1,024 buckets: ~3,200 addresses each at 600,000 mailboxes
	holderChunk = 8192 // objects per work item while hashing
)

// bucketed returns one entry per address, hash<<32 | number, grouped by
// the top bits of the hash: bucket b is entries[buckets[b]:buckets[b+1]].
// The hashes are kept between the pass that counts the buckets and the
// one that fills them (4 bytes per address).
func (h *holderSet) bucketed() ([]uint64, []int) {
	const nb = 1 << bucketBits
	chunks := (h.n + holderChunk - 1) / holderChunk
	hashes := make([]uint32, h.starts[h.n])
	counts := make([]int, chunks*nb) // counts[c*nb+b]: addresses of chunk c in bucket b
	parallel.Ranges(h.n, holderChunk, func(lo, hi int) {
		row := counts[lo/holderChunk*nb:][:nb]
		for g := lo; g < hi; g++ {
			for i, p := range h.proxies(g) {
				hash := foldHash(p)
				hashes[h.starts[g]+i] = hash
				row[hash>>(32-bucketBits)]++
			}
		}
	})
	// counts become each chunk's first slot in each bucket.
	buckets := make([]int, nb+1)
	next := 0
	for b := range nb {
		buckets[b] = next
		for c := range chunks {
			n := counts[c*nb+b]
			counts[c*nb+b] = next
			next += n
		}
	}
	buckets[nb] = next
	entries := make([]uint64, next)
	parallel.Ranges(h.n, holderChunk, func(lo, hi int) {
		row := counts[lo/holderChunk*nb:][:nb]
		for o := h.starts[lo]; o < h.starts[hi]; o++ {
			hash := hashes[o]
			slot := &row[hash>>(32-bucketBits)]
			entries[*slot] = uint64(hash)<<32 | uint64(o)
			*slot++
		}
	})
	return entries, buckets
}

// duplicatesIn appends to out the duplicated addresses of a sorted bucket:
// runs of equal hashes, numbered in object order, whose addresses are
// then compared lower-cased (two addresses may share a hash).
func (h *holderSet) duplicatesIn(bucket []uint64, out []DuplicateAddress) []DuplicateAddress {
	for i := 0; i < len(bucket); {
		j := i + 1
		for j < len(bucket) && bucket[j]>>32 == bucket[i]>>32 {
			j++
		}
		// Addresses of one object are numbered together: a run whose first
		// and last address belong to one object holds no duplicate.
		if j-i > 1 {
			first, _ := h.address(int(uint32(bucket[i])))
			last, _ := h.address(int(uint32(bucket[j-1])))
			if first != last {
				out = h.group(bucket[i:j], out)
			}
		}
		i = j
	}
	return out
}

// group appends the addresses of one run carried by two or more objects.
func (h *holderSet) group(run []uint64, out []DuplicateAddress) []DuplicateAddress {
	type holding struct {
		key     string
		holders []AddressHolder
		last    int // the object added last: its other spellings are skipped
	}
	var keys []holding
	for _, e := range run {
		g, p := h.address(int(uint32(e)))
		key := strings.ToLower(p)
		k := slices.IndexFunc(keys, func(x holding) bool { return x.key == key })
		if k < 0 {
			keys = append(keys, holding{key: key, last: -1})
			k = len(keys) - 1
		}
		if keys[k].last != g {
			keys[k].holders = append(keys[k].holders, h.holder(g, p))
			keys[k].last = g
		}
	}
	for _, k := range keys {
		if len(k.holders) > 1 {
			out = append(out, DuplicateAddress{Address: k.key, Holders: k.holders})
		}
	}
	return out
}

// foldHash hashes strings.ToLower(s) to 32 bits without building the
// lower-cased string when s is ASCII: eight bytes at a time, each word
// lower-cased in place.
func foldHash(s string) uint32 {
	h := uint64(len(s))
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := swar.Load8(s[i:])
		if w&swar.High != 0 {
			return foldHashSlow(s)
		}
		h = hashWord(h, lowerWord(w))
	}
	if i < len(s) {
		w := word(s[i:])
		if w&swar.High != 0 {
			return foldHashSlow(s)
		}
		h = hashWord(h, lowerWord(w))
	}
	return finish(h)
}

// foldHashSlow is foldHash for a string that is not ASCII: lower-cased
// first, then hashed the same way (its ASCII letters are lower-case now,
// and its other bytes must not be touched).
func foldHashSlow(s string) uint32 {
	lower := strings.ToLower(s)
	h := uint64(len(lower))
	for i := 0; i < len(lower); i += 8 {
		h = hashWord(h, word(lower[i:min(i+8, len(lower))]))
	}
	return finish(h)
}

const ones = 0x0101010101010101

// word reads up to eight bytes of s, little-endian.
func word(s string) uint64 {
	if len(s) >= 8 {
		return swar.Load8(s)
	}
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// lowerWord lower-cases the ASCII letters of eight ASCII bytes: a byte
// gets 0x20 where b+0x3F reaches 0x80 ('A' and up) and b+0x25 does not
// ('Z' and below); no byte carries into the next.
func lowerWord(w uint64) uint64 {
	upper := (w + (0x80-'A')*ones) &^ (w + (0x80-'Z'-1)*ones) & swar.High
	return w | upper>>2
}

func hashWord(h, w uint64) uint64 {
	h = (h ^ w) * 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// finish mixes every bit into the top 32, which choose the bucket.
func finish(h uint64) uint32 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return uint32(h >> 32)
}

// validateDuplicateAddresses checks that a duplicate_addresses view read
// from a file names objects of the AD section as they are: an object
// removed or reordered by hand would otherwise be reported in another's
// place.
func validateDuplicateAddresses(ad *AD) error {
	if ad == nil {
		return nil
	}
	for i, d := range ad.DuplicateAddresses {
		if len(d.Holders) < 2 {
			return fmt.Errorf("ad.duplicate_addresses[%d] (%s) has %d holders, not two or more: the view does not match the AD section; collect again, or delete ad.duplicate_addresses to have it computed", i, d.Address, len(d.Holders))
		}
		for j, hd := range d.Holders {
			var dn string
			var proxies []string
			switch n := hd.Index; {
			case hd.Array == HolderUsers && n >= 0 && n < len(ad.Users):
				dn, proxies = ad.Users[n].DN, ad.Users[n].ProxyAddresses
			case hd.Array == HolderContacts && n >= 0 && n < len(ad.Contacts):
				dn, proxies = ad.Contacts[n].DN, ad.Contacts[n].ProxyAddresses
			case hd.Array == HolderGroups && n >= 0 && n < len(ad.Groups):
				dn, proxies = ad.Groups[n].DN, ad.Groups[n].ProxyAddresses
			default:
				return fmt.Errorf("ad.duplicate_addresses[%d].holders[%d] names ad.%s[%d], which does not exist: the view does not match the AD section; collect again, or delete ad.duplicate_addresses to have it computed", i, j, hd.Array, hd.Index)
			}
			if dn != hd.DN || strings.ToLower(hd.ProxyAddress) != d.Address || !slices.Contains(proxies, hd.ProxyAddress) {
				return fmt.Errorf("ad.duplicate_addresses[%d].holders[%d] says ad.%s[%d] is %q carrying %q, but that object is %q: the view does not match the AD section; collect again, or delete ad.duplicate_addresses to have it computed", i, j, hd.Array, hd.Index, hd.DN, hd.ProxyAddress, dn)
			}
		}
	}
	return nil
}

// decodeAD decodes the ad section (its opening token not yet read) and
// settles its duplicate_addresses view (settleDuplicateAddresses).
func decodeAD(dec *json.Decoder, s *Snapshot) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		s.AD = nil
		return nil
	}
	if tok != json.Delim('{') {
		return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: reflect.TypeFor[*AD](), Offset: dec.InputOffset()}
	}
	s.AD = &AD{}
	hasView := false
	err = decodeFields(dec, reflect.ValueOf(s.AD).Elem(), 1, func(key string) (bool, error) {
		hasView = hasView || key == "duplicate_addresses"
		return false, nil
	})
	if err == nil {
		settleDuplicateAddresses(s.AD, hasView)
	}
	return err
}

// settleDuplicateAddresses completes the duplicate_addresses view of an ad
// section read from a file; hasView says whether the section had the
// member at all. A section written before the view existed lacks it: it
// is computed from the arrays read, so an older snapshot gives the
// findings it gave. An explicit null stays null (not computed), and so
// does a view whose arrays are not all collected (one set to null by
// hand: the view is null then, as DuplicateAddresses would make it).
// Every loader calls it once the section is decoded.
func settleDuplicateAddresses(ad *AD, hasView bool) {
	switch {
	case ad == nil:
	case ad.Users == nil || ad.Contacts == nil || ad.Groups == nil:
		ad.DuplicateAddresses = nil
	case !hasView:
		ad.DuplicateAddresses = DuplicateAddresses(ad)
	}
}
