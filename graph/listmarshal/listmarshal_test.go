package listmarshal

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	type Query { rows: [Row!]! }
	type Row { code: String! figures: [Figure!]! territory: Territory }
	type Figure { value: Float! }
	type Territory implements Node { id: ID! code: String! parents: [Territory!]! }
	interface Node { id: ID! }`})

var lists = &Schema{
	Concurrent:   map[string]map[string]bool{"Row": {}, "Figure": {}, "Territory": {"parents": true}},
	Implementors: map[string][]string{"Row": {"Row"}, "Figure": {"Figure"}, "Territory": {"Territory", "Node"}},
}

// rowsSelection returns the operation context and the selection under Query.rows.
func rowsSelection(t testing.TB, query string) (*graphql.OperationContext, ast.SelectionSet) {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if errs != nil {
		t.Fatal(errs)
	}
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	return oc, doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
}

func TestConcurrent(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{`{ rows { code figures { value } territory { code } } }`, false},
		{`{ rows { territory { parents { code } } } }`, true},
		{`{ rows { territory { ... on Node { ... on Territory { parents { code } } } } } }`, true},
		{`{ rows { territory { parents @skip(if: true) { code } code } } }`, false},
	} {
		oc, sel := rowsSelection(t, tc.query)
		if got := lists.concurrent(oc, sel, "Row", 0); got != tc.want {
			t.Errorf("%s: concurrent %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestSlice(t *testing.T) {
	oc, sel := rowsSelection(t, `{ rows { code } }`)
	ctx := graphql.WithOperationContext(context.Background(), oc)
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{})
	ret := lists.Slice(ctx, sel, "Row", 3, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(*graphql.GetFieldContext(ctx).Index)
	})
	var b bytes.Buffer
	ret.MarshalGQL(&b)
	if b.String() != "[0,null,2]" {
		t.Errorf("marshalled %s, want [0,null,2]", b.String())
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || !strings.Contains(errs[0].Message, "internal system error") {
		t.Errorf("errors %v, want the panic as one error", errs)
	}
}

// BenchmarkSlice compares marshalling 100 elements one after the other with gqlgen's one
// goroutine per element.
func BenchmarkSlice(b *testing.B) {
	oc, sel := rowsSelection(b, `{ rows { code figures { value } } }`)
	ctx := graphql.WithOperationContext(context.Background(), oc)
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{})
	marshal := func(ctx context.Context, i int) graphql.Marshaler { return graphql.MarshalInt(i) }
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			lists.Slice(ctx, sel, "Row", 100, marshal)
		}
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			graphql.MarshalSliceConcurrently(ctx, 100, 0, false, marshal)
		}
	})
}
