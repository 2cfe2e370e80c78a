package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Sectors come in the catalogue's order whatever their ids: here agriculture, last in the
// catalogue, and a sector the catalogue does not know are written before the others.
func TestSectorsInCatalogueOrder(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, false, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, code := range []string{"zz-inconnu", "agriculture"} {
			if err := db.Client.Sector.Create().SetCode(code).SetName(code).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		svc := service.New(db.Client)
		if err := svc.EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		sectors, err := svc.Sectors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, s := range sectors {
			got = append(got, s.Code)
		}
		for _, s := range planning.Sectors {
			want = append(want, s.Code)
		}
		want = append(want, "zz-inconnu")
		if !slices.Equal(got, want) {
			t.Errorf("sectors %v, want %v", got, want)
		}
	})
}
