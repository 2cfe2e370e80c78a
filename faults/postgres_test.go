//go:build faults

package faults

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The load of every scenario: requests a second, a quarter of them writes.
const rate = 200

// recoverWithin is how soon after the database's return every request must succeed.
const recoverWithin = 5 * time.Second

// RefusedAsUnavailable asserts that every failed request was refused the way a client can
// act on: HTTP 503, code UNAVAILABLE, extensions.retryable and a Retry-After header;
// never an INTERNAL_SERVER_ERROR, a reset or a hang.
func RefusedAsUnavailable(t *testing.T, recs []Record, what string) {
	t.Helper()
	bad := map[string]int{}
	for _, r := range recs {
		if r.OK() {
			continue
		}
		unavailable := r.Err == "" && r.Status == http.StatusServiceUnavailable && len(r.Codes) > 0
		for _, c := range r.Codes {
			unavailable = unavailable && c == "UNAVAILABLE"
		}
		if !unavailable || !r.Retryable || r.RetryAfter == "" {
			bad[fmt.Sprintf("%s retryable=%t Retry-After=%q %s", r.Outcome(), r.Retryable, r.RetryAfter, firstLine(r.Err))]++
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: refusals other than 503 UNAVAILABLE retryable with Retry-After: %v", what, bad)
	}
}

// FewOutageLogs asserts that the server said at most a few WARN or ERROR lines about an
// outage (not one per request), request log lines aside.
func FewOutageLogs(t *testing.T, s *Server, mark, max int) {
	t.Helper()
	if n, lines := s.LogCount(mark); n > max {
		if len(lines) > 3 {
			lines = lines[:3]
		}
		t.Errorf("%d WARN or ERROR log lines during the outage, want at most %d; the first:\n%s", n, max, strings.Join(lines, "\n"))
	}
}

// pgOutage runs the load on a server of a new database of the shared cluster, breaks
// PostgreSQL with fault (which returns once PostgreSQL is back), and checks what the
// clients saw during and after, the writes, the roll-ups and the server.
func pgOutage(t *testing.T, scenario, db string, fault func(c *Cluster, s *Server)) {
	row := &Row{Scenario: scenario, Database: "PostgreSQL"}
	row.Record(t)
	c, key := PostgresDB(t, db)
	row.Begin()
	env := baseEnv("DATABASE_URL="+c.URL(db), "OPERATION_TIMEOUT=3s")
	s := StartServer(t, env)
	load := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(2 * time.Second)
	mark := s.LogMark()
	from := time.Now()
	fault(c, s)
	to := time.Now()
	time.Sleep(recoverWithin + time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	t.Logf("%d requests, %d during the fault (%s), refused %v, recovered %s after", len(recs), row.During,
		to.Sub(from).Round(time.Millisecond), row.Refused, row.Recovery)

	outage := Between(recs, from, to.Add(recoverWithin))
	NoneSlowerThan(t, outage, time.Second, "during the outage")
	RefusedAsUnavailable(t, outage, "during the outage")
	AllOK(t, Between(recs, to.Add(recoverWithin), time.Now()), fmt.Sprintf("from %s after PostgreSQL's return", recoverWithin))
	AllOK(t, AnsweredBefore(recs, from), "before the fault")
	FewOutageLogs(t, s, mark, 3)
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(recs))
	CheckRollups(t, env)
	CheckAnswers(t, s, key)
}

func testPostgresRestarted(t *testing.T) {
	pgOutage(t, "PostgreSQL restarted (pg_ctl restart -m fast)", "restarted", func(c *Cluster, _ *Server) {
		if err := c.Restart(); err != nil {
			t.Fatal(err)
		}
	})
}

func testPostgresStopped(t *testing.T) {
	pgOutage(t, "PostgreSQL stopped 10 s (-m fast), then started", "stopped", func(c *Cluster, s *Server) {
		if err := c.Stop("fast"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		if st, body := s.Get("/readyz"); st != http.StatusServiceUnavailable {
			t.Errorf("/readyz during the outage: %d %s, want 503", st, body)
		}
		if st, body := s.Get("/healthz"); st != http.StatusOK {
			t.Errorf("/healthz during the outage: %d %s, want 200", st, body)
		}
		// A bulk export, outside GraphQL, is refused the same way.
		if resp, err := http.Get(s.URL + "/export/actions.csv"); err != nil {
			t.Errorf("an export during the outage: %v", err)
		} else {
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("an export during the outage: %d, Retry-After %q; want 503 with Retry-After",
					resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}
		time.Sleep(5 * time.Second)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	})
}

// testPostgresOutOfConnections holds every connection PostgreSQL has left (max_connections
// 40: room for the server's pools and the checks once released) and takes the server's own: requests wait at most the operation timeout, then are
// refused as UNAVAILABLE; once released everything succeeds, and neither connections nor
// the process's threads and files are left over.
func testPostgresOutOfConnections(t *testing.T) {
	const timeout = 3 * time.Second
	row := &Row{Scenario: "PostgreSQL out of connections (max_connections 40, all held 4 s)", Database: "PostgreSQL"}
	row.Record(t)
	c, key := PostgresDB(t, "noconns")
	row.Begin()
	if err := c.Exec("postgres", "ALTER SYSTEM SET max_connections = 40"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Exec("postgres", "ALTER SYSTEM RESET max_connections"); err != nil {
			t.Error(err)
		}
		if err := c.Restart(); err != nil {
			t.Error(err)
		}
	})
	env := baseEnv("DATABASE_URL="+c.URL("noconns"), "OPERATION_TIMEOUT="+timeout.String())
	s := StartServer(t, env)
	_, threads0, fds0 := s.Proc()
	conns0 := serverConns(c, "noconns")

	// Hold every free connection, then end the server's and take theirs too.
	held, err := holdConnections(c.URL("postgres"))
	t.Cleanup(func() { held.Close() })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := held.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND datname = 'noconns'`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20 && countOn(held, "noconns") > 0; i++ {
		time.Sleep(50 * time.Millisecond) // the backends ended exit on their own time
	}
	more, err := holdConnections(c.URL("postgres"))
	t.Cleanup(func() { more.Close() })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("holding %d + %d connections", held.Stats().OpenConnections, more.Stats().OpenConnections)

	load := StartLoad(func() string { return s.URL }, key, rate)
	from := time.Now()
	time.Sleep(4 * time.Second)
	more.Close()
	held.Close()
	to := time.Now()
	time.Sleep(recoverWithin + time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	t.Logf("%d requests, %d during the fault, refused %v, recovered %s after", len(recs), row.During, row.Refused, row.Recovery)

	outage := Between(recs, from, to.Add(recoverWithin))
	NoneSlowerThan(t, outage, timeout+time.Second, "out of connections")
	RefusedAsUnavailable(t, outage, "out of connections")
	AllOK(t, Between(recs, to.Add(recoverWithin), time.Now()), "after the release")
	CheckWrites(t, row, "postgres", c.URL("noconns"), Acknowledged(recs))
	CheckAnswers(t, s, key)

	// No leak: the server's connections within its pools (10, and 4 of kept plans) and its
	// two listeners (the subscriptions' changes, the result cache's data version),
	// and, the load's idle connections closed, its open files those connections more than
	// before, its threads near where they were.
	httpClient.CloseIdleConnections()
	time.Sleep(time.Second)
	conns := serverConns(c, "noconns")
	if conns > 16 {
		t.Errorf("the server holds %d connections after the fault, more than its pools and listeners (16)", conns)
	}
	_, threads1, fds1 := s.Proc()
	t.Logf("PostgreSQL connections %d then %d; threads %d then %d; open files %d then %d", conns0, conns, threads0, threads1, fds0, fds1)
	if fds1 > fds0+(conns-conns0)+5 {
		t.Errorf("open files grew from %d to %d, its connections from %d to %d: connections or requests left open", fds0, fds1, conns0, conns)
	}
	if threads1 > threads0+20 {
		t.Errorf("threads grew from %d to %d", threads0, threads1)
	}
	CheckRollups(t, env)
}

// serverConns counts the connections to db in pg_stat_activity.
func serverConns(c *Cluster, db string) int {
	conn, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return -1
	}
	defer conn.Close()
	return countOn(conn, db)
}

func countOn(conn *sql.DB, db string) int {
	n := -1
	conn.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, db).Scan(&n)
	return n
}

// holdConnections opens connections to url until PostgreSQL refuses one, and keeps them.
func holdConnections(url string) (*sql.DB, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(1000)
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, which keeps them open
		}
	}()
	for i := 0; i < 200; i++ {
		c, err := db.Conn(context.Background())
		if err == nil {
			err = c.PingContext(context.Background())
		}
		if err != nil {
			if strings.Contains(err.Error(), "too many") || strings.Contains(err.Error(), "reserved") {
				return db, nil
			}
			return db, err
		}
		conns = append(conns, c)
	}
	return db, fmt.Errorf("PostgreSQL took 200 connections without refusing one")
}
