//go:build faults

package faults

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Redis holds the rate limits and persisted queries; it must never be on the request
// path: with it gone, every request is served within milliseconds. The bound leaves room
// for a machine busy with other work (a p99 of 65 ms was seen on a loaded CI machine)
// and is still far below what a request on Redis's path costs once it is gone: 1.7 s
// with go-redis's retries, 100 ms or more waiting for a dial or a read to time out.
const redisP99 = 90 * time.Millisecond

// redisEnv turns the rate limit on (high enough never to refuse the load), so that every
// request asks Redis for its bucket.
func redisEnv(dbURL, redisURL string) []string {
	return baseEnv("DATABASE_URL="+dbURL, "OPERATION_TIMEOUT=3s", "REDIS_URL="+redisURL,
		"RATE_LIMIT=100000", "RATE_BURST=100000")
}

// startRedis starts a redis-server of the test's own on port (never the shared one on
// 6379), without persistence, and waits until it answers.
func startRedis(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Skipf("no redis-server: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 50; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return cmd
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("redis-server on %d did not answer", port)
	return nil
}

// testRedisStopped kills the server's Redis under load for 4 s, then starts it again.
func testRedisStopped(t *testing.T) {
	row := &Row{Scenario: "Redis killed under load for 4 s, then started", Database: "PostgreSQL + Redis"}
	row.Record(t)
	const db = "redis"
	c, key := PostgresDB(t, db)
	row.Begin()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	redis := startRedis(t, port)
	env := redisEnv(c.URL(db), fmt.Sprintf("redis://127.0.0.1:%d/0", port))
	s := StartServer(t, env)
	load := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(2 * time.Second)
	mark := s.LogMark()
	from := time.Now()
	redis.Process.Kill()
	redis.Wait()
	time.Sleep(4 * time.Second)
	startRedis(t, port)
	to := time.Now()
	time.Sleep(3 * time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	during, before := Between(recs, from, to), Between(recs, time.Time{}, from)
	t.Logf("%d requests, %d without Redis, refused %v; p50 %s p99 %s before, p50 %s p99 %s without Redis", len(recs), len(during), row.Refused,
		Percentile(before, 50), Percentile(before, 99), Percentile(during, 50), Percentile(during, 99))

	AllOK(t, recs, "with Redis killed and started")
	if p99 := Percentile(during, 99); p99 > redisP99 {
		t.Errorf("p99 without Redis %s, want under %s", p99, redisP99)
	}
	FewOutageLogs(t, s, mark, 3)
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(recs))
	CheckAnswers(t, s, key)
}

// testRedisUnreachableAtStart starts the server with REDIS_URL on a port nobody listens
// on: it starts, says so once, and serves.
func testRedisUnreachableAtStart(t *testing.T) {
	row := &Row{Scenario: "Redis unreachable when the server starts", Database: "PostgreSQL + Redis"}
	row.Record(t)
	const db = "noredis"
	c, key := PostgresDB(t, db)
	row.Begin()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	env := redisEnv(c.URL(db), fmt.Sprintf("redis://127.0.0.1:%d/0", port))
	started := time.Now()
	s, err := startServer(env, 15*time.Second)
	if err != nil {
		t.Fatalf("the server did not start without Redis: %v", err)
	}
	t.Cleanup(s.Kill)
	t.Logf("ready %s after its start", time.Since(started).Round(time.Millisecond))
	from := time.Now()
	load := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(3 * time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, time.Now())
	t.Logf("%d requests, refused %v, p50 %s p99 %s", len(recs), row.Refused, Percentile(recs, 50), Percentile(recs, 99))

	AllOK(t, recs, "without Redis")
	if p99 := Percentile(recs, 99); p99 > redisP99 {
		t.Errorf("p99 without Redis %s, want under %s", p99, redisP99)
	}
	n, lines := s.LogCount(0)
	redisLines := 0
	for _, l := range lines {
		if strings.Contains(strings.ToLower(l), "redis") {
			redisLines++
		}
	}
	if redisLines != 1 || n > 2 {
		t.Errorf("%d WARN or ERROR lines about Redis (of %d), want one: %v", redisLines, n, lines)
	}
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(recs))
	CheckAnswers(t, s, key)
}
