package evaluate

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/exoready/exoready/collector/snapshot"
)

// defaultShardSize is how many elements of a big array one work item
// converts and evaluates: small enough that a few shards in flight cost
// little memory, large enough that the fixed cost of a query is lost.
// maxShards caps the number of slices of one array: a sharded rule reads
// the small sections whole in every slice, and some of them grow with the
// tenant (move requests, 3 % of the mailboxes), so their cost is paid at
// most maxShards times, not once per 2,000 mailboxes (at 600,000
// mailboxes EXR-MBX-003 spent 44 s going over the move requests of each
// of 300 slices).
const (
	defaultShardSize = 2000
	maxShards        = 32
)

// inputParts build the policies' input of one work item: the snapshot's
// small sections, converted once, with the big arrays each item needs.
type inputParts struct {
	snap *snapshot.Snapshot
	// base is the whole input with every big array empty (null when the
	// snapshot has it null): what requires checks read, and what a
	// sharded rule sees of the arrays it does not shard.
	base ast.Object
}

func newInputParts(s *snapshot.Snapshot) (*inputParts, error) {
	b := *s
	b.Joined = emptied(s.Joined)
	if s.AD != nil {
		ad := *s.AD
		ad.Users, ad.Contacts, ad.Groups = emptied(ad.Users), emptied(ad.Contacts), emptied(ad.Groups)
		b.AD = &ad
	}
	if s.EXO != nil {
		exo := *s.EXO
		exo.Mailboxes, exo.Recipients = emptied(exo.Mailboxes), emptied(exo.Recipients)
		b.EXO = &exo
	}
	c := &converter{shared: map[any]*ast.Term{}}
	t := c.value(reflect.ValueOf(&b).Elem())
	if c.err != nil {
		return nil, c.err
	}
	return &inputParts{snap: s, base: t.Value.(ast.Object)}, nil
}

func emptied[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return []T{}
}

// assemble is the base input with the given big arrays, by path, in place
// of the empty ones. Every term is shared, none copied.
func (p *inputParts) assemble(arrays map[string]*ast.Term) ast.Value {
	return replaceArrays(p.base, "", arrays)
}

func replaceArrays(obj ast.Object, prefix string, arrays map[string]*ast.Term) ast.Object {
	kvs := make([][2]*ast.Term, 0, obj.Len())
	obj.Foreach(func(k, v *ast.Term) {
		key, _ := k.Value.(ast.String)
		path := prefix + string(key)
		if t, ok := arrays[path]; ok && t != nil {
			v = t
		} else if o, ok := v.Value.(ast.Object); ok && prefix == "" && (path == "ad" || path == "exo") {
			v = ast.NewTerm(replaceArrays(o, path+".", arrays))
		}
		kvs = append(kvs, [2]*ast.Term{k, v})
	})
	return ast.NewObject(kvs...)
}

// lookup returns the term at a dotted path of an object, nil when absent.
func lookup(v ast.Value, path string) *ast.Term {
	var t *ast.Term
	for part := range strings.SplitSeq(path, ".") {
		o, ok := v.(ast.Object)
		if !ok {
			return nil
		}
		if t = o.Get(ast.InternedTerm(part)); t == nil {
			return nil
		}
		v = t.Value
	}
	return t
}

// sharedTerm is a converted value several work items use: built by the
// first, dropped when the last one is done with it.
type sharedTerm struct {
	once  sync.Once
	build func() (ast.Value, error)
	val   ast.Value
	err   error
	refs  atomic.Int64
	built atomic.Bool
}

func (s *sharedTerm) get() (ast.Value, error) {
	s.once.Do(func() { s.val, s.err = s.build(); s.built.Store(true) })
	return s.val, s.err
}

func (s *sharedTerm) release() {
	if s.refs.Add(-1) == 0 {
		s.val = nil
	}
}

// workItem evaluates some rules on one input: one rule on the whole (or
// projected) input, or every rule of a shard group on one shard.
type workItem struct {
	rules []int // indexes into Engine.rules
	shard int   // which part of each rule's output this is
	input func() (ast.Value, error)
	uses  []*sharedTerm
}

// rulePart is one rule's output on one shard (or on its whole input).
type rulePart struct {
	raw     rawOutput
	err     error
	elapsed time.Duration
}

