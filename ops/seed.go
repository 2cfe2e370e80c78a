package ops

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/commitmentevent"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// DemoSize is how much synthetic data SeedDemo writes.
type DemoSize struct {
	Actions, Commitments int
	Seed                 uint64
}

// seedBatch keeps bulk inserts of actions (17 columns) under SQLite's 32,766 parameters.
const seedBatch = 1500

// SeedDemo replaces the synthetic actions and commitments with new ones spread over the
// real hierarchy: reproducible from the seed, marked synthetic, titled "(synthétique)".
// Carriers are mostly communes and EPCI, some departments and regions; levers are used
// when the SGPE levers are loaded.
func SeedDemo(ctx context.Context, client *ent.Client, size DemoSize) error {
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	// One transaction: the records and their roll-up cells are written together or not at
	// all, so that a seed stopped half-way leaves the database as it was.
	if err := seedDemo(ctx, client, size); err != nil {
		return err
	}
	// Fresh statistics, so that the planner picks the indexes for roll-ups.
	return service.Analyze(ctx, client, "actions", "commitments", "commitment_events", "rollup_cells")
}

func seedDemo(ctx context.Context, client *ent.Client, size DemoSize) error {
	return store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		if _, err := c.CommitmentEvent.Delete().Where(commitmentevent.HasCommitmentWith(commitment.Synthetic(true))).Exec(ctx); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if _, err := c.Action.Delete().Where(action.Synthetic(true)).Exec(ctx); err != nil {
			return fmt.Errorf("seed: delete synthetic actions: %w", err)
		}
		if _, err := c.Commitment.Delete().Where(commitment.Synthetic(true)).Exec(ctx); err != nil {
			return fmt.Errorf("seed: delete synthetic commitments: %w", err)
		}
		byLevel := map[hierarchy.Level][]int{}
		var rows []struct {
			ID    int    `json:"id"`
			Level string `json:"level"`
		}
		if err := c.Territory.Query().Where(territory.LevelIn(hierarchy.Commune, hierarchy.EPCI,
			hierarchy.Department, hierarchy.Region)).Order(ent.Asc(territory.FieldID)).
			Select(territory.FieldID, territory.FieldLevel).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("seed: read territories: %w", err)
		}
		for _, r := range rows {
			byLevel[hierarchy.Level(r.Level)] = append(byLevel[hierarchy.Level(r.Level)], r.ID)
		}
		sectors, err := c.Sector.Query().WithLevers().Order(ent.Asc(sector.FieldID)).All(ctx)
		if err != nil {
			return fmt.Errorf("seed: read sectors: %w", err)
		}
		rng := rand.New(rand.NewPCG(size.Seed, size.Seed^0x9e3779b97f4a7c15))
		carrier := func() int {
			var ids []int
			switch p := rng.Float64(); {
			case p < 0.55:
				ids = byLevel[hierarchy.Commune]
			case p < 0.90:
				ids = byLevel[hierarchy.EPCI]
			case p < 0.98:
				ids = byLevel[hierarchy.Department]
			default:
				ids = byLevel[hierarchy.Region]
			}
			return ids[rng.IntN(len(ids))]
		}
		pick := func() (sector int, lever *int) {
			s := sectors[rng.IntN(len(sectors))]
			if n := len(s.Edges.Levers); n > 0 {
				id := s.Edges.Levers[rng.IntN(n)].ID
				lever = &id
			}
			return s.ID, lever
		}
		statuses := []action.Status{action.StatusPLANNED, action.StatusIN_PROGRESS, action.StatusDONE, action.StatusABANDONED}
		var acts []*ent.ActionCreate
		for i := range size.Actions {
			sec, lev := pick()
			start := 2020 + rng.IntN(9)
			end := start + rng.IntN(6)
			budget := math.Round(math.Exp(9 + rng.Float64()*7)) // about 8 k€ to 9 M€
			effect := math.Round(rng.Float64()*2000) / 100
			acts = append(acts, c.Action.Create().SetTitle(fmt.Sprintf("Action n°%d (synthétique)", i+1)).
				SetTerritoryID(carrier()).SetSectorID(sec).SetNillableLeverID(lev).
				SetStatus(statuses[rng.IntN(len(statuses))]).SetStartYear(start).SetEndYear(end).
				SetBudget(budget).SetEffectKtco2e(effect).SetCopEdition(2023+rng.IntN(2)).SetSynthetic(true))
			if len(acts) == seedBatch {
				if err := c.Action.CreateBulk(acts...).Exec(ctx); err != nil {
					return fmt.Errorf("seed: insert actions: %w", err)
				}
				acts = acts[:0]
			}
		}
		if len(acts) > 0 {
			if err := c.Action.CreateBulk(acts...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert actions: %w", err)
			}
		}
		cstatuses := []access.CommitmentStatus{access.Draft, access.Submitted, access.Adopted, access.Adopted, access.Withdrawn}
		var cms []*ent.CommitmentCreate
		for i := range size.Commitments {
			sec, lev := pick()
			kt := math.Round(rng.Float64()*2000) / 100
			cms = append(cms, c.Commitment.Create().SetTerritoryID(carrier()).SetSectorID(sec).SetNillableLeverID(lev).
				SetKtco2e(kt).SetStatus(cstatuses[rng.IntN(len(cstatuses))]).SetCopEdition(2023+rng.IntN(2)).
				SetNote(fmt.Sprintf("Engagement n°%d (synthétique)", i+1)).SetSynthetic(true))
			if len(cms) == seedBatch {
				if err := c.Commitment.CreateBulk(cms...).Exec(ctx); err != nil {
					return fmt.Errorf("seed: insert commitments: %w", err)
				}
				cms = cms[:0]
			}
		}
		if len(cms) > 0 {
			if err := c.Commitment.CreateBulk(cms...).Exec(ctx); err != nil {
				return fmt.Errorf("seed: insert commitments: %w", err)
			}
		}
		return service.RebuildRollupCellsIn(ctx, c)
	})
}
