package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Error codes put in the "code" extension of every error the API returns. gqlgen adds
// GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED for malformed operations.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeInternal     = "INTERNAL_SERVER_ERROR"
	CodeConflict     = "CONFLICT"
	CodeTimeout      = "TIMEOUT"
	CodeCanceled     = "CANCELED"
	// CodeUnavailable says that the database could not take the request now (it is
	// unreachable, starting or stopping, out of connections, out of disk space for
	// writes, or busy with another writer: store.Unavailable): the same request may be
	// sent again; extensions.retryable is true and extensions.retryAfter says after how
	// many seconds (also the Retry-After header of the HTTP answer, 503).
	CodeUnavailable = "UNAVAILABLE"
	// CodeUnauthenticated refuses a write without a valid key; CodeForbidden one the key
	// may not make.
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

// Code is the code of a kind of service error.
func Code(kind error) string {
	switch kind {
	case service.ErrNotFound:
		return CodeNotFound
	case service.ErrConflict:
		return CodeConflict
	}
	return CodeBadUserInput
}

// resolverError marks an error a resolver returned, so that the presenter can tell it
// from gqlgen's own errors about the request (parse, validation, unreadable arguments),
// which are meant for the client as they are.
type resolverError struct{ err error }

func (e *resolverError) Error() string { return e.err.Error() }
func (e *resolverError) Unwrap() error { return e.err }

// resolverErrors is the field middleware that wraps every resolver error.
type resolverErrors struct{}

func (resolverErrors) ExtensionName() string                   { return "ResolverErrors" }
func (resolverErrors) Validate(graphql.ExecutableSchema) error { return nil }

func (resolverErrors) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		var re *resolverError
		if !errors.As(err, &re) {
			err = &resolverError{err: err}
		}
	}
	return res, err
}

// presentError maps an error to what the client sees: user errors keep their message
// and code; gqlgen's errors about the request keep theirs; anything else is logged and
// replaced by a generic message, so no SQL text or Go internals reach the client.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	pe := graphql.DefaultErrorPresenter(ctx, err)
	var (
		se *service.Error
		re *resolverError
	)
	switch {
	case errors.As(err, &se):
		pe.Message = se.Msg
		setCode(pe, Code(se.Kind))
	case errors.Is(err, access.ErrUnauthenticated):
		pe.Message = unwrapMessage(err)
		setCode(pe, CodeUnauthenticated)
	case errors.Is(err, access.ErrForbidden):
		pe.Message = unwrapMessage(err)
		setCode(pe, CodeForbidden)
	case errors.Is(err, service.ErrConflict):
		pe.Message = unwrapMessage(err)
		setCode(pe, CodeConflict)
	case errors.Is(err, service.ErrInvalidInput):
		pe.Message = unwrapMessage(err)
		setCode(pe, CodeBadUserInput)
	case ent.IsNotFound(err):
		pe.Message = "not found"
		setCode(pe, CodeNotFound)
	case errors.As(err, &re) && ent.IsValidationError(err):
		pe.Message = re.err.Error()
		setCode(pe, CodeBadUserInput)
	case !errors.Is(ctx.Err(), context.Canceled) && unavailable(err):
		// Not logged: the store logs an outage once, when it starts and when it ends
		// (store.Availability), not once per request.
		reason, _ := store.Unavailable(err)
		a := unavailableAnswer(reason)
		pe.Message = a.Message
		setCode(pe, CodeUnavailable)
		pe.Extensions["retryable"] = true
		pe.Extensions["retryAfter"] = a.RetryAfter
		noteUnavailable(ctx, a.RetryAfter)
	case errors.Is(err, context.DeadlineExceeded),
		store.IsCanceled(err) && !errors.Is(ctx.Err(), context.Canceled):
		// The database stopped the statement at the request's deadline, or at its own
		// statement timeout.
		pe.Message = "the operation took longer than the server's timeout"
		setCode(pe, CodeTimeout)
	case store.IsCanceled(err):
		slog.InfoContext(ctx, "operation canceled by the client", "path", pe.Path.String())
		pe.Message = "canceled"
		setCode(pe, CodeCanceled)
	case errors.Is(err, context.Canceled), unavailable(err):
		// The client went away (an unavailable database's error is answered above
		// otherwise): whatever the database said meanwhile, nobody reads the answer.
		slog.InfoContext(ctx, "operation canceled by the client", "path", pe.Path.String())
		pe.Message = "canceled"
		setCode(pe, CodeCanceled)
	case errors.As(err, &re):
		slog.ErrorContext(ctx, "resolver error", "path", pe.Path.String(), "err", err)
		pe.Message = "internal error"
		setCode(pe, CodeInternal)
	default:
		// Parse and validation errors carry their code already; the others are
		// arguments that could not be read, such as a malformed cursor or id, or a body
		// that is not a GraphQL request.
		if pe.Extensions["code"] == nil {
			msg, code := requestMessage(err, pe.Message)
			pe.Message = msg
			setCode(pe, code)
		}
	}
	pe.Message = shorten(pe.Message)
	return pe
}

