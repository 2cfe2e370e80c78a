package partners_test

import (
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
)

func TestMain(m *testing.M) {
	testdb.Main(m)
}
