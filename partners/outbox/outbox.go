// Package outbox is the write side of partner events: what a write of an action or a
// commitment emits, the outbox rows written in its transaction (one webhook delivery per
// webhook that wants the event), and how the event reaches the subscriptions of every
// instance (PostgreSQL NOTIFY, sent by the database on commit; in-process on SQLite,
// handed to a Publisher).
//
// Package service calls Record in the transaction of every audited write, so outbox
// imports neither service nor partners: it is the lower piece both use. The webhooks
// (registration, URL checks, signing), the dispatcher that sends the deliveries and the
// subscriptions that receive the events are package partners'.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/apikey"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/ent/webhook"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// EventType names a change partners may be told of.
type EventType string

// Event types. A write emits *_CREATED or *_UPDATED, and, when it changes the status, the
// event of the new status: creating a SUBMITTED commitment emits COMMITMENT_CREATED and
// COMMITMENT_SUBMITTED; adopting one emits COMMITMENT_UPDATED and COMMITMENT_ADOPTED.
const (
	ActionCreated       EventType = "ACTION_CREATED"
	ActionUpdated       EventType = "ACTION_UPDATED"
	ActionWithdrawn     EventType = "ACTION_WITHDRAWN" // its status became ABANDONED
	CommitmentCreated   EventType = "COMMITMENT_CREATED"
	CommitmentUpdated   EventType = "COMMITMENT_UPDATED"
	CommitmentSubmitted EventType = "COMMITMENT_SUBMITTED"
	CommitmentAdopted   EventType = "COMMITMENT_ADOPTED"
	CommitmentWithdrawn EventType = "COMMITMENT_WITHDRAWN"
)

// Values lists the event types.
func (EventType) Values() []string {
	return []string{string(ActionCreated), string(ActionUpdated), string(ActionWithdrawn),
		string(CommitmentCreated), string(CommitmentUpdated), string(CommitmentSubmitted),
		string(CommitmentAdopted), string(CommitmentWithdrawn)}
}

// MarshalGQL writes the event type as a GraphQL enum value.
func (t EventType) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(t))) }

// UnmarshalGQL reads a GraphQL enum value.
func (t *EventType) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !slices.Contains(EventType("").Values(), s) {
		return fmt.Errorf("%v is not a valid EventType", v)
	}
	*t = EventType(s)
	return nil
}

// changeEvents returns the events of a write of an action or a commitment: created tells
// a creation from an update, from and to are the statuses before and after.
func changeEvents(entity string, created bool, from, to string) []EventType {
	var out []EventType
	switch entity {
	case "Action":
		out = append(out, ActionUpdated)
		if created {
			out[0] = ActionCreated
		}
		if to == string(action.StatusABANDONED) && (created || from != to) {
			out = append(out, ActionWithdrawn)
		}
	case "Commitment":
		out = append(out, CommitmentUpdated)
		if created {
			out[0] = CommitmentCreated
		}
		if created || from != to {
			switch access.CommitmentStatus(to) {
			case access.Submitted:
				out = append(out, CommitmentSubmitted)
			case access.Adopted:
				out = append(out, CommitmentAdopted)
			case access.Withdrawn:
				out = append(out, CommitmentWithdrawn)
			}
		}
	}
	return out
}

// Event is one change, as subscriptions receive it (across instances, as the payload of
// a PostgreSQL notification).
type Event struct {
	ID             string    `json:"id"`
	Type           EventType `json:"type"`
	At             time.Time `json:"at"`
	Entity         string    `json:"entity"` // Action or Commitment
	EntityID       int       `json:"entityId"`
	Version        int       `json:"version"`
	Status         string    `json:"status"`
	PreviousStatus string    `json:"previousStatus,omitempty"`
	// Scope lists the territories the record's territory lies (wholly or partly) inside,
	// itself included; before and after the write when it moved.
	Scope []int `json:"scope"`
}

// webhookBody is the JSON body of a webhook delivery: what happened, to which record
// (node(id:) reads it), in which territory.
type webhookBody struct {
	ID             string       `json:"id"`
	Type           EventType    `json:"type"`
	OccurredAt     time.Time    `json:"occurredAt"`
	Entity         string       `json:"entity"`
	EntityID       int          `json:"entityId"`
	Version        int          `json:"version"`
	Status         string       `json:"status"`
	PreviousStatus string       `json:"previousStatus,omitempty"`
	Territory      territoryKey `json:"territory"`
}

// territoryKey names the record's territory in a webhook body, as the API's
// TerritoryKey does.
type territoryKey struct {
	Level hierarchy.Level `json:"level"`
	Code  string          `json:"code"`
}

// NotifyChannel is the PostgreSQL channel events are sent on.
const NotifyChannel = "cop_events"

// Publisher takes the events of this process's writes once they are committed, where the
// database does not carry them (SQLite): the subscriptions' hub of package partners.
type Publisher interface {
	Publish(events []*Event)
}

