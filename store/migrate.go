package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cop-territoriales/cop-api/migrations"
)

// ErrDestructive refuses to apply a migration that drops data without being told to.
var ErrDestructive = fmt.Errorf("destructive migration")

var destructive = regexp.MustCompile(`(?i)\bDROP\s+(TABLE|COLUMN)\b`)

// Migration is a versioned migration file.
type Migration struct {
	Version string // the file name
	SQL     string
}

// pendingMigrations lists the migrations of the dialect not yet applied to db.
func pendingMigrations(ctx context.Context, db *sql.DB, drv string) ([]Migration, error) {
	dir := "sqlite"
	if drv == dialect.Postgres {
		dir = "postgres"
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, fmt.Errorf("migrations table: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	applied := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()
	names, err := fs.Glob(migrations.FS, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, n := range names {
		v := strings.TrimPrefix(n, dir+"/")
		if applied[v] {
			continue
		}
		b, err := migrations.FS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, SQL: string(b)})
	}
	return out, nil
}

// startupLock is the PostgreSQL advisory lock held while migrating and while loading the
// embedded data (DB.Exclusively): instances started together over one database prepare
// it one after the other, the later ones finding nothing left to do.
const startupLock = 7_305_461_220_331

// Migrate applies the pending migrations in order, each in its own transaction, and
// returns them. A migration that drops a table or a column is refused unless
// allowDestructive is set. On PostgreSQL, one instance migrates at a time.
func Migrate(ctx context.Context, db *sql.DB, drv string, allowDestructive bool) (applied []Migration, err error) {
	err = exclusively(ctx, db, drv, func() error {
		applied, err = migrate(ctx, db, drv, allowDestructive)
		return err
	})
	return applied, err
}

// Exclusively runs fn while no other instance over the same PostgreSQL database migrates
// it or runs fn: the first load of what the binary embeds.
func (db *DB) Exclusively(ctx context.Context, fn func() error) error {
	return exclusively(ctx, db.sql, db.Dialect, fn)
}

func exclusively(ctx context.Context, db *sql.DB, drv string, fn func() error) error {
	if drv != dialect.Postgres {
		return fn()
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer conn.Close()
	if err := lock(ctx, conn); err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer unlock(ctx, conn)
	return fn()
}

// lock waits for the start-up lock, however long another instance holds it: the wait is
// not bounded by the pool's statement_timeout (SET LOCAL lasts the transaction; the lock,
// taken for the session, outlasts it).
func lock(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, startupLock); err != nil {
		return err
	}
	return tx.Commit()
}

func migrate(ctx context.Context, db *sql.DB, drv string, allowDestructive bool) ([]Migration, error) {
	pending, err := pendingMigrations(ctx, db, drv)
	if err != nil {
		return nil, err
	}
	for _, m := range pending {
		if !destructive.MatchString(m.SQL) || allowDestructive {
			continue
		}
		if drv == dialect.SQLite {
			ok, err := copiesEverything(ctx, db, m.SQL)
			if err != nil {
				return nil, err
			}
			if ok {
				continue // a table rebuilt with all its columns
			}
		}
		return nil, fmt.Errorf("%w: %s drops data; review it, then run: server migrate -allow-destructive", ErrDestructive, m.Version)
	}
	for i, m := range pending {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return pending[:i], fmt.Errorf("migration %s: %w", m.Version, err)
		}
		if _, err := tx.ExecContext(ctx, rebind(drv, `INSERT INTO schema_migrations (version) VALUES (?)`), m.Version); err != nil {
			tx.Rollback()
			return pending[:i], fmt.Errorf("migration %s: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return pending[:i], fmt.Errorf("migration %s: %w", m.Version, err)
		}
	}
	return pending, nil
}

// unlock releases the start-up lock, or, when it cannot, throws its connection away:
// closing the session releases the lock, where the pool would keep it.
func unlock(ctx context.Context, conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, startupLock); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

func rebind(drv, q string) string {
	if drv == dialect.Postgres {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

// Ready reports whether the database answers and has every migration applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		db.Statements.avail.observeCtx(ctx, err, false)
		return fmt.Errorf("database unreachable: %w", err)
	}
	db.Statements.avail.observe(nil, false)
	pending, err := pendingMigrations(ctx, db.sql, db.Dialect)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d migrations pending, first %s", len(pending), pending[0].Version)
	}
	return nil
}
