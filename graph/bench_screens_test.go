package graph_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
)

// screens are the seven dashboard screens bench/peer.sh measures against PostGraphile
// (bench/peer/screens.mjs), as the project's server is asked them.
var screens = []struct{ name, query string }{
	{"territory", `{ territory(level: EPCI, code: "243500139") { level code name population ancestors { level code name population } } }`},
	{"tree", `{ territory(level: REGION, code: "53") { code name children(level: DEPARTMENT) { edges { node { code name
		children(level: EPCI) { edges { node { code name population } } } } } } } }`},
	{"epcis", `{ territory(level: DEPARTMENT, code: "35") { code children(level: EPCI, first: 50) { totalCount edges { node { code name population
		parents { weight parent { level code } } } } } } }`},
	{"rollup", `{ territory(level: EPCI, code: "243500139") { code rollup { actionCount budget effectKtco2e committed { status ktco2e count } } } }`},
	{"france", `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
		territory { code name } rollup { actionCount budget adoptedKtco2e objectiveKtco2e } } } }`},
	{"objectives", `{ territory(level: REGION, code: "53") { objectives(first: 100) { totalCount
		edges { node { metric unit baselineValue targetValue derived lever { code } } } } } }`},
	{"largest", `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) {
		totalCount edges { node { code name population nature } } } }`},
}

// BenchmarkScreens measures the seven screens server side, with 20,000 synthetic actions
// and 10,000 commitments, and reports allocations, statements and rows read per screen.
func BenchmarkScreens(b *testing.B) {
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Planned(b, d)
			if err := ops.SeedDemo(context.Background(), db.Client, ops.DemoSize{Actions: 20_000, Commitments: 10_000, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			a := newAPI(b, db)
			for _, s := range screens {
				b.Run(s.name, func(b *testing.B) {
					b.ReportAllocs()
					var n, rows int64
					for b.Loop() {
						n, rows = a.reads(s.query)
					}
					b.ReportMetric(float64(n), "statements/op")
					b.ReportMetric(float64(rows), "rows/op")
				})
			}
		})
	}
}
