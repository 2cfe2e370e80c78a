package graph_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
)

// screens are the screens bench/peer.sh measures against PostGraphile
// (bench/peer/screens.mjs), as the project's server is asked them: the seven dashboard
// screens, each lighter and heavier, a data team's ranking and a partner's sync.
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
	{"territory-light", `{ territory(level: EPCI, code: "243500139") { code name population } }`},
	{"territory-heavy", `{ territory(level: EPCI, code: "243500139") { level code name population nature siren
		ancestors { level code name population } parents { weight parent { level code name } }
		children(level: COMMUNE, first: 500) { totalCount edges { node { code name population } } } } }`},
	{"tree-light", `{ territory(level: REGION, code: "53") { code children(level: DEPARTMENT) { edges { node { code name } } } } }`},
	{"tree-heavy", `{ territory(level: REGION, code: "53") { code name population children(level: DEPARTMENT) { edges { node { code name population
		children(level: EPCI) { edges { node { code name population nature
		parents { weight parent { level code } } rollup { actionCount budget } } } } } } } } }`},
	{"epcis-light", `{ territory(level: DEPARTMENT, code: "35") { children(level: EPCI, first: 50) { edges { node { code name } } } } }`},
	{"epcis-heavy", `{ territory(level: DEPARTMENT, code: "35") { code children(level: EPCI, first: 50) { totalCount edges { node { code name population nature
		parents { weight parent { level code name } } rollup { actionCount budget effectKtco2e } } } } } }`},
	{"rollup-light", `{ territory(level: EPCI, code: "243500139") { rollup { actionCount budget } } }`},
	{"rollup-heavy", `{ territory(level: EPCI, code: "243500139") { code name population rollup { actionCount actionShare budget effectKtco2e
		committed { status ktco2e count } adoptedKtco2e objectiveKtco2e coverage gap } } }`},
	{"france-light", `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) { territory { code } rollup { actionCount budget } } } }`},
	{"france-heavy", `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) { territory { code name population }
		rollup { actionCount actionShare budget effectKtco2e committed { status ktco2e count } adoptedKtco2e objectiveKtco2e coverage gap } } } }`},
	{"objectives-light", `{ territory(level: REGION, code: "53") { objectives(first: 100) { edges { node { metric targetValue } } } } }`},
	{"objectives-heavy", `{ territory(level: REGION, code: "53") { objectives(first: 100, includeDerived: false) { totalCount
		edges { node { metric unit baselineYear baselineValue targetYear targetValue derived source
		lever { code name physicalUnit extensive sector { code name } } sector { code name } } } } } }`},
	{"largest-light", `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) { edges { node { code population } } } }`},
	{"largest-heavy", `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) {
		totalCount pageInfo { hasNextPage endCursor } edges { node { code name population nature siren
		parents { weight parent { level code } } rollup { actionCount budget } } } } }`},
	{"ranking", `{ territory(level: COUNTRY, code: "FR") { ranking(level: DEPARTMENT, orderBy: {by: BUDGET}, first: 20) {
		totalCount edges { node { rank value territory { code name } rollup { actionCount budget } } } } } }`},
	{"actions-since", `{ actions(updatedSince: "2020-01-01T00:00:00Z", first: 100) { pageInfo { hasNextPage }
		edges { node { title status startYear endYear budget effectKtco2e updatedAt territory { level code } lever { code } } } } }`},
}

// BenchmarkScreens measures the screens server side, with 20,000 synthetic actions
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
