package store

import (
	"context"
	stdsql "database/sql"
	"sync"
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
	rec     atomic.Pointer[recorder]
}

// recorder keeps the text of statements while a test records them.
type recorder struct {
	mu   sync.Mutex
	text []string
}

// Record keeps the text of every statement run until stop, which returns them: tests
// check which tables an operation reads, not only how many statements it runs.
func (c *Counter) Record() (stop func() []string) {
	r := &recorder{}
	c.rec.Store(r)
	return func() []string {
		c.rec.CompareAndSwap(r, nil)
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.text
	}
}

// Count returns the number of statements run so far.
func (c *Counter) Count() int64 { return c.n.Load() }

type ctxCounterKey struct{}

// CountStatements returns a context whose statements are also counted in n: the
// statements of one request, for metrics.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, ctxCounterKey{}, n)
}

func (c *Counter) add(ctx context.Context, query string) {
	c.n.Add(1)
	if r := c.rec.Load(); r != nil {
		r.mu.Lock()
		r.text = append(r.text, query)
		r.mu.Unlock()
	}
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
	d.c.add(ctx, query)
	err := d.Driver.Exec(ctx, query, args, v)
	err = d.c.avail.observeCtx(ctx, err, isWrite(query))
	return err
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(ctx, query)
	err := d.Driver.Query(ctx, query, args, v)
	err = d.c.avail.observeCtx(ctx, err, false) // a write's rows commit when read (versionDriver)
	return d.c.countRows(ctx, v, err)
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
	t.c.add(ctx, query)
	err := t.Tx.Exec(ctx, query, args, v)
	err = t.c.avail.observeCtx(ctx, err, false)
	return err
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(ctx, query)
	err := t.Tx.Query(ctx, query, args, v)
	err = t.c.avail.observeCtx(ctx, err, false)
	return t.c.countRows(ctx, v, err)
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
	d.c.add(ctx, query)
	res, err := d.Driver.(sqlConn).ExecContext(ctx, query, args...)
	err = d.c.avail.observeCtx(ctx, err, isWrite(query))
	return res, err
}

// QueryContext runs a raw query; ent's generated client calls it for hand-written SQL.
func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.add(ctx, query)
	rows, err := d.Driver.(sqlConn).QueryContext(ctx, query, args...)
	err = d.c.avail.observeCtx(ctx, err, false)
	return rows, err
}

// ExecContext runs a raw statement in the transaction.
func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.add(ctx, query)
	res, err := t.Tx.(sqlConn).ExecContext(ctx, query, args...)
	err = t.c.avail.observeCtx(ctx, err, false)
	return res, err
}

// QueryContext runs a raw query in the transaction.
func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.add(ctx, query)
	rows, err := t.Tx.(sqlConn).QueryContext(ctx, query, args...)
	err = t.c.avail.observeCtx(ctx, err, false)
	return rows, err
}
