package httpapi

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
)

// The outcomes of an operation, a label of the metrics.
const (
	outcomeOK       = "ok"
	outcomeError    = "error"
	outcomeCanceled = "canceled" // the client went away: not the server's error
)

// outcome says how an operation ended: canceled when the client canceled it (its
// request's context ended early) and it did not complete, error when it answered errors,
// else ok.
func outcome(ctx context.Context, resp *graphql.Response) string {
	failed := resp == nil || len(resp.Errors) > 0
	switch {
	case !failed:
		return outcomeOK
	case errors.Is(ctx.Err(), context.Canceled):
		return outcomeCanceled
	}
	return outcomeError
}
