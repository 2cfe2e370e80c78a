package graph_test

import (
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
)

// benchQuery measures one operation through the real HTTP handler, server side, on each
// database, and reports the SQL statements it runs.
func benchQuery(b *testing.B, query string, vars map[string]any) {
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Loaded(b, d)
			a := newAPI(b, db)
			var n int64
			for b.Loop() {
				n = a.statements(query, vars)
			}
			b.ReportMetric(float64(n), "statements/op")
		})
	}
}

func BenchmarkTerritoryLookup(b *testing.B) {
	benchQuery(b, `{ territory(level: EPCI, code: "243500139") { name population ancestors { level code } } }`, nil)
}

func BenchmarkSearch(b *testing.B) {
	benchQuery(b, `{ searchTerritories(text: "st malo") { level code name population } }`, nil)
}

// BenchmarkNested3Levels draws a region's page: its departments, their EPCI, and for
// each EPCI its parents with weights.
func BenchmarkNested3Levels(b *testing.B) {
	benchQuery(b, `{ territory(level: REGION, code: "53") { name
		children(level: DEPARTMENT) { edges { node { code name population
			children(level: EPCI) { totalCount edges { node { code name population
				parents { weight parent { code } } } } } } } } } }`, nil)
}
