package evaluate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/fixtures"
	"github.com/exoready/exoready/policies"
	"github.com/exoready/exoready/tools/gen"
)

// jsonInput is the input as decoding the snapshot's JSON gives it.
func jsonInput(t *testing.T, doc []byte) ast.Value {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return val
}

// TestInputValueEqualsJSON checks that converting a decoded snapshot gives
// the very input its JSON gives: fixtures, the demo tenant and a generated
// tenant, decoded from JSON (joined copies) and as built (shared pointers).
func TestInputValueEqualsJSON(t *testing.T) {
	docs := map[string][]byte{"demo": fixtures.DemoSnapshot()}
	names, _ := fs.Glob(fixtures.Snapshots(), "*.json")
	for _, n := range names {
		b, err := fs.ReadFile(fixtures.Snapshots(), n)
		if err != nil {
			t.Fatal(err)
		}
		docs[n] = b
	}
	built := gen.Generate(gen.Options{Seed: 5, Mailboxes: 300}).Snapshot()
	b, err := built.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	docs["generated"] = b
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			want := jsonInput(t, doc)
			s, err := snapshot.ParseSnapshot(doc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := inputValue(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Compare(want) != 0 {
				t.Fatalf("converted input differs from the JSON input:\n got %.400s\nwant %.400s", got, want)
			}
		})
	}
	t.Run("built", func(t *testing.T) {
		got, err := inputValue(built)
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(jsonInput(t, b)) != 0 {
			t.Fatal("converted input of the built snapshot differs from its JSON")
		}
	})
}

// TestParsedEvaluatesLikeBytes checks that evaluating a decoded snapshot
// gives the report evaluating its bytes gives, byte for byte.
func TestParsedEvaluatesLikeBytes(t *testing.T) {
	e := packEngine(t)
	gen200, err := gen.Generate(gen.Options{Seed: 9, Mailboxes: 200}).Snapshot().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"demo": fixtures.DemoSnapshot(), "generated": gen200} {
		t.Run(name, func(t *testing.T) {
			s, err := snapshot.ParseSnapshot(doc)
			if err != nil {
				t.Fatal(err)
			}
			clock := func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
			fromBytes, err := e.Evaluate(t.Context(), RunOptions{Snapshot: doc, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(doc)
			fromParsed, err := e.Evaluate(t.Context(), RunOptions{Parsed: s, Digest: &Digest{SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(doc))}, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.MarshalIndent(fromBytes, "", " ")
			b, _ := json.MarshalIndent(fromParsed, "", " ")
			if !bytes.Equal(a, b) {
				t.Fatalf("reports differ:\n%s", firstLineDiff(a, b))
			}
			if len(fromParsed.Findings) < 10 {
				t.Fatalf("only %d findings", len(fromParsed.Findings))
			}
		})
	}
}

func firstLineDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n bytes:  %s\n parsed: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d vs %d lines", len(la), len(lb))
}

func packEngine(t testing.TB) *Engine {
	t.Helper()
	params, err := policies.Params()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(t.Context(), Options{Sources: []PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}},
		Version: policies.Version, Params: params, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
