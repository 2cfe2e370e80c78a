package graph_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestReadReplica runs the API on a primary and its streaming replica (.ci/replica.sh
// starts them and sets the two variables): queries land on the replica, mutations on the
// primary, and a client sending its consistency token reads its writes while the replica
// lags (replay paused).
func TestReadReplica(t *testing.T) {
	primaryURL, replicaURL := testdb.Replica(t) // alone on the replica: others stop it
	ctx := context.Background()
	admin := func(u string) *sql.DB {
		db, err := sql.Open("postgres", u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	primaryAdmin, replicaAdmin := admin(primaryURL), admin(replicaURL)
	name := fmt.Sprintf("replica_%d", time.Now().UnixNano())
	if _, err := primaryAdmin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		replicaAdmin.Exec("SELECT pg_wal_replay_resume()")
		primaryAdmin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	withDB := func(u string) string {
		p, _ := url.Parse(u)
		p.Path = "/" + name
		return p.String()
	}
	db, err := store.OpenReplicated(ctx, withDB(primaryURL), withDB(replicaURL))
	for i := 0; err != nil && strings.Contains(err.Error(), "does not exist") && i < 50; i++ {
		time.Sleep(100 * time.Millisecond) // the new database reaches the replica
		db, err = store.OpenReplicated(ctx, withDB(primaryURL), withDB(replicaURL))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := service.New(db.Client)
	if _, err := svc.EnsureHierarchy(ctx, data.Hierarchy); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureCatalogue(ctx); err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateKey(ctx, "Administration", hierarchy.Key{Level: hierarchy.Country, Code: "FR"}, access.Admin)
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp := func() {
		t.Helper()
		pos, err := db.WritePosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if ok, _ := db.CaughtUp(ctx, pos); ok {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the replica did not catch up in 5 s")
	}
	waitCaughtUp()

	opts := testOptions()
	opts.Consistency = db
	h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
	post := func(query, token string, auth bool) (map[string]any, int64, int64) {
		t.Helper()
		p0, r0 := db.Statements.Count(), db.ReplicaStatements.Count()
		body, _ := json.Marshal(map[string]any{"query": query})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if token != "" {
			req.Header.Set("X-Consistency-Token", token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["errors"] != nil {
			t.Fatalf("%s: %s", query, rec.Body.String())
		}
		return out, db.Statements.Count() - p0, db.ReplicaStatements.Count() - r0
	}
	const read = `{ territory(level: EPCI, code: "243500139") { name ancestors { code } } actions { totalCount } }`
	const write = `mutation { createAction(input: {title: "Bornes", territory: {level: COMMUNE, code: "35238"}, sector: "transports", startYear: 2025}) { id territory { code } } }`
	count := func(out map[string]any) int {
		return int(out["data"].(map[string]any)["actions"].(map[string]any)["totalCount"].(float64))
	}

	if _, onPrimary, onReplica := post(read, "", false); onPrimary != 0 || onReplica == 0 {
		t.Errorf("a query ran %d statements on the primary and %d on the replica", onPrimary, onReplica)
	}
	out, onPrimary, onReplica := post(write, "", true)
	if onPrimary == 0 || onReplica != 0 {
		t.Errorf("a mutation ran %d statements on the primary and %d on the replica", onPrimary, onReplica)
	}
	token, _ := out["extensions"].(map[string]any)["consistencyToken"].(string)
	if token == "" {
		t.Fatalf("no consistency token in %v", out)
	}
	waitCaughtUp()

	// The replica stops replaying: it lags behind the next write.
	if _, err := replicaAdmin.Exec("SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	out, _, _ = post(write, "", true)
	token = out["extensions"].(map[string]any)["consistencyToken"].(string)
	stale, _, _ := post(read, "", false)
	fresh, onPrimary, onReplica := post(read, token, false)
	if count(stale) != 1 || count(fresh) != 2 || onPrimary == 0 {
		t.Errorf("while the replica lags: without the token %d actions, with it %d (primary %d, replica %d statements)",
			count(stale), count(fresh), onPrimary, onReplica)
	}
	if _, err := replicaAdmin.Exec("SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp()
	caught, onPrimary, _ := post(read, token, false)
	if count(caught) != 2 || onPrimary != 0 {
		t.Errorf("once caught up: %d actions, %d statements on the primary", count(caught), onPrimary)
	}
}
