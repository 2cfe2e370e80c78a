package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/httpapi"
)

// TestSharedRedisUnreachable: with REDIS_URL naming a Redis that does not answer, the
// server starts at once with its own rate limits and persisted queries, and they work.
func TestSharedRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("redis://%s/0", l.Addr())
	l.Close() // nothing listens there any more
	opts := httpapi.DefaultOptions()
	opts.RatePerSecond, opts.RateBurst = 0.001, 2
	start := time.Now()
	closeShared, err := sharedConfig{redisURL: url}.apply(context.Background(), &opts)
	if err != nil {
		t.Fatalf("Redis unreachable at the start: %v", err)
	}
	defer closeShared()
	if took := time.Since(start); took > time.Second {
		t.Errorf("the start waited %s on an unreachable Redis", took)
	}
	if opts.RateLimiter == nil || opts.GraphQL.APQCache == nil {
		t.Fatal("no rate limiter or persisted query store")
	}
	ctx := context.Background()
	for i := range 3 {
		if ok, _, err := opts.RateLimiter.Allow(ctx, "a"); ok != (i < 2) || err != nil {
			t.Errorf("call %d of a burst of 2: %v, %v", i+1, ok, err)
		}
	}
	opts.GraphQL.APQCache.Add(ctx, "h", "{ __typename }")
	if q, ok := opts.GraphQL.APQCache.Get(ctx, "h"); !ok || q != "{ __typename }" {
		t.Errorf("a persisted query: %q, %v", q, ok)
	}
}

// TestSharedRedisMalformedURL: a REDIS_URL that names no Redis stops the start.
func TestSharedRedisMalformedURL(t *testing.T) {
	opts := httpapi.DefaultOptions()
	_, err := sharedConfig{redisURL: "localhost:6379"}.apply(context.Background(), &opts)
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL") {
		t.Errorf("a malformed REDIS_URL: %v, want an error naming it", err)
	}
}
