package store

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestAvailability: an outage is logged once when it starts and once when it ends,
// however many statements it refused; a full disk or a busy database end with a write
// only, since reads go on.
func TestAvailability(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAvailability("primary")
	a.log = func() *slog.Logger { return logger }
	a.now = func() time.Time { return clock }
	lines := func() []string {
		defer logs.Reset()
		return strings.Split(strings.TrimSpace(logs.String()), "\n")
	}

	a.observe(nil, false)
	a.observe(errors.New("lever not found"), true)
	if _, _, ok := a.State(); !ok || logs.Len() != 0 {
		t.Fatalf("available database: ok %v, logs %q", ok, logs.String())
	}

	refused := fmt.Errorf("open: %w", syscall.ECONNREFUSED)
	for range 100 {
		a.observe(refused, false)
	}
	start := clock
	clock = clock.Add(10 * time.Second)
	a.observe(&pq.Error{Code: "57P03"}, false)
	if reason, since, ok := a.State(); ok || reason != ReasonUnreachable || !since.Equal(start) {
		t.Errorf("after 101 refusals: %q since %s, available %v", reason, since, ok)
	}
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "level=WARN") || !strings.Contains(l[0], "reason=unreachable") || !strings.Contains(l[0], "connection refused") {
		t.Errorf("the outage's start: %q, want one WARN with the reason and the first error", l)
	}
	// A statement going through while others are still refused (a pool's open
	// connections while new ones are refused) does not end it.
	a.observe(nil, false)
	if _, _, ok := a.State(); ok || logs.Len() != 0 {
		t.Errorf("ended by a statement beside refused ones: %q", logs.String())
	}
	clock = clock.Add(quietBeforeRecovery)
	a.observe(nil, false)
	a.observe(nil, false)
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "level=INFO") || !strings.Contains(l[0], "lasted=10s") || !strings.Contains(l[0], "refused=101") {
		t.Errorf("the outage's end: %q, want one INFO with how long it lasted and how many statements it refused", l)
	}
	if _, _, ok := a.State(); !ok {
		t.Error("still unavailable after a statement went through")
	}

	for _, reason := range []string{ReasonDiskFull, ReasonBusy} {
		err := sqliteError(t, map[string]int{ReasonDiskFull: sqlite3.SQLITE_FULL, ReasonBusy: sqlite3.SQLITE_BUSY}[reason])
		a.observe(err, true)
		clock = clock.Add(quietBeforeRecovery)
		a.observe(nil, false) // a read
		if r, _, ok := a.State(); ok || r != reason {
			t.Errorf("%s: a read ended it (%q, %v)", reason, r, ok)
		}
		a.observe(nil, true)
		if _, _, ok := a.State(); !ok {
			t.Errorf("%s: a write did not end it", reason)
		}
		if l := lines(); len(l) != 2 {
			t.Errorf("%s: %q, want a WARN and an INFO", reason, l)
		}
	}

	// A statement the client canceled tells nothing, even with an error that would.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.observeCtx(ctx, driver.ErrBadConn, false)
	if _, _, ok := a.State(); !ok {
		t.Error("a canceled statement's error counted as an outage")
	}

	// A statement at its deadline is a slow statement while the database answers, and
	// the outage's error (it waited for a connection) while it does not.
	late, cancelLate := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelLate()
	if err := a.observeCtx(late, context.DeadlineExceeded, false); isReason(err, ReasonTooManyConnections) {
		t.Errorf("a statement at its deadline with the database up: %v, want the deadline", err)
	}
	a.observe(&pq.Error{Code: "53300"}, false)
	err := a.observeCtx(late, context.DeadlineExceeded, false)
	if !isReason(err, ReasonTooManyConnections) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a statement at its deadline with no connection left: %v, want too many connections", err)
	}

	// The same deadline reached while the rows are read, after the first ones: a write's
	// INSERT ... RETURNING as the connections come back (it answered TIMEOUT, then).
	c := &Counter{avail: a}
	rows := &entsql.Rows{ColumnScanner: cutRows{err: context.DeadlineExceeded}}
	if err := c.countRows(late, rows, nil); err != nil {
		t.Fatal(err)
	}
	if err := rows.Err(); !isReason(err, ReasonTooManyConnections) {
		t.Errorf("rows cut by the deadline with no connection left: %v, want too many connections", err)
	}
}

