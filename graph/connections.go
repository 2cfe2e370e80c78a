package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/territory"
)

// MaxBatchedRows bounds the rows a batched children or descendants load may read; past
// it, each territory pages on its own.
const MaxBatchedRows = 20_000

// relation says which territories a connection lists under each territory of a group.
type relation int

const (
	children relation = iota
	descendants
)

// connArgs are a connection's arguments, the key under which a group's connections are
// loaded together: every territory of a list asking for children with the same arguments.
type connArgs struct {
	rel     relation
	level   *territory.Level
	first   *int
	last    *int
	orderBy []*ent.TerritoryOrder
	where   *ent.TerritoryWhereInput
}

func (a connArgs) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|", a.rel)
	if a.level != nil {
		b.WriteString(a.level.String())
	}
	if a.first != nil {
		fmt.Fprintf(&b, "|first %d", *a.first)
	}
	if a.last != nil {
		fmt.Fprintf(&b, "|last %d", *a.last)
	}
	for _, o := range a.orderBy {
		fmt.Fprintf(&b, "|%s %s", o.Field.String(), o.Direction)
	}
	w, _ := json.Marshal(a.where) // plain fields with JSON tags
	b.Write(w)
	return b.String()
}

// batchable reports whether a page can be cut from a group load: a first page, without
// cursors, and with first or last but not both.
func (p page) batchable() bool {
	return p.after == nil && p.before == nil && (p.first == nil) != (p.last == nil)
}

// connLoaders holds one loader per set of connection arguments.
type connLoaders struct {
	mu sync.Mutex
	m  map[string]*groupLoader[*ent.TerritoryConnection]
}

// connection returns the page of t's children or descendants, loaded with the same page
// of every territory of t's group: four statements for the whole group.
func (r *Resolver) connection(ctx context.Context, t *ent.Territory, p page, a connArgs) (*ent.TerritoryConnection, error) {
	l := loadersFrom(ctx)
	if !p.batchable() || l.conns == nil {
		return r.pageOne(ctx, t.ID, p, a)
	}
	a.first, a.last = p.first, p.last
	k := a.key()
	l.conns.mu.Lock()
	gl := l.conns.m[k]
	if gl == nil {
		gl = newGroupLoader(l, func(ctx context.Context, ids []int) (map[int]*ent.TerritoryConnection, error) {
			return r.loadConnections(ctx, ids, a)
		})
		l.conns.m[k] = gl
	}
	l.conns.mu.Unlock()
	return gl.Load(ctx, t.ID)
}

// pageOne pages the children or descendants of one territory.
func (r *Resolver) pageOne(ctx context.Context, id int, p page, a connArgs) (*ent.TerritoryConnection, error) {
	q := r.client.Territory.Query()
	if a.rel == children {
		q.Where(childrenOf(id, a.level))
	} else {
		q.Where(descendantsOf(id, a.level))
	}
	return p.territories(ctx, q, a.orderBy, a.where)
}

