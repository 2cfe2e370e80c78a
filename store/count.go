package store

import (
	"context"
	stdsql "database/sql"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the SQL statements that go through a driver. Tests read it around one
// operation to assert how many statements it ran: an N+1 becomes a failing test. The
// statements' outcomes also tell whether the database takes them (Availability, when
// set).
type Counter struct {
	n, rows atomic.Int64
	avail   *Availability
}

// Count returns the number of statements run so far.
func (c *Counter) Count() int64 { return c.n.Load() }

type ctxCounterKey struct{}

// CountStatements returns a context whose statements are also counted in n: the
// statements of one request, for metrics.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, ctxCounterKey{}, n)
}

func (c *Counter) add(ctx context.Context) {
	c.n.Add(1)
	if n, ok := ctx.Value(ctxCounterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// Wrap returns drv counting every Exec and Query, in transactions too.
func (c *Counter) Wrap(drv dialect.Driver) dialect.Driver { return &countingDriver{Driver: drv, c: c} }

type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.add(ctx)
	err := d.Driver.Exec(ctx, query, args, v)
	err = d.c.avail.observeCtx(ctx, err, isWrite(query))
	return err
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(ctx)
	err := d.Driver.Query(ctx, query, args, v)
	err = d.c.avail.observeCtx(ctx, err, false) // a write's rows commit when read (versionDriver)
	return d.c.countRows(v, err)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	err = d.c.avail.observeCtx(ctx, err, false)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

// BeginTx starts a transaction with options, such as a read-only snapshot.
func (d *countingDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	err = d.c.avail.observeCtx(ctx, err, false)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

// Statements in a transaction count as reads for Availability: only the commit says that
// a write went through.
func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.add(ctx)
	err := t.Tx.Exec(ctx, query, args, v)
	err = t.c.avail.observeCtx(ctx, err, false)
	return err
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(ctx)
	err := t.Tx.Query(ctx, query, args, v)
	err = t.c.avail.observeCtx(ctx, err, false)
	return t.c.countRows(v, err)
}

// Commit commits the transaction: a write that went through, or one the database
// refused (a full disk, SQLite's lock).
func (t *countingTx) Commit() error {
	err := t.Tx.Commit()
	t.c.avail.observe(err, true)
	return err
}

type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// ExecContext runs a raw statement; ent's generated client calls it for hand-written SQL.
func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.c.add(ctx)
	res, err := d.Driver.(sqlConn).ExecContext(ctx, query, args...)
	err = d.c.avail.observeCtx(ctx, err, isWrite(query))
	return res, err
}

// QueryContext runs a raw query; ent's generated client calls it for hand-written SQL.
func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.add(ctx)
	rows, err := d.Driver.(sqlConn).QueryContext(ctx, query, args...)
	err = d.c.avail.observeCtx(ctx, err, false)
	return rows, err
}

// ExecContext runs a raw statement in the transaction.
func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.add(ctx)
	res, err := t.Tx.(sqlConn).ExecContext(ctx, query, args...)
	err = t.c.avail.observeCtx(ctx, err, false)
	return res, err
}

// QueryContext runs a raw query in the transaction.
func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.add(ctx)
	rows, err := t.Tx.(sqlConn).QueryContext(ctx, query, args...)
	err = t.c.avail.observeCtx(ctx, err, false)
	return rows, err
}
