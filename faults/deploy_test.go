//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testRollingDeploy runs two instances on one database behind a round-robin proxy that
// checks /readyz, and stops one with SIGTERM under load, as a rolling deploy does:
// requests in flight complete, no client sees a reset or a 5xx, the open subscription of
// the stopped instance ends with a clean close, and the other instance takes the load.
func testRollingDeploy(t *testing.T) {
	row := &Row{Scenario: "rolling deploy: one of two instances stopped with SIGTERM behind a proxy", Database: "PostgreSQL"}
	row.Record(t)
	const db = "deploy"
	c, key := PostgresDB(t, db)
	row.Begin()
	env := baseEnv("DATABASE_URL="+c.URL(db), "OPERATION_TIMEOUT=3s")
	a, b := StartServer(t, env), StartServer(t, env)
	p := NewProxy(a.URL, b.URL)
	defer p.Close()

	sub := subscribe(t, a.URL)
	load := StartLoad(func() string { return p.URL }, key, rate)
	time.Sleep(3 * time.Second)
	servedB := p.backends[1].served.Load()
	// Longer requests sent to the instance itself just before its stop, so that some are
	// in flight when SIGTERM comes.
	inflight := make(chan Record, 20)
	direct := &Load{Target: func() string { return a.URL }, Client: &httpClient}
	for i := 0; i < cap(inflight); i++ {
		go func() { inflight <- direct.send(readPage, nil) }()
	}
	time.Sleep(20 * time.Millisecond)
	from := time.Now()
	exited := a.Signal(syscall.SIGTERM, 25*time.Second)
	to := time.Now()
	var pages []Record
	for i := 0; i < cap(inflight); i++ {
		pages = append(pages, <-inflight)
	}
	still := 0
	for _, r := range pages {
		if r.Sent.Add(r.Latency).After(from) {
			still++
		}
	}
	t.Logf("%d of %d pages of 1,000 communes in flight at SIGTERM, slowest %s", still, len(pages), Percentile(pages, 100))
	AllOK(t, pages, "requests in flight at SIGTERM")
	time.Sleep(3 * time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	t.Logf("%d requests, %d while the instance stopped (%s), refused %v", len(recs), row.During, to.Sub(from).Round(time.Millisecond), row.Refused)

	if !exited {
		t.Errorf("the instance had not exited 25 s after SIGTERM")
	} else if to.Sub(from) > 10*time.Second {
		t.Errorf("the instance took %s to exit after SIGTERM", to.Sub(from).Round(time.Millisecond))
	}
	AllOK(t, recs, "through the proxy")
	if errs := p.Errors(); len(errs) > 0 {
		t.Logf("the proxy answered 502 for: %v", errs)
	}
	select {
	case res := <-sub:
		t.Logf("subscription: %d events, ended %q after %s", res.events, res.end, res.at.Sub(from).Round(time.Millisecond))
		if res.events == 0 {
			t.Errorf("the subscription received no event before the stop: was it live?")
		}
		if res.end != "complete" && res.end != "EOF" {
			t.Errorf("the subscription ended with %q, want a clean close (event: complete, or the end of the stream)", res.end)
		}
		if res.at.Sub(from) > 5*time.Second {
			t.Errorf("the subscription ended %s after SIGTERM, want within 5 s", res.at.Sub(from).Round(time.Millisecond))
		}
	case <-time.After(time.Second):
		t.Errorf("the subscription of the stopped instance was still open after its exit")
	}
	if took := p.backends[1].served.Load() - servedB; took == 0 {
		t.Errorf("the other instance served nothing after the stop")
	}
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(recs))
	CheckRollups(t, env)
	CheckAnswers(t, b, key)
}

// readPage is a longer read: a page of 1,000 communes with their ancestors.
const readPage = `query Page { territories(first: 1000, where: {level: COMMUNE}) { edges { node { code name population ancestors { code } } } } }`

type subscription struct {
	events int
	end    string // complete, EOF, or the read error
	at     time.Time
}

// subscribe opens an SSE subscription to the actions of Ille-et-Vilaine, where the load
// writes, and reports how it ended.
func subscribe(t *testing.T, base string) <-chan subscription {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": `subscription { actionChanged(within: {level: DEPARTMENT, code: "35"}) { type } }`})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %s", resp.Status)
	}
	out := make(chan subscription, 1)
	go func() {
		defer resp.Body.Close()
		var s subscription
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			switch strings.TrimSpace(sc.Text()) {
			case "event: next":
				s.events++
			case "event: complete":
				s.end = "complete"
			}
		}
		if s.end == "" {
			s.end = "EOF"
			if err := sc.Err(); err != nil {
				s.end = err.Error()
			}
		}
		s.at = time.Now()
		out <- s
	}()
	return out
}
