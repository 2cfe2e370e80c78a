package graph_test

import (
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
)

// BenchmarkRegionDashboard draws a region's whole dashboard: every sector with its levers,
// objectives, latest observation and progress.
func BenchmarkRegionDashboard(b *testing.B) {
	const q = `{ territory(level: REGION, code: "53") { name dashboard { sector { code name } ghgAvoided derived
		objectives { targetValue unit }
		levers { lever { code name physicalUnit } ghgAvoided physicalTarget latest { year value }
			diagnostic { status travelled remaining } } } } }`
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			a := newAPI(b, testdb.Planned(b, d))
			var n int64
			for b.Loop() {
				n = a.statements(q, nil)
			}
			b.ReportMetric(float64(n), "statements/op")
		})
	}
}
