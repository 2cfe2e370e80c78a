package ops_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestRollupAtTheCeiling writes actions at the largest budget and effect the API accepts,
// refuses one above, then takes the amounts back: the roll-ups stay finite and exact
// enough, and the cells match the records at every step (issue: two budgets of 1.7e308
// made every roll-up above them fail, for good).
func TestRollupAtTheCeiling(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := testdb.AsAdmin(context.Background())
		svc := service.New(db.Client)
		checkCells := func(stage string) {
			t.Helper()
			rep, err := ops.CheckRollupCells(ctx, db.Client)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.Territories == 0 {
				t.Errorf("%s: %+v", stage, rep)
			}
		}
		title, year := "Programme au plafond", 2025
		budget, kt := float64(planning.MaxBudget), float64(planning.MaxKtCO2e)
		var ids []int
		for _, carrier := range []*service.TerritoryKey{testdb.Key(hierarchy.EPCI, "243500139"), testdb.Key(hierarchy.Commune, "35238")} {
			a, err := svc.CreateAction(ctx, service.ActionInput{Title: &title, Territory: carrier, StartYear: &year,
				Budget: &budget, EffectKtco2e: &kt}, nil)
			if err != nil {
				t.Fatalf("an action at the ceiling: %v", err)
			}
			ids = append(ids, a.ID)
		}
		for _, tc := range []struct {
			name   string
			budget float64
		}{{"1.7e308", 1.7e308}, {"a cent above", planning.MaxBudget + 0.01}, {"negative", -1}} {
			_, err := svc.CreateAction(ctx, service.ActionInput{Title: &title, Territory: testdb.Key(hierarchy.EPCI, "243500139"),
				StartYear: &year, Budget: &tc.budget}, nil)
			if !errors.Is(err, service.ErrInvalidInput) || !strings.Contains(err.Error(), "budget") {
				t.Errorf("budget %s: %v, want a refusal naming the budget", tc.name, err)
			}
		}
		checkCells("at the ceiling")
		fr, err := svc.Territory(ctx, hierarchy.Country, "FR")
		if err != nil {
			t.Fatal(err)
		}
		r, err := svc.Rollup(ctx, fr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Budget != 2*planning.MaxBudget || r.EffectKtco2e != 2*planning.MaxKtCO2e {
			t.Errorf("France: budget %g, effect %g; want twice the ceilings", r.Budget, r.EffectKtco2e)
		}

		// Back to ordinary amounts: the cells follow, within a cent.
		small, none := 1234.5, 0.0
		for _, id := range ids {
			a, err := db.Client.Action.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdateAction(ctx, id, a.Version, service.ActionInput{Budget: &small, EffectKtco2e: &none}); err != nil {
				t.Fatal(err)
			}
		}
		checkCells("back to small amounts")
		if r, err = svc.Rollup(ctx, fr, nil); err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Budget-2*small) > ops.CheckAbsTolerance || math.IsNaN(r.EffectKtco2e) || math.Abs(r.EffectKtco2e) > 1e-6 {
			t.Errorf("France after the updates: budget %g, effect %g; want %g and 0", r.Budget, r.EffectKtco2e, 2*small)
		}
	})
}