type publisherKey struct{}

// WithPublisher returns a context whose writes hand their events to p on commit, when
// the database cannot carry them.
func WithPublisher(ctx context.Context, p Publisher) context.Context {
	return context.WithValue(ctx, publisherKey{}, p)
}

// snapshot is what the events of a write need to know of the record.
type snapshot struct {
	territory, version int
	status             string
	at                 time.Time
}

func snapshotOf(v any) (snapshot, bool) {
	switch r := v.(type) {
	case *ent.Action:
		return snapshot{r.TerritoryID, r.Version, string(r.Status), r.UpdatedAt}, r != nil
	case *ent.Commitment:
		return snapshot{r.TerritoryID, r.Version, string(r.Status), r.UpdatedAt}, r != nil
	}
	return snapshot{}, false
}

// Record records the events of a write in its transaction (c is the transaction's
// client): a delivery for each webhook that wants an event and whose key's territory
// contains the record's, before or after the write; and the event itself for the
// subscriptions, as a PostgreSQL notification, which the database sends on commit and
// drops on rollback, or, on SQLite, handed on commit to the Publisher of ctx
// (WithPublisher), if any. A record other than an action or a commitment emits nothing.
func Record(ctx context.Context, c *ent.Client, entity string, id int, before, after any) error {
	now, ok := snapshotOf(after)
	if !ok {
		return nil
	}
	prev, existed := snapshotOf(before)
	types := changeEvents(entity, !existed, prev.status, now.status)
	territories := []int{now.territory}
	if existed && prev.territory != now.territory {
		territories = append(territories, prev.territory)
	}
	scope, err := c.Ancestry.Query().Where(ancestry.TerritoryIDIn(territories...), ancestry.WeightGT(0)).
		Unique(true).Select(ancestry.FieldAncestorID).Ints(ctx)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	slices.Sort(scope)
	var drv string
	hooks, err := c.Webhook.Query().Where(
		webhook.HasKeyWith(apikey.RevokedAtIsNil(), apikey.Or(apikey.RoleEQ(access.Admin), apikey.TerritoryIDIn(scope...))),
		func(s *entsql.Selector) { drv = s.Dialect() }, // learn the database, for the notification
	).All(ctx)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	events := make([]*Event, len(types))
	for i, t := range types {
		events[i] = &Event{ID: newEventID(), Type: t, At: now.at.UTC(), Entity: entity, EntityID: id,
			Version: now.version, Status: now.status, Scope: scope}
		if existed && prev.status != now.status {
			events[i].PreviousStatus = prev.status
		}
	}
	if err := enqueueDeliveries(ctx, c, hooks, events, now.territory); err != nil {
		return err
	}
	if drv == dialect.Postgres {
		b, err := json.Marshal(events) // a few hundred bytes: far below NOTIFY's 8,000
		if err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, "SELECT pg_notify($1, $2)", NotifyChannel, string(b)); err != nil {
			return fmt.Errorf("events: notify: %w", err)
		}
		return nil
	}
	h, _ := ctx.Value(publisherKey{}).(Publisher)
	if h == nil {
		return nil
	}
	tx, err := c.WebhookDelivery.Create().Mutation().Tx() // the transaction c runs in
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			h.Publish(events)
			return nil
		})
	})
	return nil
}

// enqueueDeliveries inserts one pending delivery per webhook and event it wants.
func enqueueDeliveries(ctx context.Context, c *ent.Client, hooks []*ent.Webhook, events []*Event, territoryID int) error {
	var rows []*ent.WebhookDeliveryCreate
	bodies := map[string]string{}
	var key *territoryKey
	for _, e := range events {
		for _, h := range hooks {
			if !slices.Contains(h.Events, string(e.Type)) {
				continue
			}
			if key == nil {
				t, err := c.Territory.Query().Where(territory.ID(territoryID)).Only(ctx)
				if err != nil {
					return fmt.Errorf("events: %w", err)
				}
				key = &territoryKey{Level: t.Level, Code: t.Code}
			}
			body, ok := bodies[e.ID]
			if !ok {
				b, err := json.Marshal(webhookBody{ID: e.ID, Type: e.Type, OccurredAt: e.At, Entity: e.Entity,
					EntityID: e.EntityID, Version: e.Version, Status: e.Status, PreviousStatus: e.PreviousStatus, Territory: *key})
				if err != nil {
					return err
				}
				body = string(b)
				bodies[e.ID] = body
			}
			rows = append(rows, c.WebhookDelivery.Create().SetWebhookID(h.ID).SetEventID(e.ID).
				SetEvent(string(e.Type)).SetPayload(body))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := c.WebhookDelivery.CreateBulk(rows...).Exec(ctx); err != nil {
		return fmt.Errorf("events: deliveries: %w", err)
	}
	return nil
}

func newEventID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "evt_" + hex.EncodeToString(b)
}
