package evaluate

import (
	"context"
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego unit test.
type TestResult struct {
	Package string
	Name    string
	File    string
	Pass    bool
	Skip    bool
	Error   string
	Output  string
}

// RunTests runs the _test.rego files of the sources against their policies,
// with the same parameters the engine uses.
func RunTests(ctx context.Context, opts Options) ([]TestResult, error) {
	set, err := loadPolicySet(opts.Sources)
	if err != nil {
		return nil, err
	}
	params, err := mergeParams(opts.Params, opts.Overrides)
	if err != nil {
		return nil, err
	}
	modules := make(map[string]*ast.Module, len(set.modules)+len(set.tests))
	for k, v := range set.modules {
		modules[k] = v
	}
	for k, v := range set.tests {
		modules[k] = v
	}
	store := inmem.NewFromObject(map[string]any{"exoready": map[string]any{"params": params}})
	txn, err := store.NewTransaction(ctx, storage.TransactionParams{})
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true)).
		SetStore(store).
		SetModules(modules).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Pass: !r.Fail && r.Error == nil && !r.Skip, Skip: r.Skip, Output: string(r.Output)}
		if r.Location != nil {
			tr.File = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
