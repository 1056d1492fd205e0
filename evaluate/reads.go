package evaluate

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// arraysRead returns the big arrays a rule package may read: those named,
// or named by a prefix (input.exo, input itself, input[x]), by a reference
// to input in any rule of the package or in any rule those depend on,
// helpers of other packages included. It errs on the side of reading: a
// helper that is never called still counts. A rule that reads none of the
// big arrays is evaluated on the small sections alone.
func arraysRead(c *ast.Compiler, pkg string) map[string]bool {
	ref, err := ast.ParseRef(pkg)
	if err != nil {
		return allArrays()
	}
	read := map[string]bool{}
	seen := map[util.T]bool{}
	queue := []util.T{}
	for _, r := range c.GetRulesWithPrefix(ref) {
		queue = append(queue, r)
	}
	for len(queue) > 0 {
		x := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		if c.Graph != nil {
			for d := range c.Graph.Dependencies(x) {
				queue = append(queue, d)
			}
		}
		handled := constantGets(x, read)
		ast.WalkTerms(x, func(t *ast.Term) bool {
			if handled[t] {
				return true
			}
			switch v := t.Value.(type) {
			case ast.Var:
				if v.Equal(ast.InputRootDocument.Value) {
					markRead(read, nil)
				}
			case ast.Ref:
				if path, ok := inputPath(v); ok {
					markRead(read, path)
					return true // its head is input, not a use of the whole
				}
			}
			return false
		})
	}
	return read
}

// constantGets marks what object.get(input, ["facts", "x"], d) reads:
// input.facts.x, not the whole input. The compiler writes that call as
// __local1__ = input; object.get(__local1__, ["facts", "x"], d, __local2__).
// It returns the references to input it accounted for; an alias of input
// used anywhere else is left to the caller, which counts it as reading all
// that input holds.
func constantGets(x util.T, read map[string]bool) map[*ast.Term]bool {
	handled := map[*ast.Term]bool{}
	aliases := map[ast.Var][]string{}
	defs := map[ast.Var]*ast.Term{}
	ast.WalkExprs(x, func(e *ast.Expr) bool {
		if e.IsEquality() || e.IsAssignment() {
			l, r := e.Operand(0), e.Operand(1)
			if v, ok := l.Value.(ast.Var); ok {
				if path, ok := inputPath(r.Value); ok && len(path) == len(r.Value.(ast.Ref))-1 {
					aliases[v], defs[v] = path, r
				}
			}
		}
		return false
	})
	uses := map[ast.Var]int{}
	ast.WalkExprs(x, func(e *ast.Expr) bool {
		if !e.IsCall() || !e.Operator().Equal(ast.ObjectGet.Ref()) || len(e.Operands()) < 2 {
			return false
		}
		v, ok := e.Operand(0).Value.(ast.Var)
		if !ok || aliases[v] == nil {
			return false
		}
		path := slices.Clone(aliases[v])
		switch k := e.Operand(1).Value.(type) {
		case ast.String:
			path = append(path, string(k))
		case *ast.Array:
			for i := range k.Len() {
				s, ok := k.Elem(i).Value.(ast.String)
				if !ok {
					break
				}
				path = append(path, string(s))
			}
		}
		markRead(read, path)
		uses[v]++
		return false
	})
	all := map[ast.Var]int{}
	ast.WalkVars(x, func(v ast.Var) bool {
		if aliases[v] != nil {
			all[v]++
		}
		return false
	})
	for v, def := range defs {
		if all[v] == uses[v]+1 { // its definition and the calls
			handled[def] = true
		}
	}
	return handled
}

// inputPath is the constant path of a reference to input: [exo mailboxes]
// for input.exo.mailboxes[i], [] for input[x].
func inputPath(v ast.Value) ([]string, bool) {
	ref, ok := v.(ast.Ref)
	if !ok || !ref.HasPrefix(ast.InputRootRef) {
		return nil, false
	}
	path := []string{}
	for _, p := range ref[1:] {
		s, ok := p.Value.(ast.String)
		if !ok {
			break
		}
		path = append(path, string(s))
	}
	return path, true
}

// markRead marks the big arrays a reference to input.<path> may reach.
func markRead(read map[string]bool, path []string) {
	for _, a := range bigArrays {
		parts := strings.Split(a.path, ".")
		n := min(len(parts), len(path))
		if strings.Join(parts[:n], ".") == strings.Join(path[:n], ".") {
			read[a.path] = true
		}
	}
}

func allArrays() map[string]bool {
	read := map[string]bool{}
	markRead(read, nil)
	return read
}
