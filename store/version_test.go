package store

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

func TestIsWrite(t *testing.T) {
	for q, want := range map[string]bool{
		`INSERT INTO "actions" ("title") VALUES ($1) RETURNING "id"`: true,
		"  update `actions` SET `title` = ?":                         true,
		`DELETE FROM "rollup_cells"`:                                 true,
		`SELECT "id" FROM "actions"`:                                 false,
		`ANALYZE actions`:                                            false,
		``:                                                           false,
	} {
		if got := isWrite(q); got != want {
			t.Errorf("isWrite(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestDataVersion checks that writes advance the data version once per transaction and
// once per statement outside one, and reads do not.
func TestDataVersion(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	version := func() int64 {
		t.Helper()
		v, err := db.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if _, err := db.Client.Sector.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0 {
		t.Errorf("a read moved the version from %d to %d", v0, v)
	}
	if _, err := db.Client.ExecContext(ctx, `INSERT INTO themes (code, name) VALUES ('t1', 'T1')`); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0+1 {
		t.Errorf("a write outside a transaction: version %d, want %d", v, v0+1)
	}
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"t2", "t3"} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO themes (code, name) VALUES (?, 'T')`, code); err != nil {
			t.Fatal(err)
		}
	}
	if v := version(); v != v0+1 {
		t.Errorf("before commit: version %d, want %d", v, v0+1)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0+2 {
		t.Errorf("a transaction of two writes: version %d, want %d", v, v0+2)
	}
	tx, _ = db.Client.Tx(ctx)
	tx.ExecContext(ctx, `INSERT INTO themes (code, name) VALUES ('t4', 'T')`)
	tx.Rollback()
	if v := version(); v != v0+2 {
		t.Errorf("after a rollback: version %d, want %d", v, v0+2)
	}
}

// TestListenDataVersion checks that a write through one connection pool is notified to a
// listener of the same PostgreSQL database.
func TestListenDataVersion(t *testing.T) {
	// With a parameter of the project's own in the URL, which the listener must not
	// send to the server.
	u, _ := url.Parse(emptyPostgres(t, "t_listen_"))
	q := u.Query()
	q.Set("statement_cache_capacity", "8")
	u.RawQuery = q.Encode()
	dbURL := u.String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := Open(ctx, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := make(chan int64, 10)
	if err := ListenDataVersion(ctx, dbURL, db, func(v int64) { seen <- v }); err != nil {
		t.Fatal(err)
	}
	v0, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Client.ExecContext(ctx, `INSERT INTO themes (code, name) VALUES ('t1', 'T1')`); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-seen:
		if v != v0+1 {
			t.Errorf("notified version %d, want %d", v, v0+1)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification of the data version within 10 s")
	}
}
