package service_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
)

// TestGoalTotals checks the database's sums of goals (goalTotals, what roll-ups show),
// read from the goal cells and added up from the objectives, against goalsOf's goals
// added up, on every territory above the communes, for every
// lever, a sector and a lever: with the SGPE file's objectives and those derived from
// them, then with own objectives that take the place of derived ones (a department's) and
// of the regions' (the country's).
func TestGoalTotals(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Planned(t, d)
			svc := withFixtures(t, db, false)
			ts, err := db.Client.Territory.Query().Where(territory.LevelNEQ(hierarchy.Commune)).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			regional, err := db.Client.Objective.Query().
				Where(objective.HasTerritoryWith(territory.CodeEQ("44"), territory.LevelEQ(hierarchy.Region)),
					objective.MetricEQ(planning.GHGAvoided), objective.LeverIDNotNil()).
				Order(ent.Asc(objective.FieldID)).All(ctx)
			if err != nil || len(regional) == 0 {
				t.Fatalf("Grand Est's objectives: %d, %v", len(regional), err)
			}
			lever, sectorID := regional[0].LeverID, *regional[0].SectorID

			compare := func(what string) {
				t.Helper()
				for _, f := range []struct {
					name    string
					lever   *int
					sectors []int
				}{{"all", nil, nil}, {"lever", lever, nil}, {"sector", nil, []int{sectorID}}} {
					want, err := svc.GoalSums(ctx, ts, f.lever, f.sectors)
					if err != nil {
						t.Fatal(err)
					}
					if len(want) < 100 {
						t.Fatalf("%s, %s: %d territories with goals", what, f.name, len(want))
					}
					for _, sum := range []struct {
						name  string
						total func(context.Context, []*ent.Territory, *int, []int) (map[int]int64, bool, error)
					}{{"read", svc.GoalTotals}, {"added up from the objectives", svc.LiveGoalTotals}} {
						got, ok, err := sum.total(ctx, ts, f.lever, f.sectors)
						if err != nil || !ok {
							t.Fatalf("%s, %s: %v, %t", what, f.name, err, ok)
						}
						if len(got) != len(want) {
							t.Errorf("%s, %s, %s: %d territories with goals, %d from goalsOf", what, f.name, sum.name, len(got), len(want))
						}
						for _, tr := range ts {
							if got[tr.ID] != want[tr.ID] {
								t.Errorf("%s, %s, %s %s: %d units %s, %d from goalsOf", what, f.name, tr.Level, tr.Code, got[tr.ID], sum.name, want[tr.ID])
							}
						}
					}
				}
			}
			compare("SGPE")

			// Own objectives: Bas-Rhin's own for the lever, in place of its derived part;
			// the country's own, in place of the regions'; Rennes Métropole's own filed
			// under another sector, which a filter on the lever's sector leaves out, and
			// with it its place: the derived one counts then.
			other, err := db.Client.Sector.Query().Where(sector.IDNEQ(sectorID)).FirstID(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, owner := range []struct {
				level  hierarchy.Level
				code   string
				value  float64
				sector int
			}{{hierarchy.Department, "67", 1234.5678, sectorID}, {hierarchy.Country, "FR", 50_000.25, sectorID}, {hierarchy.EPCI, "243500139", 77.5, other}} {
				tr, err := db.Client.Territory.Query().Where(territory.LevelEQ(owner.level), territory.CodeEQ(owner.code)).Only(ctx)
				if err != nil {
					t.Fatal(err)
				}
				o := regional[0]
				err = db.Client.Objective.Create().SetTerritoryID(tr.ID).SetNillableLeverID(o.LeverID).SetSectorID(owner.sector).
					SetMetric(o.Metric).SetUnit(o.Unit).SetBaselineYear(o.BaselineYear).SetBaselineValue(0).
					SetTargetYear(o.TargetYear).SetTargetValue(owner.value).SetSource(objective.SourceLOCAL).Exec(ctx)
				if err != nil {
					t.Fatal(err)
				}
			}
			// Objectives are written by the imports, which keep the goal cells: written
			// here directly, the cells are recomputed as an import would.
			if err := svc.RebuildGoalCells(ctx); err != nil {
				t.Fatal(err)
			}
			compare("own objectives")

			// Communes are left to goalsOf.
			c, err := db.Client.Territory.Query().Where(territory.LevelEQ(hierarchy.Commune)).First(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, err := svc.GoalTotals(ctx, append(ts[:1:1], c), nil, nil); ok || err != nil {
				t.Errorf("a commune among the territories: ok %t, %v; want false", ok, err)
			}
		})
	}
}
