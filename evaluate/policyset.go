package evaluate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ErrPolicy marks a policy set that cannot be loaded (syntax, compile or
// metadata errors). main maps it to the usage/config exit code.
var ErrPolicy = errors.New("invalid policy")

// RuleMeta is a rule's METADATA, as shown in the catalog and findings.json.
type RuleMeta struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    string   `json:"severity"`
	Category    string   `json:"category"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references"`
	// Requires are the snapshot paths the rule reads; when one was not
	// collected the rule reports status error instead of judging.
	Requires []string `json:"requires"`
	// BlocksFlip marks rules whose failure on a mailbox (or on the tenant)
	// keeps that mailbox from being flipped now.
	BlocksFlip bool `json:"blocks_flip"`
	// ReportsReadiness marks rules whose mailbox findings carry the
	// mailbox's flip readiness in their evidence (EXR-MBX-001).
	ReportsReadiness bool `json:"reports_readiness"`
	// Shard is the big array (joined, exo.mailboxes...) the rule may be
	// evaluated on slice by slice; "" when it needs the array whole.
	// Fields are, per big array path, the element fields the rule reads.
	// Both only tell the engine how to evaluate the rule cheaply: they are
	// not part of findings.json.
	Shard  string              `json:"-"`
	Fields map[string][]string `json:"-"`
	// Package is the Rego package path, File the file holding the METADATA.
	Package string `json:"package"`
	File    string `json:"file"`
}

// PolicySource is one place policies come from.
type PolicySource struct {
	// Name is shown in reports: "embedded" or the --policy path.
	Name string
	// FS holds the .rego files; Prefix is prepended to file names in messages.
	FS     fs.FS
	Prefix string
}

// DirSource returns the source for a --policy directory.
func DirSource(dir string) (PolicySource, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return PolicySource{}, fmt.Errorf("%w: --policy %s: %w", ErrPolicy, dir, err)
	}
	if !st.IsDir() {
		return PolicySource{}, fmt.Errorf("%w: --policy %s is not a directory", ErrPolicy, dir)
	}
	return PolicySource{Name: dir, FS: os.DirFS(dir), Prefix: dir}, nil
}

// policySet is the parsed policies of all sources.
type policySet struct {
	modules map[string]*ast.Module // all non-test modules, by file name
	tests   map[string]*ast.Module // _test.rego modules, by file name
	rules   []RuleMeta             // sorted by ID
	sha256  string
	sources []string
}

var (
	ruleIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
)

// loadPolicySet parses every .rego file of the sources and reads the rule
// metadata. Any package that defines deny is a rule and must carry package-scoped METADATA with a valid custom.id, severity,
// category and remediation, and at least one reference.
func loadPolicySet(sources []PolicySource) (*policySet, error) {
	ps := &policySet{modules: map[string]*ast.Module{}, tests: map[string]*ast.Module{}}
	h := sha256.New()
	for _, src := range sources {
		ps.sources = append(ps.sources, src.Name)
		var names []string
		err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".rego") {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", ErrPolicy, src.Name, err)
		}
		sort.Strings(names)
		for _, p := range names {
			raw, err := fs.ReadFile(src.FS, p)
			if err != nil {
				return nil, fmt.Errorf("%w: read %s: %w", ErrPolicy, path.Join(src.Prefix, p), err)
			}
			name := path.Join(src.Prefix, p)
			if _, dup := ps.modules[name]; dup {
				return nil, fmt.Errorf("%w: %s loaded twice", ErrPolicy, name)
			}
			m, err := ast.ParseModuleWithOpts(name, string(raw), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
			}
			fmt.Fprintf(h, "%s\x00%d\x00", name, len(raw))
			h.Write(raw)
			if strings.HasSuffix(p, "_test.rego") {
				ps.tests[name] = m
			} else {
				ps.modules[name] = m
			}
		}
	}
	if len(ps.modules) == 0 {
		return nil, fmt.Errorf("%w: no policies found in %s", ErrPolicy, strings.Join(ps.sources, ", "))
	}
	ps.sha256 = hex.EncodeToString(h.Sum(nil))
	rules, err := readRuleMeta(ps.modules)
	if err != nil {
		return nil, err
	}
	ps.rules = rules
	return ps, nil
}

