package partners_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestDispatchersShareTheWork: on PostgreSQL, two instances dispatch the same outbox at
// once; every delivery reaches the receiver exactly once.
func TestDispatchersShareTheWork(t *testing.T) {
	if len(testdb.Dialects()) < 2 {
		t.Skip("needs PostgreSQL: set " + testdb.EnvURL)
	}
	db := testdb.Loaded(t, testdb.Postgres)
	svc := service.New(db.Client)
	ps := partners.New(svc, db.Client)
	ps.AllowLoopbackWebhooks(true)
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get(partners.HeaderDelivery)]++
		mu.Unlock()
	}))
	defer srv.Close()
	partner, _ := as(t, svc, db, "REGION:53", access.Reader)
	if _, err := ps.CreateWebhook(partner, srv.URL, []outbox.EventType{outbox.ActionCreated}); err != nil {
		t.Fatal(err)
	}
	writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
	const n = 60
	for i := range n {
		if _, err := svc.CreateAction(writer, service.ActionInput{Title: ptr(fmt.Sprint("Action ", i)), Territory: rennes,
			StartYear: ptr(2025)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	db2, err := store.Open(context.Background(), db.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svc2 := partners.New(service.New(db2.Client), db2.Client)
	svc2.AllowLoopbackWebhooks(true)
	var wg sync.WaitGroup
	var claimed [2]int
	for i, s := range []*partners.Service{ps, svc2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, err := s.DispatchDue(context.Background(), partners.DispatchOptions{Batch: 4})
				if err != nil {
					t.Error(err)
				}
				if k == 0 {
					return
				}
				claimed[i] += k
			}
		}()
	}
	wg.Wait()
	if len(seen) != n || claimed[0]+claimed[1] != n {
		t.Fatalf("%d deliveries received, %v claimed, want %d", len(seen), claimed, n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("delivery %s received %d times", id, k)
		}
	}
	t.Logf("claimed by each instance: %v", claimed)
}

// BenchmarkWritesWithWebhooks measures createAction when 10 webhooks want its event
// (10 deliveries written in its transaction), and how fast one dispatcher empties the
// outbox to a receiver on loopback.
func BenchmarkWritesWithWebhooks(b *testing.B) {
	for _, d := range testdb.Dialects() {
		b.Run(d, func(b *testing.B) {
			db := testdb.Loaded(b, d)
			svc := service.New(db.Client)
			ps := partners.New(svc, db.Client)
			ps.AllowLoopbackWebhooks(true)
			var received atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { received.Add(1) }))
			defer srv.Close()
			ctx := context.Background()
			for i := range 10 {
				key, _, err := svc.CreateKey(ctx, fmt.Sprint("partner ", i), hierarchy.Key{Level: hierarchy.Region, Code: "53"}, access.Reader)
				if err != nil {
					b.Fatal(err)
				}
				p, _ := svc.Authenticate(ctx, key)
				if _, err := ps.CreateWebhook(service.WithPrincipal(ctx, p, nil), srv.URL, []outbox.EventType{outbox.ActionCreated}); err != nil {
					b.Fatal(err)
				}
			}
			writer := testdb.AsAdmin(ctx)
			var n atomic.Int64
			b.Run("createAction", func(b *testing.B) {
				for b.Loop() {
					title := fmt.Sprint("Action ", n.Add(1))
					if _, err := svc.CreateAction(writer, service.ActionInput{Title: &title, Territory: testdb.Key(hierarchy.Commune, "35238"),
						StartYear: ptr(2025)}, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			})
			start, before := time.Now(), received.Load()
			for {
				k, err := ps.DispatchDue(ctx, partners.DispatchOptions{Batch: 16})
				if err != nil {
					b.Fatal(err)
				}
				if k == 0 {
					break
				}
			}
			sent := received.Load() - before
			b.Logf("%s: dispatched %d deliveries in %s: %.0f/s", d, sent, time.Since(start).Round(time.Millisecond),
				float64(sent)/time.Since(start).Seconds())
		})
	}
}
