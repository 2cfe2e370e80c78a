package graph_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

const cachedQ = `{ territory(level: EPCI, code: "243500139") { rollup { actionCount } } }`

// withResultCache serves db with a result cache, as the server does by default.
func withResultCache(t testing.TB, db *store.DB) *api {
	opts := testOptions()
	opts.Cache = httpapi.NewResultCache(100, 5*time.Second, db.DataVersion)
	return newAPIWith(t, db, opts)
}

// getPersisted sends a persisted query by its hash over GET, with headers (name, value
// pairs), and returns the answer and the statements it ran.
func (a *api) getPersisted(query string, headers ...string) (*httptest.ResponseRecorder, int64) {
	a.t.Helper()
	sum := sha256.Sum256([]byte(query))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{"extensions": {ext}}.Encode(), nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	before := a.db.Statements.Count()
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec, a.db.Statements.Count() - before
}

// persist registers a query with the server's automatic persisted queries.
func (a *api) persist(query string) {
	a.t.Helper()
	sum := sha256.Sum256([]byte(query))
	body, _ := json.Marshal(map[string]any{"query": query, "extensions": map[string]any{
		"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}})
	if r := a.raw(http.MethodPost, "application/json", string(body)); len(r.Errors) > 0 {
		a.t.Fatalf("persist: %+v", r.Errors)
	}
}

func actionCount(t testing.TB, rec *httptest.ResponseRecorder) int {
	t.Helper()
	var out struct {
		Data struct {
			Territory struct{ Rollup struct{ ActionCount int } }
		}
		Errors []gqlError
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("answer %d %s: %v", rec.Code, rec.Body.String(), err)
	}
	return out.Data.Territory.Rollup.ActionCount
}

// TestResultCache serves a persisted query over GET from the cache until a write, with
// an ETag and Cache-Control for anonymous requests only, and answers 304 to a matching
// If-None-Match.
func TestResultCache(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := withResultCache(t, db)
		a.persist(cachedQ)
		first, n := a.getPersisted(cachedQ)
		tag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || n == 0 || tag == "" || first.Header().Get("Cache-Control") != "public, max-age=5" {
			t.Fatalf("first GET: %d, %d statements, ETag %q, Cache-Control %q", first.Code, n, tag, first.Header().Get("Cache-Control"))
		}
		before := actionCount(t, first)
		again, n := a.getPersisted(cachedQ)
		if again.Code != http.StatusOK || n != 0 || again.Body.String() != first.Body.String() || again.Header().Get("ETag") != tag {
			t.Errorf("second GET: %d, %d statements (want 0), ETag %q (want %q), body %s", again.Code, n, again.Header().Get("ETag"), tag, again.Body.String())
		}
		notModified, n := a.getPersisted(cachedQ, "If-None-Match", tag)
		if notModified.Code != http.StatusNotModified || n != 0 || notModified.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d, %d statements, body %q; want 304, 0, none", notModified.Code, n, notModified.Body.String())
		}
		key := newKey(t, db, "tests", "COUNTRY:FR", "ADMIN")
		authed, n := a.getPersisted(cachedQ, "Authorization", "Bearer "+key)
		if authed.Code != http.StatusOK || n == 0 || authed.Header().Get("ETag") != "" || authed.Header().Get("Cache-Control") != "" {
			t.Errorf("with a key: %d, %d statements, ETag %q, Cache-Control %q; want 200, run, no cache headers",
				authed.Code, n, authed.Header().Get("ETag"), authed.Header().Get("Cache-Control"))
		}

		createAction(t, a.as(writeToken), map[string]any{"title": "Nouvelle", "territory": tk("EPCI:243500139"), "startYear": 2025})
		after, n := a.getPersisted(cachedQ, "If-None-Match", tag)
		if after.Code != http.StatusOK || n == 0 || after.Header().Get("ETag") == tag {
			t.Fatalf("after a write: %d, %d statements, ETag %q (was %q); want 200, run, a new ETag", after.Code, n, after.Header().Get("ETag"), tag)
		}
		if got := actionCount(t, after); got != before+1 {
			t.Errorf("after a write: %d actions, want %d", got, before+1)
		}
	})
}

// TestResultCacheInstances runs two instances over one PostgreSQL database, each with
// its own connections and cache: a write through one is read through the other at once.
func TestResultCacheInstances(t *testing.T) {
	if os.Getenv(testdb.EnvURL) == "" {
		t.Skip("needs PostgreSQL: set " + testdb.EnvURL)
	}
	ctx := context.Background()
	db1 := testdb.Loaded(t, testdb.Postgres)
	var name string
	rows, err := db1.Client.QueryContext(ctx, "SELECT current_database()")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		rows.Scan(&name)
	}
	rows.Close()
	u, _ := url.Parse(os.Getenv(testdb.EnvURL))
	u.Path = "/" + name
	db2, err := store.Open(ctx, u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	a, b := withResultCache(t, db1), withResultCache(t, db2)
	b.persist(cachedQ)
	r, _ := b.getPersisted(cachedQ)
	before := actionCount(t, r)
	if r, n := b.getPersisted(cachedQ); n != 0 || actionCount(t, r) != before {
		t.Fatalf("second read through the second instance: %d statements, want it from its cache", n)
	}
	for i := 1; i <= 3; i++ {
		createAction(t, a.as(writeToken), map[string]any{"title": "Écrite par la première", "territory": tk("EPCI:243500139"), "startYear": 2025})
		r, n := b.getPersisted(cachedQ)
		if got := actionCount(t, r); got != before+i || n == 0 {
			t.Fatalf("write %d through the first instance: the second reads %d actions (%d statements), want %d", i, got, n, before+i)
		}
	}
	if !strings.Contains(r.Header().Get("Cache-Control"), "public") {
		t.Errorf("Cache-Control %q", r.Header().Get("Cache-Control"))
	}
}
