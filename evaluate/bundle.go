package evaluate

import (
	"fmt"
	"os"
	"path"
	"strings"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
)

// BundleVerification checks the signature of OPA bundles the way OPA does
// (opa run --verification-key): the bundle's .signatures.json JWT must be
// signed by the key, and every file's hash must match the signed list.
type BundleVerification struct {
	// Key is a PEM public key (RSA, ECDSA) or, for HS* algorithms, the secret.
	Key string
	// KeyID names the key; a signature naming another key id is refused.
	// Default "default", as opa build --signing-key and opa run use it.
	KeyID string
	// Algorithm is the JWT signing algorithm, default RS256.
	Algorithm string
	// Scope, when set, must equal the signature's scope claim.
	Scope string
}

// SourceFor returns the policy source of a --policy argument: a folder of
// .rego files, or an OPA bundle archive (.tar.gz, .tgz). v, when set, is
// required of every bundle; folders carry no signature.
func SourceFor(p string, v *BundleVerification) (PolicySource, error) {
	st, err := os.Stat(p)
	if err != nil {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: %w", ErrPolicy, p, err)
	}
	if st.IsDir() {
		return DirSource(p)
	}
	if strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") {
		return BundleSource(p, v)
	}
	return PolicySource{}, fmt.Errorf("%w: --policy %s is neither a folder nor an OPA bundle (.tar.gz, made by opa build)", ErrPolicy, p)
}

// BundleSource reads an OPA bundle archive with OPA's bundle reader. Its
// modules load exactly like a --policy folder (same METADATA checks). A
// bundle with data files or Wasm is refused: exoready's policy data are the
// parameters (scan.yaml params:), and it evaluates Rego only.
func BundleSource(p string, v *BundleVerification) (PolicySource, error) {
	f, err := os.Open(p)
	if err != nil {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: %w", ErrPolicy, p, err)
	}
	defer f.Close()
	r := bundle.NewCustomReader(bundle.NewTarballLoaderWithBaseURL(f, p)).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotations(true)
	if v != nil {
		id, alg := v.KeyID, v.Algorithm
		if id == "" {
			id = "default"
		}
		if alg == "" {
			alg = "RS256"
		}
		keys := map[string]*bundle.KeyConfig{id: {Key: v.Key, Algorithm: alg, Scope: v.Scope}}
		r = r.WithBundleVerificationConfig(bundle.NewVerificationConfig(keys, id, v.Scope, nil))
	}
	b, err := r.Read()
	if err != nil {
		hint := ""
		if v == nil && strings.Contains(err.Error(), "verification key not provided") {
			hint = " (the bundle is signed: give --policy-verification-key FILE)"
		}
		return PolicySource{}, fmt.Errorf("%w: --policy %s: %w%s", ErrPolicy, p, err, hint)
	}
	if len(b.Data) > 0 {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: the bundle carries data (%s); exoready's policy data are its parameters (scan.yaml params:), build the bundle from .rego files only",
			ErrPolicy, p, strings.Join(sortedKeys(b.Data), ", "))
	}
	if len(b.WasmModules) > 0 || len(b.PlanModules) > 0 {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: the bundle holds compiled Wasm or plan modules; exoready evaluates Rego only", ErrPolicy, p)
	}
	files := fstest.MapFS{}
	for _, m := range b.Modules {
		files[strings.TrimPrefix(path.Clean("/"+m.Path), "/")] = &fstest.MapFile{Data: m.Raw, Mode: 0o444}
	}
	if len(files) == 0 {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: the bundle holds no .rego files", ErrPolicy, p)
	}
	return PolicySource{Name: p, FS: files, Prefix: p}, nil
}
