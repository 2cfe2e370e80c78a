package httpapi

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/cop-territoriales/cop-api/graph"
)

// Options are the limits and switches of the HTTP edge, the GraphQL ones included. The
// server fills them from its flags and environment; DefaultOptions are what it uses when
// nothing is said.
type Options struct {
	// GraphQL are the GraphQL limits (depth, fields, cost, persisted queries).
	GraphQL graph.Options
	// Timeout bounds an operation; the database sees it through the context.
	Timeout time.Duration
	// CORSOrigins are the origins allowed to call the API from a browser; "*" for all.
	CORSOrigins []string
	// Metrics, when set, counts operations; NewMux serves them at /metrics.
	Metrics *Metrics
	// Consistency, when the database has a read replica, lets clients read their writes:
	// a mutation's response carries extensions.consistencyToken; a request sending it
	// back in X-Consistency-Token reads from the primary until the replica caught up.
	Consistency Consistency
	// Ready, when set, is what /readyz checks (the database answers, migrations are
	// applied); without it /readyz always answers ready.
	Ready func(context.Context) error
	// Tracer, when set, traces every operation and resolver (OpenTelemetry).
	Tracer trace.Tracer
	// RatePerSecond and RateBurst limit each client (API key, else address); 0 for none.
	RatePerSecond float64
	RateBurst     int
	// RateLimiter, when set, replaces the limiter of RatePerSecond and RateBurst kept in
	// memory: one whose buckets all instances share (internal/redisstate).
	RateLimiter RateLimiter
	// ExportsPerInstance and ExportsPerClient cap the bulk exports streamed at once, by
	// this instance (past it, 503 EXPORTS_BUSY) and by one client of it, API key else
	// address (past it, 429 TOO_MANY_EXPORTS); 0 for no cap.
	ExportsPerInstance int
	ExportsPerClient   int
	// Cache, when set, answers anonymous queries from the results of earlier ones of the
	// same data version (see ResultCache).
	Cache *ResultCache
}

// DefaultOptions are the options of a server started without flags.
func DefaultOptions() Options {
	return Options{GraphQL: graph.DefaultOptions(), Timeout: 15 * time.Second, CORSOrigins: []string{"*"},
		RatePerSecond: 100, RateBurst: 200, ExportsPerInstance: DefaultExportsPerInstance, ExportsPerClient: DefaultExportsPerClient}
}

// Consistency is what a replicated database tells of its positions.
type Consistency interface {
	WritePosition(ctx context.Context) (string, error)
	CaughtUp(ctx context.Context, token string) (bool, error)
}