// evalRules runs every rule that is not starved, as work items spread over
// as many workers as there are processors: a rule that declares `shard`
// runs once per slice of its array, converted for that slice alone and
// shared by the rules of the same shard group; a rule that declares
// `fields` reads its big arrays projected to those fields; any other rule
// reads the whole input, or only the small sections when it reads no big
// array (arraysRead). Each rule's parts are merged in shard order, so
// reports do not depend on which item finished first.
func (e *Engine) evalRules(ctx context.Context, s *snapshot.Snapshot, parts *inputParts, view *snapshotView) ([]ruleRun, error) {
	runs := make([]ruleRun, len(e.rules))
	for i, r := range e.rules {
		runs[i].starved = e.starved(r.meta, parts.base, view)
	}
	heavy, light, results := e.plan(s, parts, runs)
	q := newWorkQueue(heavy, light)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(heavy)+len(light)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				it, done := q.next()
				if it == nil {
					return
				}
				if ctx.Err() != nil { // cancelled while waiting for a heavy item
					done()
					return
				}
				input, err := it.input()
				// The rules of a shard group read the same input, and
				// several compute the same lib rules (the cloud-managed or
				// flippable mailboxes of the slice): one cache of rule and
				// function values lets the later ones read what the first
				// computed. A rule that fails leaves the cache to no other.
				vc := topdown.NewVirtualCache()
				for _, ri := range it.rules {
					p := &results[ri][it.shard]
					if err != nil {
						p.err = err
						continue
					}
					start := time.Now()
					p.raw, p.err = e.evalRaw(ctx, e.rules[ri], input, vc)
					p.elapsed = time.Since(start)
					if p.err != nil {
						vc = topdown.NewVirtualCache()
					}
				}
				input = nil
				for _, u := range it.uses {
					u.release()
				}
				done()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, r := range e.rules {
		if runs[i].starved != "" {
			continue
		}
		var elapsed time.Duration
		for _, p := range results[i] {
			elapsed += p.elapsed
		}
		raw, err := mergeParts(results[i])
		if err == nil {
			runs[i].out, err = buildOutput(r.meta, raw)
		}
		runs[i].err = err
		e.log.Debug().Str("check_id", r.meta.ID).Dur("elapsed", elapsed).Int("shards", len(results[i])).
			Int("entries", len(runs[i].out.findings)).Msg("rule evaluated")
	}
	return runs, nil
}

// workQueue hands out work items. A heavy item (one that holds whole big
// arrays) starts only when no other heavy item runs, or when every array
// it reads is already converted for the one that does; the other workers
// take the light ones (a shard, or the small sections alone) meanwhile. So
// the memory of whole arrays is about that of one rule, not of one rule
// per processor.
type workQueue struct {
	mu      sync.Mutex
	freed   *sync.Cond
	heavy   []workItem
	taken   []bool
	running int // heavy items running
	light   []workItem
	nextL   int
}

func newWorkQueue(heavy, light []workItem) *workQueue {
	q := &workQueue{heavy: heavy, light: light, taken: make([]bool, len(heavy))}
	q.freed = sync.NewCond(&q.mu)
	return q
}

// next returns the next item and the function to call when it is done,
// or nil when there is none left.
func (q *workQueue) next() (*workItem, func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		left := false
		for i := range q.heavy {
			if q.taken[i] {
				continue
			}
			left = true
			if q.running == 0 || (q.nextL >= len(q.light) && allBuilt(q.heavy[i].uses)) {
				q.taken[i] = true
				q.running++
				return &q.heavy[i], q.heavyDone
			}
			if q.running > 0 && q.nextL < len(q.light) {
				break
			}
		}
		if q.nextL < len(q.light) {
			q.nextL++
			return &q.light[q.nextL-1], func() {}
		}
		if !left {
			return nil, nil
		}
		q.freed.Wait()
	}
}

func (q *workQueue) heavyDone() {
	q.mu.Lock()
	q.running--
	q.mu.Unlock()
	q.freed.Broadcast()
}

func allBuilt(uses []*sharedTerm) bool {
	for _, u := range uses {
		if !u.built.Load() || u.refs.Load() <= 0 {
			return false
		}
	}
	return true
}

