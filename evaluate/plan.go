package evaluate

// An evaluator of the plans OPA's planner makes of a rule's query.
//
// topdown evaluates Rego by unification over the AST, with bindings,
// iterators and a virtual-document cache at every step; at 600,000
// mailboxes that is most of a scan's CPU. OPA's planner (the front end of
// its wasm compiler) turns a query and the rules it reads into a small
// imperative IR: locals, scans, dots, calls, blocks left by break. This
// file runs that IR directly on ast.Terms, through OPA's public
// target-plugin API (rego.RegisterPlugin, rego.Target): the input is read
// by reference, builtins are topdown's own Go functions called directly,
// rules without arguments are computed once per evaluation. It does per
// element a fraction of topdown's work, with the same results.
//
// Semantics follow topdown as the engine runs it (StrictBuiltinErrors): a
// builtin error makes its expression undefined and the evaluation then
// fails with the first such error; conflicting values of a complete rule,
// a function or an object key fail it with a conflict error. A plan that
// holds a statement this evaluator does not run (with, dynamic calls,
// object merges), a builtin topdown has no Go function for, print, or a
// custom builtin is refused at prepare time: the engine prepares that rule
// for topdown instead.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/ir"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
	"github.com/open-policy-agent/opa/v1/types"
)

// planTargetName is the rego target the plan evaluator registers as.
const planTargetName = "exoready-plan"

// planTarget is the rego target plugin. OPA keeps target plugins in a
// process-wide registry, so there is one; the data document of the engine
// being prepared is handed to it under mu (preparePlanned).
type planTarget struct {
	mu   sync.Mutex
	data *ast.Term
}

var thePlanTarget = &planTarget{}

func init() { rego.RegisterPlugin(planTargetName, thePlanTarget) }

func (p *planTarget) IsTarget(t string) bool { return t == planTargetName }

// preparePlanned prepares r (built with rego.Target(planTargetName)) with
// data as the data document its plan reads.
func preparePlanned(ctx context.Context, r *rego.Rego, data ast.Value) (rego.PreparedEvalQuery, error) {
	thePlanTarget.mu.Lock()
	defer thePlanTarget.mu.Unlock()
	thePlanTarget.data = ast.NewTerm(data)
	defer func() { thePlanTarget.data = nil }()
	return r.PrepareForEval(ctx)
}

// errNotPlanned says why a plan is left to topdown.
var errNotPlanned = errors.New("not evaluated from its plan")

// PrepareForEval checks every statement and call of the plan and resolves
// the calls; anything it cannot run is an errNotPlanned error.
func (p *planTarget) PrepareForEval(_ context.Context, pol *ir.Policy, opts ...rego.PrepareOption) (rego.TargetPluginEval, error) {
	if p.data == nil {
		return nil, fmt.Errorf("%w: prepared outside preparePlanned", errNotPlanned)
	}
	pc := &rego.PrepareConfig{}
	for _, o := range opts {
		o(pc)
	}
	if len(pc.BuiltinFuncs()) > 0 {
		return nil, fmt.Errorf("%w: custom builtins", errNotPlanned)
	}
	if pol.Plans == nil || len(pol.Plans.Plans) != 1 {
		return nil, fmt.Errorf("%w: the query has no single plan", errNotPlanned)
	}
	prog := &planProgram{data: p.data, calls: map[*ir.CallStmt]planCallee{}}
	for _, s := range pol.Static.Strings {
		prog.strings = append(prog.strings, ast.StringTerm(s.Value))
	}
	for _, f := range pol.Static.Files {
		prog.files = append(prog.files, f.Value)
	}
	decls := map[string]*types.Function{}
	for _, b := range pol.Static.BuiltinFuncs {
		decls[b.Name] = b.Decl
	}
	byName := map[string]int{}
	for i, f := range pol.Funcs.Funcs {
		byName[f.Name] = i
	}
	c := &planChecker{prog: prog, byName: byName, decls: decls}
	for _, f := range pol.Funcs.Funcs {
		c.max = int(ir.Data)
		for _, l := range f.Params {
			c.local(l)
		}
		c.local(f.Return)
		if err := c.blocks(f.Blocks); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errNotPlanned, f.Name, err)
		}
		prog.funcs = append(prog.funcs, planFunc{
			f: f, locals: c.max + 1,
			// Rules without arguments take input and data only.
			cached: len(f.Params) == 2,
			path:   funcPath(f),
			key:    ast.Ref{ast.VarTerm(planCacheRoot), ast.StringTerm(f.Name)},
		})
	}
	prog.plan = pol.Plans.Plans[0]
	c.max = int(ir.Data)
	if err := c.blocks(prog.plan.Blocks); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotPlanned, err)
	}
	prog.locals = c.max + 1
	return prog, nil
}

