package store

import (
	"context"
	"path/filepath"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
)

// TestRowsColumnTypesOnce checks that the rows of a counted query give the same column
// types on every row of a result, and count the rows read.
func TestRowsColumnTypesOnce(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := db.Statements.Rows()
	var rows entsql.Rows
	if err := db.Client.Driver().Query(ctx, `SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'`, []any{}, &rows); err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var first []string
	var sum int
	for rows.Next() {
		ct, err := rows.ColumnTypes()
		if err != nil || len(ct) != 2 {
			t.Fatalf("column types: %v, %v", ct, err)
		}
		if again, _ := rows.ColumnTypes(); &again[0] != &ct[0] {
			t.Error("the column types were built again for the same row")
		}
		first = append(first, ct[0].Name())
		var a int
		var b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		sum += a
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if sum != 3 || len(first) != 2 || first[0] != "a" || first[1] != "a" {
		t.Errorf("read %v, sum %d", first, sum)
	}
	if n := db.Statements.Rows() - before; n != 2 {
		t.Errorf("%d rows counted, want 2", n)
	}
}
