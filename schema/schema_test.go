package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestEveryFieldIsDescribed parses schema/*.graphql and fails on any output field or
// argument without a description: what GraphiQL and generated clients show is the
// documentation of the API. Descriptions of ent's types come from the ent schema's
// comments (ent.graphql is generated from them).
func TestEveryFieldIsDescribed(t *testing.T) {
	files, err := filepath.Glob("*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	var srcs []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &ast.Source{Name: f, Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || (def.Kind != ast.Object && def.Kind != ast.Interface) || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, name+"."+f.Name+" ("+f.Position.Src.Name+")")
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+":) ("+f.Position.Src.Name+")")
				}
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d output fields or arguments have no description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
