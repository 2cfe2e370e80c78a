package partners

// The webhook dispatcher: it claims the due deliveries of the outbox, sends them signed,
// and records the outcome, retrying with backoff. Writers only insert rows, so a slow or
// failing receiver never slows them; rows survive crashes and restarts. On PostgreSQL
// several instances share the work (FOR UPDATE SKIP LOCKED); on SQLite one process runs it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/webhookdelivery"
	"github.com/cop-territoriales/cop-api/store"
)

// Headers of a webhook delivery.
const (
	HeaderSignature = "X-Cop-Signature"
	HeaderTimestamp = "X-Cop-Timestamp"
	HeaderDelivery  = "X-Cop-Delivery"
	HeaderEvent     = "X-Cop-Event"
)

// WebhookGiveUpAfter is how long after its event a failing delivery is retried; then it
// is FAILED.
const WebhookGiveUpAfter = 72 * time.Hour

// retryDelay is the wait after the n-th failed attempt: 10 s, doubled each time, at most
// 4 h; about 30 attempts in 72 hours.
func retryDelay(n int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < n && d < 4*time.Hour; i++ {
		d *= 2
	}
	return min(d, 4*time.Hour)
}

// DispatchOptions tune the dispatcher; zero values take the defaults.
type DispatchOptions struct {
	// Timeout bounds one send, connection included (10 s).
	Timeout time.Duration
	// Poll is how often due deliveries are looked for when no write wakes the dispatcher (1 s).
	Poll time.Duration
	// Batch is how many deliveries are claimed, and sent concurrently, at once (16).
	Batch int
	// Now is the clock (time.Now).
	Now func() time.Time
	// Client sends the deliveries; nil for one that follows no redirect and refuses
	// private addresses (and loopback unless AllowLoopbackWebhooks).
	Client *http.Client
}

func (o DispatchOptions) withDefaults(allowLoopback bool) DispatchOptions {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Client == nil {
		o.Client = webhookClient(o.Timeout, allowLoopback)
	}
	return o
}

// DispatchWebhooks sends due deliveries until ctx ends: at once when a write of this
// instance (or, on PostgreSQL, of any instance listened to) adds some, else every Poll.
// It returns only when ctx ends: while the database is unavailable it tries again every
// Poll, saying so once, and once again when the database is back (the deliveries wait
// in their rows meanwhile).
func (svc *Service) DispatchWebhooks(ctx context.Context, opts DispatchOptions) error {
	opts = opts.withDefaults(svc.allowLoopbackWebhooks)
	timer := time.NewTimer(0)
	defer timer.Stop()
	down := ""
	for {
		n, err := svc.DispatchDue(ctx, opts)
		reason, unavailable := store.Unavailable(err)
		switch {
		case ctx.Err() != nil:
		case unavailable && down == "":
			down = reason
			// The store logs the outage once for the whole server (store.Availability).
			slog.DebugContext(ctx, "webhooks: the database is unavailable; deliveries wait", "reason", reason, "err", err)
		case unavailable:
		case err != nil:
			slog.WarnContext(ctx, "webhooks: dispatch", "err", err)
		case down != "":
			slog.DebugContext(ctx, "webhooks: the database is back; deliveries resume", "was", down)
			down = ""
		}
		if err == nil && n == opts.Batch {
			continue // more may be due
		}
		timer.Reset(opts.Poll)
		select {
		case <-ctx.Done():
			return nil
		case <-svc.hub.wake:
		case <-timer.C:
		}
	}
}

// DispatchDue claims the deliveries due now (a batch at most), sends them and records
// the outcomes; it returns how many it claimed.
func (svc *Service) DispatchDue(ctx context.Context, opts DispatchOptions) (int, error) {
	opts = opts.withDefaults(svc.allowLoopbackWebhooks)
	ctx = store.UsePrimary(ctx)
	ds, err := svc.claim(ctx, opts.Now(), opts.Batch, opts.Timeout+30*time.Second)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	// Claimed deliveries are sent and their outcome recorded even when ctx ends meanwhile
	// (each send is bounded by opts.Timeout): a shutdown neither cuts a send short nor
	// forgets an outcome, which would send the delivery again after the restart.
	ctx = context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.deliver(ctx, opts, d); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "webhooks: record the outcome", "delivery", d.ID, "err", err)
			}
		}()
	}
	wg.Wait()
	return len(ds), nil
}

