package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
)

// The data version is a number that every committed write advances: caches key what they
// keep by it, so that nothing they serve is older than the last write. It lives in one
// row of its own table, created like schema_migrations (it is the store's bookkeeping,
// not the application's schema), and is advanced in the same transaction as the writes.
// In PostgreSQL the advance also notifies VersionChannel, so that the instances serving
// one database learn of each other's writes.
const (
	versionTable = "cop_data_version"
	// VersionChannel is the PostgreSQL notification channel of the data version.
	VersionChannel = "cop_data_version"
)

// ensureVersionTable creates the data version's table and row when missing.
func ensureVersionTable(ctx context.Context, db *sql.DB) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS ` + versionTable + ` (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)`,
		`INSERT INTO ` + versionTable + ` (id, version) SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM ` + versionTable + `)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("data version table: %w", err)
		}
	}
	return nil
}

// bumpStatement advances the data version (and notifies it, in PostgreSQL: the
// notification is sent when the transaction commits, never before).
func bumpStatement(drv string) string {
	if drv == dialect.Postgres {
		return `WITH v AS (UPDATE ` + versionTable + ` SET version = version + 1 WHERE id = 1 RETURNING version)
			SELECT pg_notify('` + VersionChannel + `', version::text) FROM v`
	}
	return `UPDATE ` + versionTable + ` SET version = version + 1 WHERE id = 1`
}

// DataVersion reads the data version where the request's reads go: the replica unless the
// context asks the primary. Read before the data it keys, it is never newer than them.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	pool := db.sql
	if db.replica != nil && !onPrimary(ctx) {
		pool = db.replica
	}
	var v int64
	if err := pool.QueryRowContext(ctx, `SELECT version FROM `+versionTable+` WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// isWrite tells whether a statement changes data.
func isWrite(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE":
		return true
	}
	return false
}

// versionDriver advances the data version with every write, inside the transaction that
// writes, before it commits; a write outside a transaction runs in one of its own.
type versionDriver struct {
	dialect.Driver
	bump string
}

func newVersionDriver(drv dialect.Driver) *versionDriver {
	return &versionDriver{Driver: drv, bump: bumpStatement(drv.Dialect())}
}

// alone runs a write outside a transaction in a transaction of its own, which advances
// the data version when it commits.
func (d *versionDriver) alone(ctx context.Context, write func(tx *versionTx) error) error {
	tx, err := d.Tx(ctx)
	if err != nil {
		return err
	}
	if err := write(tx.(*versionTx)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (d *versionDriver) Exec(ctx context.Context, query string, args, v any) error {
	if !isWrite(query) {
		return d.Driver.Exec(ctx, query, args, v)
	}
	return d.alone(ctx, func(tx *versionTx) error { return tx.Exec(ctx, query, args, v) })
}

// Query runs a write (INSERT ... RETURNING) in a transaction committed when its rows are
// closed.
func (d *versionDriver) Query(ctx context.Context, query string, args, v any) error {
	if !isWrite(query) {
		return d.Driver.Query(ctx, query, args, v)
	}
	tx, err := d.Tx(ctx)
	if err != nil {
		return err
	}
	if err := tx.Query(ctx, query, args, v); err != nil {
		tx.Rollback()
		return err
	}
	rows, ok := v.(*entsql.Rows)
	if !ok || rows.ColumnScanner == nil {
		return tx.Commit()
	}
	rows.ColumnScanner = &commitOnClose{ColumnScanner: rows.ColumnScanner, tx: tx}
	return nil
}

// commitOnClose commits the transaction of a write's rows once they are read.
type commitOnClose struct {
	entsql.ColumnScanner
	tx   dialect.Tx
	done bool
}

func (r *commitOnClose) Close() error {
	err := r.ColumnScanner.Close()
	if r.done {
		return err
	}
	r.done = true
	if err == nil {
		err = r.ColumnScanner.Err()
	}
	if err != nil {
		r.tx.Rollback()
		return err
	}
	return r.tx.Commit()
}

// ExecContext runs a raw statement; ent's generated client calls it for hand-written SQL.
func (d *versionDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !isWrite(query) {
		return d.Driver.(sqlConn).ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := d.alone(ctx, func(tx *versionTx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// QueryContext runs a raw query; ent's generated client calls it for hand-written SQL.
// Writes that return rows are not expected here: the version is advanced after them.
func (d *versionDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := d.Driver.(sqlConn).QueryContext(ctx, query, args...)
	if err == nil && isWrite(query) {
		if _, err := d.Driver.(sqlConn).ExecContext(ctx, d.bump); err != nil {
			rows.Close()
			return nil, fmt.Errorf("advance the data version: %w", err)
		}
	}
	return rows, err
}

func (d *versionDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &versionTx{Tx: tx, ctx: ctx, bump: d.bump}, nil
}

// BeginTx starts a transaction with options (ent's client calls it when given some).
func (d *versionDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &versionTx{Tx: tx, ctx: ctx, bump: d.bump}, nil
}

// versionTx remembers whether it wrote, and advances the data version before it commits.
type versionTx struct {
	dialect.Tx
	ctx   context.Context
	bump  string
	wrote bool
}

func (t *versionTx) note(query string) { t.wrote = t.wrote || isWrite(query) }

func (t *versionTx) Exec(ctx context.Context, query string, args, v any) error {
	t.note(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *versionTx) Query(ctx context.Context, query string, args, v any) error {
	t.note(query)
	return t.Tx.Query(ctx, query, args, v)
}

// ExecContext runs a raw statement in the transaction.
func (t *versionTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.note(query)
	return t.Tx.(sqlConn).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query in the transaction.
func (t *versionTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.note(query)
	return t.Tx.(sqlConn).QueryContext(ctx, query, args...)
}

func (t *versionTx) Commit() error {
	if t.wrote {
		if err := t.Tx.Exec(t.ctx, t.bump, []any{}, nil); err != nil {
			t.Tx.Rollback()
			return fmt.Errorf("advance the data version: %w", err)
		}
	}
	return t.Tx.Commit()
}

// ListenDataVersion calls seen with the data version each time an instance advances it,
// until ctx ends: PostgreSQL only (with SQLite the one process sees its own writes). It
// reconnects by itself when the connection drops, and then reads the version once, as
// notifications sent meanwhile are lost.
func ListenDataVersion(ctx context.Context, databaseURL string, db *DB, seen func(int64)) error {
	if db.Dialect != dialect.Postgres {
		return nil
	}
	l := pq.NewListener(ListenerURL(databaseURL), time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		switch _, unavailable := Unavailable(err); {
		case unavailable:
			// Availability logs an outage once for the whole server.
			slog.Debug("data version notifications", "event", ev, "err", err)
		case err != nil:
			slog.Warn("data version notifications", "err", err)
		}
	})
	if err := l.Listen(VersionChannel); err != nil {
		l.Close()
		return fmt.Errorf("listen to %s: %w", VersionChannel, err)
	}
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				if n == nil { // reconnected: what was sent meanwhile is lost
					if v, err := db.DataVersion(UsePrimary(ctx)); err == nil {
						seen(v)
					}
					continue
				}
				if v, err := strconv.ParseInt(n.Extra, 10, 64); err == nil {
					seen(v)
				}
			}
		}
	}()
	return nil
}
