// Package service is the application layer of the COP API, its read and write model: one
// file per capability (territories, catalogue, objectives and diagnostics, imports,
// actions and commitments, audit and idempotency, roll-ups and roadmap, COP process, keys
// and authorisation). Each capability owns its queries and transactions and calls the
// pure domain (hierarchy, planning, access) for its rules. The GraphQL adapter, the HTTP
// edge and the command make one call each.
//
// It does not own the partner events: the webhooks, their dispatcher and the
// subscriptions are package partners', which imports service; service's writes only
// record their events, in their own transaction, through package partners/outbox. Nor
// does it own the operations run beside the API (package ops: the check and repair of
// the roll-up cells, the demo seed), which import service too. service imports neither.
package service

import (
	"errors"
	"fmt"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/partners/outbox"
)

// Service runs the API's capabilities over one database.
type Service struct {
	client *ent.Client
	// publisher takes the events of this service's writes on commit where the database
	// cannot carry them (SQLite): the subscriptions of package partners (PublishTo).
	publisher outbox.Publisher
}

// New returns the service over client.
func New(client *ent.Client) *Service { return &Service{client: client} }

// PublishTo has the events of the service's writes handed to p once committed, where the
// database cannot carry them to the subscriptions (SQLite); partners.New calls it. Call
// it before the service serves writes.
func (svc *Service) PublishTo(p outbox.Publisher) { svc.publisher = p }

// Kinds of errors meant for the client; the edges map each to a code.
var (
	// ErrInvalidInput refuses what the client sent (BAD_USER_INPUT).
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound says that what the client named does not exist (NOT_FOUND).
	ErrNotFound = errors.New("not found")
	// ErrConflict refuses a write made on a stale version, a reused idempotency key, or
	// the creation of what exists already (CONFLICT).
	ErrConflict = errors.New("conflict")
)

// Error is an error whose message is meant for the client as it is, of one kind.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

func badInput(format string, args ...any) error {
	return &Error{Kind: ErrInvalidInput, Msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, Msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &Error{Kind: ErrConflict, Msg: fmt.Sprintf(format, args...)}
}

// AsBadInput is asBadInput, for the inputs of other packages (partners' subscriptions).
func AsBadInput(err error) error { return asBadInput(err) }

// asBadInput turns what the client named but does not exist into BAD_USER_INPUT: in a
// write, the names are input. Other errors stay as they are.
func asBadInput(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrNotFound {
		return &Error{Kind: ErrInvalidInput, Msg: e.Msg}
	}
	return err
}
