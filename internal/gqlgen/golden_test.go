package main

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"
)

var update = flag.Bool("update", false, "write the golden files of testdata/small")

// TestGolden generates the server of testdata/small, a gqlgen project of a few fields of
// each kind, into a temporary directory, and compares with the golden files of
// testdata/small: lists.go, and the functions the rewrite edits, those of the
// introspection types aside, as gqlgen writes them (stock.golden) and as edited
// (rewritten.golden). go test -run TestGolden -update writes them.
func TestGolden(t *testing.T) {
	dir, err := filepath.Abs("testdata/small")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg.Exec.Filename = filepath.Join(out, "generated.go")
	cfg.Model = config.PackageConfig{} // the models are testdata/small/model: none to generate
	e, err := generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_Shelf_id", "_Shelf_name", "_Shelf_color", "_Shelf_note", "_Book_title"} {
		if !e.plain[name] {
			t.Errorf("%s not plain", name)
		}
	}
	for _, name := range []string{"_Shelf_books", "_Shelf_colors", "_Shelf_count", "_Query_shelves"} {
		if e.plain[name] {
			t.Errorf("%s plain", name)
		}
	}
	stock, err := os.ReadFile(cfg.Exec.Filename)
	if err != nil {
		t.Fatal(err)
	}
	if err := rewriteFile(cfg.Exec.Filename, e); err != nil {
		t.Fatal(err)
	}
	rewritten, err := os.ReadFile(cfg.Exec.Filename)
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join(out, "lists.go"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(dir, "lists.go.golden"), table)
	golden(t, filepath.Join(dir, "stock.golden"), edited(t, stock, e, false))
	golden(t, filepath.Join(dir, "rewritten.golden"), edited(t, rewritten, e, true))
}

// edited returns, from the generated server src, the functions that e edits, in the
// order of the file, those of the introspection types (__Type...) aside; and its imports
// when imports is set.
func edited(t *testing.T, src []byte, e edits, imports bool) []byte {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n, want := 0, 0
	for _, set := range []map[string]bool{e.plain, e.objects, keys(e.slices)} {
		for name := range set {
			if !strings.Contains(name, "__") {
				want++
			}
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if !imports || d.Tok != token.IMPORT {
				continue
			}
		case *ast.FuncDecl:
			name := d.Name.Name
			_, slice := e.slices[name]
			if !e.plain[name] && !slice && !e.objects[name] || strings.Contains(name, "__") {
				continue
			}
			n++
		}
		b.Write(src[fset.Position(d.Pos()).Offset:fset.Position(d.End()).Offset])
		b.WriteString("\n\n")
	}
	if n != want {
		t.Errorf("%d functions edited found, want %d", n, want)
	}
	return b.Bytes()
}

func keys(m map[string]string) map[string]bool {
	set := map[string]bool{}
	for k := range m {
		set[k] = true
	}
	return set
}

func golden(t *testing.T, filename string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(filename, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(filename)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run TestGolden -update writes it): got\n%s", filepath.Base(filename), got)
	}
}
