package graph

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
)

// apqCache is where persisted queries are kept: APQCache when given, else APQCacheSize
// queries in this process's memory; nil for none.
func (o Options) apqCache() graphql.Cache[string] {
	if o.APQCache != nil {
		return o.APQCache
	}
	if o.APQCacheSize > 0 {
		return lru.New[string](o.APQCacheSize)
	}
	return nil
}
