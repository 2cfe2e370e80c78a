package graph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/graph/generated"
)

// TestPublishedSchemaIsCurrent: schema/published/schema.graphql, the file clients
// generate their types from and CI compares with the last release, is the schema the
// server executes. `go generate ./...` rewrites it (schema/print.go).
func TestPublishedSchemaIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../schema/published/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != graph.SDL() {
		t.Fatal("schema/published/schema.graphql is not the schema the server executes: run go generate ./... and commit it")
	}
}

// TestSDL: the printed schema is a valid schema that prints back to itself, carries none
// of gqlgen's directives, keeps the descriptions and deprecations clients read, and
// leaves the generated package's parsed schema as it was (it is shared by every server).
func TestSDL(t *testing.T) {
	before := printSchema(generated.NewExecutableSchema(generated.Config{}).Schema())
	sdl := graph.SDL()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		t.Fatalf("the printed schema does not load: %v", err)
	}
	if again := printSchema(s); again != sdl {
		t.Error("the printed schema, loaded and printed again, differs")
	}
	for _, d := range []string{"@goModel", "@goField", "directive @go"} {
		if strings.Contains(sdl, d) {
			t.Errorf("the printed schema carries gqlgen's %s", d)
		}
	}
	if !strings.Contains(before, "@goModel") {
		t.Error("the executable schema has no @goModel: this test no longer checks that they are left out")
	}
	if after := printSchema(generated.NewExecutableSchema(generated.Config{}).Schema()); after != before {
		t.Error("printing the schema changed the executable schema")
	}
	if q := s.Query; q == nil || q.Fields.ForName("territory") == nil || q.Fields.ForName("territory").Description == "" {
		t.Error("Query.territory is missing or has lost its description")
	}
}

func printSchema(s *ast.Schema) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(s)
	return b.String()
}
