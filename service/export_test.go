package service

import (
	"context"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/planning"
)

// GoalTotals is goalTotals for the GHG objectives of a lever or sectors (all when nil).
func (svc *Service) GoalTotals(ctx context.Context, ts []*ent.Territory, lever *int, sectors []int) (map[int]int64, bool, error) {
	return svc.goalTotals(ctx, ts, RollupQuery{Lever: lever, Sectors: sectors}.goals())
}

// LiveGoalTotals is GoalTotals added up from the objectives, never from the goal cells.
func (svc *Service) LiveGoalTotals(ctx context.Context, ts []*ent.Territory, lever *int, sectors []int) (map[int]int64, bool, error) {
	return svc.addUpGoals(ctx, ts, RollupQuery{Lever: lever, Sectors: sectors}.goals(), false)
}

// RebuildGoalCells recomputes the goal cells, after a test wrote objectives itself.
func (svc *Service) RebuildGoalCells(ctx context.Context) error {
	return rebuildGoalCells(ctx, svc.client)
}

// GoalSums adds up the targets of goalsOf's goals per territory, as goalTotals must.
func (svc *Service) GoalSums(ctx context.Context, ts []*ent.Territory, lever *int, sectors []int) (map[int]int64, error) {
	goals, err := svc.goalsOf(ctx, ts, RollupQuery{Lever: lever, Sectors: sectors}.goals())
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for id, gs := range goals {
		for _, g := range gs {
			out[id] += planning.ToUnits(g.Target, planning.KtCO2e)
		}
	}
	return out, nil
}
