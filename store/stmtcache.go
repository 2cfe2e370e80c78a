package store

import (
	"container/list"
	"context"
	"database/sql/driver"
)

// stmtCache holds a connection's prepared statements by query text, the least recently
// used first out. A query run again is then bound and executed in one round trip without
// being parsed again: a tenth of a millisecond of the database's CPU saved on each of the
// small statements a dashboard sends. Plans are still made for each execution's values
// (plan_cache_mode=force_custom_plan, see postgresDSN): generic plans of statements on a
// list of ids were up to a hundred times slower. The reads marked KeptPlan (plans.go) are
// the exception.
//
// A query is prepared the second time it is seen: one seen once (a list of ids of a length
// not met again, a check) costs one round trip, not two.
type stmtCache struct {
	max   int
	order *list.List // of *cachedStmt, most recent first
	byKey map[string]*list.Element
	seen  map[string]bool // queries run once, unprepared; forgotten past 4 × max
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), byKey: map[string]*list.Element{}, seen: map[string]bool{}}
}

// get returns the statement prepared for query, preparing it the second time query is
// asked for; nil the first time.
func (c *stmtCache) get(ctx context.Context, conn driver.ConnPrepareContext, query string) (driver.Stmt, error) {
	if e := c.byKey[query]; e != nil {
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	if !c.seen[query] {
		if len(c.seen) >= 4*c.max {
			clear(c.seen)
		}
		c.seen[query] = true
		return nil, nil
	}
	delete(c.seen, query)
	st, err := conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.byKey[query] = c.order.PushFront(&cachedStmt{query, st})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		cs := last.Value.(*cachedStmt)
		delete(c.byKey, cs.query)
		cs.stmt.Close()
	}
	return st, nil
}

// drop forgets a statement, closing it on the server.
func (c *stmtCache) drop(query string) {
	if e := c.byKey[query]; e != nil {
		c.order.Remove(e)
		delete(c.byKey, query)
		e.Value.(*cachedStmt).stmt.Close()
	}
}
