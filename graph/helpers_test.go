package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testdb.Cleanup()
	os.Exit(code)
}

// gqlError is an error as clients receive it.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string { s, _ := e.Extensions["code"].(string); return s }

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	status int
}

// writeToken stands for an admin API key: a request sent with it carries a real admin key
// created in the test's database.
const writeToken = "admin-key-of-the-test-database"

// newKey creates an API key in db and returns it.
func newKey(t testing.TB, db *store.DB, org string, level hierarchy.Level, code string, role access.Role) string {
	t.Helper()
	key, _, err := store.CreateKey(context.Background(), db.Client, org, hierarchy.Key{Level: level, Code: code}, role)
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return key
}

// api posts GraphQL operations to the real handler over one database.
type api struct {
	t        testing.TB
	db       *store.DB
	h        http.Handler
	token    string // sent as a bearer token when not empty
	adminKey string
}

func newAPI(t testing.TB, db *store.DB) *api {
	opts := graph.DefaultOptions()
	opts.RatePerSecond = 0 // tests and benchmarks send many requests from one address
	return &api{t: t, db: db, h: graph.NewMux(db.Client, opts)}
}

// raw posts a body as it is and decodes the response.
func (a *api) raw(method, contentType, body string) response {
	a.t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, "/graphql?"+body, nil)
	} else {
		req = httptest.NewRequest(method, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
	}
	token := a.token
	if token == writeToken {
		if a.adminKey == "" {
			a.adminKey = newKey(a.t, a.db, "tests", hierarchy.Country, "FR", access.Admin)
		}
		token = a.adminKey
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		a.t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	r.status = rec.Code
	return r
}

// do runs an operation and returns its response, errors included.
func (a *api) do(query string, vars map[string]any) response {
	a.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.raw(http.MethodPost, "application/json", string(body))
}

// query runs an operation that must succeed and decodes its data into out.
func (a *api) query(query string, vars map[string]any, out any) {
	a.t.Helper()
	r := a.do(query, vars)
	if len(r.Errors) > 0 {
		a.t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		a.t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// statements runs an operation that must succeed and returns how many SQL statements it
// ran.
func (a *api) statements(query string, vars map[string]any) int64 {
	a.t.Helper()
	before := a.db.Statements.Count()
	var out map[string]any
	a.query(query, vars, &out)
	return a.db.Statements.Count() - before
}

func compact(v any) string {
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(v)
	return strings.TrimSpace(b.String())
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
