package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Tests of the GraphQL endpoint as the HTTP edge serves it: errors and their codes,
// limits, persisted queries, CORS, health, metrics, rate limits and timeouts.

func TestBadInput(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for _, tc := range []struct {
			name, query string
			vars        map[string]any
			code, msg   string
		}{
			{"negative first", `{ territories(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "first must be between 0 and 1000, got -1"},
			{"first above the maximum", `{ territories(first: 1001) { totalCount } }`, nil, "BAD_USER_INPUT", "first must be between 0 and 1000"},
			{"last above the maximum", `{ territories(last: 5000) { totalCount } }`, nil, "BAD_USER_INPUT", "last must be between 0 and 1000, got 5000"},
			{"nested page too large", `{ territory(level: REGION, code: "53") { descendants(first: 100000) { totalCount } } }`, nil, "BAD_USER_INPUT", "first must be between 0 and 1000"},
			{"children page negative", `{ territory(level: REGION, code: "53") { children(last: -3) { totalCount } } }`, nil, "BAD_USER_INPUT", "last must be between 0 and 1000"},
			{"search too many", `{ searchTerritories(text: "paris", first: 1000) { code } }`, nil, "BAD_USER_INPUT", "first must be between 0 and 100"},
			{"unknown parent", `{ territories(parent: {level: REGION, code: "99"}) { totalCount } }`, nil, "NOT_FOUND", "no territory REGION:99"},
			{"unknown within", `{ territories(within: {level: EPCI, code: "000000000"}) { totalCount } }`, nil, "NOT_FOUND", "no territory EPCI:000000000"},
			{"syntax error", `{ territory(level: EPCI, code: "243500139") { name }`, nil, "GRAPHQL_PARSE_FAILED", "Expected Name, found <EOF>"},
			{"unknown field", `{ territory(level: EPCI, code: "243500139") { nom } }`, nil, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "nom" on type "Territory"`},
			{"unknown level", `{ territory(level: CANTON, code: "1") { name } }`, nil, "GRAPHQL_VALIDATION_FAILED", `Value "CANTON" does not exist in "TerritoryLevel!" enum`},
			{"missing argument", `{ territory(level: EPCI) { name } }`, nil, "GRAPHQL_VALIDATION_FAILED", `argument "code" of type "String!" is required`},
			{"bad variable type", `query($n: Int) { territories(first: $n) { totalCount } }`, map[string]any{"n": "ten"}, "GRAPHQL_VALIDATION_FAILED", "cannot use string as Int"},
			{"bad enum variable", `query($l: TerritoryLevel!) { territory(level: $l, code: "35") { name } }`, map[string]any{"l": "DEPT"}, "GRAPHQL_VALIDATION_FAILED", "DEPT is not a valid TerritoryLevel"},
			{"bad cursor", `{ territories(after: "not-a-cursor") { totalCount } }`, nil, "BAD_USER_INPUT", "cursor"},
			{"bad id", `{ node(id: "abc") { id } }`, nil, "BAD_USER_INPUT", "abc"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.do(tc.query, tc.vars)
				if len(r.Errors) == 0 {
					t.Fatalf("no error; data %s", r.Data)
				}
				e := r.Errors[0]
				if e.code() != tc.code || !strings.Contains(e.Message, tc.msg) {
					t.Errorf("error %q with code %q; want %q containing %q", e.Message, e.code(), tc.code, tc.msg)
				}
				noLeak(t, r)
			})
		}
	})
}

