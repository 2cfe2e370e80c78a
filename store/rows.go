package store

import (
	"sync/atomic"

	entsql "entgo.io/ent/dialect/sql"
)

// Rows returns the number of rows read so far by the queries ent runs (not those of
// hand-written SQL sent with QueryContext): with Count, what tests assert to keep an
// operation's reads bounded.
func (c *Counter) Rows() int64 { return c.rows.Load() }

// countRows makes the rows of a query that succeeded count themselves as they are read.
func (c *Counter) countRows(v any, err error) error {
	if rows, ok := v.(*entsql.Rows); ok && err == nil && rows.ColumnScanner != nil {
		rows.ColumnScanner = &rowCounter{ColumnScanner: rows.ColumnScanner, n: &c.rows}
	}
	return err
}

type rowCounter struct {
	entsql.ColumnScanner
	n *atomic.Int64
}

func (r *rowCounter) Next() bool {
	ok := r.ColumnScanner.Next()
	if ok {
		r.n.Add(1)
	}
	return ok
}
