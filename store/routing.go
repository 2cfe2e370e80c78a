package store

import (
	"context"
	"database/sql"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// routingDriver sends writes, transactions and most reads to its main driver, and the
// reads otherReads picks to the other: reads to a replica (OpenReplicated), reads with
// kept plans to their own pool (plans.go). A write is never picked, whatever its context.
type routingDriver struct {
	main, other dialect.Driver
	otherReads  func(context.Context) bool
	// otherFailed, when set, is told of the error of each read sent to other; when it
	// returns true, the read is sent again to main: a replica that stopped answering.
	otherFailed func(error) bool
}

// again tells whether a read that failed on drv goes to main.
func (d *routingDriver) again(drv dialect.Driver, err error) bool {
	return err != nil && drv == d.other && d.otherFailed != nil && d.otherFailed(err)
}

func (d *routingDriver) reader(ctx context.Context, query string) dialect.Driver {
	if d.otherReads(ctx) && !isWrite(query) {
		return d.other
	}
	return d.main
}

func (d *routingDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.main.Exec(ctx, query, args, v)
}

func (d *routingDriver) Query(ctx context.Context, query string, args, v any) error {
	drv := d.reader(ctx, query)
	err := drv.Query(ctx, query, args, v)
	if err == nil && drv == d.other && d.otherFailed != nil {
		err = readAheadFirst(v)
	}
	if d.again(drv, err) {
		return d.main.Query(ctx, query, args, v)
	}
	return err
}

// readAheadFirst reads the first row of the rows in v, so that a read cut before it (a
// replica stopped between the description of the rows and the rows, lib/pq's Query
// returning in between) fails here, where it can be sent again, rather than in the
// caller's loop over the rows. A cut after the first row still fails the caller.
func readAheadFirst(v any) error {
	rows, ok := v.(*entsql.Rows)
	if !ok || rows.ColumnScanner == nil {
		return nil
	}
	r := &readAhead{ColumnScanner: rows.ColumnScanner}
	if r.has = r.ColumnScanner.Next(); !r.has {
		if err := r.ColumnScanner.Err(); err != nil {
			rows.Close()
			return err
		}
	}
	rows.ColumnScanner = r
	return nil
}

// readAhead is rows whose first Next was already called.
type readAhead struct {
	entsql.ColumnScanner
	has, started bool
}

func (r *readAhead) Next() bool {
	if !r.started {
		r.started = true
		return r.has
	}
	return r.ColumnScanner.Next()
}

func (d *routingDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.main.Tx(ctx) }

func (d *routingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	return d.main.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
}

func (d *routingDriver) Close() error {
	err := d.other.Close()
	if merr := d.main.Close(); merr != nil {
		return merr
	}
	return err
}

func (d *routingDriver) Dialect() string { return d.main.Dialect() }

// ExecContext runs a raw statement; ent's generated client calls it for hand-written SQL.
func (d *routingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.main.(sqlConn).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query; ent's generated client calls it for hand-written SQL.
func (d *routingDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	drv := d.reader(ctx, query)
	rows, err := drv.(sqlConn).QueryContext(ctx, query, args...)
	if d.again(drv, err) {
		return d.main.(sqlConn).QueryContext(ctx, query, args...)
	}
	return rows, err
}