// loadConnections loads the pages of many territories: the links (one statement), then
// the territories linked, ordered (one statement, plus their loads when asked).
func (r *Resolver) loadConnections(ctx context.Context, ids []int, a connArgs) (map[int]*ent.TerritoryConnection, error) {
	var preds []predicate.Territory
	if a.level != nil {
		preds = append(preds, territory.LevelEQ(*a.level))
	}
	if a.where != nil {
		p, err := a.where.P()
		if err != nil {
			return nil, badInput("where: %v", err)
		}
		preds = append(preds, p)
	}
	type link struct{ parent, child int }
	var links []link
	if a.rel == children {
		var rows []struct {
			Parent int `json:"parent_id"`
			Child  int `json:"child_id"`
		}
		if err := r.client.Membership.Query().Where(membership.ParentIDIn(ids...), membership.HasChildWith(preds...)).
			Select(membership.FieldParentID, membership.FieldChildID).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, x := range rows {
			links = append(links, link{x.Parent, x.Child})
		}
	} else {
		var rows []struct {
			Parent int `json:"ancestor_id"`
			Child  int `json:"territory_id"`
		}
		if err := r.client.Ancestry.Query().Where(ancestry.AncestorIDIn(ids...), ancestry.DepthGT(0), ancestry.HasTerritoryWith(preds...)).
			Select(ancestry.FieldAncestorID, ancestry.FieldTerritoryID).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, x := range rows {
			links = append(links, link{x.Parent, x.Child})
		}
	}
	if len(links) > MaxBatchedRows {
		// Too many to hold at once: page each territory on its own.
		out := map[int]*ent.TerritoryConnection{}
		for _, id := range ids {
			c, err := r.pageOne(ctx, id, page{first: a.first, last: a.last}, a)
			if err != nil {
				return nil, err
			}
			out[id] = c
		}
		return out, nil
	}
	// Only the territories that will be shown are loaded.
	byParent := map[int][]int{}
	for _, l := range links {
		byParent[l.parent] = append(byParent[l.parent], l.child)
	}
	all := map[int]bool{}
	for _, l := range links {
		all[l.child] = true
	}
	childIDs := make([]int, 0, len(all))
	for id := range all {
		childIDs = append(childIDs, id)
	}
	// Ordered in SQL, as the pager orders, so that a batched first page ends where a
	// cursor continues it, whatever the database's collation.
	q := r.client.Territory.Query().Where(territory.IDIn(childIDs...))
	for _, o := range a.orderBy {
		q.Order(orderTerm(o))
	}
	nodes, err := q.Order(territory.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	rank := make(map[int]int, len(nodes))
	byID := make(map[int]*ent.Territory, len(nodes))
	for i, n := range nodes {
		byID[n.ID], rank[n.ID] = n, i
	}
	out := make(map[int]*ent.TerritoryConnection, len(ids))
	var shown []*ent.Territory
	for _, id := range ids {
		list := make([]*ent.Territory, 0, len(byParent[id]))
		for _, c := range byParent[id] {
			list = append(list, byID[c])
		}
		sort.Slice(list, func(i, j int) bool { return rank[list[i].ID] < rank[list[j].ID] })
		c := &ent.TerritoryConnection{TotalCount: len(list), Edges: []*ent.TerritoryEdge{}}
		switch {
		case a.first != nil && len(list) > *a.first:
			list, c.PageInfo.HasNextPage = list[:*a.first], true
		case a.last != nil && len(list) > *a.last:
			list, c.PageInfo.HasPreviousPage = list[len(list)-*a.last:], true
		}
		for _, n := range list {
			c.Edges = append(c.Edges, &ent.TerritoryEdge{Node: n, Cursor: cursorOf(n, a.orderBy)})
		}
		if n := len(c.Edges); n > 0 {
			c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
		}
		out[id] = c
		shown = append(shown, list...)
	}
	loadersFrom(ctx).group(shown)
	return out, nil
}

// orderValue is a territory's value for an order field, as entgql cursors hold it.
func orderValue(t *ent.Territory, f *ent.TerritoryOrderField) any {
	switch f.String() {
	case "NAME":
		return t.Name
	case "CODE":
		return t.Code
	case "POPULATION":
		return t.Population
	}
	return t.ID
}

// cursorOf builds the cursor entgql's pager gives a territory, so that a batched page can
// be continued with after: like any other.
func cursorOf(t *ent.Territory, orderBy []*ent.TerritoryOrder) entgql.Cursor[int] {
	vals := make([]any, len(orderBy))
	for i, o := range orderBy {
		vals[i] = orderValue(t, o.Field)
	}
	return entgql.Cursor[int]{ID: t.ID, Value: vals}
}

// orderTerm is the SQL order of an order field, as the pager applies it.
func orderTerm(o *ent.TerritoryOrder) territory.OrderOption {
	opt := sql.OrderAsc()
	if o.Direction == entgql.OrderDirectionDesc {
		opt = sql.OrderDesc()
	}
	switch o.Field.String() {
	case "NAME":
		return territory.ByName(opt)
	case "CODE":
		return territory.ByCode(opt)
	case "POPULATION":
		return territory.ByPopulation(opt)
	}
	return territory.ByID(opt)
}
