package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/service"
)

// loaders batch the per-territory lists that nested queries ask for. Whenever the API
// returns a list of territories it records them as one group; the first time a field of
// one member is loaded, the field is fetched for the whole group in one go. A page of n
// territories thus costs the same statements as one territory, deterministically: no
// timer decides when a batch closes.
type loaders struct {
	mu     sync.Mutex
	groups map[int][]int // territory id -> ids of the list it came in

	parents   *groupLoader[[]*ent.Membership]
	ancestors *groupLoader[[]*ent.Territory]
	conns     *connLoaders // children and descendants pages, by arguments
	rankings  rankings     // rankings shared by the territories asking their rank
	rollups   *rollupLoaders

	selections selections // made by countFromPage
}

// connLoaders holds one loader per set of connection arguments.
type connLoaders struct {
	mu sync.Mutex
	m  map[string]*groupLoader[*ent.TerritoryConnection]
}

type loadersKey struct{}

// withLoaders gives each operation its own loaders: their caches never outlive it.
func withLoaders(ctx context.Context, svc *service.Service) context.Context {
	l := &loaders{groups: map[int][]int{}}
	l.parents = newGroupLoader(l, func(ctx context.Context, ids []int) (map[int][]*ent.Membership, error) {
		m, err := svc.ParentsOf(ctx, ids)
		var all []*ent.Territory
		for _, ms := range m {
			for _, x := range ms {
				all = append(all, x.Edges.Parent)
			}
		}
		l.group(all)
		return m, err
	})
	l.ancestors = newGroupLoader(l, func(ctx context.Context, ids []int) (map[int][]*ent.Territory, error) {
		m, err := svc.AncestorsOf(ctx, ids)
		var all []*ent.Territory
		for _, ts := range m {
			all = append(all, ts...)
		}
		l.group(all)
		return m, err
	})
	l.conns = &connLoaders{m: map[string]*groupLoader[*ent.TerritoryConnection]{}}
	l.rollups = &rollupLoaders{m: map[rollupArgs]*groupLoader[*service.Rollup]{}}
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	// Outside an operation: loaders without groups.
	return &loaders{groups: map[int][]int{}}
}

// group records territories returned together, so that their fields load together. A
// territory keeps the first group it came in: a search result that is also the parent of
// another result stays with the results, whatever order the loads finish in.
func (l *loaders) group(ts []*ent.Territory) {
	if len(ts) < 2 {
		return
	}
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	l.mu.Lock()
	for _, id := range ids {
		if _, ok := l.groups[id]; !ok {
			l.groups[id] = ids
		}
	}
	l.mu.Unlock()
}

func (l *loaders) groupOf(id int) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if g, ok := l.groups[id]; ok {
		return g
	}
	return []int{id}
}

// groupLoader loads one field for a group of territories at once and caches the results
// for the rest of the request.
type groupLoader[V any] struct {
	l     *loaders
	fetch func(ctx context.Context, ids []int) (map[int]V, error)
	mu    sync.Mutex
	cache map[int]*pending[V]
}

