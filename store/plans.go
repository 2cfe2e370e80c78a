package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// PostgreSQL plans each execution of the pool's prepared statements for its values
// (plan_cache_mode=force_custom_plan, see postgresDSN): a statement on the descendants
// of France and the same one on those of an EPCI read four orders of magnitude apart in
// rows, and a plan kept for one was 56 ms on the other. For a lookup by a unique key,
// though, the plan is the same whatever the values, and making it again costs more than
// running it: 0.12 ms of planning against 0.03 of execution for a territory by its code.
// Such reads, marked with KeptPlan, go to a second, smaller pool of connections where
// PostgreSQL keeps a statement's plan once it has seen it is no worse for the values
// (plan_cache_mode=auto). On the dashboard screens that read only such statements, that
// was 39% more requests served (an EPCI's roll-up) and 52% (a territory with its
// ancestors).

type keptPlanKey struct{}

// KeptPlan returns a context whose reads, outside a transaction, may run with the plan
// PostgreSQL keeps for their prepared statement. Only for statements whose best plan does
// not depend on their values, and whose rows are few whatever they are: a lookup by a
// unique key or by a list of ids, a territory's own rows through an index on it.
// Elsewhere (SQLite, transactions) it changes nothing.
func KeptPlan(ctx context.Context) context.Context {
	return context.WithValue(ctx, keptPlanKey{}, true)
}

func keptPlan(ctx context.Context) bool { v, _ := ctx.Value(keptPlanKey{}).(bool); return v }

// keptPlanConns is the size of the pool of KeptPlan reads: their statements are the
// shortest the API sends.
const keptPlanConns = 8

// keptPlanPool opens the pool of KeptPlan reads beside the pool of a PostgreSQL URL
// (dsn, as postgresDSN made it).
func keptPlanPool(dsn string) (*sql.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	q := u.Query()
	q.Set("plan_cache_mode", "auto")
	u.RawQuery = q.Encode()
	db, err := openPostgres(u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(keptPlanConns)
	db.SetMaxIdleConns(keptPlanConns)
	return db, nil
}

// planDriver sends the reads marked with KeptPlan to the kept pool, everything else to
// the pool planning each execution.
type planDriver struct {
	dialect.Driver // planning each execution
	kept           dialect.Driver
}

// withKeptPlans returns the driver of a PostgreSQL pool, with its reads marked KeptPlan
// going to a pool of their own opened on the same database.
func withKeptPlans(db *sql.DB, dsn string) (dialect.Driver, *sql.DB, error) {
	kdb, err := keptPlanPool(dsn)
	if err != nil {
		return nil, nil, err
	}
	return &planDriver{Driver: entsql.OpenDB(dialect.Postgres, db), kept: entsql.OpenDB(dialect.Postgres, kdb)}, kdb, nil
}

func (d *planDriver) reader(ctx context.Context, query string) dialect.Driver {
	if keptPlan(ctx) && !isWrite(query) {
		return d.kept
	}
	return d.Driver
}

func (d *planDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.reader(ctx, query).Query(ctx, query, args, v)
}

func (d *planDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Driver.(sqlConn).ExecContext(ctx, query, args...)
}

func (d *planDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.reader(ctx, query).(sqlConn).QueryContext(ctx, query, args...)
}

func (d *planDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	return d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
}

func (d *planDriver) Close() error {
	err := d.kept.Close()
	if perr := d.Driver.Close(); perr != nil {
		return perr
	}
	return err
}
