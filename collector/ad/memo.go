package ad

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"

	"github.com/exoready/exoready/collector/snapshot"
)

// chunks is an append-only list in fixed blocks: growing it never copies
// what it holds, and pointers to its elements stay valid.
type chunks[T any] struct {
	blocks [][]T
	n      int
}

const chunkLen = 512

func (c *chunks[T]) add() *T {
	if c.n%chunkLen == 0 {
		c.blocks = append(c.blocks, make([]T, chunkLen))
	}
	p := &c.blocks[c.n/chunkLen][c.n%chunkLen]
	c.n++
	return p
}

func (c *chunks[T]) at(i int) *T { return &c.blocks[i/chunkLen][i%chunkLen] }

// memo holds the strings, string lists and pointed-to values of the
// converted objects in blocks rather than one allocation each, and shares
// the values many objects hold (the DNs that member lists name,
// departments, home databases, custom attribute values, recipient types).
// A tenant's AD section is hundreds of thousands of objects of a few
// dozen short strings each: one allocation per string would cost more
// than the strings themselves, and much garbage collection.
type memo struct {
	block  *strings.Builder // the current string block
	lists  []string         // the current string-list block
	extras chunks[recipientExtras]
	shared map[string]string
	// customMaps and extMaps hold the custom attribute maps built, keyed
	// by their encoded values.
	customMaps map[string]map[string]string
	extMaps    map[string]map[string][]string
	types      map[int64]string
	remote     map[int64][]string
	scratch    []byte
}

const (
	strBlock  = 64 << 10
	listBlock = 4096
)

func newMemo() memo {
	return memo{shared: map[string]string{}, customMaps: map[string]map[string]string{},
		extMaps: map[string]map[string][]string{}, types: map[int64]string{}, remote: map[int64][]string{}}
}

// str copies b into the current string block. A strings.Builder never
// changes the bytes it returned as a string, so each value is a slice of
// the block.
func (m *memo) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > strBlock/16 {
		return string(b)
	}
	at := m.room(len(b))
	m.block.Write(b)
	return m.block.String()[at:]
}

// strOf returns string(b), sharing the bytes of an equal string among
// others or of a proxy address whose address (after "type:") is equal:
// a recipient's mail, UPN and primary SMTP address are often the same.
func (m *memo) strOf(b []byte, proxies []string, others ...string) string {
	for _, s := range others {
		if string(b) == s {
			return s
		}
	}
	for _, p := range proxies {
		if i := strings.IndexByte(p, ':'); i >= 0 && len(p)-i-1 == len(b) && p[i+1:] == string(b) {
			return p[i+1:]
		}
	}
	return m.str(b)
}

// customAttrs returns the CustomAttributes map of a recipient, one map
// shared by every recipient with the same values (like the strings, the
// maps are read-only once built).
func (m *memo) customAttrs(e *entry) map[string]string {
	k, n := m.scratch[:0], 0
	for i, a := range customAttrKeys {
		if v := e.first(a); len(v) > 0 {
			n++
			k = binary.AppendUvarint(append(k, byte(i)), uint64(len(v)))
			k = append(k, v...)
		}
	}
	m.scratch = k
	if cm, ok := m.customMaps[string(k)]; ok {
		return cm
	}
	cm := make(map[string]string, n)
	for i, a := range customAttrKeys {
		if v := e.first(a); len(v) > 0 {
			cm[customAttrNames[i]] = m.internBytes(v)
		}
	}
	m.customMaps[string(k)] = cm
	return cm
}

// extCustomAttrs is customAttrs for ExtensionCustomAttributes.
func (m *memo) extCustomAttrs(e *entry) map[string][]string {
	k := m.scratch[:0]
	for i, a := range extCustomAttrKeys {
		if vs := e.attrs[a]; len(vs) > 0 {
			k = binary.AppendUvarint(append(k, byte(i)), uint64(len(vs)))
			for _, v := range vs {
				k = binary.AppendUvarint(k, uint64(len(v)))
				k = append(k, v...)
			}
		}
	}
	m.scratch = k
	if cm, ok := m.extMaps[string(k)]; ok {
		return cm
	}
	cm := map[string][]string{}
	for i, a := range extCustomAttrKeys {
		if vs := e.attrs[a]; len(vs) > 0 {
			cm[extCustomAttrNames[i]] = m.strs(vs, true)
		}
	}
	m.extMaps[string(k)] = cm
	return cm
}

// intern returns the shared copy of s.
func (m *memo) intern(s string) string {
	if v, ok := m.shared[s]; ok || s == "" {
		return v
	}
	var v string
	if len(s) > strBlock/16 {
		v = strings.Clone(s)
	} else {
		at := m.room(len(s))
		m.block.WriteString(s)
		v = m.block.String()[at:]
	}
	m.shared[v] = v
	return v
}

// room makes the current block hold n more bytes and returns where they go.
func (m *memo) room(n int) int {
	if m.block == nil || m.block.Cap()-m.block.Len() < n {
		m.block = new(strings.Builder)
		m.block.Grow(strBlock)
	}
	return m.block.Len()
}

// internBytes returns the shared copy of string(b).
func (m *memo) internBytes(b []byte) string {
	if v, ok := m.shared[string(b)]; ok {
		return v
	}
	v := m.str(b)
	if v != "" {
		m.shared[v] = v
	}
	return v
}

// strs returns the values as sorted strings, never nil; shared when intern.
func (m *memo) strs(vs [][]byte, intern bool) []string {
	out := m.list(len(vs))
	for i, v := range vs {
		if intern {
			out[i] = m.internBytes(v)
		} else {
			out[i] = m.str(v)
		}
	}
	sort.Strings(out)
	return out
}

// list returns a zeroed string slice of length and capacity n from the
// current list block: appending to it copies rather than overwrites a
// neighbour.
func (m *memo) list(n int) []string {
	if n == 0 {
		return []string{}
	}
	if n > listBlock/16 {
		return make([]string, n)
	}
	if len(m.lists)+n > cap(m.lists) {
		m.lists = make([]string, 0, listBlock)
	}
	at := len(m.lists)
	m.lists = m.lists[:at+n]
	return m.lists[at : at+n : at+n]
}

func (m *memo) recipientType(v int64) string {
	n, ok := m.types[v]
	if !ok {
		n = snapshot.RecipientTypeName(v)
		m.types[v] = n
	}
	return n
}

// remoteType returns the decoded msExchRemoteRecipientType flags, shared
// by every recipient with the same value; never nil.
func (m *memo) remoteType(v int64) []string {
	n, ok := m.remote[v]
	if !ok {
		n = slices.Clip(snapshot.RemoteRecipientTypeNames(v))
		if n == nil {
			n = []string{}
		}
		m.remote[v] = n
	}
	return n
}

// lowerKeys maps the attribute names the builder reads to their entry keys.
var lowerKeys = func() map[string]string {
	m := map[string]string{}
	for _, a := range slices.Concat(recipientAttrs, exchangeAttrs, []string{"rightsGuid"}) {
		m[a] = strings.ToLower(a)
	}
	return m
}()

// attrKey returns the entry key of an attribute name.
func attrKey(attr string) string {
	if k, ok := lowerKeys[attr]; ok {
		return k
	}
	return strings.ToLower(attr)
}
