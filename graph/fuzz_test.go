package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
)

// FuzzGraphQL posts arbitrary operations and variables to the endpoint: no panic, no 5xx,
// always a JSON answer, and no internal error for anything a client can send.
func FuzzGraphQL(f *testing.F) {
	for _, q := range []string{
		`{ territory(level: EPCI, code: "243500139") { name ancestors { code } } }`,
		`{ territories(first: 3, where: {level: REGION}) { edges { node { name children { totalCount } } } } }`,
		`{ searchTerritories(text: "st malo") { code } }`,
		`query($n: Int) { territories(first: $n) { totalCount } }`,
		`mutation { createAction(input: {title: "x"}) { id } }`,
		`{ territory(level: REGION, code: "53") { rollup { budget } breakdown(lever: "x", level: EPCI) { unit } } }`,
		`{ __schema { types { name } } }`,
	} {
		f.Add(q, `{"n": 2}`)
	}
	db := testdb.Loaded(f, testdb.SQLite)
	a := newAPI(f, db)
	f.Fuzz(func(t *testing.T, query, variables string) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": json.RawMessage(validJSON(variables))})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body.String())
		}
		var r response
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("not JSON for %q: %s", query, rec.Body.String())
		}
		for _, e := range r.Errors {
			if e.code() == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("internal error for %q %s", query, variables)
			}
		}
	})
}

// validJSON keeps variables that are a JSON object, and replaces anything else by null.
func validJSON(s string) string {
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return "null"
	}
	return s
}