// claim takes the due deliveries for one attempt: it counts the attempt and moves the next
// one past a lease, so that no other dispatcher takes them meanwhile and a crash only
// delays them until the lease ends.
func (svc *Service) claim(ctx context.Context, now time.Time, batch int, lease time.Duration) ([]*ent.WebhookDelivery, error) {
	var ds []*ent.WebhookDelivery
	err := store.WithTx(ctx, svc.client, func(tx *ent.Tx) error {
		var err error
		ds, err = tx.WebhookDelivery.Query().
			Where(webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING), webhookdelivery.NextAttemptAtLTE(now),
				func(s *entsql.Selector) {
					if s.Dialect() == dialect.Postgres { // SQLite has one writer: the transaction suffices
						s.ForUpdate(entsql.WithLockAction(entsql.SkipLocked))
					}
				}).
			Order(ent.Asc(webhookdelivery.FieldNextAttemptAt), ent.Asc(webhookdelivery.FieldID)).Limit(batch).
			WithWebhook(func(q *ent.WebhookQuery) { q.WithKey() }).All(ctx)
		if err != nil || len(ds) == 0 {
			return err
		}
		ids := make([]int, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
			d.Attempts++
		}
		return tx.WebhookDelivery.Update().Where(webhookdelivery.IDIn(ids...)).AddAttempts(1).
			SetNextAttemptAt(now.Add(lease)).Exec(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return ds, nil
}

// deliver makes one attempt and records its outcome.
func (svc *Service) deliver(ctx context.Context, opts DispatchOptions, d *ent.WebhookDelivery) error {
	w := d.Edges.Webhook
	if w.Edges.Key.RevokedAt != nil {
		return svc.finish(ctx, d, webhookdelivery.StatusFAILED, nil, "the API key of the webhook was revoked", opts.Now())
	}
	status, err := send(ctx, opts, w, d, svc.allowLoopbackWebhooks)
	now := opts.Now()
	if err == nil {
		return svc.finish(ctx, d, webhookdelivery.StatusDELIVERED, status, "", now)
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	next := now.Add(retryDelay(d.Attempts))
	if next.Sub(d.CreatedAt) > WebhookGiveUpAfter {
		return svc.finish(ctx, d, webhookdelivery.StatusFAILED, status, msg, now)
	}
	return svc.client.WebhookDelivery.Update().Where(webhookdelivery.ID(d.ID), webhookdelivery.Attempts(d.Attempts),
		webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING)).
		SetLastError(msg).SetNillableLastStatus(status).SetNextAttemptAt(next).Exec(ctx)
}

func (svc *Service) finish(ctx context.Context, d *ent.WebhookDelivery, st webhookdelivery.Status, status *int, msg string, now time.Time) error {
	up := svc.client.WebhookDelivery.Update().Where(webhookdelivery.ID(d.ID), webhookdelivery.Attempts(d.Attempts),
		webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING)).
		SetStatus(st).SetLastError(msg).SetNillableLastStatus(status)
	if st == webhookdelivery.StatusDELIVERED {
		up.SetDeliveredAt(now)
	}
	return up.Exec(ctx)
}

// send POSTs a delivery, signed, and returns the receiver's status; an error unless 2xx.
func send(ctx context.Context, opts DispatchOptions, w *ent.Webhook, d *ent.WebhookDelivery, allowLoopback bool) (*int, error) {
	if err := CheckWebhookURL(w.URL, allowLoopback); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := opts.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cop-api-webhooks/1")
	req.Header.Set(HeaderDelivery, strconv.Itoa(d.ID))
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignWebhook(w.Secret, ts, body))
	resp, err := opts.Client.Do(req)
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		// The same words whichever of the client's and the context's timeouts came first.
		return nil, fmt.Errorf("the receiver did not answer within %s: %w", opts.Timeout, err)
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// The status is the answer; a little of the body is read so that a short one lets the
	// connection be reused, and no more, whatever the receiver sends (a body cut or
	// hung after a 2xx still counts as accepted).
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerRead))
	code := resp.StatusCode
	if code < 200 || code > 299 {
		return &code, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return &code, nil
}

// maxAnswerRead bounds what is read of a receiver's answer.
const maxAnswerRead = 64 << 10

var errAddressRefused = errors.New("webhooks may not reach private, link-local or loopback addresses")

// webhookClient sends deliveries: no proxy, no redirect followed, and a dialer that
// refuses the addresses of the server's own networks, checked after name resolution.
func webhookClient(timeout time.Duration, allowLoopback bool) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || addressRefused(ip, allowLoopback) {
			return errAddressRefused
		}
		return nil
	}}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout,
			ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// addressRefused reports whether webhooks may not reach ip: the server's own networks
// (private, link-local, shared address space), multicast, the unspecified address, and
// loopback unless allowed. Both the URL check and the dialer ask it.
func addressRefused(ip net.IP, allowLoopback bool) bool {
	switch {
	case ip.IsLoopback():
		return !allowLoopback
	case ip.IsPrivate(), ip.IsUnspecified(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast(), sharedAddressSpace.Contains(ip):
		return true
	}
	return false
}

// sharedAddressSpace is 100.64.0.0/10 (carrier-grade NAT), private in practice.
var sharedAddressSpace = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}
