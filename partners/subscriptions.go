package partners

// Subscriptions: live changes of actions and commitments inside a territory. Every
// instance keeps its subscribers in a hub; events reach it from PostgreSQL notifications
// (ListenChanges), so a write on any instance reaches subscribers on all, or, on SQLite,
// from the writes of this process.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// MaxSubscriptions bounds the subscriptions one instance serves at once.
const MaxSubscriptions = 1000

// subscriberBuffer is how many events a subscriber may lag behind before it is dropped.
const subscriberBuffer = 64

// ActionChange is a change of an action, as a subscription sends it.
type ActionChange struct {
	EventID string           `json:"eventId"`
	Type    outbox.EventType `json:"type"`
	At      time.Time        `json:"at"`
	Version int              `json:"version"`
	// Action is the action as it is when the message is sent (it may have changed again).
	Action *ent.Action `json:"action"`
}

// CommitmentChange is a change of a commitment, as a subscription sends it.
type CommitmentChange struct {
	EventID        string                   `json:"eventId"`
	Type           outbox.EventType         `json:"type"`
	At             time.Time                `json:"at"`
	Version        int                      `json:"version"`
	Status         access.CommitmentStatus  `json:"status"`
	PreviousStatus *access.CommitmentStatus `json:"previousStatus"`
	Commitment     *ent.Commitment          `json:"commitment"`
}

// hub hands events to this instance's subscribers, and nudges the webhook dispatcher.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	wake   chan struct{} // capacity 1: a pending nudge for the dispatcher
}

type subscriber struct {
	entity string
	within int
	ch     chan *outbox.Event
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}, wake: make(chan struct{}, 1)} }

func (h *hub) subscribe(entity string, within int) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("the server is shutting down")
	}
	if len(h.subs) >= MaxSubscriptions {
		return nil, &service.Error{Kind: service.ErrInvalidInput, Msg: fmt.Sprintf("this server already serves %d subscriptions: try again later", MaxSubscriptions)}
	}
	s := &subscriber{entity: entity, within: within, ch: make(chan *outbox.Event, subscriberBuffer)}
	h.subs[s] = struct{}{}
	return s, nil
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// Publish hands events to the subscribers whose territory contains the record's. It never
// blocks: a subscriber that lags subscriberBuffer events behind is dropped (its stream
// ends; the client resumes with actions(updatedSince:) or commitments(updatedSince:)).
func (h *hub) Publish(events []*outbox.Event) {
	h.mu.Lock()
	for _, e := range events {
		for s := range h.subs {
			if s.entity != e.Entity || !slices.Contains(e.Scope, s.within) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				delete(h.subs, s)
				close(s.ch)
			}
		}
	}
	h.mu.Unlock()
	h.nudge()
}

func (h *hub) nudge() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// close ends every subscription and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}

// endAll ends every open subscription, and still takes new ones: their clients resubscribe
// and catch up on what they may have missed.
func (h *hub) endAll() (ended int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
		ended++
	}
	return ended
}

// ListenChanges feeds this instance's subscriptions until ctx ends, then closes them.
// With the URL of a PostgreSQL database, it listens to the events every instance's
// writes notify; without one (SQLite), the events of this process's writes reach them
// directly and it only waits. The PostgreSQL listener reconnects by itself after the
// database was lost (LISTEN again included); then every open subscription ends, as when
// its client lags too far behind, since changes notified meanwhile were lost: the client
// resubscribes and catches up with actions(updatedSince:) or commitments(updatedSince:).
// Ending the stream is the one signal every client of graphql-sse and
// graphql-transport-ws already handles, and the payloads' non-null fields leave no room
// for a message that is not a change. While the database cannot be reached,
// ListenChanges waits for it, and returns when ctx ends.
func (svc *Service) ListenChanges(ctx context.Context, databaseURL string) error {
	defer svc.hub.close()
	if databaseURL == "" {
		<-ctx.Done()
		return nil
	}
	var lost atomic.Int64 // when the connection was lost (Unix ns), 0 while it holds
	l := pq.NewListener(databaseURL, 100*time.Millisecond, 30*time.Second, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventDisconnected {
			lost.CompareAndSwap(0, time.Now().UnixNano())
		}
		switch _, unavailable := store.Unavailable(err); {
		case unavailable:
			// The store logs an outage once for the whole server (store.Availability); the
			// listener's attempts to reconnect would add a line each.
			slog.Debug("change notifications", "event", ev.String(), "err", err)
		case err != nil:
			slog.Warn("change notifications", "event", ev.String(), "err", err)
		}
	})
	defer l.Close()
	// Listen waits for a connection as long as the database cannot be reached: closing
	// the listener when ctx ends lets a shutdown go on meanwhile.
	defer context.AfterFunc(ctx, func() { l.Close() })()
	if err := l.Listen(outbox.NotifyChannel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("listen for changes: %w", err)
	}
	lostAt := func() time.Time {
		if ns := lost.Swap(0); ns != 0 {
			return time.Unix(0, ns)
		}
		return time.Now()
	}
	svc.relay(ctx, l.Notify, lostAt, func() { go l.Ping() })
	return nil
}

