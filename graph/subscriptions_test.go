package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Short limits a subscription must outlive: the operation timeout and the HTTP server's
// read and write timeouts.
const (
	testOperationTimeout = 300 * time.Millisecond
	testServerTimeout    = 500 * time.Millisecond
)

// instance is one server instance: a real HTTP server with short timeouts for the
// streams (they need one), and an in-process handler with the default timeouts, over the
// same service, for the writes (so that a busy machine does not cut them).
type instance struct {
	svc    *partners.Service
	url    string
	writes http.Handler
}

// liveServer serves db over a real HTTP server through the request log, as the command
// serves it, and feeds its subscriptions.
func liveServer(t *testing.T, db *store.DB) instance {
	t.Helper()
	model := service.New(db.Client)
	svc := partners.New(model, db.Client)
	opts := testOptions()
	opts.Timeout = testOperationTimeout
	srv := httptest.NewUnstartedServer(httpapi.WithRequestLog(slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.NewMux(model, svc, opts)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = testServerTimeout, testServerTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.ListenChanges(ctx, db.URL); err != nil {
			t.Errorf("listen: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done }) // before srv.Close: ends the streams
	return instance{svc: svc, url: srv.URL, writes: httpapi.NewMux(model, svc, testOptions())}
}

// call runs an operation on an instance and fails the test on errors.
func call(t *testing.T, in instance, token, query string, vars map[string]any) response {
	t.Helper()
	r, err := post(in.writes, token, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	return r
}

// openSSE subscribes over Server-Sent Events (graphql-sse, distinct connections) and
// returns the data of each "next" event; the channel closes with the stream.
func openSSE(t *testing.T, url, query string) <-chan json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("SSE: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	out := make(chan json.RawMessage, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data += strings.TrimPrefix(line, "data: ")
			case line == "":
				if event == "next" {
					out <- nextData(data)
				}
				if event == "complete" {
					return
				}
				event, data = "", ""
			}
		}
	}()
	return out
}

// openWS subscribes over WebSocket with the graphql-transport-ws protocol.
func openWS(t *testing.T, url, query string) <-chan json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	type msg struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	if err := wsjson.Write(ctx, c, msg{Type: "connection_init"}); err != nil {
		t.Fatal(err)
	}
	var ack msg
	if err := wsjson.Read(ctx, c, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", ack, err)
	}
	payload, _ := json.Marshal(map[string]any{"query": query})
	if err := wsjson.Write(ctx, c, msg{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	out := make(chan json.RawMessage, 100)
	go func() {
		defer close(out)
		defer c.CloseNow()
		for {
			var m msg
			if err := wsjson.Read(ctx, c, &m); err != nil {
				return
			}
			switch m.Type {
			case "next":
				out <- nextData(string(m.Payload))
			case "ping":
				wsjson.Write(ctx, c, msg{Type: "pong"})
			case "complete", "error":
				return
			}
		}
	}()
	return out
}

// nextData returns the data of an execution result, or its errors when it has no data.
func nextData(s string) json.RawMessage {
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal([]byte(s), &r) != nil || len(r.Data) == 0 || string(r.Data) == "null" {
		return json.RawMessage(`{"errors":` + string(r.Errors) + `}`)
	}
	return r.Data
}

// change is a message of commitmentChanged or actionChanged.
type change struct {
	Type           string `json:"type"`
	EventID        string `json:"eventId"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus"`
	Version        int    `json:"version"`
	Record         struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Territory struct{ Code string }
	} `json:"record"`
}

// next waits for the next message of a stream.
func next(t *testing.T, s <-chan json.RawMessage, within time.Duration) (change, bool) {
	t.Helper()
	select {
	case data, ok := <-s:
		if !ok {
			t.Fatal("the stream ended")
		}
		var m map[string]change
		if err := json.Unmarshal(data, &m); err != nil || len(m) != 1 {
			t.Fatalf("message %s: %v", data, err)
		}
		for _, c := range m {
			return c, true
		}
	case <-time.After(within):
	}
	return change{}, false
}

// expect reads the next messages and checks their types, in order.
func expect(t *testing.T, s <-chan json.RawMessage, types ...string) []change {
	t.Helper()
	var out []change
	for _, want := range types {
		c, ok := next(t, s, 20*time.Second)
		if !ok {
			t.Fatalf("no %s message", want)
		}
		if c.Type != want {
			t.Fatalf("message %+v, want %s", c, want)
		}
		out = append(out, c)
	}
	return out
}

func waitSubscribed(t *testing.T, svc *partners.Service, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); svc.Subscriptions() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", svc.Subscriptions(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const commitmentSubscription = `subscription { commitmentChanged(region: "53") { type eventId status previousStatus version
  record: commitment { id status territory { code } } } }`

const createCommitment = `mutation($t: TerritoryKey!, $s: CommitmentStatus) {
  createCommitment(input: {territory: $t, sector: "transports", ktco2e: 2.5, status: $s}) { id version } }`

// TestSubscriptionOverSSE: a subscriber of Bretagne's commitments, over Server-Sent
// Events, receives the events of a commitment of Rennes, in order, and none of Paris'; its
// stream outlives the operation timeout and the server's read and write timeouts.
func TestSubscriptionOverSSE(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		in := liveServer(t, db)
		rennes := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		paris := newKey(t, db, "Paris", "DEPARTMENT:75", access.Contributor)
		region := newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator)
		s := openSSE(t, in.url, commitmentSubscription)
		waitSubscribed(t, in.svc, 1)
		<-time.After(testOperationTimeout + testServerTimeout) // the stream lives on past both

		call(t, in, paris, createCommitment, map[string]any{"t": tk("DEPARTMENT:75"), "s": "SUBMITTED"})
		var created struct {
			ID      string
			Version int
		}
		field(t, call(t, in, rennes, createCommitment, map[string]any{"t": tk("EPCI:243500139"), "s": "SUBMITTED"}), "createCommitment", &created)
		got := expect(t, s, "COMMITMENT_CREATED", "COMMITMENT_SUBMITTED")
		if got[0].Record.ID != created.ID || got[0].Record.Territory.Code != "243500139" || got[1].Status != "SUBMITTED" ||
			got[0].EventID == got[1].EventID {
			t.Errorf("creation messages %+v", got)
		}
		call(t, in, region, `mutation($id: ID!, $v: Int!) { transitionCommitment(id: $id, version: $v, to: ADOPTED) { id } }`,
			map[string]any{"id": created.ID, "v": created.Version})
		got = expect(t, s, "COMMITMENT_UPDATED", "COMMITMENT_ADOPTED")
		if a := got[1]; a.Status != "ADOPTED" || a.PreviousStatus != "SUBMITTED" || a.Version != 2 || a.Record.Status != "ADOPTED" {
			t.Errorf("adoption message %+v", a)
		}
		if c, ok := next(t, s, 200*time.Millisecond); ok {
			t.Errorf("unexpected message %+v", c)
		}
	})
}

// TestSubscriptionOverWebSocket: actionChanged over graphql-transport-ws.
func TestSubscriptionOverWebSocket(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		in := liveServer(t, db)
		rennes := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		s := openWS(t, in.url, `subscription { actionChanged(within: {level: DEPARTMENT, code: "35"}) {
			type eventId version record: action { id status territory { code } } } }`)
		waitSubscribed(t, in.svc, 1)
		<-time.After(testOperationTimeout + testServerTimeout)
		var a struct {
			ID      string
			Version int
		}
		field(t, call(t, in, rennes, `mutation { createAction(input: {title: "Covoiturage", territory: {level: EPCI, code: "243500139"},
			sector: "transports", startYear: 2026}) { id version } }`, nil), "createAction", &a)
		if got := expect(t, s, "ACTION_CREATED"); got[0].Record.ID != a.ID || got[0].Record.Status != "PLANNED" {
			t.Errorf("message %+v", got[0])
		}
		call(t, in, rennes, `mutation($id: ID!, $v: Int!) { withdrawAction(id: $id, version: $v) { id } }`,
			map[string]any{"id": a.ID, "v": a.Version})
		if got := expect(t, s, "ACTION_UPDATED", "ACTION_WITHDRAWN"); got[1].Record.Status != "ABANDONED" || got[1].Version != 2 {
			t.Errorf("messages %+v", got)
		}
	})
}

// TestSubscriptionAcrossInstances: two instances over one PostgreSQL database; a client
// subscribed on the first receives the changes written through the second.
func TestSubscriptionAcrossInstances(t *testing.T) {
	if !strings.Contains(strings.Join(testdb.Dialects(), ","), testdb.Postgres) {
		t.Skip("needs PostgreSQL: set " + testdb.EnvURL)
	}
	db := testdb.Planned(t, testdb.Postgres)
	a := liveServer(t, db)
	dbB, err := store.Open(context.Background(), db.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	b := liveServer(t, dbB)
	rennes := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
	s := openSSE(t, a.url, commitmentSubscription)
	waitSubscribed(t, a.svc, 1)

	// Instance A listens in the background: write through B until a change arrives.
	var probe struct {
		ID      string
		Version int
	}
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("no change written through B reached the subscriber on A")
		}
		field(t, call(t, b, rennes, createCommitment, map[string]any{"t": tk("EPCI:243500139")}), "createCommitment", &probe)
		if c, ok := next(t, s, time.Second); ok {
			if c.Type != "COMMITMENT_CREATED" || c.Record.Territory.Code != "243500139" {
				t.Fatalf("message %+v", c)
			}
			break
		}
	}
	call(t, b, rennes, `mutation($id: ID!, $v: Int!) { transitionCommitment(id: $id, version: $v, to: SUBMITTED) { id } }`,
		map[string]any{"id": probe.ID, "v": probe.Version})
	for {
		c, ok := next(t, s, 20*time.Second)
		if !ok {
			t.Fatal("the submission written through B did not reach A")
		}
		if c.Type == "COMMITMENT_CREATED" {
			continue // a late probe
		}
		if c.Type != "COMMITMENT_UPDATED" || c.Record.ID != probe.ID || c.PreviousStatus != "DRAFT" {
			t.Fatalf("message %+v", c)
		}
		break
	}
	if got := expect(t, s, "COMMITMENT_SUBMITTED"); got[0].Record.ID != probe.ID || got[0].Status != "SUBMITTED" {
		t.Errorf("message %+v", got[0])
	}
}
