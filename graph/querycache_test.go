package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func TestQueryCacheKeepsShortQueries(t *testing.T) {
	ctx := context.Background()
	c := newQueryCache()
	doc := &ast.QueryDocument{}
	short := "{ territory(level: REGION, code: \"53\") { name } }"
	long := "{ territory(level: REGION, code: \"53\") { name " + strings.Repeat("code ", maxCachedQuery/5) + "} }"
	for _, tc := range []struct {
		query string
		kept  bool
	}{{short, true}, {long, false}} {
		c.Add(ctx, tc.query, doc)
		got, ok := c.Get(ctx, tc.query)
		if ok != tc.kept || ok && got != doc {
			t.Errorf("a query of %d bytes: kept %v, want %v", len(tc.query), ok, tc.kept)
		}
	}
	for i := range queryCacheSize + 1 {
		c.Add(ctx, strings.Repeat(" ", i)+short, doc)
	}
	if _, ok := c.Get(ctx, short); ok {
		t.Errorf("the least recently used query is still kept after %d others", queryCacheSize+1)
	}
}