// relay hands the notifications to the hub until ctx ends. A nil notification is the
// listener's word that it reconnected: what was notified meanwhile is lost, and the
// subscriptions open then end (lostAt says since when, for the log).
func (svc *Service) relay(ctx context.Context, notify <-chan *pq.Notification, lostAt func() time.Time, ping func()) {
	pings := time.NewTicker(90 * time.Second)
	defer pings.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-notify:
			if n == nil {
				ended := svc.hub.endAll()
				slog.Info("change notifications: reconnected; the subscriptions open may have missed changes and were ended",
					"lost_since", lostAt(), "subscriptions", ended)
				svc.hub.nudge() // and the dispatcher looks for deliveries at once
				continue
			}
			var events []*outbox.Event // the events of one write
			if err := json.Unmarshal([]byte(n.Extra), &events); err != nil {
				slog.Warn("change notifications: unreadable events", "err", err)
				continue
			}
			svc.hub.Publish(events)
		case <-pings.C:
			ping()
		}
	}
}

// ActionChanges streams the changes of the actions whose carrier lies wholly or partly
// inside the territory, until ctx ends. Actions are public: no key is needed.
func (svc *Service) ActionChanges(ctx context.Context, within service.TerritoryKey) (<-chan *ActionChange, error) {
	id, err := svc.model.TerritoryID(ctx, within)
	if err != nil {
		return nil, service.AsBadInput(err)
	}
	return stream(ctx, svc, "Action", id, func(e *outbox.Event) (*ActionChange, error) {
		a, err := svc.client.Action.Get(store.UsePrimary(ctx), e.EntityID)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		return &ActionChange{EventID: e.ID, Type: e.Type, At: e.At, Version: e.Version, Action: a}, nil
	})
}

// CommitmentChanges streams the changes of the commitments of the territories wholly or
// partly inside the region (its INSEE code), until ctx ends. No key is needed.
func (svc *Service) CommitmentChanges(ctx context.Context, region string) (<-chan *CommitmentChange, error) {
	id, err := svc.model.TerritoryID(ctx, service.TerritoryKey{Level: hierarchy.Region, Code: region})
	if err != nil {
		return nil, service.AsBadInput(err)
	}
	return stream(ctx, svc, "Commitment", id, func(e *outbox.Event) (*CommitmentChange, error) {
		cm, err := svc.client.Commitment.Get(store.UsePrimary(ctx), e.EntityID)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		out := &CommitmentChange{EventID: e.ID, Type: e.Type, At: e.At, Version: e.Version,
			Status: access.CommitmentStatus(e.Status), Commitment: cm}
		if e.PreviousStatus != "" {
			prev := access.CommitmentStatus(e.PreviousStatus)
			out.PreviousStatus = &prev
		}
		return out, nil
	})
}

// stream subscribes to the events of an entity inside a territory and sends each,
// loaded, on the returned channel, closed when ctx ends or the subscriber is dropped.
func stream[T any](ctx context.Context, svc *Service, entity string, within int, load func(*outbox.Event) (T, error)) (<-chan T, error) {
	sub, err := svc.hub.subscribe(entity, within)
	if err != nil {
		return nil, err
	}
	out := make(chan T, 1)
	go func() {
		defer close(out)
		defer svc.hub.unsubscribe(sub)
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.ch:
				if !ok {
					return
				}
				v, err := load(e)
				if err != nil {
					slog.WarnContext(ctx, "subscription: load the record", "entity", entity, "id", e.EntityID, "err", err)
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// Subscriptions returns how many subscriptions this instance serves.
func (svc *Service) Subscriptions() int {
	svc.hub.mu.Lock()
	defer svc.hub.mu.Unlock()
	return len(svc.hub.subs)
}

// EndSubscriptions ends every open subscription and refuses new ones, for a shutdown: each
// stream sends its client the end of the subscription (graphql-sse's complete event,
// graphql-transport-ws's complete message) instead of being cut, and the client
// resubscribes to another instance and catches up.
func (svc *Service) EndSubscriptions() { svc.hub.close() }