// TestCheckAndRepairRollupCells spoils cells in every way a bug or a crash could (an
// amount off, a cell missing, one in excess, an infinite amount), then checks that the
// check finds each and the rebuild repairs them.
func TestCheckAndRepairRollupCells(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := ops.SeedDemo(ctx, db.Client, ops.DemoSize{Actions: 400, Commitments: 200, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		rep, err := ops.CheckRollupCells(ctx, db.Client)
		if err != nil || !rep.OK() {
			t.Fatalf("after the seed: %+v, %v", rep, err)
		}
		for _, tc := range []struct{ name, sql string }{
			{"a budget off by a euro", `UPDATE rollup_cells SET budget = budget + 1 WHERE id = (SELECT MIN(id) FROM rollup_cells WHERE kind = 'ACTION')`},
			{"a count off", `UPDATE rollup_cells SET count = count + 1 WHERE id = (SELECT MAX(id) FROM rollup_cells)`},
			{"a cell missing", `DELETE FROM rollup_cells WHERE id = (SELECT MIN(id) FROM rollup_cells WHERE kind = 'COMMITMENT')`},
			{"a cell in excess", `INSERT INTO rollup_cells (ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e)
				SELECT MIN(id), 'ACTION', 0, -1, 'PLANNED_NOWHERE', 1, 1, 5, 0 FROM territories`},
			{"an infinite budget", `UPDATE rollup_cells SET budget = ` + infinity(db) + ` WHERE id = (SELECT MIN(id) FROM rollup_cells WHERE kind = 'ACTION')`},
		} {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				if _, err := db.Client.ExecContext(ctx, tc.sql); err != nil {
					t.Fatal(err)
				}
				rep, err := ops.CheckRollupCells(ctx, db.Client)
				if err != nil {
					t.Fatal(err)
				}
				if rep.CellDiffs == 0 || len(rep.Examples) == 0 {
					t.Errorf("not found: %+v", rep)
				}
				if err := ops.RebuildRollupCells(ctx, db.Client); err != nil {
					t.Fatal(err)
				}
				if rep, err := ops.CheckRollupCells(ctx, db.Client); err != nil || !rep.OK() {
					t.Errorf("after the rebuild: %+v, %v", rep, err)
				}
			})
		}
	})
}

// infinity is an infinite float in the database's SQL.
func infinity(db *store.DB) string {
	if db.Dialect == testdb.Postgres {
		return `CAST('Infinity' AS DOUBLE PRECISION)`
	}
	return `9e999`
}

// TestHierarchySizesBoundTheData checks the sizes the API prices queries with
// (hierarchy.MaxUnder, MaxChildren) against the loaded hierarchy and the illustrative
// CRTE perimeters.
func TestHierarchySizesBoundTheData(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) { testdb.Parallel(t); hierarchySizesBoundTheData(t, testdb.WithFixtures(t, d)) })
	}
}

// hierarchySizesBoundTheData checks the bounds on db, which holds the illustrative CRTE.
func hierarchySizesBoundTheData(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, tc := range []struct {
		what, sql string
		max       func(p, l hierarchy.Level) int
	}{
		{"descendants", `SELECT a.ancestor_id, p.level, t.level, COUNT(*) FROM ancestries a JOIN territories t ON t.id = a.territory_id
			JOIN territories p ON p.id = a.ancestor_id WHERE a.depth > 0 GROUP BY a.ancestor_id, p.level, t.level`, hierarchy.MaxUnder},
		{"children", `SELECT m.parent_id, p.level, t.level, COUNT(*) FROM memberships m JOIN territories t ON t.id = m.child_id
			JOIN territories p ON p.id = m.parent_id GROUP BY m.parent_id, p.level, t.level`, hierarchy.MaxChildren},
	} {
		rows, err := db.Client.QueryContext(ctx, tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		type parent struct {
			id    int
			level string
		}
		all := map[parent]int{}
		for rows.Next() {
			var p parent
			var l string
			var n int
			if err := rows.Scan(&p.id, &p.level, &l, &n); err != nil {
				t.Fatal(err)
			}
			if max := tc.max(hierarchy.Level(p.level), hierarchy.Level(l)); n > max {
				t.Errorf("%s: %s %d has %d of level %s, the bound says %d", tc.what, p.level, p.id, n, l, max)
			}
			all[p] += n
		}
		rows.Close()
		for p, n := range all {
			if max := tc.max(hierarchy.Level(p.level), ""); n > max {
				t.Errorf("%s: %s %d has %d in all, the bound says %d", tc.what, p.level, p.id, n, max)
			}
		}
		if len(all) == 0 {
			t.Errorf("%s: nothing read", tc.what)
		}
	}
}
