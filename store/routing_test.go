package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// TestRoutingDriver checks that the reads picked go to the other database, and that a
// write goes to the main one whatever its context says.
func TestRoutingDriver(t *testing.T) {
	ctx := context.Background()
	open := func(name string) *entsql.Driver {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TABLE who (name TEXT); INSERT INTO who VALUES ('` + name + `')`); err != nil {
			t.Fatal(err)
		}
		return entsql.OpenDB(dialect.SQLite, db)
	}
	type pickKey struct{}
	d := &routingDriver{main: open("main"), other: open("other"), otherReads: func(ctx context.Context) bool { return ctx.Value(pickKey{}) != nil }}
	picked := context.WithValue(ctx, pickKey{}, true)
	names := func(ctx context.Context, query string) []string {
		t.Helper()
		var rows entsql.Rows
		if err := d.Query(ctx, query, []any{}, &rows); err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	if got := names(ctx, `SELECT name FROM who`); len(got) != 1 || got[0] != "main" {
		t.Errorf("a read not picked went to %v", got)
	}
	if got := names(picked, `SELECT name FROM who`); len(got) != 1 || got[0] != "other" {
		t.Errorf("a read picked went to %v", got)
	}
	// A write returning rows, in a context that picks reads: it goes to main.
	names(picked, `INSERT INTO who VALUES ('written') RETURNING name`)
	if got := names(ctx, `SELECT name FROM who ORDER BY name`); len(got) != 2 || got[0] != "main" || got[1] != "written" {
		t.Errorf("main holds %v after the write, want main and written", got)
	}
	if got := names(picked, `SELECT name FROM who`); len(got) != 1 {
		t.Errorf("other holds %v after the write, want only other", got)
	}
}
