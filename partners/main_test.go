package partners_test

import (
	"context"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
)

func TestMain(m *testing.M) {
	testdb.Main(m)
}

// asAdmin returns a context whose writes are made with an admin key.
func asAdmin(ctx context.Context) context.Context {
	return service.WithPrincipal(ctx, &access.Principal{Organisation: "tests", Prefix: "00000000", Role: access.Admin}, nil)
}

func key(level hierarchy.Level, code string) *service.TerritoryKey {
	return &service.TerritoryKey{Level: level, Code: code}
}
