package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxFields bounds the fields an operation selects, aliases and fragments expanded: a
// thousand aliases of one field cost little each but much together.
const MaxFields = 500

// MaxDepth bounds how deeply an operation may nest fields. The deepest useful query (a
// region's page through departments, EPCI, their parents and ancestors) stays well below.
const MaxDepth = 15

// CodeTooComplex refuses an operation over the limits.
const CodeTooComplex = "QUERY_TOO_COMPLEX"

// depthLimit refuses operations nested deeper than max, or selecting more than
// maxFields fields, before they run.
type depthLimit struct{ max, maxFields int }

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
	if n := fieldCount(oc.Operation.SelectionSet, oc.Doc.Fragments, d.maxFields+1); d.maxFields > 0 && n > d.maxFields {
		err := gqlerror.Errorf("operation selects more than %d fields", d.maxFields)
		err.Extensions = map[string]any{"code": CodeTooComplex}
		return err
	}
	return nil
}

// fieldCount counts the fields of a selection set, fragments expanded, stopping at limit.
func fieldCount(set ast.SelectionSet, frags ast.FragmentDefinitionList, limit int) int {
	n := 0
	for _, sel := range set {
		if n >= limit {
			return n
		}
		switch s := sel.(type) {
		case *ast.Field:
			n += 1 + fieldCount(s.SelectionSet, frags, limit-n)
		case *ast.InlineFragment:
			n += fieldCount(s.SelectionSet, frags, limit-n)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				n += fieldCount(f.SelectionSet, frags, limit-n)
			}
		}
	}
	return n
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