// cutRows are rows whose reading ended with err.
type cutRows struct {
	entsql.ColumnScanner
	err error
}

func (r cutRows) Err() error { return r.err }

// isReason reports whether Unavailable reads err as reason.
func isReason(err error, reason string) bool { r, ok := Unavailable(err); return ok && r == reason }

// sqliteError makes a real *sqlite.Error of code by running what fails with it.
func sqliteError(t *testing.T, code int) error {
	t.Helper()
	path := t.TempDir() + "/e.db"
	db, err := sql.Open("sqlite", sqliteDSN(path, time.Millisecond, SyncFull))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(2)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	switch code {
	case sqlite3.SQLITE_BUSY:
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
		return err
	case sqlite3.SQLITE_FULL:
		// max_page_count: the file may not grow, as on a full disk.
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.ExecContext(ctx, `PRAGMA max_page_count = 3`)
		for range 1000 {
			if _, err := conn.ExecContext(ctx, `INSERT INTO t VALUES (randomblob(1000))`); err != nil {
				return err
			}
		}
	}
	t.Fatalf("no error of code %d", code)
	return nil
}

// TestConnectRetrying: PostgreSQL out of connections is tried again, with a growing
// wait, as long as the deadline leaves time, then refused before the deadline; a refused
// or starting server gets one quick retry; other errors and calls without a deadline none.
func TestConnectRetrying(t *testing.T) {
	tooMany := &pq.Error{Code: "53300", Message: "sorry, too many clients already"}
	for _, tc := range []struct {
		name     string
		errs     []error // the answers of the successive tries; then success
		deadline time.Duration
		tries    int
		fails    bool
		within   time.Duration
		// idleAfter: the pool has an idle connection after that many tries (0: never)
		idleAfter int
	}{
		{"out of connections until the deadline", repeat(tooMany, 100), 400 * time.Millisecond, 4, true, 400 * time.Millisecond, 0}, // 50+100+200 ms of waits
		{"out of connections, a long deadline", repeat(tooMany, 100), 10 * time.Second, 7, true, connectWaitAtMost, 0},              // 50+100+200+400+500+500 ms
		{"out of connections, then one freed", repeat(tooMany, 3), 2 * time.Second, 4, false, 400 * time.Millisecond, 0},
		{"refused", repeat(error(syscall.ECONNREFUSED), 100), 2 * time.Second, 2, true, 150 * time.Millisecond, 0},
		{"starting, then up", []error{&pq.Error{Code: "57P03"}}, 2 * time.Second, 2, false, 150 * time.Millisecond, 0},
		{"a password refused", []error{&pq.Error{Code: "28P01"}}, 2 * time.Second, 1, true, 50 * time.Millisecond, 0},
		{"out of connections, without a deadline", repeat(tooMany, 100), 0, 1, true, 50 * time.Millisecond, 0},
		{"out of connections, one of the pool's own released", repeat(tooMany, 100), 2 * time.Second, 2, true, 100 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			tries := 0
			connect := func(context.Context) (driver.Conn, error) {
				tries++
				if tries <= len(tc.errs) {
					return nil, tc.errs[tries-1]
				}
				return fakeConn{}, nil
			}
			start := time.Now()
			_, err := connectRetrying(ctx, connect, func() bool { return tc.idleAfter > 0 && tries >= tc.idleAfter }, time.Now)
			took := time.Since(start)
			if (err != nil) != tc.fails || tries != tc.tries {
				t.Errorf("%d tries, err %v; want %d tries, failing %v", tries, err, tc.tries, tc.fails)
			}
			if err != nil && ctx.Err() != nil {
				t.Errorf("answered after the deadline (%v): the request would time out instead of being refused", ctx.Err())
			}
			if tc.idleAfter > 0 {
				if !errors.Is(err, driver.ErrBadConn) {
					t.Errorf("err %v, want driver.ErrBadConn, for database/sql to take the pool's idle connection", err)
				}
			} else if err != nil && tc.errs[0] != nil && !errors.Is(err, tc.errs[0]) {
				t.Errorf("err %v, want the database's own refusal %v", err, tc.errs[0])
			}
			if took > tc.within {
				t.Errorf("took %s, want at most %s", took, tc.within)
			}
		})
	}
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