type pending[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func newGroupLoader[V any](l *loaders, fetch func(context.Context, []int) (map[int]V, error)) *groupLoader[V] {
	return &groupLoader[V]{l: l, fetch: fetch, cache: map[int]*pending[V]{}}
}

// Load returns the value for id, fetching it with every not yet loaded member of its group.
func (g *groupLoader[V]) Load(ctx context.Context, id int) (V, error) {
	g.mu.Lock()
	if p, ok := g.cache[id]; ok {
		g.mu.Unlock()
		<-p.done
		return p.v, p.err
	}
	var ids []int
	mine := map[int]*pending[V]{}
	for _, x := range g.l.groupOf(id) {
		if _, ok := g.cache[x]; !ok {
			p := &pending[V]{done: make(chan struct{})}
			g.cache[x] = p
			mine[x] = p
			ids = append(ids, x)
		}
	}
	if _, ok := mine[id]; !ok { // id was not in its own group list
		p := &pending[V]{done: make(chan struct{})}
		g.cache[id] = p
		mine[id] = p
		ids = append(ids, id)
	}
	g.mu.Unlock()

	// A fetch that panics (the resolver's panic is recovered and logged by gqlgen) still
	// releases the territories waiting for it, with an error.
	released := false
	defer func() {
		if !released {
			for _, p := range mine {
				p.err = errLoadFailed
				close(p.done)
			}
		}
	}()
	vals, err := g.fetch(ctx, ids)
	for x, p := range mine {
		p.v, p.err = vals[x], err
		close(p.done)
	}
	released = true
	p := mine[id]
	return p.v, p.err
}

// errLoadFailed is what the territories of a group get when loading it failed on
// another's request.
var errLoadFailed = errors.New("loading the territories of the list failed")

// group records the territories of a list returned together.
func group[T any](ctx context.Context, items []T, terr func(T) *ent.Territory) {
	ts := make([]*ent.Territory, 0, len(items))
	for _, it := range items {
		if t := terr(it); t != nil {
			ts = append(ts, t)
		}
	}
	loadersFrom(ctx).group(ts)
}

// groupList groups a list of territories as it is returned.
func groupList(ctx context.Context) func([]*ent.Territory, error) ([]*ent.Territory, error) {
	return func(ts []*ent.Territory, err error) ([]*ent.Territory, error) {
		if err == nil {
			loadersFrom(ctx).group(ts)
		}
		return ts, err
	}
}

// groupConnection groups the territories of a page as it is returned.
func groupConnection(ctx context.Context) func(*ent.TerritoryConnection, error) (*ent.TerritoryConnection, error) {
	return func(c *ent.TerritoryConnection, err error) (*ent.TerritoryConnection, error) {
		if err == nil {
			group(ctx, c.Edges, func(e *ent.TerritoryEdge) *ent.Territory { return e.Node })
		}
		return c, err
	}
}

// connection returns the page of t's children or descendants, loaded with the same page
// of every territory of t's group: a few statements for the whole group.
func (r *Resolver) connection(ctx context.Context, t *ent.Territory, p service.Page, a service.ConnArgs) (*ent.TerritoryConnection, error) {
	l := loadersFrom(ctx)
	if !p.Batchable() || l.conns == nil {
		return groupConnection(ctx)(countFromPage(ctx, p, func(ctx context.Context, p service.Page) (*ent.TerritoryConnection, error) {
			return r.svc.Connection(ctx, t.ID, p, a)
		}))
	}
	a.Columns = nodeSelect(ctx)
	k := a.Key(p)
	l.conns.mu.Lock()
	gl := l.conns.m[k]
	if gl == nil {
		gl = newGroupLoader(l, func(ctx context.Context, ids []int) (map[int]*ent.TerritoryConnection, error) {
			m, err := r.svc.Connections(ctx, ids, p, a)
			var shown []*ent.Territory
			for _, c := range m {
				for _, e := range c.Edges {
					shown = append(shown, e.Node)
				}
			}
			l.group(shown)
			return m, err
		})
		l.conns.m[k] = gl
	}
	l.conns.mu.Unlock()
	return gl.Load(ctx, t.ID)
}

// rollupLoaders holds one loader of roll-ups per filter and parts: the roll-ups of a
// list of territories (a page of the largest EPCI, a department's EPCI) are read
// together, in the statements of one.
type rollupLoaders struct {
	mu sync.Mutex
	m  map[rollupArgs]*groupLoader[*service.Rollup]
}

// rollupArgs are a roll-up's arguments: its filter, written out, and the parts read.
type rollupArgs struct {
	filter string
	parts  service.RollupParts
}

// rollup returns t's roll-up, loaded with those of t's group asking the same.
func (r *Resolver) rollup(ctx context.Context, t *ent.Territory, f *service.RollupFilter, parts service.RollupParts) (*service.Rollup, error) {
	l := loadersFrom(ctx)
	if l.rollups == nil { // outside an operation
		return r.svc.Rollup(ctx, t, f, parts)
	}
	k := rollupArgs{parts: parts}
	if f != nil {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("roll-up filter: %w", err)
		}
		k.filter = string(b)
	}
	l.rollups.mu.Lock()
	gl := l.rollups.m[k]
	if gl == nil {
		gl = newGroupLoader(l, func(ctx context.Context, ids []int) (map[int]*service.Rollup, error) {
			if len(ids) == 1 && ids[0] == t.ID {
				one, err := r.svc.Rollup(ctx, t, f, parts) // the territory at hand: not read again
				return map[int]*service.Rollup{t.ID: one}, err
			}
			return r.svc.Rollups(ctx, ids, f, parts)
		})
		l.rollups.m[k] = gl
	}
	l.rollups.mu.Unlock()
	return gl.Load(ctx, t.ID)
}