// plan lists the work items of the rules that can be assessed, heavy
// (reading whole big arrays, in the order that keeps fewest of them
// converted at once) and light, and makes room for each rule's parts.
func (e *Engine) plan(s *snapshot.Snapshot, parts *inputParts, runs []ruleRun) (heavy, light []workItem, results [][]rulePart) {
	results = make([][]rulePart, len(e.rules))

	// The whole input, for rules that declare nothing, and the whole
	// arrays of rules that declare fields for some arrays only.
	whole := &sharedTerm{build: func() (ast.Value, error) {
		v, _, err := convertSnapshot(s)
		return v, err
	}}
	// One projection per big array for all rules that declare fields
	// without shard: the union of their fields.
	union := map[string][]string{}
	for i, r := range e.rules {
		if runs[i].starved == "" && r.meta.Shard == "" {
			for path, f := range r.meta.Fields {
				union[path] = append(union[path], f...)
			}
		}
	}
	projected := map[string]*sharedTerm{}
	for _, a := range bigArrays {
		fields, ok := union[a.path]
		if !ok {
			continue
		}
		projected[a.path] = &sharedTerm{build: func() (ast.Value, error) {
			slice := a.get(s)
			if !slice.IsValid() || slice.IsNil() {
				return nil, nil
			}
			p, err := newProjection(a.elem, fields)
			if err != nil {
				return nil, err
			}
			c := &converter{shared: map[any]*ast.Term{}}
			return c.elements(slice, 0, slice.Len(), p).Value, c.err
		}}
	}

	type group struct {
		array  bigArray
		fields []string // union of the group's fields; nil: whole elements
		rules  []int
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, r := range e.rules {
		if runs[i].starved != "" {
			continue
		}
		rm := r.meta
		if rm.Shard != "" {
			a, _ := bigArrayOf(rm.Shard)
			f := rm.Fields[rm.Shard]
			key := rm.Shard + "\x00" + boolKey(f != nil)
			g := byKey[key]
			if g == nil {
				g = &group{array: a}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.fields = append(g.fields, f...)
			g.rules = append(g.rules, i)
			continue
		}
		results[i] = make([]rulePart, 1)
		if len(r.reads) == 0 {
			light = append(light, workItem{rules: []int{i}, input: func() (ast.Value, error) { return parts.base, nil }})
			continue
		}
		if rm.Fields == nil {
			whole.refs.Add(1)
			heavy = append(heavy, workItem{rules: []int{i}, uses: []*sharedTerm{whole}, input: whole.get})
			continue
		}
		var uses []*sharedTerm
		arrays := map[string]*sharedTerm{}
		needWhole := false
		for _, a := range bigArrays {
			if _, ok := rm.Fields[a.path]; ok {
				st := projected[a.path]
				st.refs.Add(1)
				uses = append(uses, st)
				arrays[a.path] = st
			} else if r.reads[a.path] {
				needWhole = true
			}
		}
		if needWhole {
			whole.refs.Add(1)
			uses = append(uses, whole)
		}
		heavy = append(heavy, workItem{rules: []int{i}, uses: uses, input: func() (ast.Value, error) {
			terms := map[string]*ast.Term{}
			if needWhole {
				w, err := whole.get()
				if err != nil {
					return nil, err
				}
				for _, a := range bigArrays {
					terms[a.path] = lookup(w, a.path)
				}
			}
			for path, st := range arrays {
				v, err := st.get()
				if err != nil {
					return nil, err
				}
				if v != nil {
					terms[path] = ast.NewTerm(v)
				}
			}
			return parts.assemble(terms), nil
		}})
	}

	for _, g := range groups {
		var p *projection
		if g.fields != nil {
			p, _ = newProjection(g.array.elem, g.fields) // checked when the rules were loaded
		}
		slice := g.array.get(s)
		n := 0
		if slice.IsValid() && !slice.IsNil() {
			n = slice.Len()
		}
		size, shards := shardsOf(n, e.shardSize)
		for _, ri := range g.rules {
			results[ri] = make([]rulePart, shards)
		}
		for k := range shards {
			lo, hi := k*size, min(n, (k+1)*size)
			light = append(light, workItem{rules: g.rules, shard: k, input: func() (ast.Value, error) {
				if n == 0 {
					return parts.base, nil
				}
				c := &converter{shared: map[any]*ast.Term{}}
				t := c.elements(slice, lo, hi, p)
				if c.err != nil {
					return nil, c.err
				}
				return parts.assemble(map[string]*ast.Term{g.array.path: t}), nil
			}})
		}
	}
	return orderHeavy(heavy), light, results
}

// orderHeavy orders heavy items so that few converted arrays are alive at
// once: when none is, the item that reads the most arrays comes next;
// otherwise the item that converts the fewest arrays not yet converted,
// then the one that lets the most be dropped, then the one that uses the
// most; rule order breaks ties.
func orderHeavy(items []workItem) []workItem {
	left := map[*sharedTerm]int{}
	for _, it := range items {
		for _, u := range it.uses {
			left[u]++
		}
	}
	alive := map[*sharedTerm]bool{}
	out := make([]workItem, 0, len(items))
	done := make([]bool, len(items))
	for range items {
		best, bestKey := -1, [3]int{}
		for i, it := range items {
			if done[i] {
				continue
			}
			var add, drop int
			for _, u := range it.uses {
				if !alive[u] {
					add++
				}
				if left[u] == 1 {
					drop++
				}
			}
			key := [3]int{-add, drop, len(it.uses)}
			if len(alive) == 0 {
				// Nothing converted: start with the rule that reads most
				// (likely the longest, which should not be left for last).
				key = [3]int{len(it.uses), drop, 0}
			}
			if best < 0 || key[0] > bestKey[0] || (key[0] == bestKey[0] && (key[1] > bestKey[1] || (key[1] == bestKey[1] && key[2] > bestKey[2]))) {
				best, bestKey = i, key
			}
		}
		done[best] = true
		for _, u := range items[best].uses {
			alive[u] = true
			if left[u]--; left[u] == 0 {
				delete(alive, u)
			}
		}
		out = append(out, items[best])
	}
	return out
}

// shardsOf is the size and number of the slices of an n-element array:
// configured elements each when set (tests), else defaultShardSize and at
// most maxShards slices.
func shardsOf(n, configured int) (size, shards int) {
	size = configured
	if size <= 0 {
		size = max(defaultShardSize, (n+maxShards-1)/maxShards)
	}
	return size, max(1, (n+size-1)/size)
}

func boolKey(b bool) string {
	if b {
		return "fields"
	}
	return "whole"
}
