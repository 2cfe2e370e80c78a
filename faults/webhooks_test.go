//go:build faults

package faults

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testBadWebhookReceivers registers four receivers of ACTION_CREATED that misbehave (one
// hangs, one redirects to a private address, one answers 10 MB, one closes mid-response)
// and runs the load: writers are not slowed (against the same load before the webhooks),
// every receiver is tried and its deliveries stay due for a retry, and the server's
// memory stays bounded.
func testBadWebhookReceivers(t *testing.T) {
	row := &Row{Scenario: "webhook receivers that hang, redirect to a private address, answer 10 MB, close mid-response", Database: "PostgreSQL"}
	row.Record(t)
	const db = "webhooks"
	c, key := PostgresDB(t, db)
	row.Begin()
	env := baseEnv("DATABASE_URL="+c.URL(db), "OPERATION_TIMEOUT=3s", "WEBHOOK_ALLOW_LOOPBACK=true", "WEBHOOK_TIMEOUT=2s")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hits [4]atomic.Int64
	big := strings.Repeat("x", 10<<20)
	receivers := []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { // hangs until the client gives up
			hits[0].Add(1)
			select {
			case <-ctx.Done():
			case <-r.Context().Done():
			}
		},
		func(w http.ResponseWriter, r *http.Request) {
			hits[1].Add(1)
			http.Redirect(w, r, "http://10.255.255.1/hook", http.StatusFound)
		},
		func(w http.ResponseWriter, r *http.Request) { hits[2].Add(1); fmt.Fprint(w, big) }, // 200 with 10 MB
		func(w http.ResponseWriter, r *http.Request) { // headers and half a body, then the connection closed
			hits[3].Add(1)
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, strings.Repeat("y", 500))
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		},
	}
	// The same load first without webhooks: the writes' latency to compare with.
	s := StartServer(t, env)
	before := runFor(s, key, 3*time.Second)
	baseline := writesOf(before)

	var urls []string
	for _, h := range receivers {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close) // after the server's end and cancel
		urls = append(urls, srv.URL+"/hook")
		if _, err := Command(env, "webhooks", "add", "--key", shared.pgPrefix, "--url", srv.URL+"/hook", "--events", "ACTION_CREATED"); err != nil {
			t.Fatal(err)
		}
	}
	rss0, _, _ := s.Proc()
	load := StartLoad(func() string { return s.URL }, key, rate)
	var maxRSS atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for i := 0; i < 40; i++ {
			if rss, _, _ := s.Proc(); int64(rss) > maxRSS.Load() {
				maxRSS.Store(int64(rss))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	from := time.Now()
	<-sampled
	to := time.Now()
	recs := load.Stop()
	Summarize(row, recs, from, to)
	writes := writesOf(recs)
	t.Logf("%d requests, refused %v; writes p50 %s p99 %s, without webhooks p50 %s p99 %s; receivers hit %d %d %d %d; RSS %d MB then at most %d MB",
		len(recs), row.Refused, Percentile(writes, 50), Percentile(writes, 99), Percentile(baseline, 50), Percentile(baseline, 99),
		hits[0].Load(), hits[1].Load(), hits[2].Load(), hits[3].Load(), rss0>>10, maxRSS.Load()>>10)

	AllOK(t, recs, "with bad receivers")
	// Not slowed: within twice the latency without webhooks, and 50 ms for the noise of a
	// shared machine.
	if p99, max := Percentile(writes, 99), 2*Percentile(baseline, 99)+50*time.Millisecond; p99 > max {
		t.Errorf("writes p99 %s with bad receivers, want under %s (p99 without webhooks %s)", p99, max, Percentile(baseline, 99))
	}
	for i := range hits {
		if hits[i].Load() == 0 {
			t.Errorf("receiver %d was never called", i)
		}
	}
	if grew := maxRSS.Load() - int64(rss0); grew > 150<<10 {
		t.Errorf("the server's RSS grew by %d MB (from %d MB) with bad receivers, want under 150 MB", grew>>10, rss0>>10)
	}
	// The receivers that hang or redirect took no delivery (those in flight end within
	// the webhook timeout): each was tried, failed, and is
	// due again later. (The others answered 200, which may count as delivered.)
	pg, err := sql.Open("postgres", c.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	time.Sleep(2*time.Second + 500*time.Millisecond)
	for i, u := range urls[:2] {
		// A delivery claimed has its attempt counted before it is sent; one sent and
		// failed has its error, and stays PENDING for the next attempt (10 s later).
		var delivered, failed, pending, retried int
		err = pg.QueryRow(`SELECT count(*) FILTER (WHERE d.status = 'DELIVERED'), count(*) FILTER (WHERE d.attempts > 0 AND d.last_error <> ''),
			count(*) FILTER (WHERE d.attempts > 0 AND d.last_error <> '' AND d.status = 'PENDING'), count(*) FILTER (WHERE d.attempts > 1)
			FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.url = $1`, u).Scan(&delivered, &failed, &pending, &retried)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("receiver %d: %d deliveries sent and failed, %d of them pending a retry, %d tried again already, %d delivered",
			i, failed, pending, retried, delivered)
		if failed == 0 || pending != failed || delivered > 0 {
			t.Errorf("receiver %d: deliveries failed %d, pending a retry %d, delivered %d: want every failed one pending, none delivered",
				i, failed, pending, delivered)
		}
	}
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(append(before, recs...)))
	CheckAnswers(t, s, key)
}

// runFor runs the load on s for d and returns its records.
func runFor(s *Server, key string, d time.Duration) []Record {
	l := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(d)
	return l.Stop()
}

func writesOf(recs []Record) []Record {
	var w []Record
	for _, r := range recs {
		if r.Write {
			w = append(w, r)
		}
	}
	return w
}
