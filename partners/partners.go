// Package partners tells partners of the changes of actions and commitments. It owns the
// webhooks (registration by a key or from the command line, URL checks, signing:
// webhooks.go), the dispatcher that sends the webhook deliveries of the outbox, with
// retries (dispatch.go), and the subscriptions: this instance's hub and the PostgreSQL
// LISTEN/NOTIFY listener that feeds it (subscriptions.go).
//
// It does not write the events: the writes of package service record them in their own
// transaction through package partners/outbox (the deliveries to send, the notification),
// which this package reads. partners imports service, for the request's key, the audit
// log, the territories and the kinds of errors the edges map to codes; service imports
// only partners/outbox, never partners.
package partners

import (
	"fmt"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/service"
)

// Service runs webhooks and subscriptions over one database.
type Service struct {
	client *ent.Client
	// model is the read and write model over the same database: the request's key, the
	// audit log, the territories.
	model *service.Service
	hub   *hub // this instance's subscriptions (subscriptions.go)
	// allowLoopbackWebhooks lets webhooks use http:// on loopback, in development (webhooks.go).
	allowLoopbackWebhooks bool
}

// New returns the partners' service over client, and has the writes of model (a service
// over the same client) hand their events to its subscriptions on commit where the
// database cannot carry them (SQLite). Call it before model serves writes.
func New(model *service.Service, client *ent.Client) *Service {
	svc := &Service{client: client, model: model, hub: newHub()}
	model.PublishTo(svc.hub)
	return svc
}

func badInput(format string, args ...any) error {
	return &service.Error{Kind: service.ErrInvalidInput, Msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &service.Error{Kind: service.ErrNotFound, Msg: fmt.Sprintf(format, args...)}
}
