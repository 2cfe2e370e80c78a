package graph

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"go.opentelemetry.io/otel/trace"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/graph/generated"
	"github.com/cop-territoriales/cop-api/graph/model"
)

type (
	entgqlCursor   = entgql.Cursor[int]
	modelKey       = model.TerritoryKey
	territoryLevel = territory.Level
)

// Options are the limits and switches of the endpoint. The server fills them from its
// flags and environment; DefaultOptions are what it uses when nothing is said.
type Options struct {
	// Introspection lets clients read the schema (GraphiQL needs it).
	Introspection bool
	// MaxDepth bounds how deeply an operation nests fields.
	MaxDepth int
	// MaxFields bounds the fields an operation selects (aliases included).
	MaxFields int
	// MaxComplexity bounds an operation's cost: one per field, times the page size of
	// every list it is inside (100 when first and last are not given).
	MaxComplexity int
	// APQCacheSize is the number of automatic persisted queries kept (Apollo protocol).
	APQCacheSize int
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
	// applied); without it /readyz runs a query.
	Ready func(context.Context) error
	// Tracer, when set, traces every operation and resolver (OpenTelemetry).
	Tracer trace.Tracer
	// RatePerSecond and RateBurst limit each client (API key, else address); 0 for none.
	RatePerSecond float64
	RateBurst     int
}

// DefaultOptions are the options of a server started without flags.
func DefaultOptions() Options {
	return Options{Introspection: true, MaxDepth: MaxDepth, MaxFields: MaxFields, MaxComplexity: 200_000, APQCacheSize: 1000,
		Timeout: 15 * time.Second, CORSOrigins: []string{"*"}, RatePerSecond: 100, RateBurst: 200}
}

// Consistency is what a replicated database tells of its positions.
type Consistency interface {
	WritePosition(ctx context.Context) (string, error)
	CaughtUp(ctx context.Context, token string) (bool, error)
}

// pageCost is how many elements a connection may return.
func pageCost(first, last *int) int {
	switch {
	case first != nil:
		return max(*first, 1)
	case last != nil:
		return max(*last, 1)
	}
	return DefaultPageSize
}

// complexity prices every list by its page size, so that nested pages multiply.
func complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	type cur = *entgqlCursor
	c.Query.Territories = func(child int, _ cur, first *int, _ cur, last *int, _ []*ent.TerritoryOrder, _ *ent.TerritoryWhereInput, _, _ *modelKey) int {
		return 1 + child*pageCost(first, last)
	}
	c.Query.SearchTerritories = func(child int, _ string, _ []territoryLevel, first *int) int {
		n := 10
		if first != nil {
			n = max(*first, 1)
		}
		return 1 + child*n
	}
	c.Query.Nodes = func(child int, ids []int) int { return 1 + child*max(len(ids), 1) }
	c.Query.Levers = func(child int, _ cur, first *int, _ cur, last *int, _ *ent.LeverOrder, _ *ent.LeverWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Query.Cops = func(child int, _ *string, _ cur, first *int, _ cur, last *int, _ *ent.CopOrder, _ *ent.CopWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Query.Actions = func(child int, _ *time.Time, _ cur, first *int, _ cur, last *int, _ *ent.ActionOrder, _ *ent.ActionWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Query.Commitments = func(child int, _ *time.Time, _ cur, first *int, _ cur, last *int, _ *ent.CommitmentOrder, _ *ent.CommitmentWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Query.AuditLog = func(child int, _ *string, _ *int, _ cur, first *int, _ cur, last *int, _ *ent.AuditEntryOrder, _ *ent.AuditEntryWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Children = func(child int, _ *territoryLevel, _ cur, first *int, _ cur, last *int, _ []*ent.TerritoryOrder, _ *ent.TerritoryWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Descendants = func(child int, _ *territoryLevel, _ cur, first *int, _ cur, last *int, _ []*ent.TerritoryOrder, _ *ent.TerritoryWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Objectives = func(child int, _, _ *string, _ *bool, _ cur, first *int, _ cur, last *int, _ *ent.ObjectiveOrder, _ *ent.ObjectiveWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Observations = func(child int, _, _ *string, _ cur, first *int, _ cur, last *int, _ *ent.ObservationOrder, _ *ent.ObservationWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Actions = func(child int, _ cur, first *int, _ cur, last *int, _ *ent.ActionOrder, _ *ent.ActionWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	c.Territory.Commitments = func(child int, _ cur, first *int, _ cur, last *int, _ *ent.CommitmentOrder, _ *ent.CommitmentWhereInput) int {
		return 1 + child*pageCost(first, last)
	}
	return c
}
