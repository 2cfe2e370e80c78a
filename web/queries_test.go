package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	js := staticFiles(t)["js/queries.js"]
	consts := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)const ([A-Z_]+) = `(.*?)`;").FindAllStringSubmatch(js, -1) {
		consts[m[1]] = m[2]
	}
	n := 0
	for name, text := range consts {
		if !strings.HasPrefix(text, "query") {
			continue
		}
		text = regexp.MustCompile(`\$\{([A-Z_]+)\}`).ReplaceAllStringFunc(text, func(s string) string { return consts[s[2:len(s)-1]] })
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
