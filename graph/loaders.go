package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// loaders batch the per-territory lists that nested queries ask for, so that a list of
// n territories costs the same number of statements as one territory.
type loaders struct {
	parents   *dataloadgen.Loader[int, []*ent.Membership]
	ancestors *dataloadgen.Loader[int, []*ent.Territory]
}

type loadersKey struct{}

// withLoaders gives each request its own loaders: their caches never outlive a request.
func withLoaders(client *ent.Client, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := &loaders{
			parents:   dataloadgen.NewLoader(parentsFetcher(client), dataloadgen.WithWait(time.Millisecond)),
			ancestors: dataloadgen.NewLoader(ancestorsFetcher(client), dataloadgen.WithWait(time.Millisecond)),
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, l)))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// parentsFetcher loads the memberships of many territories with their parents: two
// statements for any number of territories.
func parentsFetcher(client *ent.Client) func(context.Context, []int) ([][]*ent.Membership, []error) {
	return func(ctx context.Context, ids []int) ([][]*ent.Membership, []error) {
		ms, err := client.Membership.Query().Where(membership.ChildIDIn(ids...)).WithParent().All(ctx)
		if err != nil {
			return nil, []error{err}
		}
		byChild := map[int][]*ent.Membership{}
		for _, m := range ms {
			byChild[m.ChildID] = append(byChild[m.ChildID], m)
		}
		out := make([][]*ent.Membership, len(ids))
		for i, id := range ids {
			list := byChild[id]
			sortByKey(list, func(m *ent.Membership) *ent.Territory { return m.Edges.Parent })
			out[i] = list
		}
		return out, nil
	}
}

// ancestorsFetcher loads the ancestors of many territories: two statements.
func ancestorsFetcher(client *ent.Client) func(context.Context, []int) ([][]*ent.Territory, []error) {
	return func(ctx context.Context, ids []int) ([][]*ent.Territory, []error) {
		rows, err := client.Ancestry.Query().
			Where(ancestry.TerritoryIDIn(ids...), ancestry.DepthGT(0)).
			WithAncestor().All(ctx)
		if err != nil {
			return nil, []error{err}
		}
		byID := map[int][]*ent.Territory{}
		for _, a := range rows {
			byID[a.TerritoryID] = append(byID[a.TerritoryID], a.Edges.Ancestor)
		}
		out := make([][]*ent.Territory, len(ids))
		for i, id := range ids {
			list := byID[id]
			sortByKey(list, func(t *ent.Territory) *ent.Territory { return t })
			if list == nil {
				list = []*ent.Territory{}
			}
			out[i] = list
		}
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
