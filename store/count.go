package store

import (
	"context"
	stdsql "database/sql"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the SQL statements that go through a driver. Tests read it around one
// operation to assert how many statements it ran: an N+1 becomes a failing test.
type Counter struct{ n, rows atomic.Int64 }

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
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(ctx)
	return d.c.countRows(v, d.Driver.Query(ctx, query, args, v))
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
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
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.add(ctx)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(ctx)
	return t.c.countRows(v, t.Tx.Query(ctx, query, args, v))
}

type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// ExecContext runs a raw statement; ent's generated client calls it for hand-written SQL.
func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.c.add(ctx)
	return d.Driver.(sqlConn).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query; ent's generated client calls it for hand-written SQL.
func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.add(ctx)
	return d.Driver.(sqlConn).QueryContext(ctx, query, args...)
}

// ExecContext runs a raw statement in the transaction.
func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.add(ctx)
	return t.Tx.(sqlConn).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query in the transaction.
func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.add(ctx)
	return t.Tx.(sqlConn).QueryContext(ctx, query, args...)
}
