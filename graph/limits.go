package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxDepth bounds how deeply an operation may nest fields. The deepest useful query (a
// region's page through departments, EPCI, their parents and ancestors) stays well below.
const MaxDepth = 15

// CodeTooComplex refuses an operation over the limits.
const CodeTooComplex = "QUERY_TOO_COMPLEX"

// depthLimit refuses operations nested deeper than max before they run.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); depth > d.max {
		err := gqlerror.Errorf("operation is nested %d levels deep, more than the %d allowed", depth, d.max)
		err.Extensions = map[string]any{"code": CodeTooComplex}
		return err
	}
	return nil
}

// selectionDepth is the depth of the deepest field of a selection set, following
// fragments (a fragment cycle is a validation error caught before, but visits are
// bounded anyway).
func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, visits int) int {
	if visits > 1000 {
		return visits
	}
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + selectionDepth(s.SelectionSet, frags, visits+1)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, visits+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, visits+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
