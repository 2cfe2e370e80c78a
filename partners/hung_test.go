package partners_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestHungReceivers: five webhooks on receivers that never answer. The dispatcher sends
// no more at once than its batch, cuts each at the delivery timeout and schedules the
// retry 10 s later; a write made while the sends hang is not held by them.
func TestHungReceivers(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		const timeout, batch = time.Second, 2
		var mu sync.Mutex
		inFlight, most := 0, 0
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) })
		flying := func() int { mu.Lock(); defer mu.Unlock(); return inFlight }

		svc := service.New(db.Client)
		ps := partners.New(svc, db.Client)
		ps.AllowLoopbackWebhooks(true)
		partner, _ := as(t, svc, db, "REGION:53", access.Reader)
		for i := range 5 {
			if _, err := ps.CreateWebhook(partner, srv.URL+"/"+strconv.Itoa(i), []outbox.EventType{outbox.ActionCreated}); err != nil {
				t.Fatal(err)
			}
		}
		writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
		write := func() {
			t.Helper()
			if _, err := svc.CreateAction(writer, service.ActionInput{Title: ptr("Vélos"), Territory: rennes,
				Sector: ptr("transports"), StartYear: ptr(2025)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		write()

		t0 := time.Now().Add(time.Second)
		type result struct {
			n    int
			err  error
			took time.Duration
		}
		done := make(chan result, 1)
		go func() {
			start := time.Now()
			n, err := ps.DispatchDue(context.Background(), partners.DispatchOptions{Timeout: timeout, Batch: batch,
				Now: func() time.Time { return t0 }})
			done <- result{n, err, time.Since(start)}
		}()
		waitFor(t, "the batch is being sent", func() bool { return flying() == batch })
		write() // the sends hang meanwhile
		if n := flying(); n != batch {
			t.Errorf("%d sends in flight when the write returned, want %d: the write waited for them", n, batch)
		}
		r := <-done
		if r.err != nil || r.n != batch {
			t.Fatalf("claimed %d (%v), want %d", r.n, r.err, batch)
		}
		if r.took > timeout+time.Second {
			t.Errorf("the round took %s: the hung sends were not cut at %s", r.took, timeout)
		}
		mu.Lock()
		if most != batch {
			t.Errorf("%d sends at once, want %d (the batch)", most, batch)
		}
		mu.Unlock()
		ds, err := ps.WebhookDeliveries(partner, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		tried := 0
		for _, d := range ds {
			if d.Attempts == 0 {
				continue
			}
			tried++
			if d.Status != "PENDING" || d.LastError == nil || !strings.Contains(*d.LastError, "did not answer within 1s") ||
				d.NextAttemptAt == nil || d.NextAttemptAt.Sub(t0.Add(10*time.Second)).Abs() > time.Millisecond {
				t.Errorf("a hung delivery: %+v (last error %v)", d, ptrString(d.LastError))
			}
		}
		if len(ds) != 10 || tried != batch {
			t.Errorf("%d deliveries, %d tried; want 10 and %d", len(ds), tried, batch)
		}
	})
}

func ptrString(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
