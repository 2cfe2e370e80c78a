package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cop-territoriales/cop-api/ent/territory"
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
		if f.Name == "edges" && fc.Field.Definition != nil && fc.Field.Definition.Type.Name() == "TerritoryConnection" {
			field.SelectionSet = territoryColumnsOnly(oc, f.Selections)
		}
		sel = append(sel, &field)
	}
	if !ok {
		return nil, false, false
	}
	loadersFrom(ctx).keep(fc.Field.Field, &sel)
	return sel, wantTotal, true
}

// territoryColumns maps the fields of Territory read from its own columns to those
// columns; every other field has a resolver.
var territoryColumns = map[string]string{"id": territory.FieldID, "__typename": "", "level": territory.FieldLevel,
	"code": territory.FieldCode, "name": territory.FieldName, "population": territory.FieldPopulation,
	"nature": territory.FieldNature, "siren": territory.FieldSiren, "postalCodes": territory.FieldPostalCodes}

// baseColumns are the columns the resolvers of a territory's other fields read (a
// ranking its population, a roll-up its level), and those lists are ordered by. A
// territory looked up by its code and a batched page of children read them always; a
// page of territories when one of those fields is asked (territoryColumnsOnly). The
// others (nature, siren, the postal codes, the search key nobody shows) are read only
// when a field shows them.
var baseColumns = []string{territory.FieldLevel, territory.FieldCode, territory.FieldName, territory.FieldPopulation}

// territorySelect returns the columns a selection on a territory reads: the base
// columns and those of the fields selected. Fragments and @skip/@include count.
func territorySelect(oc *graphql.OperationContext, sel ast.SelectionSet) []string {
	cols := append([]string(nil), baseColumns...)
	for _, f := range graphql.CollectFields(oc, sel, territoryImplementors) {
		if c := territoryColumns[f.Name]; c != "" && c != territory.FieldID && !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	return cols
}

// territoryFieldColumns returns the columns the territory being resolved reads, nil
// outside an operation.
func territoryFieldColumns(ctx context.Context) []string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	return territorySelect(graphql.GetOperationContext(ctx), fc.Field.Selections)
}

// territoryImplementors are the types a Territory satisfies, as the generated server
// collects its fields.
var territoryImplementors = []string{"Territory", "Node"}

// nodeSelect returns the columns the nodes of a page of territories read, from the
// selection of the connection being resolved.
func nodeSelect(ctx context.Context) []string {
	fields, ok := fieldsAt(ctx, "edges")
	if !ok {
		return nil
	}
	var node ast.SelectionSet
	for _, f := range fields {
		if f.Name == "node" {
			node = append(node, f.Selections...)
		}
	}
	return territorySelect(graphql.GetOperationContext(ctx), node)
}

// territoryColumnsOnly returns the selection of a page's edges with, in place of the
// fields of each node that have a resolver (parents, rollup...), the base columns such
// resolvers read: ent's pagination reads only the columns of the fields it is given, but
// every column, the search key and the postal codes too, as soon as one field is not a
// column.
func territoryColumnsOnly(oc *graphql.OperationContext, edges ast.SelectionSet) ast.SelectionSet {
	var out ast.SelectionSet
	for _, e := range graphql.CollectFields(oc, edges, nil) {
		field := *e.Field
		field.SelectionSet = e.Selections
		if e.Name == "node" {
			field.SelectionSet = nil
			resolved := false
			for _, n := range graphql.CollectFields(oc, e.Selections, territoryImplementors) {
				if _, ok := territoryColumns[n.Name]; !ok {
					resolved = true
					continue
				}
				f := *n.Field
				f.SelectionSet = n.Selections
				field.SelectionSet = append(field.SelectionSet, &f)
			}
			if resolved { // the base columns' fields are named as the columns
				for _, name := range baseColumns {
					field.SelectionSet = append(field.SelectionSet, &ast.Field{Name: name, Alias: name})
				}
			}
		}
		out = append(out, &field)
	}
	return out
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
