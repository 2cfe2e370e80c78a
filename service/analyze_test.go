package service_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/store"
)

// plannedRows is the number of rows of a table the planner's statistics hold: pg_class's
// estimate in PostgreSQL, the row count of an index of the table in SQLite's
// sqlite_stat1; -1 when there are none.
func plannedRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	ctx := context.Background()
	q := `SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1`
	if db.Dialect == dialect.Postgres {
		q = `SELECT reltuples::bigint::text FROM pg_class WHERE relname = $1 AND relkind = 'r'`
	}
	rows, err := db.Client.QueryContext(ctx, q, table)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return -1 // SQLite before any ANALYZE
		}
		t.Fatal(err)
	}
	defer rows.Close()
	var stat sql.NullString
	if !rows.Next() {
		return -1
	}
	if err := rows.Scan(&stat); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.Fields(stat.String + " -1")[0], 10, 64)
	if err != nil {
		t.Fatalf("statistics of %s: %q", table, stat.String)
	}
	return n
}

// TestBulkWritesAnalyze checks that after the demo seed the planner knows how many
// actions and commitments there are, and roll-up cells.
func TestBulkWritesAnalyze(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		size := ops.DemoSize{Actions: 700, Commitments: 300, Seed: 2}
		if err := ops.SeedDemo(ctx, db.Client, size); err != nil {
			t.Fatal(err)
		}
		for table, want := range map[string]int{"actions": size.Actions, "commitments": size.Commitments} {
			if got := plannedRows(t, db, table); got != int64(want) {
				t.Errorf("the planner counts %d rows in %s after the seed, want %d", got, table, want)
			}
		}
		cells, err := db.Client.RollupCell.Query().Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := plannedRows(t, db, "rollup_cells"); got != int64(cells) {
			t.Errorf("the planner counts %d roll-up cells, want %d", got, cells)
		}
	})
}