func TestHTTP(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		q := url.Values{"query": {`{ territory(level: REGION, code: "53") { name } }`}}.Encode()
		if r := a.raw(http.MethodGet, "", q); r.status != 200 || string(r.Data) != `{"territory":{"name":"Bretagne"}}` {
			t.Errorf("GET: %d %s %+v", r.status, r.Data, r.Errors)
		}
		for _, tc := range []struct {
			name, contentType, body string
		}{
			{"malformed JSON", "application/json", `{"query": "{ territory`},
			{"no query", "application/json", `{"variables": {}}`},
			{"variables not an object", "application/json", `{"query": "{ __typename }", "variables": [1]}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.raw(http.MethodPost, tc.contentType, tc.body)
				if len(r.Errors) == 0 || r.Errors[0].Message == "" {
					t.Errorf("%s: status %d, no error message: %+v", tc.name, r.status, r)
				}
				if r.status < 400 {
					t.Errorf("%s: status %d, want 4xx", tc.name, r.status)
				}
			})
		}
		huge := `{"query": "{ __typename }", "variables": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`
		if r := a.raw(http.MethodPost, "application/json", huge); r.status < 400 || len(r.Errors) == 0 {
			t.Errorf("2 MiB body: status %d, %+v", r.status, r.Errors)
		}
	})
}

// TestInternalErrorsAreHidden breaks the database under the API: the client gets a
// generic message with a code, never the driver's words.
func TestInternalErrorsAreHidden(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		db.Close()
		r := a.do(`{ territory(level: EPCI, code: "243500139") { name } search: searchTerritories(text: "rennes") { name } }`, nil)
		if len(r.Errors) != 2 {
			t.Fatalf("errors = %+v", r.Errors)
		}
		for _, e := range r.Errors {
			if e.Message != "internal error" || e.code() != "INTERNAL_SERVER_ERROR" {
				t.Errorf("error %q with code %q", e.Message, e.code())
			}
		}
	})
}

func TestDepthLimit(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		deep := `{ territory(level: COMMUNE, code: "35238") { ` + strings.Repeat(`parents { parent { `, 10) + `code` + strings.Repeat(` } }`, 10) + ` } }`
		r := a.do(deep, nil)
		if len(r.Errors) != 1 || r.Errors[0].code() != "QUERY_TOO_COMPLEX" || !strings.Contains(r.Errors[0].Message, "nested 22 levels deep") {
			t.Errorf("deep query: %+v", r.Errors)
		}
		viaFragment := `query { territory(level: REGION, code: "53") { ...F } } fragment F on Territory { ` +
			strings.Repeat(`ancestors { `, 16) + `code` + strings.Repeat(` }`, 16) + ` }`
		if r := a.do(viaFragment, nil); len(r.Errors) != 1 || r.Errors[0].code() != "QUERY_TOO_COMPLEX" {
			t.Errorf("deep fragment: %+v", r.Errors)
		}
		ok := `{ territory(level: COMMUNE, code: "35238") { ` + strings.Repeat(`parents { parent { `, 6) + `code` + strings.Repeat(` } }`, 6) + ` } }`
		if r := a.do(ok, nil); len(r.Errors) != 0 {
			t.Errorf("13 levels refused: %+v", r.Errors)
		}
	})
}

func TestHealth(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		opts := httpapi.DefaultOptions()
		opts.Ready = db.Ready
		a := newAPIWith(t, db, opts)
		for _, path := range []string{"/healthz", "/readyz"} {
			rec := httptest.NewRecorder()
			a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != 200 {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
		db.Close()
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("readyz with the database closed: %d", rec.Code)
		}
	})
}

func TestComplexityAPQAndCORS(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		// 1,000 regions' worth of 1,000 children each: refused before running.
		r := a.do(`{ territories(first: 1000) { edges { node { children(first: 1000) { edges { node { code name } } } } } } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("costly query: %+v", r.Errors)
		}
		if r := a.do(`{ territories(first: 100) { edges { node { children(first: 100) { edges { node { code } } } } } } }`, nil); len(r.Errors) != 0 {
			t.Errorf("a 100 x 100 page refused: %+v", r.Errors)
		}

		// Automatic persisted queries: the hash alone is unknown first, known once sent.
		const q = `{ territory(level: REGION, code: "53") { name } }`
		sum := sha256.Sum256([]byte(q))
		ext := `"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + hex.EncodeToString(sum[:]) + `"}}`
		if r := a.raw(http.MethodPost, "application/json", `{`+ext+`}`); len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
			t.Errorf("unknown hash: %+v", r.Errors)
		}
		body, _ := json.Marshal(q)
		if r := a.raw(http.MethodPost, "application/json", `{"query": `+string(body)+`, `+ext+`}`); string(r.Data) != `{"territory":{"name":"Bretagne"}}` {
			t.Errorf("register: %s %+v", r.Data, r.Errors)
		}
		if r := a.raw(http.MethodPost, "application/json", `{`+ext+`}`); string(r.Data) != `{"territory":{"name":"Bretagne"}}` {
			t.Errorf("hash only: %s %+v", r.Data, r.Errors)
		}

		opts := httpapi.DefaultOptions()
		opts.GraphQL.Introspection = false
		opts.CORSOrigins = []string{"https://tableau.example.org"}
		svc := service.New(db.Client)
		h := httpapi.WithRequestLog(slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.NewMux(svc, partners.New(svc, db.Client), opts))
		closed := &api{t: t, db: db, h: h}
		if r := closed.do(`{ __schema { types { name } } }`, nil); len(r.Errors) == 0 {
			t.Error("introspection answered while off")
		}
		pre := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		pre.Header.Set("Origin", "https://tableau.example.org")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, pre)
		if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://tableau.example.org" ||
			!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight: %d %v", rec.Code, rec.Header())
		}
		pre.Header.Set("Origin", "https://ailleurs.example.org")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, pre)
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("another origin allowed: %v", rec.Header())
		}
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", "abc123")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("X-Request-Id") != "abc123" {
			t.Errorf("request id not echoed: %v", rec.Header())
		}
	})
}