// readRuleMeta finds rule packages and validates their METADATA.
func readRuleMeta(modules map[string]*ast.Module) ([]RuleMeta, error) {
	type pkgInfo struct {
		files   []string
		hasDeny bool
		meta    *ast.Annotations
		metaAt  string
	}
	pkgs := map[string]*pkgInfo{}
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		m := modules[name]
		key := m.Package.Path.String()
		pi := pkgs[key]
		if pi == nil {
			pi = &pkgInfo{}
			pkgs[key] = pi
		}
		pi.files = append(pi.files, name)
		for _, r := range m.Rules {
			if ref := r.Head.Ref(); len(ref) > 0 && ref[0].Value.Compare(ast.Var("deny")) == 0 {
				pi.hasDeny = true
			}
		}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			if pi.meta != nil {
				return nil, fmt.Errorf("%w: %s: package %s has METADATA in both %s and %s; keep one", ErrPolicy, name, key, pi.metaAt, name)
			}
			pi.meta, pi.metaAt = a, name
		}
	}
	var rules []RuleMeta
	byID := map[string]string{}
	keys := make([]string, 0, len(pkgs))
	for k := range pkgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		pi := pkgs[key]
		if !pi.hasDeny {
			continue
		}
		if pi.meta == nil {
			return nil, fmt.Errorf("%w: %s: rule package %s has no package-scoped METADATA (custom.id, severity, category, remediation); see docs/writing-policies.md",
				ErrPolicy, pi.files[0], key)
		}
		rm, err := ruleMetaFrom(pi.meta, key, pi.metaAt)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrPolicy, pi.metaAt, err)
		}
		if other, dup := byID[rm.ID]; dup {
			return nil, fmt.Errorf("%w: %s: rule id %s is already used by %s", ErrPolicy, pi.metaAt, rm.ID, other)
		}
		byID[rm.ID] = pi.metaAt
		rules = append(rules, rm)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, nil
}

func ruleMetaFrom(a *ast.Annotations, pkg, file string) (RuleMeta, error) {
	rm := RuleMeta{Title: a.Title, Description: a.Description, Package: pkg, File: file}
	c := a.Custom
	str := func(k string) string {
		s, _ := c[k].(string)
		return strings.TrimSpace(s)
	}
	rm.ID = str("id")
	rm.Severity = strings.ToLower(str("severity"))
	rm.Category = str("category")
	rm.Remediation = str("remediation")
	switch {
	case rm.ID == "":
		return rm, fmt.Errorf("METADATA of %s has no custom.id", pkg)
	case !ruleIDPattern.MatchString(rm.ID):
		return rm, fmt.Errorf("custom.id %q is not of the form ABC-DEF-001", rm.ID)
	case rm.Title == "":
		return rm, fmt.Errorf("%s: METADATA has no title", rm.ID)
	case SeverityRank(rm.Severity) < 0:
		return rm, fmt.Errorf("%s: custom.severity %q is not one of %s", rm.ID, rm.Severity, strings.Join(Severities, ", "))
	case rm.Category == "":
		return rm, fmt.Errorf("%s: METADATA has no custom.category", rm.ID)
	case rm.Remediation == "":
		return rm, fmt.Errorf("%s: METADATA has no custom.remediation", rm.ID)
	}
	for _, r := range a.RelatedResources {
		rm.References = append(rm.References, r.Ref.String())
	}
	if len(rm.References) == 0 {
		return rm, fmt.Errorf("%s: METADATA has no related_resources (the guidance the rule rests on)", rm.ID)
	}
	if v, ok := c["requires"]; ok {
		list, ok := v.([]any)
		if !ok {
			return rm, fmt.Errorf("%s: custom.requires must be a list of snapshot paths", rm.ID)
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok || !validSnapshotPath(s) {
				return rm, fmt.Errorf("%s: custom.requires entry %v is not a snapshot path like exo.mailboxes", rm.ID, e)
			}
			rm.Requires = append(rm.Requires, s)
		}
	}
	if err := readShardFields(&rm, c); err != nil {
		return rm, err
	}
	for key, dst := range map[string]*bool{"blocks_flip": &rm.BlocksFlip, "reports_readiness": &rm.ReportsReadiness} {
		if v, ok := c[key]; ok {
			b, ok := v.(bool)
			if !ok {
				return rm, fmt.Errorf("%s: custom.%s must be true or false", rm.ID, key)
			}
			*dst = b
		}
	}
	return rm, nil
}

var snapshotRoots = map[string]bool{"ad": true, "exo": true, "entra": true, "facts": true, "joined": true}

func validSnapshotPath(p string) bool {
	parts := strings.Split(p, ".")
	if !snapshotRoots[parts[0]] {
		return false
	}
	for _, s := range parts {
		if s == "" {
			return false
		}
	}
	return true
}
