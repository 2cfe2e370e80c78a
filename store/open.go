// Package store opens the database (embedded SQLite or PostgreSQL), migrates it, loads the
// embedded hierarchy on first start and runs the imports. It is the only package that
// writes territories.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver.
	_ "modernc.org/sqlite" // Embedded SQLite driver, pure Go.

	"github.com/cop-territoriales/cop-api/ent"
)

// DB is an opened, migrated database.
type DB struct {
	Client  *ent.Client
	Dialect string
	// Statements counts the SQL statements sent through Client (to the primary when
	// there is a replica); ReplicaStatements those sent to the replica.
	Statements        *Counter
	ReplicaStatements *Counter
	sql               *sql.DB
	kept              *sql.DB // the pool of reads with kept plans (plans.go); nil on SQLite
	replica           *sql.DB // nil without a read replica
	health            *replicaHealth

	// URL is the PostgreSQL URL the database was opened with (of the primary), without
	// the parameters the project reads itself (ListenerURL), and Path
	// the SQLite file otherwise: what opens it again, or listens to its notifications.
	URL, Path string
}

// Close closes the database.
func (db *DB) Close() error {
	if db.health != nil {
		db.health.close()
	}
	return db.Client.Close()
}

// HasReplica reports whether queries go to a read replica.
func (db *DB) HasReplica() bool { return db.replica != nil }

// Stats reads the connection pools of the primary, for metrics: the main pool and the
// pool of reads with kept plans, added up.
func (db *DB) Stats() sql.DBStats {
	st := db.sql.Stats()
	if db.kept != nil {
		k := db.kept.Stats()
		st.MaxOpenConnections += k.MaxOpenConnections
		st.OpenConnections += k.OpenConnections
		st.InUse += k.InUse
		st.Idle += k.Idle
		st.WaitCount += k.WaitCount
		st.WaitDuration += k.WaitDuration
		st.MaxIdleClosed += k.MaxIdleClosed
		st.MaxIdleTimeClosed += k.MaxIdleTimeClosed
		st.MaxLifetimeClosed += k.MaxLifetimeClosed
	}
	return st
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Open opens the database named by databaseURL, a postgres:// URL, or, when it is empty,
// the SQLite file at sqlitePath (created if missing), and applies the pending versioned
// migrations. Statements are not bounded in time: for commands; the server uses OpenWith.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	return OpenWith(ctx, databaseURL, sqlitePath, Limits{})
}

// OpenWith is Open with limits on the work of the connections inside the database.
func OpenWith(ctx context.Context, databaseURL, sqlitePath string, lim Limits) (*DB, error) {
	db, drv, err := openSQL(ctx, databaseURL, sqlitePath, lim)
	if err != nil {
		return nil, err
	}
	if err := migrateUnbounded(ctx, db, drv, databaseURL, lim); err != nil {
		db.Close()
		return nil, err
	}
	var base dialect.Driver = entsql.OpenDB(drv, db)
	var kept *sql.DB
	if drv == dialect.Postgres {
		if base, kept, err = withKeptPlans(db, postgresDSN(databaseURL, lim)); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	counter := &Counter{avail: newAvailability("primary")}
	client := ent.NewClient(ent.Driver(counter.Wrap(newVersionDriver(base))))
	out := &DB{Client: client, Dialect: drv, Statements: counter, sql: db, kept: kept, URL: ListenerURL(databaseURL)}
	if databaseURL == "" {
		out.Path = sqlitePath
	}
	return out, nil
}

// migrateUnbounded applies the versioned migrations of migrations/, in order (a
// destructive one waits for "server migrate -allow-destructive"), and creates the data
// version table, one instance at a time (the start-up lock). On PostgreSQL with a
// statement timeout it does so on connections of its own without that bound: the timeout
// is the API's budget per request, and a migration or a first table may take longer than
// a request ever should.
func migrateUnbounded(ctx context.Context, db *sql.DB, drv, databaseURL string, lim Limits) error {
	if drv == dialect.Postgres && lim.StatementTimeout > 0 {
		own, _, err := openSQL(ctx, databaseURL, "", Limits{})
		if err != nil {
			return err
		}
		defer own.Close()
		db = own
	}
	return exclusively(ctx, db, drv, func() error {
		if _, err := migrate(ctx, db, drv, false); err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
		return ensureVersionTable(ctx, db)
	})
}

// OpenSQL opens the database, PostgreSQL when databaseURL is set, else the SQLite file,
// and checks that it answers. It returns the ent dialect name with it.
func OpenSQL(ctx context.Context, databaseURL, sqlitePath string) (*sql.DB, string, error) {
	return openSQL(ctx, databaseURL, sqlitePath, Limits{})
}

func openSQL(ctx context.Context, databaseURL, sqlitePath string, lim Limits) (*sql.DB, string, error) {
	var (
		db  *sql.DB
		err error
		drv string // the ent dialect
	)
	switch {
	case databaseURL == "":
		drv = dialect.SQLite
		db, err = sql.Open("sqlite", sqliteDSN(sqlitePath, lim.busyTimeout(), lim.synchronous()))
		if err == nil {
			// One writer at a time is what SQLite allows; readers use WAL snapshots.
			db.SetMaxOpenConns(8)
		}
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		drv = dialect.Postgres
		db, err = openPostgres(postgresDSN(databaseURL, lim))
	default:
		return nil, "", fmt.Errorf("open database: unsupported DATABASE_URL scheme in %q (want postgres://)", redact(databaseURL))
	}
	if err != nil {
		return nil, "", fmt.Errorf("open database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("open database %s: %w", describe(databaseURL, sqlitePath), err)
	}
	return db, drv, nil
}

// sqliteDSN turns foreign keys on, lets a writer wait busy for another's lock, syncs
// commits as sync says (FULL: on disk before they are acknowledged), starts write
// transactions at once (BEGIN IMMEDIATE) so that concurrent writers queue instead of
// failing on a stale snapshot, and writes times in UTC as
// "2006-01-02 15:04:05.999999999-07:00", a text that sorts in time order (the driver's
// default, RFC 3339 with "Z", does not when fractions differ in length: cursor pagination
// on updatedAt depends on it).
func sqliteDSN(path string, busy time.Duration, sync Sync) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(" +
		fmt.Sprint(busy.Milliseconds()) + ")&_pragma=synchronous(" + string(sync) + ")&_txlock=immediate&_time_format=sqlite&_timezone=UTC"
}

func describe(databaseURL, sqlitePath string) string {
	if databaseURL == "" {
		return "sqlite:" + sqlitePath
	}
	return redact(databaseURL)
}

// redact hides the password of a database URL in messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}