type fakeConn struct{ driver.Conn }

// TestOutOfConnectionsPostgres: with every connection PostgreSQL allows taken (here a
// role's CONNECTION LIMIT, the same 53300 as max_connections), a statement waits for one
// within its deadline and is refused with 53300 before it; it goes through when a
// connection is freed meanwhile; nothing is left running after.
func TestOutOfConnectionsPostgres(t *testing.T) {
	base := emptyPostgres(t, "outage_conns_")
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	role := "outage_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN CONNECTION LIMIT 1`); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { // before emptyPostgres's, which drops the database
		defer admin.Close()
		admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, role)
		if _, err := admin.Exec(`DROP ROLE IF EXISTS ` + role); err != nil {
			t.Errorf("drop the test's role: %v", err)
		}
	})
	u, _ := url.Parse(base)
	u.User = url.User(role)
	db, err := openPostgres(postgresDSN(u.String(), Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	goroutines := runtime.NumGoroutine()

	ctx := context.Background()
	other, err := sql.Open("postgres", u.String()) // another client of the same role
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	held, err := other.Conn(ctx) // the one connection the role may have
	if err != nil {
		t.Fatal(err)
	}
	qctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	start := time.Now()
	_, err = db.ExecContext(qctx, `SELECT 1`)
	took := time.Since(start)
	cancel()
	if reason, ok := Unavailable(err); !ok || reason != ReasonTooManyConnections {
		t.Errorf("a statement with no connection left: %v, want 53300", err)
	}
	if took < 300*time.Millisecond || took > 500*time.Millisecond {
		t.Errorf("refused after %s, want after waiting for a connection (50+100+200 ms) and before the deadline (500 ms)", took)
	}

	time.AfterFunc(150*time.Millisecond, func() { held.Close(); other.Close() })
	qctx, cancel = context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := db.ExecContext(qctx, `SELECT 1`); err != nil {
		t.Errorf("a connection freed while the statement waits: %v", err)
	}

	// The slot held by this pool's own connection: released to the pool while a
	// statement waits, it serves that statement.
	own, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(150*time.Millisecond, func() { own.Close() })
	start = time.Now()
	if _, err := db.ExecContext(qctx, `SELECT 1`); err != nil || time.Since(start) > time.Second {
		t.Errorf("a connection of the pool released while the statement waits: %v after %s", err, time.Since(start))
	}
	db.Close()
	for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > goroutines && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("%d goroutines left, %d before", n, goroutines)
	}
	var conns int
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// A backend ends a moment after its client closed the connection.
		if admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE usename = $1`, role).Scan(&conns); conns == 0 {
			break
		}
	}
	if conns != 0 {
		t.Errorf("%d connections left on the server", conns)
	}
}

// TestDeadConnectionsPostgres: the pool's connections end under it (as when PostgreSQL
// restarts: pg_terminate_backend sends the same notice as a fast shutdown), and a
// prepared statement disappears from its connection (as behind a pooler that moved the
// session): every read still goes through, each on a fresh connection or prepared
// again, none answering an error.
func TestDeadConnectionsPostgres(t *testing.T) {
	base := emptyPostgres(t, "outage_dead_")
	app := "outage_dead_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	db, err := openPostgres(postgresDSN(u.String(), Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	const read = `SELECT count(*) FROM generate_series(1, $1::int)`
	readAll := func(when string) {
		t.Helper()
		// Four at once, so that each of the pool's connections is used.
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				var n int
				errs <- db.QueryRowContext(ctx, read, 3).Scan(&n)
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Errorf("%s: %v", when, err)
			}
		}
	}
	readAll("warming up")
	readAll("preparing") // prepared the second time a connection sees it
	var ended int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&ended); err != nil || ended == 0 {
		t.Fatalf("ending the pool's connections: %d ended, %v", ended, err)
	}
	readAll("after the connections ended")

	// DEALLOCATE on the pool's one connection: its prepared statement is gone.
	db.SetMaxOpenConns(1)
	for range 2 {
		readAll("one connection")
	}
	if _, err := db.ExecContext(ctx, `DEALLOCATE ALL`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, read, 3).Scan(&n); err != nil || n != 3 {
		t.Errorf("a read whose prepared statement is gone: %d, %v", n, err)
	}
}
