package partners

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/store"
)

// TestPostgresLostAndBack stops and starts the primary of a throwaway cluster (source
// .ci/replica.sh start; it needs COP_REPLICA_DIR and TEST_DATABASE_URL_PRIMARY, and is
// skipped without them): the listener reconnects by itself and ends the subscription
// open during the loss; the dispatcher keeps polling through the outage and claims again
// once the database is back; both stop when their context ends.
func TestPostgresLostAndBack(t *testing.T) {
	dir, url := os.Getenv("COP_REPLICA_DIR"), os.Getenv("TEST_DATABASE_URL_PRIMARY")
	if dir == "" || url == "" {
		t.Skip("no throwaway cluster: source .ci/replica.sh start")
	}
	pgctl := func(args string) {
		t.Helper()
		bin, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
		if len(bin) == 0 {
			t.Fatal("no pg_ctl")
		}
		cmd := exec.Command("su", "postgres", "-s", "/bin/bash", "-c",
			bin[0]+" -D "+dir+"/primary -l "+dir+"/primary.log -w "+args)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl %s: %v\n%s", args, err, out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &Service{client: db.Client, hub: newHub()}
	listening := make(chan error, 1)
	go func() { listening <- svc.ListenChanges(ctx, url) }()
	dispatching := make(chan error, 1)
	go func() { dispatching <- svc.DispatchWebhooks(ctx, DispatchOptions{Poll: 50 * time.Millisecond}) }()
	sub, err := svc.hub.subscribe("Action", 35)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the listener is connected

	start := time.Now()
	pgctl("-m fast stop")
	down := time.Now()
	if _, err := svc.DispatchDue(ctx, DispatchOptions{}); err == nil {
		t.Error("a round claimed with the database stopped")
	} else if reason, ok := store.Unavailable(err); !ok {
		t.Errorf("the dispatcher's error is not a database unavailable: %v", err)
	} else {
		t.Logf("the dispatcher, database stopped: %s (%v)", reason, err)
	}
	time.Sleep(500 * time.Millisecond)
	pgctl("start")
	up := time.Now()
	select {
	case _, ok := <-sub.ch:
		if ok {
			t.Error("the subscription got a message, want its end")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the subscription open during the loss was not ended 15 s after the database came back")
	}
	t.Logf("stopped in %s, down %s, subscription ended %s after the restart",
		down.Sub(start).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond), time.Since(up).Round(time.Millisecond))
	waitUntil := time.Now().Add(10 * time.Second)
	for {
		if _, err := svc.DispatchDue(ctx, DispatchOptions{}); err == nil {
			break
		} else if time.Now().After(waitUntil) {
			t.Fatalf("the dispatcher cannot claim 10 s after the restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case err := <-dispatching:
		t.Fatalf("the dispatcher returned during the outage: %v", err)
	case err := <-listening:
		t.Fatalf("the listener returned during the outage: %v", err)
	default:
	}
	if _, err := svc.hub.subscribe("Action", 35); err != nil {
		t.Errorf("no subscription after the restart: %v", err)
	}
	cancel()
	for _, c := range []chan error{listening, dispatching} {
		select {
		case err := <-c:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the listener or the dispatcher did not stop with its context")
		}
	}
}
