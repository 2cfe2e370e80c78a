package partners

// Webhooks: partners register a URL and the events they want; the events of the records
// inside their key's territory are delivered there, signed (dispatch.go sends them).

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/apikey"
	"github.com/cop-territoriales/cop-api/ent/webhook"
	"github.com/cop-territoriales/cop-api/ent/webhookdelivery"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Limits of webhooks.
const (
	MaxWebhooksPerKey = 20
	MaxWebhookURL     = 2048
	// MaxDeliveriesPage bounds a page of webhookDeliveries.
	MaxDeliveriesPage = 1000
)

// Webhook is a registered webhook as the API shows it. Secret is set only in the answer
// to its creation.
type Webhook struct {
	ID        int                `json:"id"`
	URL       string             `json:"url"`
	Events    []outbox.EventType `json:"events"`
	CreatedAt time.Time          `json:"createdAt"`
	Secret    *string            `json:"secret"`
	// Key is the prefix of the API key that registered it.
	Key string `json:"key"`
	// Organisation holds that key.
	Organisation string `json:"organisation"`
}

// DeliveryStatus is where a webhook delivery stands: PENDING, DELIVERED or FAILED.
type DeliveryStatus = webhookdelivery.Status

// WebhookDelivery is one event sent, or to send, to one webhook.
type WebhookDelivery struct {
	ID         int              `json:"id"`
	WebhookID  int              `json:"webhookId"`
	EventID    string           `json:"eventId"`
	Event      outbox.EventType `json:"event"`
	Status     DeliveryStatus   `json:"status"`
	Attempts   int              `json:"attempts"`
	LastError  *string          `json:"lastError"`
	LastStatus *int             `json:"lastStatus"`
	// NextAttemptAt is when it is due, while PENDING.
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	CreatedAt     time.Time  `json:"createdAt"`
	DeliveredAt   *time.Time `json:"deliveredAt"`
	Payload       string     `json:"payload"`
}

// AllowLoopbackWebhooks lets webhooks use http:// URLs on loopback (127.0.0.1, ::1,
// localhost) and reach loopback addresses: for development and tests only.
func (svc *Service) AllowLoopbackWebhooks(allow bool) { svc.allowLoopbackWebhooks = allow }

// CheckWebhookURL accepts https:// URLs with a host, and, when loopback is allowed,
// http:// URLs on loopback. A host written as an address the dispatcher would refuse to
// reach (private, link-local, loopback unless allowed; addressRefused) is refused here
// already, so that the partner hears of it when registering rather than from failed
// deliveries; so is a host that only looks like one (127.1, 0x7f000001: a name whose
// last label is a number), which some resolvers read as an address. Names are not
// resolved here: the dispatcher's dialer checks the addresses they resolve to on every
// connection, which is what holds against a name that changes its address.
func CheckWebhookURL(raw string, allowLoopback bool) error {
	if len(raw) > MaxWebhookURL {
		return badInput("the webhook URL has more than %d characters", MaxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return badInput("the webhook URL must be an absolute https:// URL, without user or fragment")
	}
	host := u.Hostname()
	if host == "" {
		return badInput("the webhook URL must be an absolute https:// URL, without user or fragment")
	}
	if ip := hostIP(host); ip != nil {
		if addressRefused(ip, allowLoopback) {
			return badInput("the webhook URL's host is a private, link-local or loopback address")
		}
	} else if numericLabel(host) {
		return badInput("the webhook URL's host is neither a name nor an address in its usual form")
	} else if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") && !allowLoopback {
		return badInput("localhost is for development: the server must run with WEBHOOK_ALLOW_LOOPBACK=true")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && allowLoopback && isLoopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return badInput("http:// on loopback is for development: the server must run with WEBHOOK_ALLOW_LOOPBACK=true")
	}
	return badInput("the webhook URL must use https://")
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := hostIP(h)
	return ip != nil && ip.IsLoopback()
}

// hostIP is the address a URL's host names when it is written as one (an IPv6 zone,
// "fe80::1%eth0", dropped), else nil.
func hostIP(h string) net.IP {
	if i := strings.IndexByte(h, '%'); i >= 0 && strings.Contains(h[:i], ":") {
		h = h[:i]
	}
	return net.ParseIP(h)
}