// planProgram is one prepared plan.
type planProgram struct {
	plan    *ir.Plan
	locals  int
	funcs   []planFunc
	calls   map[*ir.CallStmt]planCallee
	strings []*ast.Term
	files   []string
	data    *ast.Term
}

type planFunc struct {
	f      *ir.Func
	locals int
	cached bool
	path   string  // data.pkg.rule, for conflict errors
	key    ast.Ref // of its value in a shared cache (withPlanCache)
}

// planCacheRoot heads the keys of rule values in a shared cache: topdown's
// keys start with data, so the two evaluators never read each other's.
const planCacheRoot = "exoready_plan"

type planCacheKey struct{}

// withPlanCache has the plan evaluations under ctx keep the values of
// rules without arguments in vc too, and read them there first: the rules
// of one shard group, evaluated on the same input, then compute shared
// lib rules once. Functions of the same name are the same rules, since
// every plan is made by one compiler.
func withPlanCache(ctx context.Context, vc topdown.VirtualCache) context.Context {
	return context.WithValue(ctx, planCacheKey{}, vc)
}

// planCallee is what a CallStmt calls: a planned function or a builtin.
type planCallee struct {
	fn      int // index in funcs, -1 for a builtin
	builtin topdown.BuiltinFunc
	decl    *types.Function
	name    string
	loc     *ast.Location // of the call, for builtin errors
}

// planChecker validates a plan's statements and counts its locals.
type planChecker struct {
	prog   *planProgram
	byName map[string]int
	decls  map[string]*types.Function
	max    int
}

func (c *planChecker) local(l ir.Local) { c.max = max(c.max, int(l)) }

func (c *planChecker) op(o ir.Operand) {
	if l, ok := o.Value.(ir.Local); ok {
		c.local(l)
	}
}

func (c *planChecker) blocks(bs []*ir.Block) error {
	for _, b := range bs {
		if err := c.block(b); err != nil {
			return err
		}
	}
	return nil
}

func (c *planChecker) block(b *ir.Block) error {
	for _, s := range b.Stmts {
		if err := c.stmt(s); err != nil {
			return err
		}
	}
	return nil
}

func (c *planChecker) stmt(s ir.Stmt) error {
	switch s := s.(type) {
	case *ir.ReturnLocalStmt:
		c.local(s.Source)
	case *ir.CallStmt:
		for _, a := range s.Args {
			c.op(a)
		}
		c.local(s.Result)
		return c.call(s)
	case *ir.BlockStmt:
		return c.blocks(s.Blocks)
	case *ir.BreakStmt:
	case *ir.DotStmt:
		c.op(s.Source)
		c.op(s.Key)
		c.local(s.Target)
	case *ir.LenStmt:
		c.op(s.Source)
		c.local(s.Target)
	case *ir.ScanStmt:
		c.local(s.Source)
		c.local(s.Key)
		c.local(s.Value)
		return c.block(s.Block)
	case *ir.NotStmt:
		return c.block(s.Block)
	case *ir.AssignIntStmt:
		c.local(s.Target)
	case *ir.AssignVarStmt:
		c.op(s.Source)
		c.local(s.Target)
	case *ir.AssignVarOnceStmt:
		c.op(s.Source)
		c.local(s.Target)
	case *ir.ResetLocalStmt:
		c.local(s.Target)
	case *ir.MakeNullStmt:
		c.local(s.Target)
	case *ir.MakeNumberIntStmt:
		c.local(s.Target)
	case *ir.MakeNumberRefStmt:
		c.local(s.Target)
	case *ir.MakeArrayStmt:
		c.local(s.Target)
	case *ir.MakeObjectStmt:
		c.local(s.Target)
	case *ir.MakeSetStmt:
		c.local(s.Target)
	case *ir.EqualStmt:
		c.op(s.A)
		c.op(s.B)
	case *ir.NotEqualStmt:
		c.op(s.A)
		c.op(s.B)
	case *ir.IsArrayStmt:
		c.op(s.Source)
	case *ir.IsObjectStmt:
		c.op(s.Source)
	case *ir.IsSetStmt:
		c.op(s.Source)
	case *ir.IsDefinedStmt:
		c.local(s.Source)
	case *ir.IsUndefinedStmt:
		c.local(s.Source)
	case *ir.ArrayAppendStmt:
		c.op(s.Value)
		c.local(s.Array)
	case *ir.ObjectInsertStmt:
		c.op(s.Key)
		c.op(s.Value)
		c.local(s.Object)
	case *ir.ObjectInsertOnceStmt:
		c.op(s.Key)
		c.op(s.Value)
		c.local(s.Object)
	case *ir.SetAddStmt:
		c.op(s.Value)
		c.local(s.Set)
	case *ir.ResultSetAddStmt:
		c.local(s.Value)
	case *ir.NopStmt:
	default:
		return fmt.Errorf("statement %T", s)
	}
	return nil
}

