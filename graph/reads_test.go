package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// reads posts an operation and returns the SQL statements it ran and the rows they read.
func (a *api) reads(query string) (statements, rows int64) {
	a.t.Helper()
	s0, r0 := a.db.Statements.Count(), a.db.Statements.Rows()
	var out map[string]any
	a.query(query, nil, &out)
	return a.db.Statements.Count() - s0, a.db.Statements.Rows() - r0
}

// TestReadsFollowSelection checks that roll-ups read objectives only when the operation
// selects a field that needs them, and then only their sums, and that a first page
// holding every row is not counted again.
func TestReadsFollowSelection(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		ctx := context.Background()
		regions, err := db.Client.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ghg, err := db.Client.Objective.Query().Where(objective.TerritoryIDIn(regions...),
			objective.MetricEQ(planning.GHGAvoided), objective.LeverIDNotNil()).Count(ctx)
		if err != nil || ghg == 0 {
			t.Fatalf("%d GHG objectives of regions: %v", ghg, err)
		}

		const france = `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
			territory { code } rollup { actionCount budget adoptedKtco2e %s } } } }`
		plainN, plainRows := a.reads(fmt.Sprintf(france, ""))
		for _, f := range []string{"objectiveKtco2e", "coverage", "gap", "... on Rollup { gap }", "o: objectiveKtco2e"} {
			n, rows := a.reads(fmt.Sprintf(france, f))
			if n != plainN+1 {
				t.Errorf("France by region with %s: %d statements, want %d (one more than without: %d)", f, n, plainN+1, plainN)
			}
			// One row per territory (the regions and the country), not the regions'
			// objectives: the database adds them up.
			if got := rows - plainRows; got <= 0 || got > int64(len(regions)+1) {
				t.Errorf("France by region with %s: read %d more rows than without, want between 1 and %d (not the %d objectives)", f, got, len(regions)+1, ghg)
			}
		}
		n, _ := a.reads(`{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
			territory { code } rollup { objectiveKtco2e @skip(if: true) budget } } } }`)
		if n != plainN {
			t.Errorf("France by region, objective skipped: %d statements, want %d", n, plainN)
		}
		if n, _ := a.reads(`{ territory(level: EPCI, code: "243500139") { code ancestors { code } } }`); n != 2 {
			t.Errorf("an EPCI with its ancestors: %d statements, want 2 (the EPCI, its ancestors)", n)
		}
		one, _ := a.reads(`{ territory(level: REGION, code: "53") { rollup { budget } } }`)
		withObj, _ := a.reads(`{ territory(level: REGION, code: "53") { rollup { budget coverage } } }`)
		if withObj != one+1 {
			t.Errorf("a region's roll-up: %d statements without objective, %d with; want one more", one, withObj)
		}

		// Bretagne has fewer than 100 objectives: the page holds them all, and its length
		// is the total count.
		var out struct {
			Territory struct {
				Objectives struct {
					TotalCount int
					Edges      []struct{ Node struct{ Metric string } }
					PageInfo   struct{ HasNextPage bool }
				}
			}
		}
		const objectives = `{ territory(level: REGION, code: "53") { objectives(first: %d) { totalCount pageInfo { hasNextPage } edges { node { metric lever { code } } } } } }`
		all, err := db.Client.Objective.Query().Where(objective.HasTerritoryWith(territory.LevelEQ(hierarchy.Region), territory.Code("53"))).Count(ctx)
		if err != nil || all == 0 || all >= 100 {
			t.Fatalf("Bretagne has %d objectives (%v); the test wants between 1 and 99", all, err)
		}
		s0 := db.Statements.Count()
		a.query(fmt.Sprintf(objectives, 100), nil, &out)
		full := db.Statements.Count() - s0
		if o := out.Territory.Objectives; o.TotalCount != all || len(o.Edges) != all || o.PageInfo.HasNextPage {
			t.Errorf("first 100 objectives: totalCount %d, %d edges, hasNextPage %v; want %d, %d, false", o.TotalCount, len(o.Edges), o.PageInfo.HasNextPage, all, all)
		}
		if full != 3 { // the territory, the page, the levers
			t.Errorf("first 100 objectives of Bretagne: %d statements, want 3 (no COUNT)", full)
		}
		// A page holding some of them: the total is counted by the page's statement.
		s0 = db.Statements.Count()
		a.query(fmt.Sprintf(objectives, 5), nil, &out)
		if n := db.Statements.Count() - s0; n != full {
			t.Errorf("first 5 objectives: %d statements, want %d (the total in the page's statement)", n, full)
		}
		if o := out.Territory.Objectives; o.TotalCount != all || len(o.Edges) != 5 || !o.PageInfo.HasNextPage {
			t.Errorf("first 5 objectives: totalCount %d, %d edges, hasNextPage %v; want %d, 5, true", o.TotalCount, len(o.Edges), o.PageInfo.HasNextPage, all)
		}
		// The 100 largest EPCI of 1,200 and more, with their count: one statement.
		var largest struct {
			Territories struct {
				TotalCount int
				Edges      []struct{ Node struct{ Code string } }
			}
		}
		epcis, err := db.Client.Territory.Query().Where(territory.LevelEQ(hierarchy.EPCI)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s0 = db.Statements.Count()
		a.query(`{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) { totalCount edges { node { code } } } }`, nil, &largest)
		if n := db.Statements.Count() - s0; n != 1 {
			t.Errorf("the 100 largest EPCI with their count: %d statements, want 1", n)
		}
		if l := largest.Territories; l.TotalCount != epcis || len(l.Edges) != 100 {
			t.Errorf("the 100 largest EPCI: totalCount %d, %d edges; want %d, 100", l.TotalCount, len(l.Edges), epcis)
		}
		// After a cursor, the page's rows are not all the connection's: a COUNT tells the total.
		var after struct {
			Territory struct {
				Objectives struct {
					TotalCount int
					Edges      []struct{ Cursor string }
				}
			}
		}
		a.query(`{ territory(level: REGION, code: "53") { objectives(first: 5) { edges { cursor } } } }`, nil, &after)
		cursor := after.Territory.Objectives.Edges[4].Cursor
		a.query(`query($c: Cursor) { territory(level: REGION, code: "53") { objectives(first: 5, after: $c) { totalCount edges { cursor } } } }`, map[string]any{"c": cursor}, &after)
		if o := after.Territory.Objectives; o.TotalCount != all || len(o.Edges) != 5 {
			t.Errorf("5 objectives after the 5th: totalCount %d, %d edges; want %d, 5", o.TotalCount, len(o.Edges), all)
		}
	})
}
