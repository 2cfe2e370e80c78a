package partners_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
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

// receiver is a partner's webhook endpoint on loopback: it checks every delivery's
// signature and answers with the next status of its script (200 once the script ends).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	script []int
	got    []delivery
	notify chan struct{}
}

type delivery struct {
	id, event, signature string
	status               int
	body                 struct {
		ID             string `json:"id"`
		Type           string `json:"type"`
		Entity         string `json:"entity"`
		EntityID       int    `json:"entityId"`
		Status         string `json:"status"`
		PreviousStatus string `json:"previousStatus"`
		Territory      struct{ Level, Code string }
	}
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{t: t, script: script, notify: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ts, _ := strconv.ParseInt(req.Header.Get(partners.HeaderTimestamp), 10, 64)
		d := delivery{id: req.Header.Get(partners.HeaderDelivery), event: req.Header.Get(partners.HeaderEvent),
			signature: req.Header.Get(partners.HeaderSignature), status: 200}
		r.mu.Lock()
		if want := partners.SignWebhook(r.secret, ts, body); d.signature != want || ts == 0 {
			t.Errorf("delivery %s: signature %q, want %q", d.id, d.signature, want)
		}
		if err := json.Unmarshal(body, &d.body); err != nil {
			t.Errorf("delivery %s: body %s: %v", d.id, body, err)
		}
		if len(r.script) > 0 {
			d.status, r.script = r.script[0], r.script[1:]
		}
		r.got = append(r.got, d)
		r.mu.Unlock()
		w.WriteHeader(d.status)
		r.notify <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// wait waits until the receiver got n requests.
func (r *receiver) wait(n int) {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for len(r.deliveries()) < n {
		select {
		case <-r.notify:
		case <-deadline:
			r.t.Fatalf("the receiver got %d deliveries, want %d", len(r.deliveries()), n)
		}
	}
}

// as returns a context carrying the principal of a new key.
func as(t *testing.T, svc *service.Service, db *store.DB, territory string, role access.Role) (context.Context, string) {
	t.Helper()
	ctx := context.Background()
	k, err := hierarchy.ParseKey(territory)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateKey(ctx, "org "+territory, k, role)
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return service.WithPrincipal(ctx, p, nil), p.Prefix
}

func ptr[T any](v T) *T { return &v }

// waitFor polls cond until it holds, for 20 seconds at most.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var rennes = &service.TerritoryKey{Level: hierarchy.EPCI, Code: "243500139"}

// TestWebhookSurvivesRestart writes with no dispatcher running, closes the database,
// opens it again and starts the dispatcher: the partner of Bretagne gets exactly one
// signed delivery per event it asked for; the partner of Île-de-France gets none.
func TestWebhookSurvivesRestart(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		svc := service.New(db.Client)
		ps := partners.New(svc, db.Client)
		ps.AllowLoopbackWebhooks(true)
		bzh, idf := newReceiver(t), newReceiver(t)
		partner, _ := as(t, svc, db, "REGION:53", access.Reader)
		other, _ := as(t, svc, db, "REGION:11", access.Reader)
		events := []outbox.EventType{outbox.ActionCreated, outbox.CommitmentSubmitted, outbox.CommitmentAdopted}
		for _, c := range []struct {
			ctx context.Context
			r   *receiver
		}{{partner, bzh}, {other, idf}} {
			w, err := ps.CreateWebhook(c.ctx, c.r.srv.URL+"/hook", events)
			if err != nil {
				t.Fatal(err)
			}
			c.r.secret = *w.Secret
		}
		writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
		a, err := svc.CreateAction(writer, service.ActionInput{Title: ptr("Pistes cyclables"), Territory: rennes,
			Sector: ptr("transports"), StartYear: ptr(2025)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cm, err := svc.CreateCommitment(writer, service.CommitmentInput{Territory: rennes, Sector: ptr("transports"),
			Ktco2e: ptr(12.5), Status: ptr(access.Submitted)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateAction(writer, a.ID, a.Version, service.ActionInput{Budget: ptr(1000.0)}); err != nil {
			t.Fatal(err) // ACTION_UPDATED: nobody asked for it
		}

		// The server stops before any delivery, and starts again.
		db.Close()
		db2, err := store.Open(context.Background(), db.URL, db.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		svc2 := partners.New(service.New(db2.Client), db2.Client)
		svc2.AllowLoopbackWebhooks(true)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc2.DispatchWebhooks(ctx, partners.DispatchOptions{Poll: 50 * time.Millisecond}) }()
		bzh.wait(2)
		waitFor(t, "the deliveries are recorded as delivered", func() bool {
			ds, err := svc2.WebhookDeliveries(partner, nil, ptr(partners.DeliveryStatus("DELIVERED")), nil, nil)
			return err == nil && len(ds) == 2
		})
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		// Nothing is left to send: another round sends nothing more.
		if n, err := svc2.DispatchDue(context.Background(), partners.DispatchOptions{}); err != nil || n != 0 {
			t.Fatalf("a second round claimed %d deliveries (%v)", n, err)
		}

		got := bzh.deliveries()
		if len(got) != 2 {
			t.Fatalf("Bretagne's partner got %d deliveries, want 2: %+v", len(got), got)
		}
		byType := map[string]delivery{}
		for _, d := range got {
			byType[d.event] = d
			if d.body.Type != d.event || d.status != 200 || d.body.Territory.Code != "243500139" || d.body.Territory.Level != "EPCI" {
				t.Errorf("delivery %+v", d)
			}
		}
		if d := byType["ACTION_CREATED"]; d.body.EntityID != a.ID || d.body.Entity != "Action" {
			t.Errorf("ACTION_CREATED delivery: %+v", d.body)
		}
		if d := byType["COMMITMENT_SUBMITTED"]; d.body.EntityID != cm.ID || d.body.Status != "SUBMITTED" {
			t.Errorf("COMMITMENT_SUBMITTED delivery: %+v", d.body)
		}
		if got[0].id == got[1].id || got[0].body.ID == got[1].body.ID {
			t.Errorf("two deliveries share an id: %+v", got)
		}
		if n := len(idf.deliveries()); n != 0 {
			t.Errorf("Île-de-France's partner got %d deliveries of Rennes' records", n)
		}

		// The partner sees them delivered (a principal is a plain value, valid across instances).
		ds, err := svc2.WebhookDeliveries(partner, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 {
			t.Fatalf("webhookDeliveries: %d, want 2", len(ds))
		}
		for _, d := range ds {
			if d.Status != "DELIVERED" || d.Attempts != 1 || d.DeliveredAt == nil || d.NextAttemptAt != nil || *d.LastStatus != 200 {
				t.Errorf("delivery %+v", d)
			}
		}
	})
}

// TestWebhookRetries: a receiver answering 500 gets the same delivery again after the
// backoff, signed again; one that always fails is given up after WebhookGiveUpAfter.
func TestWebhookRetries(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		svc := service.New(db.Client)
		ps := partners.New(svc, db.Client)
		ps.AllowLoopbackWebhooks(true)
		flaky := newReceiver(t, 500)
		down := newReceiver(t, 500, 500, 500)
		partner, _ := as(t, svc, db, "DEPARTMENT:35", access.Reader)
		for _, r := range []*receiver{flaky, down} {
			w, err := ps.CreateWebhook(partner, r.srv.URL, []outbox.EventType{outbox.ActionCreated})
			if err != nil {
				t.Fatal(err)
			}
			r.secret = *w.Secret
		}
		writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
		if _, err := svc.CreateAction(writer, service.ActionInput{Title: ptr("Bus"), Territory: rennes,
			Sector: ptr("transports"), StartYear: ptr(2025)}, nil); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now().Add(time.Second)
		at := func(d time.Duration) partners.DispatchOptions {
			return partners.DispatchOptions{Now: func() time.Time { return t0.Add(d) }}
		}
		ctx := context.Background()
		if n, err := ps.DispatchDue(ctx, at(0)); err != nil || n != 2 {
			t.Fatalf("first round: %d claimed (%v)", n, err)
		}
		ds, err := ps.WebhookDeliveries(partner, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Status != "PENDING" || d.Attempts != 1 || d.LastStatus == nil || *d.LastStatus != 500 ||
				d.LastError == nil || d.NextAttemptAt == nil || d.NextAttemptAt.Sub(t0.Add(10*time.Second)).Abs() > time.Millisecond {
				t.Errorf("after a 500: %+v", d)
			}
		}
		if n, _ := ps.DispatchDue(ctx, at(5*time.Second)); n != 0 {
			t.Errorf("%d deliveries sent again before their backoff", n)
		}
		if n, err := ps.DispatchDue(ctx, at(11*time.Second)); err != nil || n != 2 {
			t.Fatalf("retry round: %d claimed (%v)", n, err)
		}
		got := flaky.deliveries()
		if len(got) != 2 || got[0].id != got[1].id || got[1].status != 200 {
			t.Fatalf("the flaky receiver got %+v", got)
		}
		// The failing one is still retried, until its event is older than the limit.
		if n, err := ps.DispatchDue(ctx, at(partners.WebhookGiveUpAfter)); err != nil || n != 1 {
			t.Fatalf("last round: %d claimed (%v)", n, err)
		}
		ds, err = ps.WebhookDeliveries(partner, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]int{}
		for _, d := range ds {
			status[string(d.Status)]++
		}
		if status["DELIVERED"] != 1 || status["FAILED"] != 1 || len(down.deliveries()) != 3 {
			t.Errorf("statuses %v, %d attempts on the failing receiver", status, len(down.deliveries()))
		}
		if n, _ := ps.DispatchDue(ctx, at(100*time.Hour)); n != 0 {
			t.Errorf("%d deliveries sent after they were done", n)
		}
	})
}

// TestWebhookRegistration: only https (and loopback http when allowed), a key is
// needed, a key sees and deletes only its own webhooks, and deleting one drops its
// pending deliveries.
func TestWebhookRegistration(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		svc := service.New(db.Client)
		ps := partners.New(svc, db.Client)
		partner, prefix := as(t, svc, db, "REGION:53", access.Reader)
		other, _ := as(t, svc, db, "REGION:53", access.Contributor)
		evs := []outbox.EventType{outbox.CommitmentAdopted}
		for _, u := range []string{"http://example.org/hook", "http://127.0.0.1:9/hook", "ftp://example.org", "https://", "https://u:p@example.org/"} {
			if _, err := ps.CreateWebhook(partner, u, evs); !errors.Is(err, service.ErrInvalidInput) {
				t.Errorf("%s: %v, want invalid input", u, err)
			}
		}
		if _, err := ps.CreateWebhook(context.Background(), "https://example.org/hook", evs); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("without a key: %v", err)
		}
		if _, err := ps.CreateWebhook(partner, "https://example.org/hook", nil); !errors.Is(err, service.ErrInvalidInput) {
			t.Errorf("without events: %v", err)
		}
		w, err := ps.CreateWebhook(partner, "https://example.org/hook", evs)
		if err != nil || w.Secret == nil || len(*w.Secret) < 40 || w.Key != prefix {
			t.Fatalf("create: %+v, %v", w, err)
		}
		list, err := ps.Webhooks(partner)
		if err != nil || len(list) != 1 || list[0].Secret != nil || list[0].URL != "https://example.org/hook" {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if list, _ := ps.Webhooks(other); len(list) != 0 {
			t.Errorf("another key sees %d webhooks", len(list))
		}
		if err := ps.DeleteWebhook(other, w.ID); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("another key deleted it: %v", err)
		}
		writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
		cm, err := svc.CreateCommitment(writer, service.CommitmentInput{Territory: rennes, Sector: ptr("transports"),
			Ktco2e: ptr(1.0), Status: ptr(access.Submitted)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		coordinator, _ := as(t, svc, db, "REGION:53", access.Coordinator)
		if _, err := svc.TransitionCommitment(coordinator, cm.ID, cm.Version, access.Adopted); err != nil {
			t.Fatal(err)
		}
		if ds, _ := ps.WebhookDeliveries(partner, nil, ptr(partners.DeliveryStatus("PENDING")), nil, nil); len(ds) != 1 || ds[0].Event != outbox.CommitmentAdopted {
			t.Fatalf("pending deliveries: %+v", ds)
		}
		if err := ps.DeleteWebhook(partner, w.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := ps.DispatchDue(context.Background(), partners.DispatchOptions{Now: func() time.Time { return time.Now().Add(time.Minute) }}); err != nil || n != 0 {
			t.Errorf("a deleted webhook's delivery was claimed: %d (%v)", n, err)
		}
	})
}

// blockingTransport stands for a send in flight when the process dies: it tells that it
// started, then waits to be released, and fails.
type blockingTransport struct{ started, release chan struct{} }

func (b blockingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	close(b.started)
	<-b.release
	return nil, errors.New("the process died")
}

// TestWebhookClaimedThenCrashed: the process dies while a delivery is being sent (the
// attempt is claimed, its outcome never recorded). After a restart the delivery waits
// for its lease to end, then is sent, once.
func TestWebhookClaimedThenCrashed(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		svc := service.New(db.Client)
		ps := partners.New(svc, db.Client)
		ps.AllowLoopbackWebhooks(true)
		r := newReceiver(t)
		partner, _ := as(t, svc, db, "REGION:53", access.Reader)
		w, err := ps.CreateWebhook(partner, r.srv.URL, []outbox.EventType{outbox.CommitmentCreated})
		if err != nil {
			t.Fatal(err)
		}
		r.secret = *w.Secret
		writer, _ := as(t, svc, db, "EPCI:243500139", access.Contributor)
		if _, err := svc.CreateCommitment(writer, service.CommitmentInput{Territory: rennes, Sector: ptr("transports"),
			Ktco2e: ptr(3.0)}, nil); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now().Add(time.Second)
		at := func(d time.Duration) func() time.Time { return func() time.Time { return t0.Add(d) } }
		bt := blockingTransport{started: make(chan struct{}), release: make(chan struct{})}
		done := make(chan struct{})
		go func() {
			defer close(done)
			ps.DispatchDue(context.Background(), partners.DispatchOptions{Now: at(0), Timeout: 10 * time.Second,
				Client: &http.Client{Transport: bt}})
		}()
		<-bt.started
		db.Close() // the process dies with the send in flight
		close(bt.release)
		<-done

		db2, err := store.Open(context.Background(), db.URL, db.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		svc2 := partners.New(service.New(db2.Client), db2.Client)
		svc2.AllowLoopbackWebhooks(true)
		// The lease is the send timeout plus 30 s.
		if n, err := svc2.DispatchDue(context.Background(), partners.DispatchOptions{Now: at(30 * time.Second)}); err != nil || n != 0 {
			t.Fatalf("claimed %d during the lease (%v)", n, err)
		}
		if n, err := svc2.DispatchDue(context.Background(), partners.DispatchOptions{Now: at(41 * time.Second)}); err != nil || n != 1 {
			t.Fatalf("claimed %d after the lease (%v)", n, err)
		}
		if n, _ := svc2.DispatchDue(context.Background(), partners.DispatchOptions{Now: at(time.Hour)}); n != 0 {
			t.Fatalf("claimed %d once delivered", n)
		}
		if got := r.deliveries(); len(got) != 1 || got[0].event != "COMMITMENT_CREATED" {
			t.Fatalf("the receiver got %+v", got)
		}
		ds, err := svc2.WebhookDeliveries(partner, nil, nil, nil, nil)
		if err != nil || len(ds) != 1 || ds[0].Status != "DELIVERED" || ds[0].Attempts != 2 {
			t.Fatalf("deliveries %+v (%v)", ds, err)
		}
	})
}
