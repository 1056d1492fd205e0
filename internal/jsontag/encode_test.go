package jsontag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// encodingJSON is what AppendIndent must equal: json.Encoder with
// SetEscapeHTML(false) and SetIndent(prefix, "  "), newline dropped.
func encodingJSON(v any, depth int) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat("  ", depth), "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func checkSame(t *testing.T, v any, depth int) {
	t.Helper()
	want, werr := encodingJSON(v, depth)
	got, gerr := AppendIndent([]byte("x"), v, depth)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%#v: error %v, encoding/json's %v", v, gerr, werr)
	}
	if werr != nil {
		return
	}
	if !bytes.Equal(got[1:], want) {
		i := 0
		for i < len(want) && i+1 < len(got) && got[i+1] == want[i] {
			i++
		}
		t.Fatalf("%#v at depth %d differs at byte %d:\n got %q\nwant %q", v, depth, i, got[1:], want)
	}
}

type label string

type inner struct {
	A string `json:"a"`
	B int    `json:"b,omitempty"`
}

type Embedded struct {
	E1 string `json:"e1"`
	E2 []int  `json:"e2,omitempty"`
}

type tree struct {
	Name string  `json:"name"`
	Kids []*tree `json:"kids,omitempty"`
}

type marshals struct{ n int }

