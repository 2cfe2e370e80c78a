package service_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
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
				if _, err := service.New(db.Client).EnsureHierarchy(ctx, data.Hierarchy); err != nil {
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
				codes, _ := service.New(db.Client).RegionCodes(ctx)
				if err := service.New(db.Client).EnsureCatalogue(ctx); err != nil {
					b.Fatal(err)
				}
				f := data.SGPE()
				before := db.Statements.Count()
				b.StartTimer()
				sf, err := planning.ParseSGPE(f, codes)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := service.New(db.Client).ImportSGPE(ctx, sf); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
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
			if _, err := service.New(db.Client).ImportSGPE(ctx, parseSGPE(b, db)); err != nil {
				b.Fatal(err)
			}
			var n int
			for b.Loop() {
				var err error
				if n, err = service.New(db.Client).RecomputeBreakdowns(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "objectives/op")
		})
	}
}

// BenchmarkWrites measures createAction as the API runs it: the action,
// its audit entry, its idempotency key and the roll-up cells of the territories containing
// its carrier, in one transaction; sequential, then from 8 concurrent writers.
func BenchmarkWrites(b *testing.B) {
	ctx := context.Background()
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Loaded(b, d)
			if err := service.New(db.Client).EnsureCatalogue(ctx); err != nil {
				b.Fatal(err)
			}
			benchCreateActions(b, service.New(db.Client))
		})
	}
}

// benchCreateActions runs createAction with an idempotency key on svc, sequential, then
// from 8 concurrent writers, reporting writes a second.
func benchCreateActions(b *testing.B, svc *service.Service) {
	ctx := testdb.AsAdmin(context.Background())
	var n atomic.Int64
	create := func() error {
		i := n.Add(1)
		title, start, budget := fmt.Sprintf("Action %d", i), 2025, 1000.0
		idem := fmt.Sprintf("bench-%d", i)
		_, err := svc.CreateAction(ctx, service.ActionInput{Title: &title, Territory: testdb.Key(hierarchy.Commune, "35238"),
			StartYear: &start, Budget: &budget}, &idem)
		return err
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			if err := create(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	})
	b.Run("8-writers", func(b *testing.B) {
		b.SetParallelism(4) // 4 x GOMAXPROCS (2) goroutines
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := create(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	})
}
