package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/cop-territoriales/cop-api/ent"
)

type primaryKey struct{}

// UsePrimary returns a context whose reads go to the primary: for mutations, and for
// clients that must read their own writes while the replica lags.
func UsePrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func onPrimary(ctx context.Context) bool { v, _ := ctx.Value(primaryKey{}).(bool); return v }

// notOnPrimary tells the reads that go to the replica.
func notOnPrimary(ctx context.Context) bool { return !onPrimary(ctx) }

// OpenReplicated opens a PostgreSQL primary, migrated, and a streaming replica of it:
// queries go to the replica, mutations and reads marked with UsePrimary to the primary.
// While the replica does not answer (a read failed there for a reason of Unavailable, or
// a probe did), queries go to the primary too, the failed read included, until a probe
// finds it answering again; and with Limits.ReplicaMaxLag while it is further behind.
func OpenReplicated(ctx context.Context, primaryURL, replicaURL string) (*DB, error) {
	return OpenReplicatedWith(ctx, primaryURL, replicaURL, Limits{})
}

// OpenReplicatedWith is OpenReplicated with limits on the work of both databases'
// connections.
func OpenReplicatedWith(ctx context.Context, primaryURL, replicaURL string, lim Limits) (*DB, error) {
	db, err := OpenWith(ctx, primaryURL, "", lim)
	if err != nil {
		return nil, err
	}
	if db.Dialect != dialect.Postgres || !strings.HasPrefix(replicaURL, "postgres") {
		db.Close()
		return nil, fmt.Errorf("open replica: a read replica needs PostgreSQL URLs for both databases")
	}
	rdb, err := openPostgres(postgresDSN(replicaURL, lim))
	if err == nil {
		err = rdb.PingContext(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open replica %s: %w", redact(replicaURL), err)
	}
	db.ReplicaStatements = &Counter{avail: newAvailability("replica")}
	rdrv, _, err := withKeptPlans(rdb, postgresDSN(replicaURL, lim))
	if err != nil {
		rdb.Close()
		db.Close()
		return nil, fmt.Errorf("open replica: %w", err)
	}
	primary := db.Client.Driver() // counted, advancing the data version, with its kept plans
	replica := db.ReplicaStatements.Wrap(rdrv)
	h := newReplicaHealth(db.sql, rdb, lim.ReplicaMaxLag)
	db.Client = ent.NewClient(ent.Driver(&routingDriver{main: primary, other: replica,
		otherReads:  func(ctx context.Context) bool { return notOnPrimary(ctx) && h.usable() },
		otherFailed: h.failed}))
	db.replica, db.health = rdb, h
	return db, nil
}

// WritePosition returns the primary's current WAL position: a token a client sends back
// (X-Consistency-Token) to read its own writes.
func (db *DB) WritePosition(ctx context.Context) (string, error) {
	if db.replica == nil {
		return "", nil
	}
	var lsn string
	if err := db.sql.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		return "", fmt.Errorf("write position: %w", err)
	}
	return lsn, nil
}

// CaughtUp reports whether the replica has replayed the primary up to token: false while
// reads go to the primary anyway (the replica down or lagging), without asking it.
func (db *DB) CaughtUp(ctx context.Context, token string) (bool, error) {
	if db.replica == nil {
		return true, nil
	}
	if !db.health.usable() {
		return false, nil
	}
	var ok sql.NullBool
	err := db.replica.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", token).Scan(&ok)
	if err != nil && db.health.failed(err) {
		return false, nil // down: the reads go to the primary
	}
	if err != nil {
		return false, fmt.Errorf("replica position: %w", err)
	}
	return ok.Valid && ok.Bool, nil
}
