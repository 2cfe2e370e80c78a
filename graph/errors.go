package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cop-territoriales/cop-api/ent"
)

// Error codes put in the "code" extension of every error the API returns. gqlgen adds
// GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED for malformed operations.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeInternal     = "INTERNAL_SERVER_ERROR"
)

// userError is an error whose message is meant for the client, with its code.
type userError struct {
	code, msg string
}

func (e *userError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &userError{code: CodeBadUserInput, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &userError{code: CodeNotFound, msg: fmt.Sprintf(format, args...)}
}

// presentError maps an error to what the client sees: user errors keep their message
// and code; anything else is logged and replaced by a generic message, so no SQL text or
// Go internals reach the client.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// Parse, validation and argument coercion errors from gqlgen: already for clients.
		return graphql.DefaultErrorPresenter(ctx, err)
	}
	pe := graphql.DefaultErrorPresenter(ctx, err)
	var ue *userError
	switch {
	case errors.As(err, &ue):
		pe.Message = ue.msg
		setCode(pe, ue.code)
	case ent.IsNotFound(err):
		pe.Message = "not found"
		setCode(pe, CodeNotFound)
	case ent.IsValidationError(err):
		pe.Message = err.Error()
		setCode(pe, CodeBadUserInput)
	default:
		slog.ErrorContext(ctx, "resolver error", "path", pe.Path.String(), "err", err)
		pe.Message = "internal error"
		setCode(pe, CodeInternal)
	}
	return pe
}

// recoverPanic turns a panic into an internal error without crashing the server.
func recoverPanic(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "panic in resolver", "panic", p)
	return errors.New("panic in resolver")
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}