func (m marshals) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"n": [%d, 2]}`, m.n)), nil
}

type mixed struct {
	Embedded
	S       string `json:"s"`
	L       label  `json:"l"`
	Skip    string `json:"-"`
	NoTag   int
	private int
	Bool    bool              `json:"bool"`
	I8      int8              `json:"i8"`
	U       uint64            `json:"u"`
	F32     float32           `json:"f32"`
	F64     float64           `json:"f64"`
	P       *inner            `json:"p"`
	PO      *bool             `json:"po,omitempty"`
	In      inner             `json:"in"`
	Strs    []string          `json:"strs"`
	Labels  []label           `json:"labels"`
	Ins     []inner           `json:"ins"`
	Bytes   []byte            `json:"bytes"`
	Arr     [2]int            `json:"arr"`
	MS      map[string]string `json:"ms"`
	MI      map[int]string    `json:"mi"`
	ML      map[label]int     `json:"ml"`
	Any     any               `json:"any"`
	Anys    []any             `json:"anys,omitempty"`
	MA      map[string]any    `json:"ma"`
	T       time.Time         `json:"t"`
	TP      *time.Time        `json:"tp"`
	Num     json.Number       `json:"num"`
	M       marshals          `json:"m"`
	Raw     json.RawMessage   `json:"raw"`
	Tree    *tree             `json:"tree"`
	Odd     odd               `json:"odd"`
}

// odd has fields AppendIndent leaves to encoding/json.
type odd struct {
	Dash     string    `json:"-,"`
	Str      int       `json:"str,string"`
	OmitZero time.Time `json:"oz,omitzero"`
	Quoted   string    `json:"we!rd"`
}

var _ = mixed{}.private

// randString mixes ASCII, control characters, quotes, HTML characters,
// multi-byte runes, U+2028 and invalid UTF-8.
func randString(r *rand.Rand) string {
	parts := []string{"a", "Z", " ", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"é", "→", "\u2028", "\u2029", "😀", "\xff", "\xe2\x82", "\ufffd", "smtp:user@contoso.test", "0"}
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

func randFloat(r *rand.Rand) float64 {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return float64(r.IntN(1000) - 500)
	case 2:
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
	case 3:
		return []float64{1e21, 1e-6, 9.999999e-7, 1e20, 123456789012345678901.0, -1e-7, math.MaxFloat64, math.SmallestNonzeroFloat64}[r.IntN(8)]
	}
	return r.Float64()
}

func randAny(r *rand.Rand, depth int) any {
	n := 9
	if depth > 3 {
		n = 6
	}
	switch r.IntN(n) {
	case 0:
		return nil
	case 1:
		return randString(r)
	case 2:
		return r.IntN(2) == 0
	case 3:
		return randFloat(r)
	case 4:
		return json.Number([]string{"0", "-1", "1.5e10", "12", "", "1e-7"}[r.IntN(6)])
	case 5:
		return []string{randString(r), randString(r)}
	case 6:
		if r.IntN(5) == 0 {
			return []any{}
		}
		l := make([]any, r.IntN(4))
		for i := range l {
			l[i] = randAny(r, depth+1)
		}
		return l
	case 7:
		if r.IntN(5) == 0 {
			return map[string]any{}
		}
		m := map[string]any{}
		for range r.IntN(5) {
			m[randString(r)] = randAny(r, depth+1)
		}
		return m
	}
	return inner{A: randString(r), B: r.IntN(3)}
}

func randMixed(r *rand.Rand) mixed {
	m := mixed{
		Embedded: Embedded{E1: randString(r)},
		S:        randString(r), L: label(randString(r)), Skip: "x", NoTag: r.IntN(9),
		Bool: r.IntN(2) == 0, I8: int8(r.IntN(256) - 128), U: r.Uint64(), F32: float32(randFloat(r)), F64: randFloat(r),
		Any: randAny(r, 0), MA: map[string]any{"k": randAny(r, 0), randString(r): randAny(r, 0)},
		T:   time.Date(2026, 11, r.IntN(28)+1, r.IntN(24), 0, 0, r.IntN(3)*1000, time.UTC),
		Num: json.Number("42"), M: marshals{r.IntN(5)}, Raw: json.RawMessage(`{"a":[1,2],"b":{}}`),
		Odd: odd{Dash: randString(r), Str: r.IntN(100), Quoted: randString(r)},
	}
	if math.IsInf(float64(m.F32), 0) {
		m.F32 = math.MaxFloat32
	}
	if r.IntN(2) == 0 {
		m.E2 = []int{1, 2}
		m.P = &inner{A: randString(r), B: r.IntN(2)}
		m.PO = new(bool)
		m.Strs = []string{randString(r), randString(r)}
		m.Labels = []label{label(randString(r))}
		m.Ins = []inner{{A: "x"}, {B: 2}}
		m.Bytes = []byte(randString(r))
		m.MS = map[string]string{randString(r): randString(r), "b": "c"}
		m.MI = map[int]string{2: "a", 10: "b"}
		m.ML = map[label]int{"z": 1, "a": 2}
		m.Anys = []any{randAny(r, 0), nil}
		tp := m.T.Add(time.Hour).In(time.FixedZone("x", 3600))
		m.TP = &tp
		m.Tree = &tree{Name: "root", Kids: []*tree{{Name: "a"}, {Name: "b", Kids: []*tree{{Name: "c"}}}}}
		m.Odd.OmitZero = m.T
	} else {
		m.Strs, m.Ins, m.MS, m.Any = []string{}, []inner{}, map[string]string{}, []any{}
	}
	return m
}

// TestAppendIndentMatchesEncodingJSON compares with encoding/json on
// random values of a struct with every kind of field, at several depths.
func TestAppendIndentMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		m := randMixed(r)
		checkSame(t, m, i%3)
		checkSame(t, &m, 0)
		checkSame(t, m.Any, i%2)
	}
	for _, v := range []any{nil, math.NaN(), math.Inf(1), json.Number("1x"), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		[]any{math.NaN()}, map[string]any{"a": math.Inf(-1)}, (*inner)(nil), []string(nil), map[string]any(nil), float32(1e-7), float32(3.4e38)} {
		checkSame(t, v, 1)
	}
}

// TestStreamMatchesEncodingJSON checks the streaming writer, chunked
// lists included, against encoding/json.
func TestStreamMatchesEncodingJSON(t *testing.T) {
	type doc struct {
		Items  []mixed `json:"items"`
		None   []mixed `json:"none"`
		Empty  []mixed `json:"empty"`
		Ptr    *mixed  `json:"ptr"`
		Nested struct{ In []inner }
	}
	r := rand.New(rand.NewPCG(3, 4))
	d := doc{Empty: []mixed{}}
	for range 2*chunk + 7 {
		d.Items = append(d.Items, randMixed(r))
	}
	m := randMixed(r)
	d.Ptr = &m
	d.Nested.In = []inner{{A: "a"}}
	want, err := encodingJSON(&d, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Stream(&got, &d, reflect.TypeFor[doc]().PkgPath()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), append(want, '\n')) {
		t.Fatalf("Stream differs from encoding/json (%d vs %d bytes)", got.Len(), len(want)+1)
	}
}

// TestIndirect checks which types are encoded without encoding/json.
func TestIndirect(t *testing.T) {
	for _, ty := range []reflect.Type{reflect.TypeFor[tree](), reflect.TypeFor[inner](), reflect.TypeFor[map[string][]any]()} {
		if p := Indirect(ty); p != "" {
			t.Errorf("%v: %s left to encoding/json", ty, p)
		}
	}
	if Indirect(reflect.TypeFor[mixed]()) == "" || Indirect(reflect.TypeFor[odd]()) == "" ||
		Indirect(reflect.TypeFor[[]byte]()) == "" || Indirect(reflect.TypeFor[marshals]()) == "" {
		t.Error("types that need encoding/json reported direct")
	}
	if _, ok := structFields(reflect.TypeFor[mixed]()); !ok {
		t.Error("the random values' struct is left to encoding/json: the test would not test AppendIndent")
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028\xff<&>", "\x00\x1f\x7f", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSame(t, s, 0)
		checkSame(t, map[string]any{s: []any{s}}, 1)
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1e-7, 1e21, 123.456, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		checkSame(t, v, 0)
		checkSame(t, float32(v), 0)
		checkSame(t, json.Number(fmt.Sprint(v)), 0)
	})
}

// TestAppendStringEveryPosition puts each kind of byte that must be
// escaped or checked (every control character, quote, backslash, DEL, the
// bytes of multi-byte runes, U+2028, invalid UTF-8) at every position of
// strings longer than the eight bytes appendString tests at once.
func TestAppendStringEveryPosition(t *testing.T) {
	var specials []string
	for c := range 0x20 {
		specials = append(specials, string(rune(c)))
	}
	specials = append(specials, `"`, `\`, "\x7f", "\x80", "\xff", "é", "→", "\u2028", "\u2029", "😀", "\xe2\x82", " ", "~")
	for _, n := range []int{7, 8, 9, 16, 17, 24} {
		for p := range n {
			for _, sp := range specials {
				s := strings.Repeat("a", p) + sp + strings.Repeat("b", n-p)
				want, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				want = bytes.ReplaceAll(bytes.ReplaceAll(bytes.ReplaceAll(want, []byte(`\u003c`), []byte("<")), []byte(`\u003e`), []byte(">")), []byte(`\u0026`), []byte("&"))
				if got := appendString(nil, s); !bytes.Equal(got, want) {
					t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
				}
			}
		}
	}
}

// BenchmarkAppendString encodes the strings a snapshot is made of: DNs,
// addresses, GUIDs, names, some with characters to escape or non-ASCII.
func BenchmarkAppendString(b *testing.B) {
	strs := []string{
		"CN=Victor Almeida,OU=Users,OU=Lisbon,DC=corp,DC=example,DC=test",
		"smtp:victor.almeida@corp.example.test", "SMTP:victor.almeida@contoso.mail.onmicrosoft.com",
		"2f1c9e1a-6b3d-4c55-9a8e-0d1e2f3a4b5c", "Victor Almeida", "x500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc",
		"José Müller", `CN=Smith\, John,OU=Users,DC=corp,DC=example,DC=test`, "UserMailbox", "",
	}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range strs {
			buf = appendString(buf, s)
		}
	}
}
