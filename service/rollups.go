package service

import (
	"context"
	"sort"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

// commitmentStatuses lists statuses in life-cycle order, for stable output.
var commitmentStatuses = []access.CommitmentStatus{access.Draft, access.Submitted, access.Adopted, access.Withdrawn}

func (svc *Service) rollupQuery(ctx context.Context, f *RollupFilter) (RollupQuery, error) {
	var out RollupQuery
	if f == nil {
		return out, nil
	}
	ind, err := svc.resolveIndicator(ctx, f.Lever, f.Sector, false)
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
func toRollup(a *Amounts) *Rollup {
	out := &Rollup{Committed: []*StatusAmount{}}
	if a == nil {
		return out
	}
	out.ActionCount = int(a.ActionCount)
	out.ActionShare, out.Budget, out.EffectKtco2e = a.ActionShare, a.Budget, a.EffectKtCO2e
	for _, s := range commitmentStatuses {
		if v, ok := a.Committed[s]; ok {
			out.Committed = append(out.Committed, &StatusAmount{Status: s, Ktco2e: v.KtCO2e, Count: int(v.Count)})
		}
	}
	out.AdoptedKtco2e = a.Committed[access.Adopted].KtCO2e
	if a.ObjectiveKtCO2e != nil {
		obj := *a.ObjectiveKtCO2e
		out.ObjectiveKtco2e = &obj
		cov, gap := planning.Coverage(obj, out.AdoptedKtco2e)
		out.Coverage, out.Gap = cov, &gap
	}
	return out
}

// Rollup adds up the actions and commitments of every territory inside t, each for the
// share of its carrier's population living in t, against t's objective (unless parts
// leaves it out).
func (svc *Service) Rollup(ctx context.Context, t *ent.Territory, f *RollupFilter, parts RollupParts) (*Rollup, error) {
	q, err := svc.rollupQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	q.SkipObjectives = !parts.Objective
	m, err := svc.Amounts(ctx, []int{t.ID}, ByTerritory, q)
	if err != nil {
		return nil, err
	}
	return toRollup(m[t.ID]), nil
}

// nestedLevels are the levels whose territories partition any larger one, so that child
// rows add up to their parent.
var nestedLevels = map[hierarchy.Level]bool{hierarchy.Region: true, hierarchy.Department: true, hierarchy.Commune: true}

// RollupBy is a roll-up in rows: one per sector, per lever, or per territory of a level
// below t (CHILD).
func (svc *Service) RollupBy(ctx context.Context, t *ent.Territory, group RollupGroup, level *hierarchy.Level, f *RollupFilter, parts RollupParts) ([]*RollupRow, error) {
	q, err := svc.rollupQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	q.SkipObjectives = !parts.Objective
	switch group {
	case RollupGroupChild:
		if level == nil || !nestedLevels[*level] || hierarchy.Level(*level).Rank() <= hierarchy.Level(t.Level).Rank() {
			return nil, badInput("CHILD rows need a level below %s that splits it exactly: REGION, DEPARTMENT or COMMUNE", t.Level)
		}
		children, err := svc.client.Territory.Query().Where(descendantsOf(t.ID, level)).Order(ent.Asc(territory.FieldCode)).All(ctx)
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
		m, err := svc.Amounts(ctx, ids, ByTerritory, q)
		if err != nil {
			return nil, err
		}
		rows := make([]*RollupRow, len(children))
		for i, c := range children {
			rows[i] = &RollupRow{Territory: c, Rollup: toRollup(m[c.ID])}
		}
		return rows, nil
	case RollupGroupSector, RollupGroupLever:
		key := BySector
		if group == RollupGroupLever {
			key = ByLever
		}
		m, err := svc.Amounts(ctx, []int{t.ID}, key, q)
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
		var rows []*RollupRow
		if key == BySector {
			ss, err := svc.client.Sector.Query().Where(sector.IDIn(ids...)).Order(ent.Asc(sector.FieldID)).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range ss {
				rows = append(rows, &RollupRow{Sector: s, Rollup: toRollup(m[s.ID])})
			}
		} else {
			ls, err := svc.client.Lever.Query().Where(lever.IDIn(ids...)).Order(ent.Asc(lever.FieldCode)).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, l := range ls {
				rows = append(rows, &RollupRow{Lever: l, Rollup: toRollup(m[l.ID])})
			}
		}
		if a, ok := m[0]; ok {
			rows = append(rows, &RollupRow{Rollup: toRollup(a)}) // no sector or lever
		}
		return rows, nil
	}
	return nil, badInput("unknown grouping %s", group)
}

// Roadmap is a region's 2030 roadmap for a COP edition: per sector, the region's
// objectives and the adopted commitments of the territories inside it.
func (svc *Service) Roadmap(ctx context.Context, region string, edition int) (*Roadmap, error) {
	reg, err := svc.client.Territory.Query().Where(territory.LevelEQ(hierarchy.Region), territory.Code(region)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no region %q", region)
	}
	if err != nil {
		return nil, err
	}
	cms, err := svc.client.Commitment.Query().
		Where(commitment.StatusEQ(access.Adopted), commitment.CopEdition(edition),
			commitment.HasTerritoryWith(territory.HasAncestriesWith(ancestry.AncestorID(reg.ID), ancestry.WeightGT(0)))).
		WithTerritory().WithLever().WithSector().Order(ent.Asc(commitment.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	// Each committing territory counts for its share inside the region (hierarchy.Rollup).
	tids := make([]int, 0, len(cms))
	for _, c := range cms {
		tids = append(tids, c.TerritoryID)
	}
	regionKey := hierarchy.Key{Level: hierarchy.Region, Code: reg.Code}
	inside := map[int]float64{}
	if len(tids) > 0 {
		as, err := svc.client.Ancestry.Query().Where(ancestry.AncestorID(reg.ID), ancestry.TerritoryIDIn(tids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			inside[a.TerritoryID] = a.Weight
		}
	}
	objs, err := svc.client.Objective.Query().Where(objective.TerritoryID(reg.ID), objective.MetricEQ(planning.GHGAvoided),
		objective.LeverIDNotNil(), objective.Derived(false)).WithSector().All(ctx)
	if err != nil {
		return nil, err
	}
	rows := map[int]*RoadmapSector{}
	row := func(s *ent.Sector) *RoadmapSector {
		if rows[s.ID] == nil {
			rows[s.ID] = &RoadmapSector{Sector: s, Commitments: []*ent.Commitment{}}
		}
		return rows[s.ID]
	}
	for _, o := range objs {
		if o.Edges.Sector != nil {
			row(o.Edges.Sector).ObjectiveKtco2e += o.TargetValue
		}
	}
	adopted := map[int]map[hierarchy.Key]float64{} // sector -> committed ktCO2e by carrier
	links := map[hierarchy.Key]hierarchy.Link{}    // carrier -> its share in the region
	for _, c := range cms {
		if c.Edges.Sector == nil {
			continue
		}
		rs := row(c.Edges.Sector)
		rs.Commitments = append(rs.Commitments, c)
		k := hierarchy.Key{Level: hierarchy.Level(c.Edges.Territory.Level), Code: c.Edges.Territory.Code}
		links[k] = hierarchy.Link{Child: k, Parent: regionKey, Weight: inside[c.TerritoryID]}
		if adopted[c.Edges.Sector.ID] == nil {
			adopted[c.Edges.Sector.ID] = map[hierarchy.Key]float64{}
		}
		if c.Ktco2e != nil {
			adopted[c.Edges.Sector.ID][k] += *c.Ktco2e
		}
	}
	all := make([]hierarchy.Link, 0, len(links))
	for _, l := range links {
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Child.String() < all[j].Child.String() }) // a stable sum
	for id, values := range adopted {
		rows[id].AdoptedKtco2e = hierarchy.Rollup(all, values)[regionKey]
	}
	out := &Roadmap{Region: reg, Edition: edition, Sectors: []*RoadmapSector{}}
	for _, rs := range rows {
		rs.Coverage, rs.Gap = planning.Coverage(rs.ObjectiveKtco2e, rs.AdoptedKtco2e)
		out.ObjectiveKtco2e += rs.ObjectiveKtco2e
		out.AdoptedKtco2e += rs.AdoptedKtco2e
		out.Sectors = append(out.Sectors, rs)
	}
	sort.Slice(out.Sectors, func(i, j int) bool {
		return planning.SectorRank(out.Sectors[i].Sector.Code) < planning.SectorRank(out.Sectors[j].Sector.Code)
	})
	out.Coverage, out.Gap = planning.Coverage(out.ObjectiveKtco2e, out.AdoptedKtco2e)
	return out, nil
}
