package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/cop-territoriales/cop-api/ent"
)

// Page sizes of every connection: a page is never unbounded.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// page is the pagination arguments of a connection, checked.
type page struct {
	after, before *entgql.Cursor[int]
	first, last   *int
}

// checkPage refuses negative or too large page sizes and defaults to the first
// DefaultPageSize elements when neither first nor last is given.
func checkPage(after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (page, error) {
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", first}, {"last", last}} {
		if a.v != nil && (*a.v < 0 || *a.v > MaxPageSize) {
			return page{}, badInput("%s must be between 0 and %d, got %d", a.name, MaxPageSize, *a.v)
		}
	}
	if first == nil && last == nil {
		n := DefaultPageSize
		first = &n
	}
	return page{after: after, before: before, first: first, last: last}, nil
}

// territories runs q as a page of territories, and groups them for the loaders.
func (p page) territories(ctx context.Context, q *ent.TerritoryQuery, orderBy []*ent.TerritoryOrder, where *ent.TerritoryWhereInput) (*ent.TerritoryConnection, error) {
	c, err := q.Paginate(ctx, p.after, p.first, p.before, p.last,
		ent.WithTerritoryOrder(orderBy), ent.WithTerritoryFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	nodes := make([]*ent.Territory, len(c.Edges))
	for i, e := range c.Edges {
		nodes[i] = e.Node
	}
	loadersFrom(ctx).group(nodes)
	return c, nil
}
