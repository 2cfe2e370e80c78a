package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// TestQueriesMatchTheSchema validates every operation of static/js/queries.js against
// schema/*.graphql, so that a change of the API that would break the dashboard fails here
// rather than in a browser.
func TestQueriesMatchTheSchema(t *testing.T) {
	files, err := filepath.Glob("../schema/*.graphql")
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
	schema, err := gqlparser.LoadSchema(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, text := range Operations(staticFiles(t)["js/queries.js"]) {
		doc, errs := gqlparser.LoadQueryWithRules(schema, text, nil)
		if errs != nil {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if errs := validator.ValidateWithRules(schema, doc, nil); errs != nil {
			t.Errorf("%s: %v", name, errs)
		}
		n++
	}
	if n < 8 {
		t.Errorf("validated %d operations of queries.js, want every one (at least 8)", n)
	}
}

// TestTrustedDocumentsListTheDashboard: every operation of queries.js is in the embedded
// manifest under the SHA-256 the browser computes of it, so that the dashboard works on a
// server that runs listed documents only. (CI's check of generated files holds the whole
// manifest to trusted_gen.go.)
func TestTrustedDocumentsListTheDashboard(t *testing.T) {
	var manifest map[string]string
	if err := json.Unmarshal(TrustedDocuments(), &manifest); err != nil {
		t.Fatalf("trusted-documents.json: %v", err)
	}
	ops := Operations(staticFiles(t)["js/queries.js"])
	if len(ops) < 8 {
		t.Fatalf("%d operations in queries.js, want every one (at least 8)", len(ops))
	}
	for name, text := range ops {
		h := sha256.Sum256([]byte(text))
		if got, ok := manifest["sha256:"+hex.EncodeToString(h[:])]; !ok || got != text {
			t.Errorf("%s is not in trusted-documents.json under its SHA-256: run go generate ./...", name)
		}
	}
}
