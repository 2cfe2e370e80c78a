package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/redisstate"
)

// sharedConfig names where instances share their rate limits and persisted queries.
type sharedConfig struct {
	redisURL string
}

func (c *sharedConfig) flags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.redisURL, "redis-url", getenv("REDIS_URL"), "redis:// URL where instances share rate limit buckets and persisted queries; each keeps its own without it (REDIS_URL)")
}

// apply makes opts use Redis for the rate limit and the persisted queries, when a URL is
// given; the returned function closes the connection. Only a malformed URL is an error:
// a Redis that does not answer leaves each instance with its own state until it does.
func (c sharedConfig) apply(ctx context.Context, opts *httpapi.Options) (func(), error) {
	if c.redisURL == "" {
		return func() {}, nil
	}
	rc, err := redisstate.Open(ctx, c.redisURL)
	if err != nil {
		return nil, err
	}
	if opts.RatePerSecond > 0 {
		local := httpapi.MemoryRateLimiter(opts.RatePerSecond, opts.RateBurst)
		opts.RateLimiter = redisstate.NewRateLimiter(rc, "cop:rate:", opts.RatePerSecond, opts.RateBurst, local)
	}
	if opts.GraphQL.APQCacheSize > 0 {
		local := lru.New[string](opts.GraphQL.APQCacheSize)
		opts.GraphQL.APQCache = redisstate.NewQueryStore(rc, "cop:apq:", 24*time.Hour, local)
	}
	if rc.Up() {
		slog.Info("sharing rate limits and persisted queries through Redis", "addr", rc.Addr())
	}
	return func() { rc.Close() }, nil
}
