package service

import (
	"context"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
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
			out[id] += planning.SumUnits(g.Target)
		}
	}
	return out, nil
}

// PutCRTE writes the CRTE perimeters of a graph as ImportCRTE does, without reading the
// hierarchy back nor recomputing the derived objectives and roll-up cells: for tests
// that build the graph in Go and import objectives and records after.
func (svc *Service) PutCRTE(ctx context.Context, g *hierarchy.Graph) error {
	return store.WithTx(ctx, svc.client, func(tx *ent.Tx) error { return replaceCRTE(ctx, tx.Client(), g) })
}

// AddedUpCells are the roll-up cells of the given territories as the records add them up
// (LiveCells, what RebuildRollupCellsIn writes).
func (svc *Service) AddedUpCells(ctx context.Context, ancestors []int) (map[planning.Cell[int]]planning.Amount, error) {
	return readCells(ctx, svc.client, `WITH live(ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e) AS (`+
		strings.Join(LiveCells("an.ancestor_id IN ("+intList(ancestors)+")"), "\nUNION ALL\n")+`) SELECT * FROM live`)
}

// StoredCells are the roll-up cells of the given territories as writes keep them, those
// all of whose records were taken away left out.
func (svc *Service) StoredCells(ctx context.Context, ancestors []int) (map[planning.Cell[int]]planning.Amount, error) {
	return readCells(ctx, svc.client, `SELECT ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e
		FROM rollup_cells WHERE count <> 0 AND ancestor_id IN (`+intList(ancestors)+`)`)
}

func intList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ", ")
}

func readCells(ctx context.Context, c *ent.Client, query string) (map[planning.Cell[int]]planning.Amount, error) {
	rows, err := c.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[planning.Cell[int]]planning.Amount{}
	for rows.Next() {
		var k planning.Cell[int]
		var a planning.Amount
		if err := rows.Scan(&k.Territory, &k.Kind, &k.Sector, &k.Lever, &k.Status, &a.Count, &a.Share, &a.Budget, &a.KtCO2e); err != nil {
			return nil, err
		}
		out[k] = a
	}
	return out, rows.Err()
}

// AdoptedByYear is what the trajectory of a lever or a sector adds up: the adopted
// commitments inside t, in ktCO2e, per target year (adoptedByYear).
func (svc *Service) AdoptedByYear(ctx context.Context, t *ent.Territory, lever, sector *string) (map[int]float64, error) {
	ind, err := svc.resolveIndicator(ctx, lever, sector, true)
	if err != nil {
		return nil, err
	}
	return svc.adoptedByYear(ctx, t, ind, planning.GHGAvoided, nil)
}
