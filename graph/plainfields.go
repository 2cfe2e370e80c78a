package graph

import (
	"fmt"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
)

// plainFieldSkips lists the field middlewares the server may run, by Go type, each with
// why it has nothing to do for a plain field: the generated server marshals plain fields
// (internal/gqlgen's plainField: a scalar or an enum read from a field of the object's
// Go struct, with no resolver, argument or directive) without running the field
// middlewares. NewServer panics on a field middleware in its options that is not listed,
// and TestFieldMiddlewares fails on one that the server or Execute installs: a new field
// middleware is listed here with its reason, or, if it must see plain fields too,
// internal/gqlgen stops marshalling them directly.
var plainFieldSkips = map[string]string{
	"github.com/cop-territoriales/cop-api/graph.resolverErrors": "it wraps the errors resolvers return; reading a struct field returns none",
	"github.com/cop-territoriales/cop-api/httpapi.tracing":      "it spans resolvers only (FieldContext.IsResolver), which a plain field is not",
}

// mustSkipPlainFields panics if e is a field middleware not in plainFieldSkips.
func mustSkipPlainFields(e graphql.HandlerExtension) {
	if _, ok := e.(graphql.FieldInterceptor); !ok {
		return
	}
	if name := typeName(reflect.TypeOf(e)); plainFieldSkips[name] == "" {
		panic(fmt.Sprintf("graph: field middleware %s (%s) not in plainFieldSkips: plain fields do not run it", name, e.ExtensionName()))
	}
}

// typeName names a Go type (a pointer by the type it points to) by its package's path.
func typeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() + "." + t.Name()
}
