package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// openPostgres opens a pool to the PostgreSQL database of databaseURL. Unless the URL says
// otherwise, lib/pq sends a statement with its parameters in one round trip
// (binary_parameters=yes) instead of two, one to prepare it and one to run it; JSON
// values still go as text (see jsonAsText).
// The pool opens pool_max_conns connections at most (defaultPoolConns), all kept idle.
func openPostgres(databaseURL string) (*sql.DB, error) {
	databaseURL, n, err := poolMaxConns(databaseURL)
	if err != nil {
		return nil, err
	}
	c, err := postgresConnector(databaseURL)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	c.pool.Store(db)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db, nil
}

func postgresConnector(databaseURL string) (jsonAsText, error) {
	databaseURL, capacity, err := statementCacheCapacity(databaseURL)
	if err != nil {
		return jsonAsText{}, err
	}
	dsn, err := withBinaryParameters(databaseURL)
	if err != nil {
		return jsonAsText{}, err
	}
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return jsonAsText{}, err
	}
	return jsonAsText{c, capacity, &atomic.Pointer[sql.DB]{}}, nil
}

// ListenerURL is databaseURL without the parameters the project reads itself
// (statement_cache_capacity, pool_max_conns), for connections opened by lib/pq alone,
// such as its listeners: lib/pq sends unknown parameters to the server, which refuses
// them.
func ListenerURL(databaseURL string) string {
	u, _, err := statementCacheCapacity(databaseURL)
	if err != nil {
		return databaseURL // the pool's opening reports it
	}
	if u, _, err = poolMaxConns(u); err != nil {
		return databaseURL
	}
	return u
}

// defaultPoolConns is how many connections a pool opens at most, unless the URL's
// pool_max_conns says otherwise; the pool of reads with kept plans opens 2 in 5 of that
// more (keptPlanConns).
//
// Ten, for a database on a machine of a few cores: a connection opened is a new
// PostgreSQL process that loads its caches, 30 to 55 ms on the 2-core machine of the
// fault suite (3 ms a query once open), and a pool empties at once when PostgreSQL
// restarts. With 20 (and 8), the requests of the first second after a restart queued
// behind the refill for up to 1.45 s; with 10 (and 4), none took 0.9 s. The API's
// statements last milliseconds: more connections than the database's cores add waiting,
// not throughput. A larger database server takes a larger pool_max_conns.
const defaultPoolConns = 10

// poolMaxConns takes pool_max_conns out of a postgres:// URL: the pool's size.
func poolMaxConns(databaseURL string) (string, int, error) {
	return takeCount(databaseURL, "pool_max_conns", defaultPoolConns, 1)
}

// keptPlanConns is the size of the pool of KeptPlan reads beside a pool of n: their
// statements are the shortest the API sends.
func keptPlanConns(n int) int { return max(1, n*2/5) }

// defaultStatementCache is how many prepared statements each connection keeps.
const defaultStatementCache = 256

// statementCacheCapacity takes statement_cache_capacity out of a postgres:// URL (lib/pq
// would send it to the server as a setting): how many prepared statements each
// connection keeps, 0 for none (behind a pooler in transaction mode, which does not keep
// a connection's prepared statements).
func statementCacheCapacity(databaseURL string) (string, int, error) {
	return takeCount(databaseURL, "statement_cache_capacity", defaultStatementCache, 0)
}

