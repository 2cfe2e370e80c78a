package graph_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
)

// BenchmarkRollups measures the roll-up pages at national scale: 200,000 synthetic actions
// and 100,000 synthetic commitments over the real hierarchy (ops.SeedDemo, seed 1).
func BenchmarkRollups(b *testing.B) {
	pages := []struct{ name, query string }{
		{"france-by-region", `{ territory(level: COUNTRY, code: "FR") { rollup { actionCount budget adoptedKtco2e objectiveKtco2e coverage }
			rollupBy(groupBy: CHILD, level: REGION) { territory { code name } rollup { actionCount budget effectKtco2e adoptedKtco2e coverage gap } } } }`},
		{"region-by-department", `{ territory(level: REGION, code: "53") { rollup { actionCount budget adoptedKtco2e coverage }
			rollupBy(groupBy: CHILD, level: DEPARTMENT) { territory { code name } rollup { actionCount budget effectKtco2e adoptedKtco2e coverage gap } } } }`},
		{"epci-page", `{ territory(level: EPCI, code: "243500139") { name rollup { actionCount budget effectKtco2e committed { status ktco2e count } adoptedKtco2e objectiveKtco2e coverage gap }
			rollupBy(groupBy: SECTOR) { sector { code } rollup { actionCount budget adoptedKtco2e } } } }`},
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