func (c *planChecker) call(s *ir.CallStmt) error {
	if i, ok := c.byName[s.Func]; ok {
		c.prog.calls[s] = planCallee{fn: i, name: s.Func}
		return nil
	}
	if s.Func == ast.InternalPrint.Name || s.Func == ast.Print.Name {
		return errors.New("print")
	}
	bf := topdown.GetBuiltin(s.Func)
	if bf == nil {
		return fmt.Errorf("builtin %s has no Go function", s.Func)
	}
	decl := c.decls[s.Func]
	if decl == nil {
		if b := ast.BuiltinMap[s.Func]; b != nil {
			decl = b.Decl
		}
	}
	if decl == nil {
		return fmt.Errorf("builtin %s has no declaration", s.Func)
	}
	c.prog.calls[s] = planCallee{fn: -1, builtin: bf, decl: decl, name: s.Func, loc: c.prog.location(s.Location)}
	return nil
}

// planState is one evaluation of a program.
type planState struct {
	prog  *planProgram
	ctx   context.Context
	memo  []*ast.Term
	done  []bool
	rs    ast.Set
	bctx  topdown.BuiltinContext
	ret   *ast.Term
	ok    bool // a ReturnLocalStmt ran
	first error
	steps int
	vc    topdown.VirtualCache // nil, or the cache of withPlanCache
}

// Eval runs the plan on the input of ectx.
func (prog *planProgram) Eval(ctx context.Context, ectx *rego.EvalContext, rt ast.Value) (ast.Value, error) {
	st := &planState{
		prog: prog, ctx: ctx, rs: ast.NewSet(),
		memo: make([]*ast.Term, len(prog.funcs)), done: make([]bool, len(prog.funcs)),
	}
	st.vc, _ = ctx.Value(planCacheKey{}).(topdown.VirtualCache)
	st.bctx = topdown.BuiltinContext{
		Context:                     ctx,
		Metrics:                     ectx.Metrics(),
		Seed:                        ectx.Seed(),
		Time:                        ast.NumberTerm(json.Number(fmt.Sprint(ectx.Time().UnixNano()))),
		Cache:                       builtins.Cache{},
		InterQueryBuiltinCache:      ectx.InterQueryBuiltinCache(),
		InterQueryBuiltinValueCache: ectx.InterQueryBuiltinValueCache(),
		NDBuiltinCache:              ectx.NDBCache(),
		PrintHook:                   ectx.PrintHook(),
		Capabilities:                ectx.Capabilities(),
	}
	if rt != nil {
		st.bctx.Runtime = ast.NewTerm(rt)
	}
	locals := make([]*ast.Term, prog.locals)
	if in := ectx.ParsedInput(); in != nil {
		locals[ir.Input] = ast.NewTerm(in)
	} else if raw := ectx.RawInput(); raw != nil {
		in, err := ast.InterfaceToValue(*raw)
		if err != nil {
			return nil, err
		}
		locals[ir.Input] = ast.NewTerm(in)
	}
	locals[ir.Data] = prog.data
	for _, b := range prog.plan.Blocks {
		if _, err := st.block(b.Stmts, locals); err != nil {
			return nil, err
		}
	}
	if st.first != nil {
		return nil, st.first
	}
	return st.rs, nil
}

