package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// PostgreSQL plans each execution of the pool's prepared statements for its values
// (plan_cache_mode=force_custom_plan, see postgresDSN): a statement on the descendants
// of France (36,253) and the same one on those of an EPCI (23 for the median one) read
// three orders of magnitude apart in rows, and a plan kept for one was 56 ms on the other.
// For a lookup by a unique key, though, the plan is the same whatever the values, and
// making it again costs more than running it: 0.12 ms of planning against 0.03 of
// execution for a territory by its code.
// Such reads, marked with KeptPlan, go to a second, smaller pool of connections where
// PostgreSQL plans a prepared statement once, without its values, and keeps that plan
// (plan_cache_mode=force_generic_plan). On the dashboard screens that read only such
// statements, that was 39% more requests served (an EPCI's roll-up) and 52% (a territory
// with its ancestors). The pool first let PostgreSQL choose (plan_cache_mode=auto): it
// kept planning the children of a list of territories for their values (0.4 to 0.5 ms a
// statement, for a 0.05 ms run), its estimate of the kept plan being the higher, though
// that plan was the one it made for every list tried; forcing it took a region's three
// levels from 632 to 840 requests a second.

type keptPlanKey struct{}

// KeptPlan returns a context whose reads, outside a transaction, may run with the plan
// PostgreSQL keeps for their prepared statement. Only for statements whose best plan does
// not depend on their values: a lookup by a unique key or by a list of ids, a territory's
// own rows through an index on it, the children or the descendants of one level of a list
// of territories through the index on their copy of the level (for France's 34,875
// communes the kept plan ran in 137 ms, the one made for the values in 105).
// Elsewhere (SQLite, transactions) it changes nothing.
func KeptPlan(ctx context.Context) context.Context {
	return context.WithValue(ctx, keptPlanKey{}, true)
}

func keptPlan(ctx context.Context) bool { v, _ := ctx.Value(keptPlanKey{}).(bool); return v }

// keptPlanPool opens the pool of KeptPlan reads beside the pool of a PostgreSQL URL
// (dsn, as postgresDSN made it).
func keptPlanPool(dsn string) (*sql.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	q := u.Query()
	q.Set("plan_cache_mode", "force_generic_plan")
	_, n, err := poolMaxConns(dsn)
	if err != nil {
		return nil, err
	}
	q.Set("pool_max_conns", strconv.Itoa(keptPlanConns(n)))
	u.RawQuery = q.Encode()
	return openPostgres(u.String())
}

// withKeptPlans returns the driver of a PostgreSQL pool, with its reads marked KeptPlan
// going to a pool of their own opened on the same database.
func withKeptPlans(db *sql.DB, dsn string) (dialect.Driver, *sql.DB, error) {
	kdb, err := keptPlanPool(dsn)
	if err != nil {
		return nil, nil, err
	}
	return &routingDriver{main: entsql.OpenDB(dialect.Postgres, db), other: entsql.OpenDB(dialect.Postgres, kdb), otherReads: keptPlan}, kdb, nil
}
