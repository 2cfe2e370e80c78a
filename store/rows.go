package store

import (
	"context"
	"database/sql"
	"sync/atomic"

	entsql "entgo.io/ent/dialect/sql"
)

// Rows returns the number of rows read so far by the queries ent runs (not those of
// hand-written SQL sent with QueryContext): with Count, what tests assert to keep an
// operation's reads bounded.
func (c *Counter) Rows() int64 { return c.rows.Load() }

// countRows makes the rows of a query that succeeded count themselves as they are read,
// and tell the database's availability of the error that ended them.
func (c *Counter) countRows(ctx context.Context, v any, err error) error {
	if rows, ok := v.(*entsql.Rows); ok && err == nil && rows.ColumnScanner != nil {
		rows.ColumnScanner = &rowCounter{ColumnScanner: rows.ColumnScanner, n: &c.rows, ctx: ctx, avail: c.avail}
	}
	return err
}

type rowCounter struct {
	entsql.ColumnScanner
	n     *atomic.Int64
	types []*sql.ColumnType // of the current result, once asked
	ctx   context.Context
	avail *Availability
}

// Err is the error that ended the rows, seen as the statement's own: a deadline reached
// while the rows are read, as the pool's connections come back after an outage, is the
// outage's error (UNAVAILABLE), as it is when reached before the first row.
func (r *rowCounter) Err() error {
	return r.avail.observeCtx(r.ctx, r.ColumnScanner.Err(), false)
}

// ColumnTypes reads the column types once per result. ent asks for them again on every
// row with a column it does not know (a page's total, the territory an ancestor is of),
// and database/sql builds them anew each time: a tenth of the time ent spent reading a
// page of objectives.
func (r *rowCounter) ColumnTypes() ([]*sql.ColumnType, error) {
	if r.types == nil {
		t, err := r.ColumnScanner.ColumnTypes()
		if err != nil {
			return nil, err
		}
		r.types = t
	}
	return r.types, nil
}

func (r *rowCounter) NextResultSet() bool {
	r.types = nil
	return r.ColumnScanner.NextResultSet()
}

func (r *rowCounter) Next() bool {
	ok := r.ColumnScanner.Next()
	if ok {
		r.n.Add(1)
	}
	return ok
}
