package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// BenchmarkLoadHierarchy measures a first start: building the graph from the embedded
// data and loading 36,250 territories, their memberships and ancestry into an empty
// database.
func BenchmarkLoadHierarchy(b *testing.B) {
	ctx := context.Background()
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := testdb.Fresh(b, d)
				before := db.Statements.Count()
				b.StartTimer()
				src, err := data.Hierarchy()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := store.EnsureHierarchy(ctx, db.Client, src); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(db.Statements.Count()-before), "statements/op")
			}
		})
	}
}

// BenchmarkImportSGPE measures an import of the SGPE file into a loaded database: parsing,
// levers, 436 region objectives and the breakdown of all of them to every department,
// CRTE and EPCI.
func BenchmarkImportSGPE(b *testing.B) {
	ctx := context.Background()
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := testdb.Loaded(b, d)
				codes, _ := store.RegionCodes(ctx, db.Client)
				if err := store.EnsureCatalogue(ctx, db.Client); err != nil {
					b.Fatal(err)
				}
				f, err := os.Open(sgpeFile)
				if err != nil {
					b.Skip(err)
				}
				before := db.Statements.Count()
				b.StartTimer()
				sf, err := planning.ParseSGPE(f, codes)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := store.ImportSGPE(ctx, db.Client, sf); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				f.Close()
				b.ReportMetric(float64(db.Statements.Count()-before), "statements/op")
				b.StartTimer()
			}
		})
	}
}

// BenchmarkRecomputeBreakdowns measures the breakdown of every lever of every region down
// to all departments, CRTE and EPCI (about 62,000 derived objectives), written.
func BenchmarkRecomputeBreakdowns(b *testing.B) {
	ctx := context.Background()
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Loaded(b, d)
			if _, err := store.ImportSGPE(ctx, db.Client, parseSGPE(b, db)); err != nil {
				b.Fatal(err)
			}
			var n int
			for b.Loop() {
				var err error
				if n, err = store.RecomputeBreakdowns(ctx, db.Client); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "objectives/op")
		})
	}
}
