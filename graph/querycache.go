package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// Parsed queries are kept, by their text, so that a dashboard sending the same few
// queries again is neither parsed nor validated again: those took 7% of the server's CPU
// on a page of 100 territories. Only queries of up to maxCachedQuery bytes are kept, at
// most queryCacheSize of them, so that what a client can make the server keep is bounded
// whatever it sends (a parsed query takes several times its text).
const (
	queryCacheSize = 500
	maxCachedQuery = 8 << 10
)

// queryCache keeps the parsed and validated documents of short queries.
type queryCache struct{ lru *lru.LRU[*ast.QueryDocument] }

func newQueryCache() queryCache {
	return queryCache{lru.New[*ast.QueryDocument](queryCacheSize)}
}

func (c queryCache) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	if len(query) > maxCachedQuery {
		return nil, false
	}
	return c.lru.Get(ctx, query)
}

func (c queryCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= maxCachedQuery {
		c.lru.Add(ctx, query, doc)
	}
}

var _ graphql.Cache[*ast.QueryDocument] = queryCache{}
