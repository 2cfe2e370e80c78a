package graph

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
)

// TestFieldMiddlewares checks that every field middleware the server and Execute install
// is one plain fields may skip (plainFieldSkips), reading what gqlgen's executor holds.
func TestFieldMiddlewares(t *testing.T) {
	srv := NewServer(nil, nil, DefaultOptions())
	exec := reflect.ValueOf(srv).Elem().FieldByName("exec")
	if !exec.IsValid() || exec.Type() != reflect.TypeFor[*executor.Executor]() {
		t.Fatal("handler.Server holds no exec *executor.Executor: has gqlgen changed?")
	}
	for _, tc := range []struct {
		name string
		exec reflect.Value
	}{
		{"NewServer", exec},
		{"Execute", reflect.ValueOf(newExecutor(nil))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := fieldMiddlewares(t, tc.exec)
			if !slices.Contains(names, "github.com/cop-territoriales/cop-api/graph.resolverErrors") {
				t.Errorf("field middlewares %v, resolverErrors not among them", names)
			}
			if bad := unlisted(names); len(bad) > 0 {
				t.Errorf("field middlewares not in plainFieldSkips, which plain fields do not run: %v", bad)
			}
		})
	}

	t.Run("a field middleware added is caught", func(t *testing.T) {
		srv := NewServer(nil, nil, DefaultOptions())
		srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) })
		names := fieldMiddlewares(t, reflect.ValueOf(srv).Elem().FieldByName("exec"))
		if bad := unlisted(names); len(bad) != 1 {
			t.Errorf("unlisted field middlewares %v, want gqlgen's AroundFields one", bad)
		}
	})

	t.Run("NewServer refuses a field middleware not listed", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "graph.countFields") {
				t.Errorf("NewServer did not panic naming countFields: %v", r)
			}
		}()
		opts := DefaultOptions()
		opts.Extensions = append(opts.Extensions, countFields{})
		NewServer(nil, nil, opts)
	})
}

// fieldMiddlewares returns the type names of the extensions of exec, an
// *executor.Executor, that intercept fields: gqlgen keeps them in its unexported
// extensions.
func fieldMiddlewares(t *testing.T, exec reflect.Value) []string {
	t.Helper()
	exts := exec.Elem().FieldByName("extensions")
	if !exts.IsValid() || exts.Type() != reflect.TypeFor[[]graphql.HandlerExtension]() {
		t.Fatal("executor.Executor holds no extensions []graphql.HandlerExtension: has gqlgen changed?")
	}
	var names []string
	for i := range exts.Len() {
		if e := exts.Index(i).Elem(); e.Type().Implements(reflect.TypeFor[graphql.FieldInterceptor]()) {
			names = append(names, typeName(e.Type()))
		}
	}
	return names
}

func unlisted(names []string) []string {
	var bad []string
	for _, name := range names {
		if plainFieldSkips[name] == "" {
			bad = append(bad, name)
		}
	}
	return bad
}

// countFields is a field middleware not in plainFieldSkips.
type countFields struct{}

func (countFields) ExtensionName() string                   { return "CountFields" }
func (countFields) Validate(graphql.ExecutableSchema) error { return nil }

func (countFields) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return next(ctx)
}