// Signals of a statement or block: next (go on with the next statement),
// undefined (the block was left by break 0), k >= 0 (leave k more
// enclosing blocks).
const (
	sigNext      = -1
	sigUndefined = -2
	sigFail      = 0
	// sigReturn leaves every block of a function.
	sigReturn = 1 << 30
)

func (st *planState) block(stmts []ir.Stmt, locals []*ast.Term) (int, error) {
	for _, s := range stmts {
		sig, err := st.stmt(s, locals)
		switch {
		case err != nil:
			return 0, err
		case sig == sigNext:
			continue
		case sig == 0:
			return sigUndefined, nil
		default:
			return sig - 1, nil
		}
	}
	return sigNext, nil
}

func (st *planState) operand(op ir.Operand, locals []*ast.Term) *ast.Term {
	switch v := op.Value.(type) {
	case ir.Local:
		return locals[v]
	case ir.Bool:
		return ast.InternedTerm(bool(v))
	case ir.StringIndex:
		return st.prog.strings[v]
	}
	panic(fmt.Sprintf("plan operand %T", op.Value)) // refused by planChecker
}

func (prog *planProgram) location(l ir.Location) *ast.Location {
	loc := &ast.Location{Row: l.Row, Col: l.Col}
	if l.File >= 0 && l.File < len(prog.files) {
		loc.File = prog.files[l.File]
	}
	return loc
}

func equalTerms(a, b *ast.Term) bool {
	return a != nil && b != nil && ast.Compare(a.Value, b.Value) == 0
}

