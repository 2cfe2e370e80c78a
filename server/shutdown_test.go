package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

const subscribeRennes = `subscription { actionChanged(within: {level: DEPARTMENT, code: "35"}) { eventId type } }`

// TestShutdownEndsSubscriptions is a rolling deploy's SIGTERM on a server with an SSE
// subscription, a WebSocket one (graphql-transport-ws) and a request in flight: during
// the drain /readyz answers 503 and requests are served; then new connections are
// refused, the request in flight gets its answer, the SSE stream sends its complete
// event and ends, the WebSocket sends complete and a close frame, and the whole shutdown
// takes well under its timeout.
func TestShutdownEndsSubscriptions(t *testing.T) {
	db := testdb.Loaded(t, testdb.SQLite)
	svc := service.New(db.Client)
	ps := partners.New(svc, db.Client)
	mux := httpapi.NewMux(svc, ps, httpapi.DefaultOptions())
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" { // a request in flight
			close(started)
			<-release
			io.WriteString(w, "ok")
			return
		}
		mux.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	const drain, limit = 300 * time.Millisecond, 10 * time.Second
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() {
		served <- serveOn(ctx, ln, h, timeouts{readHeader: time.Second, read: time.Second, write: time.Second,
			idle: time.Second, shutdown: limit, drain: drain}, ps.EndSubscriptions)
	}()

	// The SSE subscription.
	body, _ := json.Marshal(map[string]string{"query": subscribeRennes})
	req, _ := http.NewRequest("POST", base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	sse, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sse.Body.Close()
	if sse.StatusCode != 200 || !strings.HasPrefix(sse.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("SSE subscription: %s %s", sse.Status, sse.Header.Get("Content-Type"))
	}
	sseRest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(sse.Body); sseRest <- string(b) }()

	// The WebSocket subscription.
	ws, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	wsSend := func(v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := ws.Write(context.Background(), websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	// One context for every read: the client closes its connection when a read's context
	// ends, even shortly after the read returned.
	rctx, cancelReads := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelReads()
	wsRead := func() (map[string]any, error) {
		_, b, err := ws.Read(rctx)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	wsSend(map[string]any{"type": "connection_init"})
	if m, err := wsRead(); err != nil || m["type"] != "connection_ack" {
		t.Fatalf("WebSocket init: %v %v", m, err)
	}
	wsSend(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]string{"query": subscribeRennes}})
	waitFor(t, "both subscriptions are open", func() bool { return ps.Subscriptions() == 2 })

	// The request in flight.
	answer := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			answer <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer <- string(b)
	}()
	<-started

	// SIGTERM.
	begin := time.Now()
	stop()
	time.Sleep(drain / 3)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the drain: %v %v, want 503", resp, err)
	} else {
		resp.Body.Close()
	}
	if resp, err := client.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz during the drain: %v %v, want 200: requests are served until the listener closes", resp, err)
	} else {
		resp.Body.Close()
	}
	time.Sleep(drain)
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), 500*time.Millisecond); err == nil {
		c.Close()
		t.Error("a new connection was accepted after the drain")
	}

	// The subscriptions ended cleanly, without waiting for the request in flight.
	select {
	case rest := <-sseRest:
		if !strings.Contains(rest, "event: complete") {
			t.Errorf("the SSE stream ended without its complete event: %q", rest)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the SSE stream did not end")
	}
	m, err := wsRead()
	if err != nil || m["type"] != "complete" || m["id"] != "1" {
		t.Errorf("WebSocket: %v %v, want the subscription's complete", m, err)
	}
	if _, err := wsRead(); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("WebSocket: %v, want a close frame (1000)", err)
	}

	close(release)
	if got := <-answer; got != "ok" {
		t.Errorf("the request in flight got %q", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(limit):
		t.Fatal("the server did not shut down within its timeout")
	}
	if took := time.Since(begin); took > drain+2*time.Second {
		t.Errorf("the shutdown took %s", took)
	} else {
		t.Logf("shut down in %s (drain %s, timeout %s)", took.Round(time.Millisecond), drain, limit)
	}
}

// waitFor polls cond until it holds, for 10 seconds at most.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestShutdownDrainConfig: SHUTDOWN_DRAIN and -shutdown-drain set the drain, 0 without
// them; the other timeouts keep their defaults.
func TestShutdownDrainConfig(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want time.Duration
	}{
		{nil, "", 0},
		{nil, "5s", 5 * time.Second},
		{[]string{"-shutdown-drain", "2s"}, "5s", 2 * time.Second},
	} {
		cfg, err := parseConfigTo(c.args, func(name string) string {
			if name == "SHUTDOWN_DRAIN" {
				return c.env
			}
			return ""
		}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		want := defaultTimeouts
		want.drain = c.want
		if cfg.timeouts != want {
			t.Errorf("%v with SHUTDOWN_DRAIN=%q: %+v, want %+v", c.args, c.env, cfg.timeouts, want)
		}
	}
}
