package graph_test

import (
	"context"
	"os"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// benchPlanningDB returns a loaded database of the dialect with the SGPE file imported.
func benchPlanningDB(b *testing.B, dialect string) *store.DB {
	b.Helper()
	ctx := context.Background()
	db := testdb.Loaded(b, dialect)
	f, err := os.Open("../../shared/data/sgpe/simulateur-territorial-data.json")
	if err != nil {
		b.Skipf("SGPE reference file: %v", err)
	}
	defer f.Close()
	if err := store.EnsureCatalogue(ctx, db.Client); err != nil {
		b.Fatal(err)
	}
	codes, err := store.RegionCodes(ctx, db.Client)
	if err != nil {
		b.Fatal(err)
	}
	sf, err := planning.ParseSGPE(f, codes)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.ImportSGPE(ctx, db.Client, sf); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkRegionDashboard draws a region's whole dashboard: every sector with its levers,
// objectives, latest observation and progress.
func BenchmarkRegionDashboard(b *testing.B) {
	const q = `{ territory(level: REGION, code: "53") { name dashboard { sector { code name } ghgAvoided derived
		objectives { targetValue unit }
		levers { lever { code name physicalUnit } ghgAvoided physicalTarget latest { year value }
			diagnostic { status travelled remaining } } } } }`
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			a := newAPI(b, benchPlanningDB(b, d))
			var n int64
			for b.Loop() {
				n = a.statements(q, nil)
			}
			b.ReportMetric(float64(n), "statements/op")
		})
	}
}
