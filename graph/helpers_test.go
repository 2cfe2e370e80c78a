package graph_test

// The helpers every GraphQL test of the package uses: a client of the real HTTP handler,
// keys, and checks of responses. Each area's own shapes and queries are in its file
// (actions_test.go, planning_test.go, territory_test.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func TestMain(m *testing.M) {
	testdb.Main(m)
}

// runShared runs f once per dialect on the planned database the tests that only read
// share (testdb.Shared): f must not write.
func runShared(t *testing.T, f func(t *testing.T, db *store.DB)) { runOn(t, testdb.Shared, f) }

// runPlanned runs f once per dialect, each with its own copy of a database holding the
// hierarchy, the catalogue, the SGPE objectives with their breakdowns and the national
// figures (copied from a template built once per version of the code and data).
func runPlanned(t *testing.T, f func(t *testing.T, db *store.DB)) { runOn(t, testdb.Planned, f) }

// runOn runs f once per dialect, the dialects side by side, on the database open gives.
func runOn(t *testing.T, open func(testing.TB, string) *store.DB, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) { testdb.Parallel(t); f(t, open(t, d)) })
	}
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

// newKey creates an API key in db for an organisation, a territory ("LEVEL:code") and a
// role, and returns it.
func newKey(t testing.TB, db *store.DB, org, territory string, role access.Role) string {
	t.Helper()
	level, code, _ := strings.Cut(territory, ":")
	key, _, err := service.New(db.Client).CreateKey(context.Background(), org, hierarchy.Key{Level: hierarchy.Level(level), Code: code}, role)
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return key
}

// keyPrefix is the public part of a key, which names it in the audit log and revocations.
func keyPrefix(t testing.TB, key string) string {
	t.Helper()
	prefix, _, err := access.SplitKey(key)
	if err != nil {
		t.Fatalf("split key: %v", err)
	}
	return prefix
}

// revokeKey revokes a key created by newKey.
func revokeKey(t testing.TB, db *store.DB, key string) {
	t.Helper()
	if err := service.New(db.Client).RevokeKey(context.Background(), keyPrefix(t, key), time.Now()); err != nil {
		t.Fatalf("revoke key: %v", err)
	}
}

// api posts GraphQL operations to the real handler over one database.
type api struct {
	t        testing.TB
	db       *store.DB
	h        http.Handler
	token    string // sent as a bearer token when not empty
	adminKey string
}

// testOptions are the HTTP edge's default options without the rate limit: tests and
// benchmarks send many requests from one address.
func testOptions() httpapi.Options {
	opts := httpapi.DefaultOptions()
	opts.RatePerSecond = 0
	return opts
}

func newAPI(t testing.TB, db *store.DB) *api {
	return newAPIWith(t, db, testOptions())
}

// newAPIWith serves db through the HTTP edge with opts.
func newAPIWith(t testing.TB, db *store.DB, opts httpapi.Options) *api {
	svc := service.New(db.Client)
	return &api{t: t, db: db, h: httpapi.NewMux(svc, partners.New(svc, db.Client), opts)}
}

// as returns a client of the same handler sending another key.
func (a *api) as(token string) *api {
	b := *a
	b.token = token
	return &b
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
			a.adminKey = newKey(a.t, a.db, "tests", "COUNTRY:FR", access.Admin)
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

// post posts an operation without touching the test: safe from any goroutine. token is
// a real key (not writeToken).
func post(h http.Handler, token, query string, vars map[string]any) (response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return response{}, err
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		return r, fmt.Errorf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	r.status = rec.Code
	return r, nil
}

// field decodes data.<name> of a response.
func field(t testing.TB, r response, name string, out any) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &m); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
	if err := json.Unmarshal(m[name], out); err != nil {
		t.Fatalf("decode %s: %v", m[name], err)
	}
}

// tk turns "LEVEL:code" into a TerritoryKey input.
func tk(k string) map[string]any {
	level, code, _ := strings.Cut(k, ":")
	return map[string]any{"level": level, "code": code}
}

// wantError checks that a response failed with code and a message containing each of
// msgs, and that no error leaks internals.
func wantError(t testing.TB, what string, r response, code string, msgs ...string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Errorf("%s: no error, want %s; data %s", what, code, r.Data)
		return
	}
	e := r.Errors[0]
	if e.code() != code {
		t.Errorf("%s: error %q with code %q, want %s", what, e.Message, e.code(), code)
	}
	for _, m := range msgs {
		if !strings.Contains(e.Message, m) {
			t.Errorf("%s: error %q does not contain %q", what, e.Message, m)
		}
	}
	noLeak(t, r)
}

// leaks are fragments that must never reach a client: SQL, driver and Go internals.
var leaks = []string{"SELECT", "select ", "sql:", "pq:", "sqlite", "ent:", "runtime", "goroutine", "panic", ".go:"}

// noLeak checks that errors keep the driver's and Go's words out.
func noLeak(t testing.TB, r response) {
	t.Helper()
	for _, e := range r.Errors {
		for _, l := range leaks {
			if strings.Contains(e.Message, l) {
				t.Errorf("error %q leaks %q", e.Message, l)
			}
		}
	}
}

// near compares amounts computed along different paths.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// rounded tells whether a figure the API rounded to the decimals of its unit is within
// half a unit of its last decimal of the exact value, for each of n rounded figures added
// up (planning.Round).
func rounded(got, exact float64, unit string, n int) bool {
	half := 0.5 * math.Pow(10, -float64(planning.Decimals(unit)))
	return math.Abs(got-exact) <= float64(n)*half+1e-9*math.Max(1, math.Abs(exact))
}

func compact(v any) string {
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(v)
	return strings.TrimSpace(b.String())
}

// deref shows a pointer's value in messages, nil as nil.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
