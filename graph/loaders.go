package graph

import (
	"context"
	"net/http"
	"sync"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/hierarchy"
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
}

type loadersKey struct{}

// withLoaders gives each request its own loaders: their caches never outlive a request.
func withLoaders(client *ent.Client, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := &loaders{groups: map[int][]int{}}
		l.parents = newGroupLoader(l, fetchParents(client, l))
		l.ancestors = newGroupLoader(l, fetchAncestors(client, l))
		l.conns = &connLoaders{m: map[string]*groupLoader[*ent.TerritoryConnection]{}}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, l)))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	// Outside an HTTP request (direct schema execution): loaders without groups.
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

	vals, err := g.fetch(ctx, ids)
	for x, p := range mine {
		p.v, p.err = vals[x], err
		close(p.done)
	}
	p := mine[id]
	return p.v, p.err
}

// fetchParents loads the memberships of many territories with their parents: two
// statements for any number of territories.
func fetchParents(client *ent.Client, l *loaders) func(context.Context, []int) (map[int][]*ent.Membership, error) {
	return func(ctx context.Context, ids []int) (map[int][]*ent.Membership, error) {
		ms, err := client.Membership.Query().Where(membership.ChildIDIn(ids...)).WithParent().All(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[int][]*ent.Membership, len(ids))
		parents := make([]*ent.Territory, 0, len(ms))
		for _, m := range ms {
			out[m.ChildID] = append(out[m.ChildID], m)
			parents = append(parents, m.Edges.Parent)
		}
		for _, id := range ids {
			list := out[id]
			if list == nil {
				list = []*ent.Membership{}
			}
			sortByKey(list, func(m *ent.Membership) *ent.Territory { return m.Edges.Parent })
			out[id] = list
		}
		l.group(parents)
		return out, nil
	}
}

// fetchAncestors loads the ancestors of many territories: two statements.
func fetchAncestors(client *ent.Client, l *loaders) func(context.Context, []int) (map[int][]*ent.Territory, error) {
	return func(ctx context.Context, ids []int) (map[int][]*ent.Territory, error) {
		rows, err := client.Ancestry.Query().
			Where(ancestry.TerritoryIDIn(ids...), ancestry.DepthGT(0)).
			WithAncestor().All(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[int][]*ent.Territory, len(ids))
		all := make([]*ent.Territory, 0, len(rows))
		for _, a := range rows {
			out[a.TerritoryID] = append(out[a.TerritoryID], a.Edges.Ancestor)
			all = append(all, a.Edges.Ancestor)
		}
		for _, id := range ids {
			list := out[id]
			if list == nil {
				list = []*ent.Territory{}
			}
			sortByKey(list, func(t *ent.Territory) *ent.Territory { return t })
			out[id] = list
		}
		l.group(all)
		return out, nil
	}
}

// sortByKey orders items by the level (largest first) then code of a territory.
func sortByKey[T any](items []T, terr func(T) *ent.Territory) {
	keys := make([]hierarchy.Key, len(items))
	idx := map[hierarchy.Key]T{}
	for i, it := range items {
		t := terr(it)
		keys[i] = hierarchy.Key{Level: hierarchy.Level(t.Level), Code: t.Code}
		idx[keys[i]] = it
	}
	hierarchy.SortKeys(keys)
	for i, k := range keys {
		items[i] = idx[k]
	}
}
