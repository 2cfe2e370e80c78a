package service

import (
	"context"
	"sort"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/cop"
	"github.com/cop-territoriales/cop-api/ent/lever"
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

// toRollup turns amounts into the API's roll-up, with coverage and gap: commitments and
// budgets rounded to the decimals of their units (planning.Round), the objective as
// summed (planning.SumUnits).
func toRollup(a *Amounts) *Rollup {
	out := &Rollup{Committed: []*StatusAmount{}}
	if a == nil {
		return out
	}
	out.ActionCount = int(a.ActionCount)
	out.ActionShare = planning.Round(a.ActionShare, planning.Share)
	out.Budget = planning.Round(a.Budget, planning.Euro)
	out.EffectKtco2e = planning.Round(a.EffectKtCO2e, planning.KtCO2e)
	for _, s := range commitmentStatuses {
		if v, ok := a.Committed[s]; ok {
			out.Committed = append(out.Committed, &StatusAmount{Status: s, Ktco2e: planning.Round(v.KtCO2e, planning.KtCO2e), Count: int(v.Count)})
		}
	}
	out.AdoptedKtco2e = planning.Round(a.Committed[access.Adopted].KtCO2e, planning.KtCO2e)
	if a.ObjectiveKtCO2e != nil {
		obj := *a.ObjectiveKtCO2e // a sum in nano-units, exact (planning.FromSumUnits)
		out.ObjectiveKtco2e = &obj
		cov, gap := planning.Coverage(obj, out.AdoptedKtco2e)
		out.Coverage, out.Gap = planning.RoundPtr(cov, planning.Share), &gap
	}
	return out
}

// Rollup adds up the actions and commitments of every territory inside t, each for the
// share of its carrier's population living in t, against t's objective (goalsOf).
func (svc *Service) Rollup(ctx context.Context, t *ent.Territory, f *RollupFilter, parts ...RollupParts) (*Rollup, error) {
	q, err := svc.rollupQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	q = partsOf(parts).skip(q)
	m, err := svc.amountsOf(ctx, []*ent.Territory{t}, ByTerritory, q)
	if err != nil {
		return nil, err
	}
	return toRollup(m[t.ID]), nil
}

// Rollups is Rollup for many territories at once, in the statements of one: the
// roll-ups of a list of territories (a page of EPCI, a department's children). Every
// id gets a roll-up, empty when nothing lies inside it.
func (svc *Service) Rollups(ctx context.Context, ids []int, f *RollupFilter, parts RollupParts) (map[int]*Rollup, error) {
	q, err := svc.rollupQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	m, err := svc.Amounts(ctx, ids, ByTerritory, parts.skip(q))
	if err != nil {
		return nil, err
	}
	out := make(map[int]*Rollup, len(ids))
	for _, id := range ids {
		out[id] = toRollup(m[id])
	}
	return out, nil
}

// RollupBy is a roll-up in rows: one per sector of the national inventory (a sector and
// its subdivisions together, planning.InventorySector), per lever, or per territory of a
// level below t (CHILD, childRows), with a last row for what no sector, lever or child
// holds; the rows add up to t's roll-up. SECTOR and LEVER rows are those of the records
// and objectives found: they read every part, whatever parts says, so that the rows do
// not depend on the fields asked.
func (svc *Service) RollupBy(ctx context.Context, t *ent.Territory, group RollupGroup, level *hierarchy.Level, f *RollupFilter, parts ...RollupParts) ([]*RollupRow, error) {
	q, err := svc.rollupQuery(ctx, f)
	if err != nil {
		return nil, err
	}
	switch group {
	case RollupGroupChild:
		return svc.childRows(ctx, t, level, partsOf(parts).skip(q))
	case RollupGroupSector:
		m, err := svc.amountsOf(ctx, []*ent.Territory{t}, BySector, q)
		if err != nil {
			return nil, err
		}
		tree, err := svc.sectorTree(ctx)
		if err != nil {
			return nil, err
		}
		merged := map[int]*Amounts{}
		for id, a := range m {
			if id == 0 {
				continue
			}
			n := tree.national[id]
			if n == nil {
				continue
			}
			if merged[n.ID] == nil {
				merged[n.ID] = newAmounts()
			}
			merged[n.ID].add(a)
		}
		var rows []*RollupRow
		for id, a := range merged {
			rows = append(rows, &RollupRow{Sector: tree.byID[id], Rollup: toRollup(a)})
		}
		sort.Slice(rows, func(i, j int) bool {
			return planning.SectorRank(rows[i].Sector.Code) < planning.SectorRank(rows[j].Sector.Code)
		})
		if a, ok := m[0]; ok {
			rows = append(rows, &RollupRow{Unallocated: true, Rollup: toRollup(a)}) // no sector
		}
		return rows, nil
	case RollupGroupLever:
		m, err := svc.amountsOf(ctx, []*ent.Territory{t}, ByLever, q)
		if err != nil {
			return nil, err
		}
		ids := make([]int, 0, len(m))
		for id := range m {
			if id != 0 {
				ids = append(ids, id)
			}
		}
		ls, err := svc.client.Lever.Query().Where(lever.IDIn(ids...)).Order(ent.Asc(lever.FieldCode)).All(ctx)
		if err != nil {
			return nil, err
		}
		var rows []*RollupRow
		for _, l := range ls {
			rows = append(rows, &RollupRow{Lever: l, Rollup: toRollup(m[l.ID])})
		}
		if a, ok := m[0]; ok {
			rows = append(rows, &RollupRow{Unallocated: true, Rollup: toRollup(a)}) // no lever
		}
		return rows, nil
	}
	return nil, badInput("unknown grouping %s", group)
}

// Roadmap is a region's 2030 roadmap for a COP edition: per sector of the national
// inventory (a sector and its subdivisions together, planning.InventorySector, so that a
// commitment on transports and the objectives of transport-voyageurs meet in one row),
// the region's objective and the adopted commitments of the territories inside it. An
// edition exists when the region has a COP of that edition or adopted commitments carry
// it; any other is NOT_FOUND (Roadmaps lists those that exist).
func (svc *Service) Roadmap(ctx context.Context, region string, edition int) (*Roadmap, error) {
	if err := hierarchy.CheckText("region", region, hierarchy.MaxCodeLength); err != nil {
		return nil, notFound("no region %s", hierarchy.Excerpt(region))
	}
	reg, err := svc.findRegion(ctx, region)
	if err != nil {
		return nil, err
	}
	cms, err := svc.adoptedCommitments(ctx, reg, &edition)
	if err != nil {
		return nil, err
	}
	if len(cms) == 0 {
		ok, err := svc.client.Cop.Query().Where(cop.RegionID(reg.ID), cop.Edition(edition)).Exist(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound("%s (%s) has no COP %d and no commitment adopted for that edition: see roadmaps(region: %q) for its editions",
				reg.Name, reg.Code, edition, reg.Code)
		}
	}
	return svc.roadmap(ctx, reg, edition, cms)
}

// Roadmaps lists a region's roadmaps, one per edition that exists (a COP of that edition,
// or adopted commitments carrying it), oldest first.
func (svc *Service) Roadmaps(ctx context.Context, region string) ([]*Roadmap, error) {
	reg, err := svc.findRegion(ctx, region)
	if err != nil {
		return nil, err
	}
	cms, err := svc.adoptedCommitments(ctx, reg, nil)
	if err != nil {
		return nil, err
	}
	cops, err := svc.client.Cop.Query().Where(cop.RegionID(reg.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	byEdition := map[int][]*ent.Commitment{}
	for _, c := range cops {
		if _, ok := byEdition[c.Edition]; !ok {
			byEdition[c.Edition] = nil
		}
	}
	for _, c := range cms {
		if c.CopEdition != nil {
			byEdition[*c.CopEdition] = append(byEdition[*c.CopEdition], c)
		}
	}
	editions := make([]int, 0, len(byEdition))
	for e := range byEdition {
		editions = append(editions, e)
	}
	sort.Ints(editions)
	out := make([]*Roadmap, 0, len(editions))
	for _, e := range editions {
		rm, err := svc.roadmap(ctx, reg, e, byEdition[e])
		if err != nil {
			return nil, err
		}
		out = append(out, rm)
	}
	return out, nil
}

// findRegion returns the region of an INSEE code; given a region's name instead, the
// error says which code to give.
func (svc *Service) findRegion(ctx context.Context, code string) (*ent.Territory, error) {
	regions, err := svc.client.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).Order(ent.Asc(territory.FieldCode)).All(ctx)
	if err != nil {
		return nil, err
	}
	key := hierarchy.SearchKey(code)
	for _, r := range regions {
		if r.Code == code {
			return r, nil
		}
	}
	for _, r := range regions {
		if hierarchy.SearchKey(r.Name) == key {
			return nil, notFound("no region with code %q: give a region's INSEE code, %q for %s", code, r.Code, r.Name)
		}
	}
	return nil, notFound("no region with code %q: give a region's INSEE code, e.g. \"53\" for Bretagne", code)
}

// adoptedCommitments returns the adopted commitments of the territories inside a region,
// of one edition or of any, with their territory, lever and sector.
func (svc *Service) adoptedCommitments(ctx context.Context, reg *ent.Territory, edition *int) ([]*ent.Commitment, error) {
	q := svc.client.Commitment.Query().
		Where(commitment.StatusEQ(access.Adopted),
			commitment.HasTerritoryWith(territory.HasAncestriesWith(ancestry.AncestorID(reg.ID), ancestry.WeightGT(0))))
	if edition != nil {
		q.Where(commitment.CopEdition(*edition))
	} else {
		q.Where(commitment.CopEditionNotNil())
	}
	return q.WithTerritory().WithLever().WithSector().Order(ent.Asc(commitment.FieldID)).All(ctx)
}

// roadmap adds up a region's objectives and adopted commitments of an edition per sector.
func (svc *Service) roadmap(ctx context.Context, reg *ent.Territory, edition int, cms []*ent.Commitment) (*Roadmap, error) {
	// Each committing territory counts for its share inside the region (planning.Weigh).
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
	goals, err := svc.goalsFor(ctx, reg, goalQuery{metrics: []planning.Metric{planning.GHGAvoided}, leversOnly: true})
	if err != nil {
		return nil, err
	}
	tree, err := svc.sectorTree(ctx)
	if err != nil {
		return nil, err
	}
	rows := map[int]*RoadmapSector{}
	row := func(sectorID int) *RoadmapSector {
		n := tree.national[sectorID]
		if n == nil {
			return nil
		}
		if rows[n.ID] == nil {
			rows[n.ID] = &RoadmapSector{Sector: n, Commitments: []*ent.Commitment{}}
		}
		return rows[n.ID]
	}
	objective := map[int]int64{} // national sector -> ktCO2e in nano-units (planning.SumUnits)
	for _, g := range goals {
		if g.Sector != 0 {
			if r := row(g.Sector); r != nil {
				objective[r.Sector.ID] += planning.SumUnits(g.Target)
			}
		}
	}
	adopted := map[int]map[hierarchy.Key]float64{}               // national sector -> committed ktCO2e by carrier
	within := map[hierarchy.Key]planning.Within[hierarchy.Key]{} // carrier -> its share in the region
	for _, c := range cms {
		if c.SectorID == nil {
			continue
		}
		rs := row(*c.SectorID)
		if rs == nil {
			continue
		}
		rs.Commitments = append(rs.Commitments, c)
		k := hierarchy.Key{Level: hierarchy.Level(c.Edges.Territory.Level), Code: c.Edges.Territory.Code}
		within[k] = planning.Within[hierarchy.Key]{Territory: regionKey, Weight: inside[c.TerritoryID]}
		if adopted[rs.Sector.ID] == nil {
			adopted[rs.Sector.ID] = map[hierarchy.Key]float64{}
		}
		if c.Ktco2e != nil {
			adopted[rs.Sector.ID][k] += *c.Ktco2e
		}
	}
	carriers := make([]hierarchy.Key, 0, len(within))
	for k := range within {
		carriers = append(carriers, k)
	}
	sort.Slice(carriers, func(i, j int) bool { return carriers[i].String() < carriers[j].String() }) // a stable sum
	// One record per carrier and sector, its commitments' ktCO2e together, added up into
	// the region (planning.RollupCells).
	var records []planning.Record[hierarchy.Key]
	for id, values := range adopted {
		for _, k := range carriers {
			if v, ok := values[k]; ok {
				records = append(records, planning.Record[hierarchy.Key]{Kind: planning.CommitmentRecord, Carrier: k,
					Sector: id, Status: string(access.Adopted), KtCO2e: v})
			}
		}
	}
	cells := planning.RollupCells(records, func(k hierarchy.Key) []planning.Within[hierarchy.Key] {
		return []planning.Within[hierarchy.Key]{within[k]}
	})
	out := &Roadmap{Region: reg, Edition: edition, Sectors: []*RoadmapSector{}}
	var totalObjective, totalAdopted int64
	for id, rs := range rows {
		rs.ObjectiveKtco2e = planning.FromSumUnits(objective[id])
		if adopted[id] != nil {
			c := planning.Cell[hierarchy.Key]{Territory: regionKey, Kind: planning.CommitmentRecord, Sector: id,
				Lever: planning.AllLevers, Status: string(access.Adopted)}
			rs.AdoptedKtco2e = planning.Round(cells[c].KtCO2e, planning.KtCO2e)
		}
		cov, gap := planning.Coverage(rs.ObjectiveKtco2e, rs.AdoptedKtco2e)
		rs.Coverage, rs.Gap = planning.RoundPtr(cov, planning.Share), gap
		totalObjective += objective[id]
		totalAdopted += planning.ToUnits(rs.AdoptedKtco2e, planning.KtCO2e)
		out.Sectors = append(out.Sectors, rs)
	}
	sort.Slice(out.Sectors, func(i, j int) bool {
		return planning.SectorRank(out.Sectors[i].Sector.Code) < planning.SectorRank(out.Sectors[j].Sector.Code)
	})
	out.ObjectiveKtco2e = planning.FromSumUnits(totalObjective)
	out.AdoptedKtco2e = planning.FromUnits(totalAdopted, planning.KtCO2e)
	cov, gap := planning.Coverage(out.ObjectiveKtco2e, out.AdoptedKtco2e)
	out.Coverage, out.Gap = planning.RoundPtr(cov, planning.Share), gap
	return out, nil
}