func (st *planState) stmt(s ir.Stmt, locals []*ast.Term) (int, error) {
	switch s := s.(type) {
	case *ir.DotStmt:
		v := dot(st.operand(s.Source, locals), st.operand(s.Key, locals))
		if v == nil {
			return sigFail, nil
		}
		locals[s.Target] = v
	case *ir.AssignVarStmt:
		locals[s.Target] = st.operand(s.Source, locals)
	case *ir.AssignVarOnceStmt:
		v := st.operand(s.Source, locals)
		if cur := locals[s.Target]; cur != nil {
			if !equalTerms(cur, v) {
				return 0, st.conflict(s.Location)
			}
			return sigNext, nil
		}
		locals[s.Target] = v
	case *ir.EqualStmt:
		if !equalTerms(st.operand(s.A, locals), st.operand(s.B, locals)) {
			return sigFail, nil
		}
	case *ir.NotEqualStmt:
		a, b := st.operand(s.A, locals), st.operand(s.B, locals)
		if a == nil || b == nil || equalTerms(a, b) {
			return sigFail, nil
		}
	case *ir.IsDefinedStmt:
		if locals[s.Source] == nil {
			return sigFail, nil
		}
	case *ir.IsUndefinedStmt:
		if locals[s.Source] != nil {
			return sigFail, nil
		}
	case *ir.IsArrayStmt:
		if t := st.operand(s.Source, locals); t == nil {
			return sigFail, nil
		} else if _, ok := t.Value.(*ast.Array); !ok {
			return sigFail, nil
		}
	case *ir.IsObjectStmt:
		if t := st.operand(s.Source, locals); t == nil {
			return sigFail, nil
		} else if _, ok := t.Value.(ast.Object); !ok {
			return sigFail, nil
		}
	case *ir.IsSetStmt:
		if t := st.operand(s.Source, locals); t == nil {
			return sigFail, nil
		} else if _, ok := t.Value.(ast.Set); !ok {
			return sigFail, nil
		}
	case *ir.ResetLocalStmt:
		locals[s.Target] = nil
	case *ir.MakeNullStmt:
		locals[s.Target] = ast.InternedNullTerm
	case *ir.MakeNumberIntStmt:
		locals[s.Target] = ast.InternedTerm(int(s.Value))
	case *ir.AssignIntStmt:
		locals[s.Target] = ast.InternedTerm(int(s.Value))
	case *ir.MakeNumberRefStmt:
		locals[s.Target] = ast.NumberTerm(json.Number(st.prog.strings[s.Index].Value.(ast.String)))
	case *ir.MakeArrayStmt:
		locals[s.Target] = ast.NewTerm(ast.NewArrayWithCapacity(int(s.Capacity)))
	case *ir.MakeObjectStmt:
		locals[s.Target] = ast.NewTerm(ast.NewObject())
	case *ir.MakeSetStmt:
		locals[s.Target] = ast.NewTerm(ast.NewSet())
	case *ir.ArrayAppendStmt:
		// In place: every local holding the array sees the element.
		a := locals[s.Array].Value.(*ast.Array)
		*a = *a.Append(st.operand(s.Value, locals))
	case *ir.ObjectInsertStmt:
		locals[s.Object].Value.(ast.Object).Insert(st.operand(s.Key, locals), st.operand(s.Value, locals))
	case *ir.ObjectInsertOnceStmt:
		o := locals[s.Object].Value.(ast.Object)
		k, v := st.operand(s.Key, locals), st.operand(s.Value, locals)
		if cur := o.Get(k); cur != nil {
			if !equalTerms(cur, v) {
				return 0, &topdown.Error{Code: topdown.ConflictErr, Location: st.prog.location(s.Location), Message: "object keys must be unique"}
			}
			return sigNext, nil
		}
		o.Insert(k, v)
	case *ir.SetAddStmt:
		locals[s.Set].Value.(ast.Set).Add(st.operand(s.Value, locals))
	case *ir.LenStmt:
		t := st.operand(s.Source, locals)
		if t == nil {
			return sigFail, nil
		}
		var n int
		switch v := t.Value.(type) {
		case *ast.Array:
			n = v.Len()
		case ast.Object:
			n = v.Len()
		case ast.Set:
			n = v.Len()
		case ast.String:
			n = utf8.RuneCountInString(string(v))
		default:
			return sigFail, nil
		}
		locals[s.Target] = ast.InternedTerm(n)
	case *ir.ScanStmt:
		return st.scan(s, locals)
	case *ir.NotStmt:
		sig, err := st.block(s.Block.Stmts, locals)
		switch {
		case err != nil:
			return 0, err
		case sig == sigUndefined: // the body is undefined: not holds
			return sigNext, nil
		case sig == sigNext: // the body holds: not fails
			return sigFail, nil
		}
		return sig, nil
	case *ir.BlockStmt:
		for _, b := range s.Blocks {
			sig, err := st.block(b.Stmts, locals)
			if err != nil {
				return 0, err
			}
			if sig >= 0 {
				return sig, nil
			}
		}
	case *ir.BreakStmt:
		return int(s.Index), nil
	case *ir.CallStmt:
		return st.call(s, locals)
	case *ir.ReturnLocalStmt:
		st.ret, st.ok = locals[s.Source], true
		return sigReturn, nil
	case *ir.ResultSetAddStmt:
		st.rs.Add(locals[s.Value])
	case *ir.NopStmt:
	default:
		return 0, fmt.Errorf("plan statement %T", s) // refused by planChecker
	}
	return sigNext, nil
}

// conflict is the error of two values for one complete rule or one call
// of a function, worded as topdown words it.
func (st *planState) conflict(l ir.Location) error {
	return &topdown.Error{Code: topdown.ConflictErr, Location: st.prog.location(l), Message: "conflicting values"}
}

func dot(src, key *ast.Term) *ast.Term {
	if src == nil || key == nil {
		return nil
	}
	switch s := src.Value.(type) {
	case ast.Object:
		return s.Get(key)
	case *ast.Array:
		if n, ok := key.Value.(ast.Number); ok {
			if i, ok := n.Int(); ok && i >= 0 && i < s.Len() {
				return s.Elem(i)
			}
		}
	case ast.Set:
		if s.Contains(key) {
			return key
		}
	}
	return nil
}

// cancelEvery is how many scanned elements pass between two looks at ctx.
const cancelEvery = 1024