func unavailable(err error) bool { _, ok := store.Unavailable(err); return ok }

// Unavailable is what a client is told when the database could not take its request.
type Unavailable struct {
	Message string
	// RetryAfter is the wait, in seconds, before sending the request again: long enough
	// for the usual end of the state (PostgreSQL restarts in a few seconds, a connection
	// is freed in less; space is freed, and an import of the SGPE file ends, in tens of
	// seconds), short enough not to leave a client waiting once it has ended.
	RetryAfter int
}

// unavailableAnswers are the answers per reason of store.Unavailable.
var unavailableAnswers = map[string]Unavailable{
	store.ReasonUnreachable:        {"the database is unreachable: send the request again in a moment", 1},
	store.ReasonStarting:           {"the database is starting or stopping: send the request again in a moment", 1},
	store.ReasonTooManyConnections: {"the database has no connection left: send the request again in a moment", 2},
	store.ReasonDiskFull:           {"the database is out of disk space for writes (reads go on): send the write again later", 30},
	store.ReasonBusy:               {"the database is busy with another write: send the request again later", 5},
}

// UnavailableAnswer is the answer to a request that failed with err, when the database
// could not take it (store.Unavailable): for the edges that answer without GraphQL, such
// as the bulk exports.
func UnavailableAnswer(err error) (Unavailable, bool) {
	reason, ok := store.Unavailable(err)
	if !ok {
		return Unavailable{}, false
	}
	return unavailableAnswer(reason), true
}

// unavailableAnswer is the answer to a request the database could not take for reason.
func unavailableAnswer(reason string) Unavailable {
	if a, ok := unavailableAnswers[reason]; ok {
		return a
	}
	return Unavailable{"the database could not take the request: send it again in a moment", 1}
}

// recoverPanic turns a panic into an internal error without crashing the server.
func recoverPanic(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "panic in resolver", "panic", p)
	return &resolverError{err: fmt.Errorf("panic: %v", p)}
}

// MaxMessageLength bounds the message of an error: messages are the project's own and
// short, and those that quote a name from the request (a validation error naming a
// field) quote at most this much of it.
const MaxMessageLength = 300

// CodeBadRequest refuses a request that is not a GraphQL request: a body that is not a
// JSON object with a query.
const CodeBadRequest = "BAD_REQUEST"

// CodeTooLarge refuses a request body over the limit (httpapi.MaxBodyBytes).
const CodeTooLarge = "REQUEST_TOO_LARGE"

// requestMessage is the message and code of an error gqlgen raised reading the request:
// its own words name Go internals (strconv.Atoi, msgpack, graphql.RawParams) and echo the
// body.
func requestMessage(err error, msg string) (string, string) {
	var num *strconv.NumError
	switch {
	case errors.As(err, &num):
		return fmt.Sprintf("%s is not an id", hierarchy.Excerpt(num.Num)), CodeBadUserInput
	case strings.HasPrefix(msg, "cannot decode cursor"):
		return "not a cursor: use one of a page's cursors (edges.cursor, pageInfo)", CodeBadUserInput
	case strings.HasPrefix(msg, "json request body could not be decoded"):
		if strings.Contains(msg, "cannot unmarshal") {
			return "the request body must be a JSON object such as {\"query\": \"...\", \"variables\": {...}}", CodeBadRequest
		}
		return "the request body is not valid JSON", CodeBadRequest
	case strings.HasPrefix(msg, "could not read request body"):
		if strings.Contains(msg, "too large") {
			return "request body too large", CodeTooLarge
		}
		return "the request body could not be read", CodeBadRequest
	}
	return msg, CodeBadUserInput
}

// shorten cuts a message to MaxMessageLength characters.
func shorten(msg string) string {
	n := 0
	for i := range msg {
		if n == MaxMessageLength {
			return msg[:i] + "…"
		}
		n++
	}
	return msg
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// unwrapMessage is the message of an error the store or access packages meant for the
// client, without the resolver marker.
func unwrapMessage(err error) string {
	var re *resolverError
	if errors.As(err, &re) {
		return re.err.Error()
	}
	return err.Error()
}
