package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"
)

func TestWithBinaryParameters(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h/db":                                "postgres://u@h/db?binary_parameters=yes",
		"postgres://u@h/db?sslmode=disable":                "postgres://u@h/db?binary_parameters=yes&sslmode=disable",
		"postgres://u@h/db?binary_parameters=no":           "postgres://u@h/db?binary_parameters=no",
		"postgresql://u:p@h:5433/db?binary_parameters=yes": "postgresql://u:p@h:5433/db?binary_parameters=yes",
	} {
		if got, err := withBinaryParameters(in); err != nil || got != want {
			t.Errorf("withBinaryParameters(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// countingDialer counts the buffers lib/pq writes: one per round trip to the server.
type countingDialer struct{ writes *atomic.Int64 }

func (d countingDialer) Dial(network, address string) (net.Conn, error) {
	c, err := net.Dial(network, address)
	return countingConn{c, d.writes}, err
}

func (d countingDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout(network, address, timeout)
	return countingConn{c, d.writes}, err
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// TestURLCounts: the statement cache's capacity and the pool's size come from the URL's
// statement_cache_capacity and pool_max_conns, which no connection sends to PostgreSQL
// (it would refuse them), listeners included.
func TestURLCounts(t *testing.T) {
	for _, tc := range []struct {
		take    func(string) (string, int, error)
		in, out string
		n       int
		err     bool
	}{
		{statementCacheCapacity, "postgres://u@h/db", "postgres://u@h/db", defaultStatementCache, false},
		{statementCacheCapacity, "postgres://u@h/db?statement_cache_capacity=0&sslmode=disable", "postgres://u@h/db?sslmode=disable", 0, false},
		{statementCacheCapacity, "postgres://u@h/db?statement_cache_capacity=12", "postgres://u@h/db", 12, false},
		{statementCacheCapacity, "postgres://u@h/db?statement_cache_capacity=many", "", 0, true},
		{statementCacheCapacity, "postgres://u@h/db?statement_cache_capacity=-1", "", 0, true},
		{poolMaxConns, "postgres://u@h/db", "postgres://u@h/db", defaultPoolConns, false},
		{poolMaxConns, "postgres://u@h/db?pool_max_conns=32&sslmode=disable", "postgres://u@h/db?sslmode=disable", 32, false},
		{poolMaxConns, "postgres://u@h/db?pool_max_conns=0", "", 0, true},
		{poolMaxConns, "postgres://u@h/db?pool_max_conns=all", "", 0, true},
	} {
		out, n, err := tc.take(tc.in)
		if (err != nil) != tc.err || out != tc.out || n != tc.n {
			t.Errorf("%q = %q, %d, %v; want %q, %d, error %t", tc.in, out, n, err, tc.out, tc.n, tc.err)
		}
	}
	if got := ListenerURL("postgres://u@h/db?pool_max_conns=32&statement_cache_capacity=0&sslmode=disable"); got != "postgres://u@h/db?sslmode=disable" {
		t.Errorf("ListenerURL kept the project's own parameters: %q", got)
	}
	for n, want := range map[int]int{1: 1, 10: 4, 20: 8} {
		if got := keptPlanConns(n); got != want {
			t.Errorf("keptPlanConns(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestPostgresRoundTrips checks the round trips of a query with parameters: by default
// one the first time (run as it comes), two the second (prepared, then bound and run), one
// after; one each time without prepared statements (statement_cache_capacity=0), two
// each time when the URL also asks binary_parameters=no; that a connection keeps at most
// its capacity of prepared statements; and that JSON and bytea parameters keep their
// values.
func TestPostgresRoundTrips(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		params   string
		runs     []int64 // round trips of each run of one query
		prepared int     // statements prepared on the connection after 5 distinct queries, each run twice
	}{
		{"", []int64{1, 2, 1}, 5},
		{"statement_cache_capacity=3", []int64{1, 2, 1}, 3},
		{"statement_cache_capacity=0", []int64{1, 1, 1}, 0},
		{"statement_cache_capacity=0&binary_parameters=no", []int64{2, 2, 2}, 0},
	} {
		t.Run("params="+tc.params, func(t *testing.T) {
			url := base
			if tc.params != "" {
				url += map[bool]string{true: "&", false: "?"}[bytes.ContainsRune([]byte(base), '?')] + tc.params
			}
			c, err := postgresConnector(url)
			if err != nil {
				t.Fatal(err)
			}
			var writes atomic.Int64
			c.Connector.(*pq.Connector).Dialer(countingDialer{&writes})
			db := sql.OpenDB(c)
			defer db.Close()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for i, want := range tc.runs {
				var n int
				before := writes.Load()
				if err := conn.QueryRowContext(ctx, "SELECT $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
					t.Fatalf("SELECT: %d, %v", n, err)
				}
				if got := writes.Load() - before; got != want {
					t.Errorf("run %d of a statement with a parameter took %d round trips, want %d", i+1, got, want)
				}
			}
			for i := range 4 {
				for range 2 {
					var n int
					if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT $1::int + %d", i+10), 1).Scan(&n); err != nil || n != i+11 {
						t.Fatalf("SELECT: %d, %v", n, err)
					}
				}
			}
			var prepared int
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared_statements%'").Scan(&prepared); err != nil {
				t.Fatal(err)
			}
			if prepared != tc.prepared {
				t.Errorf("%d statements prepared on the connection after 5 distinct queries, want %d", prepared, tc.prepared)
			}
			if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE v (j jsonb, b bytea)"); err != nil {
				t.Fatal(err)
			}
			bin := []byte{0, 1, '[', 255}
			if _, err := conn.ExecContext(ctx, "INSERT INTO v VALUES ($1, $2)", json.RawMessage(`["a","é"]`), bin); err != nil {
				t.Fatalf("insert jsonb and bytea: %v", err)
			}
			var j string
			var b []byte
			if err := conn.QueryRowContext(ctx, "SELECT j::text, b FROM v WHERE b = $1", bin).Scan(&j, &b); err != nil {
				t.Fatalf("read back: %v", err)
			}
			if j != `["a", "é"]` || !bytes.Equal(b, bin) {
				t.Errorf("read back %s, %v", j, b)
			}
		})
	}
}
