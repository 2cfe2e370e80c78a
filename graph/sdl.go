package graph

import (
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/cop-territoriales/cop-api/graph/generated"
)

// SDL is the schema the server executes, printed by gqlparser's formatter: what
// /graphql/schema.graphql serves, what `go generate` writes to
// schema/published/schema.graphql, and what a release of schema/releases/ records. It
// is printed from the executable schema rather than concatenated from schema/*.graphql
// so that it is the contract the running server keeps, in one canonical order (types and
// directives sorted by name), whatever file a type is written in.
//
// gqlgen's own directives (@goModel, @goField, ...) are left out: they say which Go type
// serves a GraphQL type, which is no business of a client's, and moving a type in Go
// would otherwise read as a change of the contract.
func SDL() string {
	sdlOnce.Do(func() {
		var b strings.Builder
		formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(publicSchema(generated.NewExecutableSchema(generated.Config{}).Schema()))
		sdl = b.String()
	})
	return sdl
}

var (
	sdlOnce sync.Once
	sdl     string
)

// serverDirectives are gqlgen's directives: instructions to its code generator, not
// part of the API.
var serverDirectives = map[string]bool{
	"goModel": true, "goField": true, "goTag": true, "goExtraField": true, "goEnum": true,
}

// publicSchema returns a copy of s without serverDirectives, neither their definitions
// nor their uses. s is the generated package's parsed schema, shared by every server:
// every node changed is copied first, never written in place.
func publicSchema(s *ast.Schema) *ast.Schema {
	out := *s
	out.Directives = make(map[string]*ast.DirectiveDefinition, len(s.Directives))
	for name, d := range s.Directives {
		if !serverDirectives[name] {
			out.Directives[name] = d
		}
	}
	out.Types = make(map[string]*ast.Definition, len(s.Types))
	for name, def := range s.Types {
		d := *def
		d.Directives = publicDirectives(def.Directives)
		d.Fields = make(ast.FieldList, len(def.Fields))
		for i, f := range def.Fields {
			fc := *f
			fc.Directives = publicDirectives(f.Directives)
			fc.Arguments = make(ast.ArgumentDefinitionList, len(f.Arguments))
			for j, a := range f.Arguments {
				ac := *a
				ac.Directives = publicDirectives(a.Directives)
				fc.Arguments[j] = &ac
			}
			d.Fields[i] = &fc
		}
		d.EnumValues = make(ast.EnumValueList, len(def.EnumValues))
		for i, v := range def.EnumValues {
			vc := *v
			vc.Directives = publicDirectives(v.Directives)
			d.EnumValues[i] = &vc
		}
		out.Types[name] = &d
	}
	return &out
}

func publicDirectives(l ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range l {
		if !serverDirectives[d.Name] {
			out = append(out, d)
		}
	}
	return out
}