func (st *planState) scan(s *ir.ScanStmt, locals []*ast.Term) (int, error) {
	// In the body, break 0 goes on with the next element, break 1 leaves
	// the scan, break k >= 2 leaves k-2 blocks around the scan.
	sig, err := sigNext, error(nil)
	body := func(k, v *ast.Term) bool {
		if st.steps++; st.steps%cancelEvery == 0 {
			if err = st.ctx.Err(); err != nil {
				return true
			}
		}
		locals[s.Key], locals[s.Value] = k, v
		var b int
		b, err = st.block(s.Block.Stmts, locals)
		switch {
		case err != nil:
			return true
		case b == sigNext || b == sigUndefined:
			return false
		case b == 0:
			sig = sigNext
			return true
		default:
			sig = b - 1
			return true
		}
	}
	src := locals[s.Source]
	if src == nil {
		return sigNext, nil
	}
	switch v := src.Value.(type) {
	case *ast.Array:
		for i := range v.Len() {
			if body(ast.InternedTerm(i), v.Elem(i)) {
				break
			}
		}
	case ast.Object:
		v.Until(body)
	case ast.Set:
		v.Until(func(t *ast.Term) bool { return body(t, t) })
	}
	return sig, err
}

func (st *planState) call(s *ir.CallStmt, locals []*ast.Term) (int, error) {
	c := st.prog.calls[s]
	if c.fn >= 0 {
		return st.callFunc(c.fn, s, locals)
	}
	args := make([]*ast.Term, len(s.Args))
	for i, a := range s.Args {
		if args[i] = st.operand(a, locals); args[i] == nil {
			return sigFail, nil
		}
	}
	var out *ast.Term
	bctx := st.bctx
	bctx.Location = c.loc
	err := c.builtin(bctx, args, func(t *ast.Term) error { out = t; return nil })
	if err != nil {
		// As topdown: a halt ends the evaluation; any other error makes
		// the expression undefined and, builtin errors being strict,
		// the evaluation fails with the first once it is over.
		var h topdown.Halt
		if errors.As(err, &h) {
			return 0, h.Err
		}
		if st.first == nil {
			st.first = err
		}
		return sigFail, nil
	}
	if c.decl.Result() == nil {
		return sigNext, nil
	}
	if out == nil {
		return sigFail, nil
	}
	locals[s.Result] = out
	return sigNext, nil
}

func (st *planState) callFunc(fn int, s *ir.CallStmt, locals []*ast.Term) (int, error) {
	f := &st.prog.funcs[fn]
	if f.cached && !st.done[fn] && st.vc != nil {
		if v, undefined := st.vc.Get(f.key); v != nil || undefined {
			st.memo[fn], st.done[fn] = v, true
		}
	}
	if f.cached && st.done[fn] {
		if v := st.memo[fn]; v != nil {
			locals[s.Result] = v
			return sigNext, nil
		}
		return sigFail, nil
	}
	fl := make([]*ast.Term, f.locals)
	for i, p := range f.f.Params {
		fl[p] = st.operand(s.Args[i], locals)
	}
	var ret *ast.Term
	for _, b := range f.f.Blocks {
		st.ok = false
		if _, err := st.block(b.Stmts, fl); err != nil {
			var e *topdown.Error
			if errors.As(err, &e) && e.Code == topdown.ConflictErr && e.Message == "conflicting values" {
				return 0, st.namedConflict(f, e)
			}
			return 0, err
		}
		if st.ok {
			ret, st.ok = st.ret, false
			break
		}
	}
	if f.cached {
		st.memo[fn], st.done[fn] = ret, true
		if st.vc != nil {
			st.vc.Put(f.key, ret)
		}
	}
	if ret == nil {
		return sigFail, nil
	}
	locals[s.Result] = ret
	return sigNext, nil
}

// namedConflict words a conflict met in f's own blocks as topdown does.
func (st *planState) namedConflict(f *planFunc, e *topdown.Error) error {
	msg := "rule " + f.path + " produced conflicting values"
	if !f.cached {
		msg = "function " + f.path + " produced conflicting values for the same inputs"
	}
	return &topdown.Error{Code: topdown.ConflictErr, Location: e.Location, Message: msg}
}

// funcPath is the data path of a planned function ("data.pkg.rule"): its
// name ("g0.data.pkg.rule") without the planner's group prefix.
func funcPath(f *ir.Func) string {
	if _, path, ok := strings.Cut(f.Name, "."); ok && strings.HasPrefix(path, "data.") {
		return path
	}
	return f.Name
}
