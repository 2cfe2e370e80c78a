package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

// TestReplicaLostAndLagging stops the read replica (pg_ctl, as .ci/replica.sh started
// it) while a reader reads without pause: no read fails, and they go to the primary; the
// replica started again, reads return to it. Its replay paused behind a write, reads
// answer from it until it is further behind than the maximum lag, then from the primary,
// and from it again once it has caught up. One log line per change.
func TestReplicaLostAndLagging(t *testing.T) {
	primaryURL, replicaURL := testdb.Replica(t)
	dir := os.Getenv("COP_REPLICA_DIR")
	pgctl, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if dir == "" || len(pgctl) == 0 {
		t.Skip("COP_REPLICA_DIR is not set, or pg_ctl is missing: the test stops the replica .ci/replica.sh started")
	}
	replicaCtl := func(args string) {
		t.Helper()
		cmd := exec.Command("su", "postgres", "-s", "/bin/bash", "-c", pgctl[0]+" -D "+dir+"/replica "+args)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl %s: %v\n%s", args, err, out)
		}
	}
	ctx := context.Background()
	primaryAdmin, err := sql.Open("postgres", primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer primaryAdmin.Close()
	name := fmt.Sprintf("replica_lost_%d", time.Now().UnixNano())
	if _, err := primaryAdmin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The replica as the next test expects it: running, replaying.
		exec.Command("su", "postgres", "-s", "/bin/bash", "-c", pgctl[0]+" -D "+dir+"/replica -l "+dir+"/replica.log -w start").Run()
		if r, err := sql.Open("postgres", replicaURL); err == nil {
			r.Exec("SELECT pg_wal_replay_resume()")
			r.Close()
		}
		primaryAdmin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	withDB := func(u string) string {
		p, _ := url.Parse(u)
		p.Path = "/" + name
		return p.String()
	}

	var logs syncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer store.SetProbeEvery(store.SetProbeEvery(100 * time.Millisecond))
	const maxLag = time.Second
	lim := store.Limits{ReplicaMaxLag: maxLag}
	db, err := store.OpenReplicatedWith(ctx, withDB(primaryURL), withDB(replicaURL), lim)
	for i := 0; err != nil && strings.Contains(err.Error(), "does not exist") && i < 50; i++ {
		time.Sleep(100 * time.Millisecond) // the new database reaches the replica
		db, err = store.OpenReplicatedWith(ctx, withDB(primaryURL), withDB(replicaURL), lim)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// read reads through the API's client; it tells where the read went.
	read := func() (string, error) {
		p0, r0 := db.Statements.Count(), db.ReplicaStatements.Count()
		_, err := db.Client.Territory.Query().Count(ctx)
		p, r := db.Statements.Count()-p0, db.ReplicaStatements.Count()-r0
		switch {
		case err != nil:
			return "", err
		case p > 0:
			return "primary", nil
		case r > 0:
			return "replica", nil
		}
		return "nowhere", nil
	}
	// until reads go to want, within d.
	until := func(want string, d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			got, err := read()
			if err != nil {
				t.Fatalf("a read failed (replica %s): %v", store.ReplicaState(db), err)
			}
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("reads still go to the %s after %s (replica %s), want the %s", got, d, store.ReplicaState(db), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	until("replica", 5*time.Second)

	// A reader without pause while the replica stops, and while it is down.
	var (
		stop     atomic.Bool
		reads    atomic.Int64
		failures []error
		mu       sync.Mutex
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if _, err := read(); err != nil {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
			reads.Add(1)
		}
	}()
	replicaCtl("-m fast -w stop")
	until("primary", 2*time.Second)
	before := reads.Load()
	time.Sleep(300 * time.Millisecond) // probes find it down
	stop.Store(true)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d of %d reads failed while the replica stopped; first: %v", len(failures), reads.Load(), failures[0])
	}
	if got := store.ReplicaState(db); got != "down" {
		t.Errorf("replica %s once stopped, want down", got)
	}
	for range 3 {
		if got, _ := read(); got != "primary" {
			t.Errorf("a read went to the %s while the replica is down", got)
		}
	}
	t.Logf("%d reads while the replica stopped, %d of them once it was down", reads.Load(), reads.Load()-before)
	// The consistency token: the primary's position, and reads from the primary.
	token, err := db.WritePosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.CaughtUp(ctx, token); ok || err != nil {
		t.Errorf("CaughtUp while the replica is down: %v, %v; want false without error", ok, err)
	}

	replicaCtl("-l " + dir + "/replica.log -w start")
	until("replica", 5*time.Second)

	// The replay paused behind a write: behind, but answering, until maxLag.
	replica, err := sql.Open("postgres", withDB(replicaURL))
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	if _, err := replica.Exec("SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	primary, err := sql.Open("postgres", withDB(primaryURL))
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Close()
	if _, err := primary.Exec("CREATE TABLE lag_probe (at timestamptz)"); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	until("primary", maxLag+2*time.Second)
	if waited := time.Since(paused); waited < maxLag {
		t.Errorf("reads left the replica %s after its replay paused, before the maximum lag (%s)", waited, maxLag)
	}
	if got := store.ReplicaState(db); got != "lagging" {
		t.Errorf("replica %s while behind, want lagging", got)
	}
	if _, err := replica.Exec("SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	until("replica", 5*time.Second)

	// One line per change: down once, lagging (once paused; maybe also when started
	// again behind the writes made while it was down), back after each, never twice the
	// same line in a row.
	var changes []string
	for _, line := range strings.Split(logs.String(), "\n") {
		for _, msg := range []string{"read replica down", "read replica lagging", "read replica back"} {
			if strings.Contains(line, msg) {
				changes = append(changes, strings.TrimPrefix(msg, "read replica "))
			}
		}
	}
	got := strings.Join(changes, " ")
	repeated := false
	for i := 1; i < len(changes); i++ {
		repeated = repeated || changes[i] == changes[i-1]
	}
	if strings.Count(got, "down") != 1 || !strings.Contains(got, "lagging back") || !strings.HasSuffix(got, "back") || repeated {
		t.Errorf("the replica's changes logged: %s\n%s", got, logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
