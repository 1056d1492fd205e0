package evaluate_test

import (
	"testing"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/policies"
)

func embeddedOptions(t *testing.T) evaluate.Options {
	t.Helper()
	params, err := policies.Params()
	if err != nil {
		t.Fatal(err)
	}
	return evaluate.Options{
		Sources: []evaluate.PolicySource{{Name: "embedded", FS: policies.FS(), Prefix: "policies"}},
		Version: policies.Version,
		Params:  params,
	}
}

// TestEmbeddedRegoTests runs every _test.rego of the embedded pack.
func TestEmbeddedRegoTests(t *testing.T) {
	results, err := evaluate.RunTests(t.Context(), embeddedOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 20 {
		t.Fatalf("only %d Rego tests ran; the pack's tests were not found", len(results))
	}
	t.Logf("%d Rego tests", len(results))
	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s.%s (%s) failed: %s\n%s", r.Package, r.Name, r.File, r.Error, r.Output)
		}
	}
}