// numericLabel reports whether a host's last label is a number (decimal, or hexadecimal
// with 0x): no top-level domain is, and resolvers that read such hosts the old inet_aton
// way turn "127.1" or "2130706433" into an address.
func numericLabel(h string) bool {
	h = strings.TrimSuffix(h, ".")
	label := h[strings.LastIndexByte(h, '.')+1:]
	if l, ok := strings.CutPrefix(strings.ToLower(label), "0x"); ok {
		return strings.Trim(l, "0123456789abcdef") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

// ParseEventType reads an event type, as GraphQL writes it.
func ParseEventType(s string) (outbox.EventType, error) {
	if !slices.Contains(outbox.EventType("").Values(), s) {
		return "", badInput("unknown event %q; want one of %v", s, outbox.EventType("").Values())
	}
	return outbox.EventType(s), nil
}

func checkEvents(events []outbox.EventType) ([]string, error) {
	if len(events) == 0 {
		return nil, badInput("a webhook needs at least one event")
	}
	var out []string
	for _, e := range events {
		if _, err := ParseEventType(string(e)); err != nil {
			return nil, err
		}
		if !slices.Contains(out, string(e)) {
			out = append(out, string(e))
		}
	}
	return out, nil
}

// webhookKey returns the request's valid key: any role may register webhooks, since
// they only tell of public records.
func webhookKey(ctx context.Context) (*access.Principal, error) {
	p, err := service.RequestPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("%w: webhooks belong to an API key: send Authorization: Bearer <API key>", access.ErrUnauthenticated)
	}
	return p, nil
}

// CreateWebhook registers a webhook for the request's key and returns it with its
// signing secret, shown this once.
func (svc *Service) CreateWebhook(ctx context.Context, rawURL string, events []outbox.EventType) (*Webhook, error) {
	p, err := webhookKey(ctx)
	if err != nil {
		return nil, err
	}
	w := service.Write{Principal: p, Operation: "createWebhook", Request: map[string]any{"url": rawURL, "events": events}}
	return svc.addWebhook(ctx, &w, p.Prefix, rawURL, events)
}

// AddWebhook registers a webhook for the key with this prefix (the command line's way).
func (svc *Service) AddWebhook(ctx context.Context, keyPrefix, rawURL string, events []outbox.EventType) (*Webhook, error) {
	return svc.addWebhook(ctx, nil, keyPrefix, rawURL, events)
}

// addWebhook registers a webhook and, for a request of the API (audit not nil), writes
// its audit entry in the same transaction: the webhook as listed, never its secret.
func (svc *Service) addWebhook(ctx context.Context, audit *service.Write, keyPrefix, rawURL string, events []outbox.EventType) (*Webhook, error) {
	ctx = store.UsePrimary(ctx)
	if err := CheckWebhookURL(rawURL, svc.allowLoopbackWebhooks); err != nil {
		return nil, err
	}
	evs, err := checkEvents(events)
	if err != nil {
		return nil, err
	}
	k, err := svc.client.APIKey.Query().Where(apikey.Prefix(keyPrefix), apikey.RevokedAtIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, badInput("no active key %s", keyPrefix)
	}
	if err != nil {
		return nil, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	var w *ent.Webhook
	err = store.WithTx(ctx, svc.client, func(tx *ent.Tx) error {
		n, err := tx.Webhook.Query().Where(webhook.KeyID(k.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxWebhooksPerKey {
			return badInput("key %s has %d webhooks already, the most allowed", k.Prefix, n)
		}
		w, err = tx.Webhook.Create().SetURL(rawURL).SetEvents(evs).SetSecret(secret).SetKeyID(k.ID).Save(ctx)
		if err != nil || audit == nil {
			return err
		}
		return service.RecordWrite(ctx, tx.Client(), *audit, "Webhook", w.ID, nil, showWebhook(w, k))
	})
	if err != nil {
		return nil, err
	}
	out := showWebhook(w, k)
	out.Secret = &secret
	return out, nil
}

func showWebhook(w *ent.Webhook, k *ent.APIKey) *Webhook {
	out := &Webhook{ID: w.ID, URL: w.URL, CreatedAt: w.CreatedAt, Key: k.Prefix, Organisation: k.Organisation}
	for _, e := range w.Events {
		out.Events = append(out.Events, outbox.EventType(e))
	}
	return out
}

func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// Webhooks lists the webhooks of the request's key, oldest first.
func (svc *Service) Webhooks(ctx context.Context) ([]*Webhook, error) {
	p, err := webhookKey(ctx)
	if err != nil {
		return nil, err
	}
	return svc.ListWebhooks(store.UsePrimary(ctx), p.Prefix)
}

// ListWebhooks lists the webhooks of the key with this prefix, or of every key when it
// is empty, oldest first.
func (svc *Service) ListWebhooks(ctx context.Context, keyPrefix string) ([]*Webhook, error) {
	q := svc.client.Webhook.Query().WithKey().Order(ent.Asc(webhook.FieldID))
	if keyPrefix != "" {
		q.Where(webhook.HasKeyWith(apikey.Prefix(keyPrefix)))
	}
	ws, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Webhook, len(ws))
	for i, w := range ws {
		out[i] = showWebhook(w, w.Edges.Key)
	}
	return out, nil
}

// DeleteWebhook deletes a webhook of the request's key (an admin key deletes any), with
// its deliveries, sent or not.
func (svc *Service) DeleteWebhook(ctx context.Context, id int) error {
	p, err := webhookKey(ctx)
	if err != nil {
		return err
	}
	ctx = store.UsePrimary(ctx)
	return store.WithTx(ctx, svc.client, func(tx *ent.Tx) error {
		q := tx.Webhook.Query().Where(webhook.ID(id)).WithKey()
		if p.Role != access.Admin {
			q.Where(webhook.HasKeyWith(apikey.Prefix(p.Prefix)))
		}
		w, err := q.Only(ctx)
		if ent.IsNotFound(err) {
			return notFound("key %s has no webhook %d", p.Prefix, id)
		}
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if err := tx.Webhook.DeleteOneID(id).Exec(ctx); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		audit := service.Write{Principal: p, Operation: "deleteWebhook", Request: map[string]any{"id": id}}
		return service.RecordWrite(ctx, tx.Client(), audit, "Webhook", id, showWebhook(w, w.Edges.Key), nil)
	})
}

// RemoveWebhook deletes a webhook, whatever its key (the command line's way).
func (svc *Service) RemoveWebhook(ctx context.Context, id int) error {
	n, err := svc.client.Webhook.Delete().Where(webhook.ID(id)).Exec(store.UsePrimary(ctx))
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if n == 0 {
		return badInput("no webhook %d", id)
	}
	return nil
}

// WebhookDeliveries lists the deliveries of the request's key's webhooks, newest first:
// of one webhook, of one status, and older than the delivery before when given; first
// (100 by default) at most.
func (svc *Service) WebhookDeliveries(ctx context.Context, webhookID *int, status *DeliveryStatus, first *int, before *int) ([]*WebhookDelivery, error) {
	p, err := webhookKey(ctx)
	if err != nil {
		return nil, err
	}
	n := 100
	if first != nil {
		if *first < 0 || *first > MaxDeliveriesPage {
			return nil, badInput("first must be between 0 and %d", MaxDeliveriesPage)
		}
		n = *first
	}
	q := svc.client.WebhookDelivery.Query().Where(webhookdelivery.HasWebhookWith(webhook.HasKeyWith(apikey.Prefix(p.Prefix)))).
		Order(ent.Desc(webhookdelivery.FieldID)).Limit(n)
	if webhookID != nil {
		q.Where(webhookdelivery.WebhookID(*webhookID))
	}
	if status != nil {
		q.Where(webhookdelivery.StatusEQ(*status))
	}
	if before != nil {
		q.Where(webhookdelivery.IDLT(*before))
	}
	ds, err := q.All(store.UsePrimary(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]*WebhookDelivery, len(ds))
	for i, d := range ds {
		out[i] = showDelivery(d)
	}
	return out, nil
}

func showDelivery(d *ent.WebhookDelivery) *WebhookDelivery {
	out := &WebhookDelivery{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, Event: outbox.EventType(d.Event),
		Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus, CreatedAt: d.CreatedAt,
		DeliveredAt: d.DeliveredAt, Payload: d.Payload}
	if d.LastError != "" {
		out.LastError = &d.LastError
	}
	if d.Status == webhookdelivery.StatusPENDING {
		t := d.NextAttemptAt
		out.NextAttemptAt = &t
	}
	return out
}

// SignWebhook returns the X-Cop-Signature of a delivery: "sha256=" and the hex HMAC-SHA256,
// keyed by the webhook's secret, of the X-Cop-Timestamp (Unix seconds), a dot and the body.
func SignWebhook(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
