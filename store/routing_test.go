package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"syscall"
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

// TestRoutingDriverSendsAgain: a read the other database cannot take (Unavailable),
// failing when sent or before its first row, goes to main; another error is the caller's.
func TestRoutingDriverSendsAgain(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "main.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE who (name TEXT); INSERT INTO who VALUES ('main')`); err != nil {
		t.Fatal(err)
	}
	main := entsql.OpenDB(dialect.SQLite, db)
	for _, tc := range []struct {
		name  string
		other failingDriver
		want  string // the name read, or the error
	}{
		{"refused when sent", failingDriver{err: syscall.ECONNRESET}, "main"},
		{"cut before the first row", failingDriver{err: syscall.ECONNRESET, atRow: true}, "main"},
		{"a bad statement", failingDriver{err: errors.New("syntax error")}, "syntax error"},
		{"a bad row", failingDriver{err: errors.New("syntax error"), atRow: true}, "syntax error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marked := 0
			d := &routingDriver{main: main, other: tc.other, otherReads: func(context.Context) bool { return true },
				otherFailed: func(err error) bool { _, ok := Unavailable(err); marked++; return ok }}
			var rows entsql.Rows
			got := ""
			err := d.Query(ctx, `SELECT name FROM who`, []any{}, &rows)
			if err == nil {
				for rows.Next() {
					rows.Scan(&got)
				}
				err = rows.Err()
				rows.Close()
			}
			if err != nil {
				got = err.Error()
			}
			if got != tc.want || marked != 1 {
				t.Errorf("read %q, the failure told %d times; want %q, once", got, marked, tc.want)
			}
		})
	}
}

// failingDriver fails every read, when sent or, atRow, at its first row.
type failingDriver struct {
	dialect.Driver
	err   error
	atRow bool
}

func (d failingDriver) Query(_ context.Context, _ string, _, v any) error {
	if !d.atRow {
		return d.err
	}
	v.(*entsql.Rows).ColumnScanner = failingRows{err: d.err}
	return nil
}

type failingRows struct {
	entsql.ColumnScanner
	err error
}

func (r failingRows) Next() bool   { return false }
func (r failingRows) Err() error   { return r.err }
func (r failingRows) Close() error { return nil }
