package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cop-territoriales/cop-api/service"
)

// countFromPage pages a connection without a separate COUNT: a first (or last) page
// without a cursor, which is what a dashboard asks most (the 53 objectives of a region in
// a page of 100, the 100 largest EPCI), gets its total count in the page's own statement
// (service.Page.Counted). page runs the service's query. Pages with a cursor are counted
// by ent's pagination, with a COUNT.
func countFromPage[C any](ctx context.Context, p service.Page, page func(context.Context, service.Page) (C, error)) (C, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || p.After != nil || p.Before != nil || (p.First != nil && *p.First == 0) || (p.Last != nil && *p.Last == 0) {
		return page(ctx, p)
	}
	sel, wantTotal, ok := withoutCounts(ctx, fc)
	if !ok {
		return page(ctx, p)
	}
	inner := *fc
	inner.Field = graphql.CollectedField{Field: fc.Field.Field, Selections: sel}
	p.Counted = wantTotal
	return page(graphql.WithFieldContext(ctx, &inner), p)
}

// withoutCounts returns the selection of the connection being resolved without
// totalCount and pageInfo, which make ent's pagination count the rows: the page query
// tells pageInfo anyway. ok is false when the edges are not asked (ent then only counts).
// The selections made are kept for the rest of the operation: gqlgen caches collected
// fields by the address of a selection set.
func withoutCounts(ctx context.Context, fc *graphql.FieldContext) (sel ast.SelectionSet, wantTotal, ok bool) {
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		switch f.Alias { // ent's pagination looks fields up by alias
		case "totalCount":
			wantTotal = true
			continue
		case "pageInfo":
			continue
		case "edges":
			ok = true
		}
		field := *f.Field
		field.SelectionSet = f.Selections
		sel = append(sel, &field)
	}
	if !ok {
		return nil, false, false
	}
	loadersFrom(ctx).keep(fc.Field.Field, &sel)
	return sel, wantTotal, true
}

// selections keeps selection sets made during an operation alive until it ends.
type selections struct {
	mu   sync.Mutex
	sets map[*ast.Field]*ast.SelectionSet
}

// keep keeps sel for the operation; a field resolved again gets the set made the first
// time.
func (l *loaders) keep(f *ast.Field, sel *ast.SelectionSet) {
	l.selections.mu.Lock()
	defer l.selections.mu.Unlock()
	if l.selections.sets == nil {
		l.selections.sets = map[*ast.Field]*ast.SelectionSet{}
	}
	if old, ok := l.selections.sets[f]; ok {
		*sel = *old
		return
	}
	l.selections.sets[f] = sel
}
