package partners

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/cop-territoriales/cop-api/partners/outbox"
)

// TestReconnectEndsSubscriptions feeds the relay as the PostgreSQL listener does: a
// notification reaches the subscription of its territory; then the listener reconnects
// after a loss (a nil notification) and every open subscription ends, so that its client
// catches up; new subscriptions are still taken and fed, and the dispatcher is nudged.
func TestReconnectEndsSubscriptions(t *testing.T) {
	svc := &Service{hub: newHub()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	load := func(e *outbox.Event) (string, error) { return e.ID, nil }
	open := func(entity string, within int) <-chan string {
		t.Helper()
		ch, err := stream(ctx, svc, entity, within, load)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	next := func(ch <-chan string) (string, bool) {
		t.Helper()
		select {
		case v, ok := <-ch:
			return v, ok
		case <-time.After(5 * time.Second):
			t.Fatal("no message and no end in 5 s")
			return "", false
		}
	}
	notify := make(chan *pq.Notification)
	lostAt := make(chan time.Time, 1)
	relayed := make(chan struct{})
	go func() {
		defer close(relayed)
		svc.relay(ctx, notify, func() time.Time { t := time.Now(); lostAt <- t; return t }, func() {})
	}()
	send := func(id, entity string, scope ...int) {
		notify <- &pq.Notification{Channel: outbox.NotifyChannel,
			Extra: `[{"id":"` + id + `","entity":"` + entity + `","scope":` + ints(scope) + `}]`}
	}

	actions, commitments := open("Action", 35), open("Commitment", 53)
	send("e1", "Action", 243500139, 35, 53)
	if v, ok := next(actions); !ok || v != "e1" {
		t.Fatalf("the action subscription got %q (open %v), want e1", v, ok)
	}
	<-svc.hub.wake // drained: the next nudge is the reconnection's
	notify <- nil  // reconnected after a loss
	for name, ch := range map[string]<-chan string{"actions": actions, "commitments": commitments} {
		if v, ok := next(ch); ok {
			t.Errorf("the %s subscription got %q after the reconnection, want its end", name, v)
		}
	}
	select {
	case <-lostAt:
	case <-time.After(5 * time.Second):
		t.Error("the time of the loss was not asked for")
	}
	select {
	case <-svc.hub.wake:
	case <-time.After(5 * time.Second):
		t.Error("the dispatcher was not nudged on the reconnection")
	}
	if n := svc.Subscriptions(); n != 0 {
		t.Errorf("%d subscriptions left open", n)
	}

	again := open("Action", 35)
	send("e2", "Action", 35)
	if v, ok := next(again); !ok || v != "e2" {
		t.Fatalf("a subscription opened after the reconnection got %q (open %v), want e2", v, ok)
	}
	cancel()
	<-relayed
}

func ints(xs []int) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(x)
	}
	return s + "]"
}

// TestListenWithoutDatabase: while the database cannot be reached, ListenChanges waits
// for it (the listener tries again by itself), and still returns at once when its
// context ends, so that a shutdown is not held by a database that is away.
func TestListenWithoutDatabase(t *testing.T) {
	svc := &Service{hub: newHub()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- svc.ListenChanges(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	}()
	select {
	case err := <-done:
		t.Fatalf("ListenChanges returned with the database away: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenChanges: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("ListenChanges did not return 2 s after its context ended")
	}
}
