package store_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/internal/testdb"
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
