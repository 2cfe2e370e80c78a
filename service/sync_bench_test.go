package service_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// BenchmarkWritesSynchronous measures what a durable commit costs on SQLite: createAction
// as BenchmarkWrites runs it, with synchronous=FULL (the default: the write-ahead log
// synced at every commit) and NORMAL (synced at checkpoints), sequential and from 8
// writers. The database is a file under TMPDIR: run it on the disk the server uses.
func BenchmarkWritesSynchronous(b *testing.B) {
	ctx := testdb.AsAdmin(context.Background())
	for _, sync := range []store.Sync{store.SyncFull, store.SyncNormal} {
		b.Run(string(sync), func(b *testing.B) {
			db := testdb.PlannedWith(b, testdb.SQLite, store.Limits{Synchronous: sync})
			svc := service.New(db.Client)
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
		})
	}
}
