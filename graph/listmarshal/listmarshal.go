// Package listmarshal marshals the lists of the generated GraphQL server. gqlgen marshals
// every element of a list of objects in its own goroutine, so that the resolvers under
// different elements run at the same time; when the operation selects no resolver under
// the elements (a row of figures, a territory's code and name), the goroutines only cost
// memory and scheduling, and the elements are marshalled one after the other instead.
// Each object marshalled likewise gets a group for its @defer'd fields only when it has
// one (Deferred), and is written without gqlgen's FieldSet when it has none (Object).
package listmarshal

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Schema tells, per GraphQL object type, which of its fields gqlgen resolves in their own
// goroutine (resolvers, methods taking a context) and which types it satisfies. The
// generated server holds one, written by go generate.
type Schema struct {
	// Concurrent lists, for every object type, its fields resolved concurrently (an
	// object type without any is present with none).
	Concurrent map[string]map[string]bool
	// Implementors lists, for every object type, the types it satisfies: itself and its
	// interfaces, as the generated code collects its fields.
	Implementors map[string][]string
}

// maxDepth bounds the walk of a selection; deeper ones are marshalled concurrently.
const maxDepth = 16

// Slice marshals the n elements of a list whose elements are of GraphQL type typ with
// selection sel: with gqlgen's MarshalSliceConcurrently when a field resolved
// concurrently is selected under them, else one after the other, each with its own field
// context and panic handler as gqlgen gives them.
func (s *Schema) Slice(ctx context.Context, sel ast.SelectionSet, typ string, n int, marshal func(context.Context, int) graphql.Marshaler) graphql.Array {
	if n < 2 || s.concurrent(graphql.GetOperationContext(ctx), sel, typ, 0) {
		return graphql.MarshalSliceConcurrently(ctx, n, 0, false, marshal)
	}
	ret := make(graphql.Array, n)
	for i := range n {
		ctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		ret[i] = marshalOne(ctx, i, marshal)
	}
	return ret
}

func marshalOne(ctx context.Context, i int, marshal func(context.Context, int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// concurrent reports whether sel, a selection on type typ, selects a field resolved
// concurrently, at any depth. Interfaces and unions count as concurrent.
func (s *Schema) concurrent(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, depth int) bool {
	fields, ok := s.Concurrent[typ]
	if !ok {
		_, object := s.Implementors[typ]
		return !object && len(sel) > 0 // an interface or a union; scalars have no selection
	}
	if depth > maxDepth {
		return true
	}
	for _, f := range graphql.CollectFields(oc, sel, s.Implementors[typ]) {
		if fields[f.Name] {
			return true
		}
		if len(f.Selections) > 0 && f.Definition != nil &&
			s.concurrent(oc, f.Selections, f.Definition.Type.Name(), depth+1) {
			return true
		}
	}
	return false
}
