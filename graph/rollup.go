package graph

import (
	"context"
	"math"
	"sort"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/graph/model"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// commitmentStatuses lists statuses in life-cycle order, for stable output.
var commitmentStatuses = []commitment.Status{commitment.StatusDRAFT, commitment.StatusSUBMITTED, commitment.StatusADOPTED, commitment.StatusWITHDRAWN}

func (r *Resolver) rollupFilter(ctx context.Context, f *model.RollupFilter) (store.RollupFilter, error) {
	var out store.RollupFilter
	if f == nil {
		return out, nil
	}
	ind, err := r.resolveIndicator(ctx, f.Lever, f.Sector, false)
	if err != nil {
		return out, err
	}
	if ind.lever != nil {
		out.Lever = &ind.lever.ID
	}
	out.Sectors = ind.sectors
	out.ActionStatuses = f.ActionStatus
	out.Year = f.Year
	out.CarrierLevels = f.CarrierLevels
	return out, nil
}

// toRollup turns amounts into the API's roll-up, with coverage and gap.
func toRollup(a *store.Amounts) *model.Rollup {
	out := &model.Rollup{Committed: []*model.StatusAmount{}}
	if a == nil {
		return out
	}
	out.ActionCount = int(a.ActionCount)
	out.ActionShare, out.Budget, out.EffectKtco2e = a.ActionShare, a.Budget, a.EffectKtCO2e
	for _, s := range commitmentStatuses {
		if v, ok := a.Committed[s]; ok {
			out.Committed = append(out.Committed, &model.StatusAmount{Status: s, Ktco2e: v.KtCO2e, Count: int(v.Count)})
		}
	}
	out.AdoptedKtco2e = a.Committed[commitment.StatusADOPTED].KtCO2e
	if a.ObjectiveKtCO2e != nil {
		obj := *a.ObjectiveKtCO2e
		out.ObjectiveKtco2e = &obj
		gap := math.Max(0, obj-out.AdoptedKtco2e)
		out.Gap = &gap
		if obj > 0 {
			cov := out.AdoptedKtco2e / obj
			out.Coverage = &cov
		}
	}
	return out
}

func (r *Resolver) rollup(ctx context.Context, t *ent.Territory, f *model.RollupFilter) (*model.Rollup, error) {
	rf, err := r.rollupFilter(ctx, f)
	if err != nil {
		return nil, err
	}
	m, err := store.Rollup(ctx, r.client, []int{t.ID}, store.ByTerritory, rf)
	if err != nil {
		return nil, err
	}
	return toRollup(m[t.ID]), nil
}

// nestedLevels are the levels whose territories partition any larger one, so that child
// rows add up to their parent.
var nestedLevels = map[territory.Level]bool{territory.LevelREGION: true, territory.LevelDEPARTMENT: true, territory.LevelCOMMUNE: true}

func (r *Resolver) rollupBy(ctx context.Context, t *ent.Territory, group model.RollupGroup, level *territory.Level, f *model.RollupFilter) ([]*model.RollupRow, error) {
	rf, err := r.rollupFilter(ctx, f)
	if err != nil {
		return nil, err
	}
	switch group {
	case model.RollupGroupChild:
		if level == nil || !nestedLevels[*level] || !isBelow(*level, t.Level) {
			return nil, badInput("CHILD rows need a level below %s that splits it exactly: REGION, DEPARTMENT or COMMUNE", t.Level)
		}
		children, err := store.ChildIDs(ctx, r.client, t.ID, *level)
		if err != nil {
			return nil, err
		}
		if len(children) > MaxPageSize {
			return nil, badInput("%d %s rows, more than %d: ask for a smaller territory", len(children), *level, MaxPageSize)
		}
		ids := make([]int, len(children))
		for i, c := range children {
			ids[i] = c.ID
		}
		m, err := store.Rollup(ctx, r.client, ids, store.ByTerritory, rf)
		if err != nil {
			return nil, err
		}
		rows := make([]*model.RollupRow, len(children))
		for i, c := range children {
			rows[i] = &model.RollupRow{Territory: c, Rollup: toRollup(m[c.ID])}
		}
		loadersFrom(ctx).group(children)
		return rows, nil
	case model.RollupGroupSector, model.RollupGroupLever:
		key := store.BySector
		if group == model.RollupGroupLever {
			key = store.ByLever
		}
		m, err := store.Rollup(ctx, r.client, []int{t.ID}, key, rf)
		if err != nil {
			return nil, err
		}
		ids := make([]int, 0, len(m))
		for id := range m {
			if id != 0 {
				ids = append(ids, id)
			}
		}
		sort.Ints(ids)
		var rows []*model.RollupRow
		if key == store.BySector {
			ss, err := r.client.Sector.Query().Where(sector.IDIn(ids...)).Order(ent.Asc(sector.FieldID)).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range ss {
				rows = append(rows, &model.RollupRow{Sector: s, Rollup: toRollup(m[s.ID])})
			}
		} else {
			ls, err := r.client.Lever.Query().Where(lever.IDIn(ids...)).Order(ent.Asc(lever.FieldCode)).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, l := range ls {
				rows = append(rows, &model.RollupRow{Lever: l, Rollup: toRollup(m[l.ID])})
			}
		}
		if a, ok := m[0]; ok {
			rows = append(rows, &model.RollupRow{Rollup: toRollup(a)}) // no sector or lever
		}
		return rows, nil
	}
	return nil, badInput("unknown grouping %s", group)
}

// roadmap is Query.roadmap: per sector, the region's objectives and the adopted
// commitments of the territories inside it for the edition.
func (r *Resolver) roadmap(ctx context.Context, region string, edition int) (*model.Roadmap, error) {
	reg, err := r.client.Territory.Query().Where(territory.LevelEQ(territory.LevelREGION), territory.Code(region)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no region %q", region)
	}
	if err != nil {
		return nil, err
	}
	cms, err := r.client.Commitment.Query().
		Where(commitment.StatusEQ(commitment.StatusADOPTED), commitment.CopEdition(edition),
			commitment.HasTerritoryWith(territory.HasAncestriesWith(ancestry.AncestorID(reg.ID), ancestry.WeightGT(0)))).
		WithTerritory().WithLever().WithSector().Order(ent.Asc(commitment.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	// The share of each committing territory inside the region.
	tids := make([]int, 0, len(cms))
	for _, c := range cms {
		tids = append(tids, c.TerritoryID)
	}
	weights := map[int]float64{}
	if len(tids) > 0 {
		as, err := r.client.Ancestry.Query().Where(ancestry.AncestorID(reg.ID), ancestry.TerritoryIDIn(tids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			weights[a.TerritoryID] = a.Weight
		}
	}
	objs, err := r.client.Objective.Query().Where(objective.TerritoryID(reg.ID), objective.MetricEQ(planning.GHGAvoided),
		objective.LeverIDNotNil(), objective.Derived(false)).WithSector().All(ctx)
	if err != nil {
		return nil, err
	}
	rows := map[int]*model.RoadmapSector{}
	row := func(s *ent.Sector) *model.RoadmapSector {
		if rows[s.ID] == nil {
			rows[s.ID] = &model.RoadmapSector{Sector: s, Commitments: []*ent.Commitment{}}
		}
		return rows[s.ID]
	}
	for _, o := range objs {
		if o.Edges.Sector != nil {
			row(o.Edges.Sector).ObjectiveKtco2e += o.TargetValue
		}
	}
	for _, c := range cms {
		if c.Edges.Sector == nil {
			continue
		}
		rs := row(c.Edges.Sector)
		rs.Commitments = append(rs.Commitments, c)
		if c.Ktco2e != nil {
			rs.AdoptedKtco2e += *c.Ktco2e * weights[c.TerritoryID]
		}
	}
	out := &model.Roadmap{Region: reg, Edition: edition, Sectors: []*model.RoadmapSector{}}
	for _, rs := range rows {
		rs.Gap = math.Max(0, rs.ObjectiveKtco2e-rs.AdoptedKtco2e)
		if rs.ObjectiveKtco2e > 0 {
			c := rs.AdoptedKtco2e / rs.ObjectiveKtco2e
			rs.Coverage = &c
		}
		out.ObjectiveKtco2e += rs.ObjectiveKtco2e
		out.AdoptedKtco2e += rs.AdoptedKtco2e
		out.Sectors = append(out.Sectors, rs)
	}
	order := map[string]int{}
	for i, s := range planning.Sectors {
		order[s.Code] = i
	}
	sort.Slice(out.Sectors, func(i, j int) bool { return order[out.Sectors[i].Sector.Code] < order[out.Sectors[j].Sector.Code] })
	out.Gap = math.Max(0, out.ObjectiveKtco2e-out.AdoptedKtco2e)
	if out.ObjectiveKtco2e > 0 {
		c := out.AdoptedKtco2e / out.ObjectiveKtco2e
		out.Coverage = &c
	}
	return out, nil
}
