package httpapi

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestOutcome counts an operation whose client went away while it ran as canceled, not
// as an error of the server.
func TestOutcome(t *testing.T) {
	m := NewMetrics()
	run := func(name string, cancelWhileRunning bool, errs gqlerror.List) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{OperationName: name,
			Operation: &ast.OperationDefinition{Operation: ast.Query, Name: name}})
		m.InterceptResponse(ctx, func(context.Context) *graphql.Response {
			if cancelWhileRunning {
				cancel()
			}
			return &graphql.Response{Errors: errs}
		})
	}
	run("Page", false, nil)
	run("Broken", false, gqlerror.List{{Message: "internal error"}})
	run("Gone", true, gqlerror.List{{Message: "canceled"}})
	run("Done", true, nil) // answered in full before the client left
	var b bytes.Buffer
	m.write(&b)
	for _, want := range []string{
		`cop_graphql_operations_total{operation="Page",outcome="ok"} 1`,
		`cop_graphql_operations_total{operation="Broken",outcome="error"} 1`,
		`cop_graphql_operations_total{operation="Gone",outcome="canceled"} 1`,
		`cop_graphql_operations_total{operation="Done",outcome="ok"} 1`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}
