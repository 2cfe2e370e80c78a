package graph

import (
	"time"

	"entgo.io/contrib/entgql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/graph/generated"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
)

type (
	entgqlCursor   = entgql.Cursor[int]
	modelKey       = service.TerritoryKey
	territoryLevel = hierarchy.Level
)

// pageCost is how many elements a connection may return. A size over the maximum counts
// as the maximum: the connection refuses it with a message that says so.
func pageCost(first, last *int) int {
	switch {
	case first != nil:
		return min(max(*first, 1), service.MaxPageSize)
	case last != nil:
		return min(max(*last, 1), service.MaxPageSize)
	}
	return service.DefaultPageSize
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
	c.Territory.Ranking = func(child int, _ territoryLevel, _ service.RollupOrder, _ *service.RollupFilter, _ cur, first *int) int {
		return 1 + child*pageCost(first, nil)
	}
	c.Query.Compare = func(child int, keys []*modelKey, _, _ *string, _ *planning.Metric) int {
		return 1 + child*max(len(keys), 1)
	}
	c.Territory.Trajectory = func(child int, _, _ *string, _ *planning.Metric, from, to *int) int {
		years := 20 // an objective's years, about
		if from != nil && to != nil {
			years = max(*to-*from+1, 1)
		}
		return 1 + child*years
	}
	return c
}
