package store

import (
	"context"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
)

// TestKeptPlans checks that reads marked KeptPlan run where PostgreSQL keeps a statement's
// plan, and the others where each execution is planned for its values.
func TestKeptPlans(t *testing.T) {
	url := emptyPostgres(t, "kept_plans_")
	ctx := context.Background()
	db, err := OpenWith(ctx, url, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	drv := db.Client.Driver()
	// one runs a query through the client's driver and returns its first column, as text.
	one := func(ctx context.Context, query string, args ...any) string {
		t.Helper()
		var rows entsql.Rows
		if err := drv.Query(ctx, query, args, &rows); err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var s string
		if !rows.Next() {
			t.Fatalf("%s: no row (%v)", query, rows.Err())
		}
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	const lookup = `SELECT COUNT(*) FROM territories WHERE level = $1 AND code = $2`
	for _, tc := range []struct {
		name          string
		ctx           context.Context
		mode          string
		generic, plan bool // plans kept, plans made for the values
	}{
		{"unmarked", ctx, "force_custom_plan", false, true},
		{"KeptPlan", KeptPlan(ctx), "force_generic_plan", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := one(tc.ctx, `SELECT current_setting('plan_cache_mode')`); got != tc.mode {
				t.Errorf("plan_cache_mode %q, want %q", got, tc.mode)
			}
			// One at a time, the reads reuse one connection of their pool, where the
			// statement is prepared the second time and kept.
			for range 12 {
				one(tc.ctx, lookup, "REGION", "53")
			}
			var generic, custom int
			var rows entsql.Rows
			if err := drv.Query(tc.ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, []any{lookup}, &rows); err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if !rows.Next() {
				t.Fatalf("the lookup is not prepared on the connection (%v)", rows.Err())
			}
			if err := rows.Scan(&generic, &custom); err != nil {
				t.Fatal(err)
			}
			if (generic > 0) != tc.generic || (custom > 5) != tc.plan {
				t.Errorf("after 11 prepared runs: %d runs with the kept plan, %d planned for their values", generic, custom)
			}
		})
	}
	// The metrics count the connections of both pools.
	if st := db.Stats(); st.MaxOpenConnections != defaultPoolConns+keptPlanConns(defaultPoolConns) || st.OpenConnections < 2 {
		t.Errorf("pools: %d connections open of at most %d, want at least 2 of %d", st.OpenConnections, st.MaxOpenConnections, defaultPoolConns+keptPlanConns(defaultPoolConns))
	}
}
