//go:build ignore

// trusted_gen writes trusted-documents.json, the manifest of the dashboard's operations
// (static/js/queries.js) and of the example TypeScript client's
// (../examples/typescript/operations.graphql, skipped while it does not exist): each
// document keyed by "sha256:" and its SHA-256 in hex. Run by go generate ./... in web/.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cop-territoriales/cop-api/web"
)

func main() {
	docs := map[string]string{}
	js, err := os.ReadFile("static/js/queries.js")
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range web.Operations(string(js)) {
		add(docs, op)
	}
	const examples = "../examples/typescript/operations.graphql"
	src, err := os.ReadFile(examples)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		log.Fatal(err)
	default:
		ops, err := split(examples, string(src))
		if err != nil {
			log.Fatal(err)
		}
		for _, op := range ops {
			add(docs, op)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(docs); err != nil { // keys sorted
		log.Fatal(err)
	}
	if err := os.WriteFile("trusted-documents.json", b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func add(docs map[string]string, doc string) {
	h := sha256.Sum256([]byte(doc))
	docs["sha256:"+hex.EncodeToString(h[:])] = doc
}

// split gives each operation of a file as a document of its own, with the fragments it
// spreads (transitively), printed by gqlparser's formatter: the text a client sends
// when it takes its operations from this file.
func split(name, src string) ([]string, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: src})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []string
	for _, op := range doc.Operations {
		one := &ast.QueryDocument{Operations: ast.OperationList{op}}
		seen := map[string]bool{}
		var walk func(ast.SelectionSet)
		walk = func(set ast.SelectionSet) {
			for _, s := range set {
				switch s := s.(type) {
				case *ast.Field:
					walk(s.SelectionSet)
				case *ast.InlineFragment:
					walk(s.SelectionSet)
				case *ast.FragmentSpread:
					if f := doc.Fragments.ForName(s.Name); f != nil && !seen[s.Name] {
						seen[s.Name] = true
						one.Fragments = append(one.Fragments, f)
						walk(f.SelectionSet)
					}
				}
			}
		}
		walk(op.SelectionSet)
		var b strings.Builder
		formatter.NewFormatter(&b).FormatQueryDocument(one)
		out = append(out, b.String())
	}
	return out, nil
}
