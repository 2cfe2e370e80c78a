package testdb

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// fixture is the path of an illustrative file of data/fixtures, from any test's folder.
func fixture(name string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "data", "fixtures", name)
}

// ImportCRTEFixture imports the illustrative CRTE perimeters, as `import crte` does: the
// derived objectives are recomputed for them.
func ImportCRTEFixture(t testing.TB, db *store.DB) {
	t.Helper()
	if err := importCRTE(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

// ImportFixtures imports the illustrative CRTE perimeters, then the illustrative
// observations, as `import crte` and `import observations` do. WithFixtures gives a
// database holding them already.
func ImportFixtures(t testing.TB, db *store.DB) {
	t.Helper()
	if err := importFixtures(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func importCRTE(ctx context.Context, db *store.DB) error {
	f, err := os.Open(fixture("crte-illustrative.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := hierarchy.ParseCRTE(f)
	if err != nil {
		return err
	}
	_, err = service.New(db.Client).ImportCRTE(ctx, rows)
	return err
}

func importFixtures(ctx context.Context, db *store.DB) error {
	if err := importCRTE(ctx, db); err != nil {
		return err
	}
	f, err := os.Open(fixture("observations-illustrative.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := planning.ParseObservations(f)
	if err != nil {
		return err
	}
	_, err = service.New(db.Client).ImportObservations(ctx, recs)
	return err
}

// AsAdmin returns a context whose writes are made with an admin key, for tests that call
// the service directly.
func AsAdmin(ctx context.Context) context.Context {
	return service.WithPrincipal(ctx, &access.Principal{Organisation: "tests", Prefix: "00000000", Role: access.Admin}, nil)
}

// Key names a territory as the service's inputs do.
func Key(level hierarchy.Level, code string) *service.TerritoryKey {
	return &service.TerritoryKey{Level: level, Code: code}
}