// TestHTTPStatusConformance: refused documents answer 200 with application/json, and have
// no data entry with application/graphql-response+json (the GraphQL over HTTP spec; CI also
// runs the graphql-http audit against the server).
func TestHTTPStatusConformance(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for _, tc := range []struct {
			name, accept, body string
			status             int
			data               bool
		}{
			{"parse failure, json", "application/json", `{"query": "{"}`, 200, true},
			{"validation failure, json", "application/json", `{"query": "{ nope }"}`, 200, true},
			{"bad variables, json", "application/json", `{"query": "query($n: Int) { territories(first: $n) { totalCount } }", "variables": {"n": "x"}}`, 200, true},
			{"parse failure, graphql-response", "application/graphql-response+json", `{"query": "{"}`, 400, false},
			{"validation failure, graphql-response", "application/graphql-response+json", `{"query": "{ nope }"}`, 400, false},
			{"no query", "application/json", `{"variables": {}}`, 400, true},
		} {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", tc.accept)
			rec := httptest.NewRecorder()
			a.h.ServeHTTP(rec, req)
			var res map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatalf("%s: %s", tc.name, rec.Body.String())
			}
			_, hasData := res["data"]
			if rec.Code != tc.status || (!tc.data && hasData) || res["errors"] == nil {
				t.Errorf("%s: status %d, data %v: %s", tc.name, rec.Code, hasData, rec.Body.String())
			}
		}
	})
}

func TestMetrics(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		opts := httpapi.DefaultOptions()
		opts.Metrics = httpapi.NewMetrics()
		opts.Metrics.DBStats = db.Stats
		a := newAPIWith(t, db, opts)
		var out map[string]any
		a.query(`query Page { territory(level: EPCI, code: "243500139") { name ancestors { code } } }`, nil, &out)
		a.do(`query Broken { territories(first: -1) { totalCount } }`, nil)
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		body := rec.Body.String()
		for _, want := range []string{
			`cop_graphql_operations_total{operation="Page",outcome="ok"} 1`,
			`cop_graphql_operations_total{operation="Broken",outcome="error"} 1`,
			`cop_graphql_sql_statements_total{operation="Page",outcome="ok"} 2`,
			`cop_graphql_operation_duration_seconds_count{operation="Page",outcome="ok"} 1`,
			`cop_db_connections{state="in_use"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q:\n%s", want, body)
			}
		}
	})
}

// TestAbuse sends what an abusive client would: each is refused with a code, quickly.
func TestAbuse(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		var aliases strings.Builder
		aliases.WriteString("{")
		for i := range 1000 {
			fmt.Fprintf(&aliases, ` a%d: territory(level: REGION, code: "53") { name }`, i)
		}
		aliases.WriteString(" }")
		deep := `{ territory(level: COMMUNE, code: "35238") { ` + strings.Repeat(`parents { parent { `, 25) + `code` + strings.Repeat(` } }`, 25) + ` } }`
		for _, tc := range []struct{ name, query, code string }{
			{"1,000 aliased fields", aliases.String(), "QUERY_TOO_COMPLEX"},
			{"nested 50 levels", deep, "QUERY_TOO_COMPLEX"},
			{"10,000 items", `{ territories(first: 10000) { edges { node { code } } } }`, "BAD_USER_INPUT"},
		} {
			start := time.Now()
			r := a.do(tc.query, nil)
			if len(r.Errors) == 0 || r.Errors[0].code() != tc.code {
				t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
			}
			t.Logf("%s refused in %s", tc.name, time.Since(start))
		}
		batch := "[" + strings.TrimSuffix(strings.Repeat(`{"query": "{ __typename }"},`, 100), ",") + "]"
		if r := a.raw(http.MethodPost, "application/json", batch); r.status != http.StatusBadRequest || len(r.Errors) == 0 {
			t.Errorf("batch of 100: %d %+v", r.status, r.Errors)
		}
		big := `{"query": "{ __typename }", "variables": {"x": "` + strings.Repeat("a", 10<<20) + `"}}`
		if r := a.raw(http.MethodPost, "application/json", big); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("10 MB body: %d", r.status)
		}
	})
}

func TestRateLimit(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		opts := httpapi.DefaultOptions()
		opts.RatePerSecond, opts.RateBurst = 0.001, 3
		svc := service.New(db.Client)
		h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
		key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		send := func(addr, key string) int {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = addr
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusTooManyRequests && (!strings.Contains(rec.Body.String(), `"code":"RATE_LIMITED"`) || rec.Header().Get("Retry-After") == "") {
				t.Errorf("429 without code or Retry-After: %v %s", rec.Header(), rec.Body.String())
			}
			return rec.Code
		}
		for i := range 3 {
			if c := send("10.0.0.1:1000", ""); c != 200 {
				t.Fatalf("request %d: %d", i+1, c)
			}
		}
		if c := send("10.0.0.1:2000", ""); c != http.StatusTooManyRequests {
			t.Errorf("4th request from one address: %d", c)
		}
		// The key has its own bucket, whatever the address; another address is not held back.
		if c := send("10.0.0.1:3000", key); c != 200 {
			t.Errorf("key from a limited address: %d", c)
		}
		if c := send("10.0.0.2:1000", ""); c != 200 {
			t.Errorf("another address: %d", c)
		}
	})
}

func TestOperationTimeout(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		opts := httpapi.DefaultOptions()
		opts.Timeout = time.Nanosecond
		a := newAPIWith(t, db, opts)
		r := a.do(`{ searchTerritories(text: "saint") { code } }`, nil)
		if len(r.Errors) == 0 || r.Errors[0].code() != "TIMEOUT" {
			t.Errorf("status %d, data %s, errors %+v, want TIMEOUT", r.status, r.Data, r.Errors)
		}
	})
}
