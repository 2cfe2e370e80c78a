package graph_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
)

// BenchmarkDataTeams measures rankings, comparisons and trajectories over 200,000
// synthetic actions and 100,000 synthetic commitments (ops.SeedDemo, seed 1).
func BenchmarkDataTeams(b *testing.B) {
	pages := []struct{ name, query string }{
		{"epci-of-france-by-gap-per-inhabitant", `{ territory(level: COUNTRY, code: "FR") { ranking(level: EPCI, orderBy: {by: GAP, perInhabitant: true},
			filter: {lever: "augm_voitelec"}, first: 100) { totalCount edges { node { rank value territory { code name } rollup { gap coverage } } } } } }`},
		{"communes-of-grand-est-by-budget", `{ territory(level: REGION, code: "44") { ranking(level: COMMUNE, orderBy: {by: BUDGET, perInhabitant: true},
			first: 100) { totalCount edges { node { rank value territory { code name } } } } } }`},
		{"departments-of-bretagne-with-rank-in-france", `{ territory(level: REGION, code: "53") { children(level: DEPARTMENT) { edges { node { code
			rank(orderBy: {by: COVERAGE}) { rank outOf value } } } } } }`},
		{"compare-5", `{ compare(territories: [{level: REGION, code: "53"}, {level: DEPARTMENT, code: "35"}, {level: EPCI, code: "243500139"},
			{level: EPCI, code: "243500741"}, {level: COMMUNE, code: "35238"}], lever: "augm_voitelec") {
			territory { code } diagnostic { status } rollup { adoptedKtco2e coverage } } }`},
		{"trajectory", `{ territory(level: DEPARTMENT, code: "35") { trajectory(lever: "augm_voitelec", metric: GHG_AVOIDED) {
			points { year expected observed adopted } } } }`},
	}
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Planned(b, d)
			if err := ops.SeedDemo(context.Background(), db.Client, ops.DemoSize{Actions: 200_000, Commitments: 100_000, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			a := newAPI(b, db)
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					var n int64
					for b.Loop() {
						n = a.statements(p.query, nil)
					}
					b.ReportMetric(float64(n), "statements/op")
				})
			}
		})
	}
}
