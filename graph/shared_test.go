package graph_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/redisstate"
	"github.com/cop-territoriales/cop-api/internal/testdb"
)

// testRedis connects to TEST_REDIS_URL (redis://127.0.0.1:6379/0 by default), skipping the
// test when no Redis answers there; it returns a key prefix of its own.
func testRedis(t *testing.T) (*redisstate.Client, string) {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := redisstate.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if !c.Up() {
		t.Skipf("no Redis to share state through at %s", c.Addr())
	}
	b := make([]byte, 6)
	rand.Read(b)
	return c, "test:" + hex.EncodeToString(b) + ":"
}

// TestSharedState runs two instances over one database, each with its own Redis
// connection: they enforce one rate limit between them, and a query persisted through
// one is found through the other.
func TestSharedState(t *testing.T) {
	db := testdb.Loaded(t, testdb.SQLite)
	_, prefix := testRedis(t)
	instance := func() *api {
		c, _ := testRedis(t)
		opts := testOptions()
		opts.RatePerSecond, opts.RateBurst = 0.001, 3 // no token comes back during the test
		opts.RateLimiter = redisstate.NewRateLimiter(c, prefix+"rate:", opts.RatePerSecond, opts.RateBurst, httpapi.MemoryRateLimiter(opts.RatePerSecond, opts.RateBurst))
		opts.GraphQL.APQCache = redisstate.NewQueryStore(c, prefix+"apq:", time.Minute, lru.New[string](10))
		return newAPIWith(t, db, opts)
	}
	a, b := instance(), instance()

	// The persisted query is registered through a and read through b (1 + 1 requests).
	a.persist(cachedQ)
	if r, _ := b.getPersisted(cachedQ); r.Code != http.StatusOK {
		t.Fatalf("persisted through one instance, asked of the other: %d %s", r.Code, r.Body.String())
	}
	// The third request of the burst of 3 passes; the fourth, wherever it goes, does not.
	if r := a.raw(http.MethodPost, "application/json", `{"query":"{ __typename }"}`); r.status != http.StatusOK {
		t.Fatalf("third request: %d", r.status)
	}
	for name, x := range map[string]*api{"first": a, "second": b} {
		if r := x.raw(http.MethodPost, "application/json", `{"query":"{ __typename }"}`); r.status != http.StatusTooManyRequests {
			t.Errorf("a request over the shared burst through the %s instance: %d, want 429", name, r.status)
		}
	}
}
