package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

// TestUnavailableOverHTTP: a write behind another writer's lock (SQLite, as during an
// import) answers 503 with Retry-After and UNAVAILABLE in both media types, without
// the data entry in application/graphql-response+json (a status that is not 2xx), and
// goes through once the lock is released.
func TestUnavailableOverHTTP(t *testing.T) {
	db := testdb.PlannedWith(t, testdb.SQLite, store.Limits{BusyTimeout: 200 * time.Millisecond})
	key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
	h := newAPI(t, db).h
	create := func(accept, title string) (*httptest.ResponseRecorder, map[string]json.RawMessage) {
		body, _ := json.Marshal(map[string]any{"query": createActionQ, "variables": map[string]any{
			"in": map[string]any{"territory": tk("EPCI:243500139"), "title": title, "startYear": 2025}}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var res map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("not JSON (%d): %s", rec.Code, rec.Body.String())
		}
		return rec, res
	}

	tx, err := db.Client.Tx(context.Background()) // the write lock, as a bulk job holds it
	if err != nil {
		t.Fatal(err)
	}
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		rec, res := create(accept, "Pendant un import")
		var errs []gqlError
		json.Unmarshal(res["errors"], &errs)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" {
			t.Errorf("%s: %d, Retry-After %q; want 503, 5", accept, rec.Code, rec.Header().Get("Retry-After"))
		}
		if len(errs) != 1 || errs[0].code() != graph.CodeUnavailable || errs[0].Extensions["retryable"] != true ||
			errs[0].Extensions["retryAfter"] != float64(5) || !strings.Contains(errs[0].Message, "busy with another write") {
			t.Errorf("%s: %+v", accept, errs)
		}
		if _, ok := res["data"]; ok == (accept != "application/json") {
			t.Errorf("%s: data entry %v in a 503: %s", accept, ok, rec.Body.String())
		}
	}
	tx.Rollback()
	if rec, res := create("application/graphql-response+json", "Après l'import"); rec.Code != http.StatusOK || res["errors"] != nil || rec.Header().Get("Retry-After") != "" {
		t.Errorf("once the lock is released: %d %s", rec.Code, rec.Body.String())
	}
}

// TestBusyBeforeTimeout: with the server's busy timeout (store.BusyTimeoutWithin its
// operation timeout), a write behind a long transaction's lock answers UNAVAILABLE
// before the operation times out, not TIMEOUT at its end.
func TestBusyBeforeTimeout(t *testing.T) {
	const timeout = 600 * time.Millisecond
	db := testdb.PlannedWith(t, testdb.SQLite, store.Limits{BusyTimeout: store.BusyTimeoutWithin(timeout)})
	key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
	opts := testOptions()
	opts.Timeout = timeout
	h := newAPIWith(t, db, opts).h
	tx, err := db.Client.Tx(context.Background()) // a long transaction: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	start := time.Now()
	r, err := post(h, key, createActionQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "title": "Pendant un import", "startYear": 2025}})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0].code() != graph.CodeUnavailable || r.status != http.StatusServiceUnavailable {
		t.Errorf("a write behind the lock: %d %+v, want 503 UNAVAILABLE", r.status, r.Errors)
	}
	if took < timeout/2 || took >= timeout {
		t.Errorf("answered after %s, want after the busy timeout (%s) and before the operation's (%s)", took, store.BusyTimeoutWithin(timeout), timeout)
	}
}
