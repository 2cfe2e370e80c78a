package graph_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestNoBackendOutlivesTheDeadline sends what kept PostgreSQL busy for half an hour after
// the client left (a search of 50,000 words, a filter of 20,000 terms), and statements
// that would run for hours through the application's connections; 2 s after the 2 s
// deadline, no backend of the test database is still active.
func TestNoBackendOutlivesTheDeadline(t *testing.T) {
	if os.Getenv(testdb.EnvURL) == "" {
		t.Skip("PostgreSQL only: set " + testdb.EnvURL)
	}
	const deadline = 2 * time.Second
	dbURL, _ := testdb.PlannedLocation(t, testdb.Postgres)
	ctx := context.Background()
	db, err := store.OpenWith(ctx, dbURL, "", store.Limits{StatementTimeout: deadline})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	rows, err := db.Client.QueryContext(ctx, "SELECT current_database()")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		rows.Scan(&name)
	}
	rows.Close()

	opts := testOptions()
	opts.Timeout = deadline
	a := newAPIWith(t, db, opts)
	start := time.Now()
	var wg sync.WaitGroup
	requests := []struct {
		name, query string
		vars        map[string]any
	}{
		{"search of 50,000 words", `query($t: String!) { searchTerritories(text: $t) { code } }`, map[string]any{"t": words(50_000)}},
		{"filter of 20,000 terms", `query($w: TerritoryWhereInput) { territories(where: $w) { totalCount } }`, map[string]any{"w": orTerms(20_000, "nameContains")}},
		{"filter of 20,000 terms in the document", `{ territories(where: {or: [` + strings.Repeat(`{nameContains: "N"},`, 20_000) + `]}) { totalCount } }`, nil},
	}
	for _, rq := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := post(a.h, "", rq.query, rq.vars)
			took := time.Since(start)
			switch {
			case err != nil:
				t.Errorf("%s: %v", rq.name, err)
			case len(r.Errors) == 0 || r.Errors[0].code() != "BAD_USER_INPUT":
				t.Errorf("%s: %+v, want BAD_USER_INPUT", rq.name, r.Errors)
			case took > deadline:
				t.Errorf("%s: answered after %s", rq.name, took)
			}
		}()
	}
	// Statements that would run for hours, through the application's pool: one under a
	// request's deadline (cancelled by the driver), one without (statement_timeout).
	const forever = `SELECT COUNT(*) FROM territories a, territories b, territories c WHERE a.name < b.name || c.name`
	for _, withDeadline := range []bool{true, false} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qctx := context.Background()
			if withDeadline {
				var cancel context.CancelFunc
				qctx, cancel = context.WithTimeout(qctx, deadline)
				defer cancel()
			}
			rows, err := db.Client.QueryContext(qctx, forever)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err == nil || !(store.IsCanceled(err) || strings.Contains(err.Error(), "context deadline exceeded")) {
				t.Errorf("a statement of hours (deadline %v): %v", withDeadline, err)
			}
			if took := time.Since(start); took > deadline+time.Second {
				t.Errorf("a statement of hours (deadline %v) stopped after %s", withDeadline, took)
			}
		}()
	}
	wg.Wait()

	time.Sleep(time.Until(start.Add(deadline + 2*time.Second)))
	admin, err := sql.Open("postgres", os.Getenv(testdb.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var active int
	var queries sql.NullString
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(*), string_agg(left(query, 80), ' | ') FROM pg_stat_activity
		WHERE datname = $1 AND state <> 'idle' AND pid <> pg_backend_pid()`, name).Scan(&active, &queries); err != nil {
		t.Fatal(err)
	}
	if active != 0 {
		t.Errorf("%d backends of %s still active 2 s after the deadline: %s", active, name, queries.String)
	}

	// A statement stopped by statement_timeout while the request has time left is a
	// TIMEOUT for the client, not an internal error.
	quick, err := store.OpenWith(ctx, dbURL, "", store.Limits{StatementTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer quick.Close()
	r, err := post(newAPIWith(t, quick, testOptions()).h, "", `{ territories(where: {nameContains: "sur"}) { totalCount } searchTerritories(text: "saint") { code } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("no error under a statement timeout of 1 ms: %s", r.Data)
	}
	for _, e := range r.Errors {
		if e.code() != graph.CodeTimeout {
			t.Errorf("under a statement timeout: %q %s, want TIMEOUT", e.Message, e.code())
		}
	}
}

// TestBusyDatabaseWriters holds SQLite's write lock as an import or seed demo does: a
// write waits for it, and one that cannot get it in time is UNAVAILABLE and retryable,
// not an internal error.
func TestBusyDatabaseWriters(t *testing.T) {
	ctx := context.Background()
	db := testdb.PlannedWith(t, testdb.SQLite, store.Limits{BusyTimeout: 300 * time.Millisecond})
	key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
	h := newAPI(t, db).h
	create := func(title string) response {
		r, err := post(h, key, createActionQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "title": title, "startYear": 2025}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// BEGIN IMMEDIATE on a connection of the pool: the write lock, held as a bulk job holds it.
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := create("Pendant un import")
	if len(r.Errors) == 0 || r.Errors[0].code() != graph.CodeUnavailable || r.Errors[0].Extensions["retryable"] != true {
		t.Errorf("a write while the database is locked: %+v", r.Errors)
	}
	if took := time.Since(start); took < 250*time.Millisecond || took > 5*time.Second {
		t.Errorf("refused after %s, want after the busy timeout (300 ms)", took)
	}
	tx.Rollback()
	if r := create("Après l'import"); len(r.Errors) != 0 {
		t.Errorf("the retry: %+v", r.Errors)
	}

	// A lock held less than the busy timeout: the write waits and succeeds.
	tx, err = db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { tx.Rollback() })
	if r := create("Pendant une courte écriture"); len(r.Errors) != 0 {
		t.Errorf("a write while the lock is held 100 ms: %+v", r.Errors)
	}
}

// TestEveryMutationIsAudited runs each mutation of the schema once, successfully, and
// checks that it wrote to the audit log: a mutation added without an audit entry, or
// without an example here, fails.
func TestEveryMutationIsAudited(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db).as(writeToken)
		ids := map[string]string{}
		id := func(r response, field string) string {
			var m map[string]struct {
				ID string `json:"id"`
			}
			json.Unmarshal(r.Data, &m)
			return m[field].ID
		}
		examples := []struct {
			mutation string
			run      func() response
		}{
			{"createAction", func() response {
				r := a.do(createActionQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "title": "Vélo", "startYear": 2025}})
				ids["action"] = id(r, "createAction")
				return r
			}},
			{"updateAction", func() response {
				return a.do(updateActionQ, map[string]any{"id": ids["action"], "v": 1, "in": map[string]any{"budget": 10, "description": "Pistes"}})
			}},
			{"withdrawAction", func() response { return a.do(withdrawActionQ, map[string]any{"id": ids["action"], "v": 2}) }},
			{"createCommitment", func() response {
				r := a.do(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "ktco2e": 1}})
				ids["commitment"] = id(r, "createCommitment")
				return r
			}},
			{"updateCommitment", func() response {
				return a.do(updateCommitmentQ, map[string]any{"id": ids["commitment"], "v": 1, "in": map[string]any{"note": "Révisé"}})
			}},
			{"transitionCommitment", func() response {
				return a.do(transitionQ, map[string]any{"id": ids["commitment"], "v": 2, "to": "SUBMITTED"})
			}},
			{"withdrawCommitment", func() response { return a.do(withdrawCommitmentQ, map[string]any{"id": ids["commitment"], "v": 3}) }},
			{"recordObservations", func() response {
				return a.do(recordObservationsQ, map[string]any{"in": []any{evObservation("DEPARTMENT", "35", 2024, 10)}})
			}},
			{"createCop", func() response { return a.do(`mutation { createCop(region: "53", edition: 2026) { id } }`, nil) }},
			{"updateCopStep", func() response {
				return a.do(`mutation { updateCopStep(region: "53", edition: 2026, step: DIAGNOSTIC, status: IN_PROGRESS) { id } }`, nil)
			}},
			{"addCopParticipant", func() response {
				return a.do(`mutation { addCopParticipant(region: "53", edition: 2026, organisation: "Région Bretagne", kind: REGIONAL_COUNCIL) { id } }`, nil)
			}},
			{"addCopDocument", func() response {
				return a.do(`mutation { addCopDocument(region: "53", edition: 2026, title: "Diagnostic", url: "https://www.bretagne.bzh/cop.pdf") { id } }`, nil)
			}},
			{"createWebhook", func() response {
				r := a.do(`mutation { createWebhook(url: "https://observatoire.example.org/cop", events: [COMMITMENT_ADOPTED]) { id } }`, nil)
				ids["webhook"] = id(r, "createWebhook")
				return r
			}},
			{"deleteWebhook", func() response {
				return a.do(`mutation($id: ID!) { deleteWebhook(id: $id) }`, map[string]any{"id": ids["webhook"]})
			}},
		}
		covered := map[string]bool{}
		for _, ex := range examples {
			covered[ex.mutation] = true
		}
		schema := graph.NewSchema(service.New(db.Client), nil).Schema()
		var mutations []string
		for _, f := range schema.Mutation.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				mutations = append(mutations, f.Name)
				if !covered[f.Name] {
					t.Errorf("mutation %s has no example here: add one, with its audit entry", f.Name)
				}
			}
		}
		if len(mutations) < len(examples) {
			t.Errorf("the schema has %d mutations, fewer than the %d examples", len(mutations), len(examples))
		}
		auditCount := func() int { return countAll(t, a).Audit }
		for _, ex := range examples {
			before := auditCount()
			r := ex.run()
			if len(r.Errors) != 0 {
				t.Errorf("%s: %+v", ex.mutation, r.Errors)
				continue
			}
			var entries struct {
				L struct {
					Edges []struct {
						Node struct {
							Operation string `json:"operation"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"auditLog"`
			}
			a.query(`{ auditLog(first: 1) { edges { node { operation } } } }`, nil, &entries)
			if n := auditCount(); n <= before || len(entries.L.Edges) == 0 || entries.L.Edges[0].Node.Operation != ex.mutation {
				t.Errorf("%s wrote %d audit entries; the last is %+v", ex.mutation, n-before, entries.L.Edges)
			}
		}
	})
}
