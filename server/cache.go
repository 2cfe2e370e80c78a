package main

import (
	"context"
	"flag"
	"time"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/store"
)

// cacheConfig sizes the cache of anonymous query results (httpapi.ResultCache).
type cacheConfig struct {
	entries int
	maxAge  time.Duration
}

func (c *cacheConfig) flags(fs *flag.FlagSet, env func(name, def string) string) {
	fs.IntVar(&c.entries, "cache", atoi(env("CACHE_ENTRIES", ""), 2000), "anonymous query results kept, keyed by the data version that every write advances; 0 for none (CACHE_ENTRIES)")
	fs.DurationVar(&c.maxAge, "cache-max-age", duration(env("CACHE_MAX_AGE", ""), 5*time.Second), "how long CDNs and browsers may keep an anonymous GET answer before revalidating its ETag (CACHE_MAX_AGE)")
}

// apply gives opts the cache, unless it is off. With PostgreSQL the cache listens to the
// data version other instances advance, to drop outdated answers at once (each request
// reads the version anyway).
func (c cacheConfig) apply(ctx context.Context, databaseURL string, db *store.DB, opts *httpapi.Options) error {
	if c.entries <= 0 {
		return nil
	}
	cache := httpapi.NewResultCache(c.entries, c.maxAge, db.DataVersion)
	if err := store.ListenDataVersion(ctx, databaseURL, db, cache.Advance); err != nil {
		return err
	}
	opts.Cache = cache
	return nil
}