// takeCount takes the parameter name out of a postgres:// URL: a count no smaller than
// least, def when the URL does not set it. The project reads such parameters itself;
// lib/pq would send them to the server as settings, refused there.
func takeCount(databaseURL, name string, def, least int) (string, int, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", 0, fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	q := u.Query()
	if !q.Has(name) {
		return databaseURL, def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < least {
		return "", 0, fmt.Errorf("database URL: %s %q is not a count of at least %d", name, q.Get(name), least)
	}
	q.Del(name)
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// withBinaryParameters adds binary_parameters=yes to a postgres:// URL that does not set it.
func withBinaryParameters(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return databaseURL, nil
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redactErr drops the URL from a url.Parse error: it may hold a password.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// jsonAsText is a connector whose connections send JSON parameters as text. With
// binary_parameters, lib/pq sends every []byte in PostgreSQL's binary format, which is
// right for bytea but not for jsonb (its binary format starts with a version byte); ent
// passes JSON columns as json.RawMessage, which database/sql would otherwise turn into
// []byte.
type jsonAsText struct {
	driver.Connector
	statements int                     // prepared statements kept per connection (stmtCache)
	pool       *atomic.Pointer[sql.DB] // the pool the connector opens connections for
}

// idleInPool reports whether the connector's pool holds an idle connection.
func (c jsonAsText) idleInPool() bool {
	db := c.pool.Load()
	return db != nil && db.Stats().Idle > 0
}

func (c jsonAsText) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := connectRetrying(ctx, c.Connector.Connect, c.idleInPool, time.Now)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("open database: lib/pq connection without the expected methods (%T)", conn)
	}
	if c.statements == 0 {
		return jsonTextConn{pc}, nil
	}
	return preparingConn{jsonTextConn{pc}, newStmtCache(c.statements)}, nil
}

// pqConn is what a lib/pq connection implements and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.NamedValueChecker
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type jsonTextConn struct{ pqConn }

// CheckNamedValue sends a json.RawMessage as a string, and leaves the rest to lib/pq.
func (c jsonTextConn) CheckNamedValue(nv *driver.NamedValue) error {
	if j, ok := nv.Value.(json.RawMessage); ok {
		nv.Value = string(j)
		return nil
	}
	return c.pqConn.CheckNamedValue(nv)
}

// Waits for a connection PostgreSQL refused (connectRetrying).
const (
	// connectFirstWait is the first wait after a refusal, doubled up to connectMaxWait.
	connectFirstWait = 50 * time.Millisecond
	connectMaxWait   = 500 * time.Millisecond
	// connectWaitAtMost bounds the waits of one connection, whatever the deadline: with
	// PostgreSQL's slots held by another client for long, requests answered UNAVAILABLE
	// after 14.6 s of a 15 s timeout (measured), each holding a place of the pool all
	// that time; the client is better told after 2 s to come back (Retry-After: 2).
	connectWaitAtMost = 2 * time.Second
)

// connectRetrying opens a connection, waiting and trying again while PostgreSQL has no
// connection left (53300: another client holds them, one may be freed any moment), from
// connectFirstWait doubling to connectMaxWait, as long as the context's deadline (and
// connectWaitAtMost) leaves time for the next wait; then it returns PostgreSQL's refusal, which the API answers as
// UNAVAILABLE rather than TIMEOUT. A server that refuses connections or is starting up
// gets one quick second try and no more: its requests fail fast. Other errors are
// returned at once.
//
// Without a deadline there is one try: database/sql opens the connections of the
// requests waiting on a full pool in one goroutine, one after the other, without their
// contexts, and waits there held them all (measured with PostgreSQL stopped: 19 answers
// a second instead of hundreds, up to 2.6 s each, with a 50 ms wait for each refusal).
// Commands, which run without a deadline, fail at once too.
//
// While it waits, a connection of its own pool may be released (idle: true): it then
// answers driver.ErrBadConn, on which database/sql asks the pool again and takes that
// connection, rather than waiting for PostgreSQL to free one it holds itself.
func connectRetrying(ctx context.Context, connect func(context.Context) (driver.Conn, error), idle func() bool, now func() time.Time) (driver.Conn, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return connect(ctx)
	}
	if most := now().Add(connectWaitAtMost); most.Before(deadline) {
		deadline = most
	}
	wait, quick := connectFirstWait, true
	for {
		conn, err := connect(ctx)
		if err == nil {
			return conn, nil
		}
		reason, unavailable := Unavailable(err)
		switch {
		case !unavailable:
			return nil, err
		case reason == ReasonTooManyConnections:
			if idle() {
				return nil, driver.ErrBadConn
			}
		case quick:
			quick = false
		default:
			return nil, err
		}
		if deadline.Sub(now()) < wait {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait = min(2*wait, connectMaxWait)
	}
}

// lostBeforeReading turns the error of a statement that found its connection dead (the
// server restarted since the connection was last used: the write of the statement fails,
// or the answer is the notice of the connection's end) into driver.ErrBadConn, so that
// database/sql sends it again on another connection, a fresh one at the last try. Only
// for what is safe to send twice: a read that failed before returning any row, and the
// BEGIN of a transaction. lib/pq does so itself for some of these errors (EOF, a FATAL
// error), not for an error of the socket (a reset, a broken pipe).
func lostBeforeReading(err error) error {
	if err == nil || errors.Is(err, driver.ErrBadConn) {
		return err
	}
	if reason, ok := Unavailable(err); ok && (reason == ReasonUnreachable || reason == ReasonStarting) {
		return driver.ErrBadConn
	}
	return err
}

// BeginTx begins a transaction, on another connection when this one is dead.
func (c jsonTextConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	return tx, lostBeforeReading(err)
}

// QueryContext runs a query; a read whose connection is dead goes to another one.
func (c jsonTextConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.pqConn.QueryContext(ctx, query, args)
	if err != nil && !isWrite(query) {
		err = lostBeforeReading(err)
	}
	return rows, err
}

// preparingConn runs queries through prepared statements it keeps (stmtCache). Bulk
// statements, with more parameters than a page of ids, are run as they come.
type preparingConn struct {
	jsonTextConn
	stmts *stmtCache
}

// maxPreparedArgs bounds the parameters of a statement worth preparing: statements with
// more are bulk reads and writes, rarely sent twice alike.
const maxPreparedArgs = 200

func (c preparingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > maxPreparedArgs {
		return c.jsonTextConn.QueryContext(ctx, query, args)
	}
	st, err := c.stmts.get(ctx, c.pqConn, query)
	if err != nil {
		return nil, lostBeforeReading(err) // preparing runs nothing
	}
	if st == nil {
		return c.jsonTextConn.QueryContext(ctx, query, args)
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		// The statement may be what failed (its tables changed under it, or the server
		// lost it: 26000, prepared statement does not exist): prepare it again next time.
		c.stmts.drop(query)
		if isWrite(query) {
			return nil, err
		}
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "26000" {
			// Nothing ran: run it unprepared on this connection (in a transaction, which
			// the error ended, it fails again and the caller sees it).
			return c.jsonTextConn.QueryContext(ctx, query, args)
		}
		return nil, lostBeforeReading(err)
	}
	return rows, err
}
