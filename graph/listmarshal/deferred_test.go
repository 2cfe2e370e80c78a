package listmarshal

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestDeferred(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "territory"}}})
	plain := graphql.CollectedField{Field: &ast.Field{Name: "code"}}
	deferred := graphql.CollectedField{Field: &ast.Field{Name: "rollup"}, Deferrables: []*graphql.Deferrable{{Label: "later"}}}
	for _, tc := range []struct {
		name   string
		fields []graphql.CollectedField
		group  bool
	}{
		{"no field", nil, false},
		{"plain fields", []graphql.CollectedField{plain, plain}, false},
		{"a deferred field", []graphql.CollectedField{plain, deferred}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Deferred(ctx, tc.fields)
			if got := g.FieldSet != nil && g.Defers != nil && g.Context != nil; got != tc.group {
				t.Errorf("group built: %v, want %v", got, tc.group)
			}
			if tc.group && g.Path.String() != "territory" {
				t.Errorf("group's path %q, want territory", g.Path.String())
			}
			if !tc.group && len(g.Defers) != 0 {
				t.Errorf("an empty group with %d deferred views", len(g.Defers))
			}
		})
	}
}
