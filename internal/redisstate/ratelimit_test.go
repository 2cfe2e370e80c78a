package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/httpapi"
)

// TestRateLimiterCharge: work charged takes tokens below zero, the next request waits
// for the debt to be paid, and the bucket lives until then rather than the time a full
// bucket takes to refill.
func TestRateLimiterCharge(t *testing.T) {
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Open(ctx, u)
	if err != nil {
		t.Skipf("no Redis: %v", err)
	}
	defer c.Close()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "test:" + hex.EncodeToString(b) + ":"
	l := NewRateLimiter(c, prefix, 1, 3, httpapi.MemoryRateLimiter(1, 3)) // 1 a second, 3 at once
	defer c.rdb.Del(context.Background(), prefix+"a")
	if err := l.Charge(ctx, "a", 20); err != nil { // 3 - 20 = -17
		t.Fatal(err)
	}
	ok, wait, err := l.Allow(ctx, "a")
	if err != nil || ok || wait < 17*time.Second || wait > 18*time.Second {
		t.Fatalf("after a charge of 20 from 3: %v, wait %s, %v; want about 18 s", ok, wait, err)
	}
	if ttl := c.rdb.TTL(ctx, prefix+"a").Val(); ttl < 18*time.Second {
		t.Fatalf("the bucket in debt expires in %s, before the debt is paid", ttl)
	}
}
