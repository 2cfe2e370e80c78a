package graph

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/cop"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/graph/model"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// indicator is a lever or a sector given by code, resolved.
type indicator struct {
	lever   *ent.Lever
	sector  *ent.Sector
	sectors []int // the sector and its subdivisions
}

// resolveIndicator looks up a lever or a sector code; exactly one is expected when
// required is true, at most one otherwise.
func (r *Resolver) resolveIndicator(ctx context.Context, leverCode, sectorCode *string, required bool) (indicator, error) {
	var ind indicator
	switch {
	case leverCode != nil && sectorCode != nil:
		return ind, badInput("give a lever or a sector, not both")
	case leverCode == nil && sectorCode == nil:
		if required {
			return ind, badInput("give a lever or a sector")
		}
		return ind, nil
	case leverCode != nil:
		l, err := r.client.Lever.Query().Where(lever.Code(*leverCode)).WithSector().Only(ctx)
		if ent.IsNotFound(err) {
			return ind, notFound("unknown lever %q", *leverCode)
		}
		ind.lever = l
		return ind, err
	}
	s, err := r.client.Sector.Query().Where(sector.Code(*sectorCode)).WithSubsectors().Only(ctx)
	if ent.IsNotFound(err) {
		return ind, notFound("unknown sector %q", *sectorCode)
	}
	if err != nil {
		return ind, err
	}
	ind.sector = s
	ind.sectors = []int{s.ID}
	for _, sub := range s.Edges.Subsectors {
		ind.sectors = append(ind.sectors, sub.ID)
	}
	return ind, nil
}

// objectiveFilter selects a territory's objectives for an indicator.
func (ind indicator) objectiveFilter() []predicate.Objective {
	switch {
	case ind.lever != nil:
		return []predicate.Objective{objective.LeverID(ind.lever.ID)}
	case ind.sector != nil:
		return []predicate.Objective{objective.SectorIDIn(ind.sectors...)}
	}
	return nil
}

// objectivesFor returns the objectives a territory has for an indicator and metric: its
// own when it has some, else those derived to it (one per region it lies in).
func (r *Resolver) objectivesFor(ctx context.Context, t *ent.Territory, ind indicator, metric planning.Metric) ([]*ent.Objective, error) {
	q := r.client.Objective.Query().Where(objective.TerritoryID(t.ID), objective.MetricEQ(metric))
	switch {
	case ind.lever != nil:
		q.Where(objective.LeverID(ind.lever.ID))
	case ind.sector != nil:
		// The sector's own objective, not its levers'.
		q.Where(objective.SectorID(ind.sector.ID), objective.LeverIDIsNil())
	}
	all, err := q.Order(ent.Asc(objective.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	return preferOwn(all), nil
}

// preferOwn keeps the own objectives when there are some, else the derived ones.
func preferOwn(all []*ent.Objective) []*ent.Objective {
	var own, derived []*ent.Objective
	for _, o := range all {
		if o.Derived {
			derived = append(derived, o)
		} else {
			own = append(own, o)
		}
	}
	if len(own) > 0 {
		return own[:1]
	}
	return derived
}

// sumObjectives adds up objectives of one indicator and metric into baseline and target.
func sumObjectives(os []*ent.Objective) (base, target planning.Point, unit string) {
	for i, o := range os {
		if i == 0 {
			base.Year, target.Year, unit = o.BaselineYear, o.TargetYear, o.Unit
		}
		base.Value += o.BaselineValue
		target.Value += o.TargetValue
	}
	return base, target, unit
}

// diagnose computes a diagnostic from objectives and the observations of their indicator.
func diagnose(os []*ent.Objective, obs []*ent.Observation) (*model.Diagnostic, error) {
	if len(os) == 0 {
		return nil, nil
	}
	base, target, unit := sumObjectives(os)
	points := make([]planning.Point, len(obs))
	for i, o := range obs {
		points[i] = planning.Point{Year: o.Year, Value: o.Value}
	}
	d, err := planning.Diagnose(base, target, points)
	if err != nil {
		return nil, badInput("objective %d: %v", os[0].ID, err)
	}
	out := &model.Diagnostic{
		Metric: os[0].Metric, Unit: unit,
		BaselineYear: base.Year, BaselineValue: base.Value,
		TargetYear: target.Year, TargetValue: target.Value,
		Travelled: d.Travelled, Remaining: d.Remaining, Expected: d.Expected,
		Status: model.DiagnosticStatus(d.Status), Objectives: os,
	}
	if d.Latest != nil {
		for _, o := range obs {
			if o.Year == d.Latest.Year && o.Value == d.Latest.Value {
				out.Latest = o
				break
			}
		}
	}
	return out, nil
}

// observationsFor returns a territory's observations of an indicator and metric.
func (r *Resolver) observationsFor(ctx context.Context, t *ent.Territory, ind indicator, metric planning.Metric) ([]*ent.Observation, error) {
	q := r.client.Observation.Query().Where(observation.TerritoryID(t.ID), observation.MetricEQ(metric))
	switch {
	case ind.lever != nil:
		q.Where(observation.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
	}
	return q.Order(ent.Asc(observation.FieldYear)).All(ctx)
}

// diagnostic is Territory.diagnostic.
func (r *Resolver) diagnostic(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, metric *planning.Metric) (*model.Diagnostic, error) {
	ind, err := r.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	metrics := []planning.Metric{planning.Physical, planning.GHGAvoided, planning.GHGEmissions}
	if metric != nil {
		metrics = []planning.Metric{*metric}
	}
	for _, m := range metrics {
		os, err := r.objectivesFor(ctx, t, ind, m)
		if err != nil {
			return nil, err
		}
		if len(os) == 0 {
			continue
		}
		obs, err := r.observationsFor(ctx, t, ind, m)
		if err != nil {
			return nil, err
		}
		return diagnose(os, obs)
	}
	return nil, nil
}

// breakdown is Territory.breakdown: the territory's objective split over its descendants
// of one level with the key asked for.
func (r *Resolver) breakdown(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, level territory.Level, metric planning.Metric, key *model.BreakdownKeyInput) (*model.Breakdown, error) {
	ind, err := r.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	if level.String() == t.Level.String() || !isBelow(level, t.Level) {
		return nil, badInput("level %s is not below %s", level, t.Level)
	}
	os, err := r.objectivesFor(ctx, t, ind, metric)
	if err != nil {
		return nil, err
	}
	if len(os) == 0 {
		return nil, notFound("%s %s has no %s objective for %s", t.Level, t.Code, metric, ind.code())
	}
	if metric == planning.Physical && ind.lever != nil && !ind.lever.Extensive {
		return nil, badInput("lever %s: %q is not a quantity that adds up over territories, so it cannot be broken down",
			ind.lever.Code, deref(ind.lever.PhysicalUnit))
	}
	base, target, unit := sumObjectives(os)
	children, err := r.client.Ancestry.Query().
		Where(ancestry.AncestorID(t.ID), ancestry.DepthGT(0), ancestry.HasTerritoryWith(territory.LevelEQ(level))).
		WithTerritory().All(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(children, func(i, j int) bool { return children[i].Edges.Territory.Code < children[j].Edges.Territory.Code })
	kind := objective.BreakdownKeyPOPULATION
	if key != nil {
		kind = key.Kind
	}
	weights := make([]float64, len(children))
	switch kind {
	case objective.BreakdownKeyPOPULATION:
		for i, a := range children {
			weights[i] = float64(a.Edges.Territory.Population) * a.Weight
		}
	case objective.BreakdownKeyOBSERVATION:
		if weights, err = r.observationWeights(ctx, children, key); err != nil {
			return nil, err
		}
	case objective.BreakdownKeyCUSTOM:
		if weights, err = customWeights(children, key); err != nil {
			return nil, err
		}
	}
	targets, err := planning.Split(target.Value, weights)
	if err != nil {
		return nil, badInput("%s breakdown: %v", kind, err)
	}
	bases, err := planning.Split(base.Value, weights)
	if err != nil {
		return nil, badInput("%s breakdown: %v", kind, err)
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	out := &model.Breakdown{Parent: t, Lever: ind.lever, Sector: ind.sector, Metric: metric, Unit: unit, Key: kind,
		BaselineYear: base.Year, TargetYear: target.Year, BaselineValue: base.Value, TargetValue: target.Value}
	terrs := make([]*ent.Territory, len(children))
	for i, a := range children {
		terrs[i] = a.Edges.Territory
		out.Shares = append(out.Shares, &model.BreakdownShare{Territory: a.Edges.Territory, Weight: weights[i] / total,
			BaselineValue: planning.FromMicro(bases[i]), TargetValue: planning.FromMicro(targets[i])})
	}
	loadersFrom(ctx).group(terrs)
	return out, nil
}

func (ind indicator) code() string {
	if ind.lever != nil {
		return "lever " + ind.lever.Code
	}
	return "sector " + ind.sector.Code
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// isBelow reports whether level a is smaller than level b.
func isBelow(a, b territory.Level) bool {
	return hierarchy.Level(a).Rank() > hierarchy.Level(b).Rank()
}

// observationWeights weighs each child by its latest observation of an indicator (up to
// a year), times the share of it inside the parent. Every child needs one.
func (r *Resolver) observationWeights(ctx context.Context, children []*ent.Ancestry, key *model.BreakdownKeyInput) ([]float64, error) {
	if key.Indicator == nil {
		return nil, badInput("an OBSERVATION key needs an indicator")
	}
	ind, err := r.resolveIndicator(ctx, key.Indicator.Lever, key.Indicator.Sector, true)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(children))
	for i, a := range children {
		ids[i] = a.TerritoryID
	}
	q := r.client.Observation.Query().Where(observation.TerritoryIDIn(ids...), observation.MetricEQ(key.Indicator.Metric))
	if ind.lever != nil {
		q.Where(observation.LeverID(ind.lever.ID))
	} else {
		q.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
	}
	if key.Year != nil {
		q.Where(observation.YearLTE(*key.Year))
	}
	obs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[int]*ent.Observation{}
	for _, o := range obs {
		if cur, ok := latest[o.TerritoryID]; !ok || o.Year > cur.Year {
			latest[o.TerritoryID] = o
		}
	}
	weights := make([]float64, len(children))
	var missing []string
	for i, a := range children {
		o, ok := latest[a.TerritoryID]
		if !ok {
			missing = append(missing, a.Edges.Territory.Code)
			continue
		}
		weights[i] = o.Value * a.Weight
	}
	if len(missing) > 0 {
		if len(missing) > 5 {
			missing = append(missing[:5], "...")
		}
		return nil, badInput("OBSERVATION key: %d of %d territories have no observation of %s %s (%s)",
			len(missing), len(children), ind.code(), key.Indicator.Metric, strings.Join(missing, ", "))
	}
	return weights, nil
}

// customWeights takes the weights given by code; unknown codes are refused.
func customWeights(children []*ent.Ancestry, key *model.BreakdownKeyInput) ([]float64, error) {
	if len(key.Weights) == 0 {
		return nil, badInput("a CUSTOM key needs weights")
	}
	index := map[string]int{}
	for i, a := range children {
		index[a.Edges.Territory.Code] = i
	}
	weights := make([]float64, len(children))
	for _, w := range key.Weights {
		i, ok := index[w.Code]
		if !ok {
			return nil, badInput("CUSTOM key: %q is not one of the territories broken down to", w.Code)
		}
		if w.Weight < 0 || math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) {
			return nil, badInput("CUSTOM key: weight of %s is %v, want a finite number not below 0", w.Code, w.Weight)
		}
		weights[i] = w.Weight
	}
	return weights, nil
}

// dashboard is Territory.dashboard: four statements whatever the number of sectors and
// levers (objectives with their levers and sectors, observations).
func (r *Resolver) dashboard(ctx context.Context, t *ent.Territory) ([]*model.SectorSummary, error) {
	all, err := r.client.Objective.Query().Where(objective.TerritoryID(t.ID)).
		WithLever(func(q *ent.LeverQuery) { q.WithSector() }).WithSector().
		Order(ent.Asc(objective.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	obs, err := r.client.Observation.Query().Where(observation.TerritoryID(t.ID)).
		Order(ent.Asc(observation.FieldYear)).All(ctx)
	if err != nil {
		return nil, err
	}
	type leverKey struct {
		lever  int
		metric planning.Metric
	}
	byLever := map[leverKey][]*ent.Objective{}
	levers := map[int]*ent.Lever{}
	sectors := map[int]*ent.Sector{}
	sectorOwn := map[int][]*ent.Objective{}
	for _, o := range all {
		switch {
		case o.Edges.Lever != nil:
			levers[o.Edges.Lever.ID] = o.Edges.Lever
			sectors[o.Edges.Lever.Edges.Sector.ID] = o.Edges.Lever.Edges.Sector
			k := leverKey{o.Edges.Lever.ID, o.Metric}
			byLever[k] = append(byLever[k], o)
		case o.Edges.Sector != nil:
			sectors[o.Edges.Sector.ID] = o.Edges.Sector
			sectorOwn[o.Edges.Sector.ID] = append(sectorOwn[o.Edges.Sector.ID], o)
		}
	}
	obsByLever := map[leverKey][]*ent.Observation{}
	obsBySector := map[int][]*ent.Observation{}
	for _, o := range obs {
		switch {
		case o.LeverID != nil:
			obsByLever[leverKey{*o.LeverID, o.Metric}] = append(obsByLever[leverKey{*o.LeverID, o.Metric}], o)
		case o.SectorID != nil && o.Metric == planning.GHGEmissions:
			obsBySector[*o.SectorID] = append(obsBySector[*o.SectorID], o)
		}
	}
	summaries := map[int]*model.SectorSummary{}
	for id, s := range sectors {
		summaries[id] = &model.SectorSummary{Sector: s, Objectives: preferOwn(sectorOwn[id])}
	}
	for id, l := range levers {
		ghg := preferOwn(byLever[leverKey{id, planning.GHGAvoided}])
		phys := preferOwn(byLever[leverKey{id, planning.Physical}])
		ls := &model.LeverSummary{Lever: l, Objectives: append(append([]*ent.Objective{}, ghg...), phys...)}
		sum := summaries[l.Edges.Sector.ID]
		if len(ghg) > 0 {
			_, tg, _ := sumObjectives(ghg)
			ls.GhgAvoided = &tg.Value
			sum.GhgAvoided += tg.Value
		}
		if len(phys) > 0 {
			_, tg, _ := sumObjectives(phys)
			ls.PhysicalTarget = &tg.Value
		}
		for _, o := range ls.Objectives {
			sum.Derived = sum.Derived || o.Derived
		}
		physObs := obsByLever[leverKey{id, planning.Physical}]
		if n := len(physObs); n > 0 {
			ls.Latest = physObs[n-1]
		}
		if len(phys) > 0 {
			ls.Diagnostic, err = diagnose(phys, physObs)
		} else {
			ls.Diagnostic, err = diagnose(ghg, obsByLever[leverKey{id, planning.GHGAvoided}])
		}
		if err != nil {
			return nil, err
		}
		sum.Levers = append(sum.Levers, ls)
	}
	out := make([]*model.SectorSummary, 0, len(summaries))
	for _, s := range summaries {
		sort.Slice(s.Levers, func(i, j int) bool { return s.Levers[i].Lever.Code < s.Levers[j].Lever.Code })
		out = append(out, s)
	}
	order := map[string]int{}
	for i, s := range planning.Sectors {
		order[s.Code] = i
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Sector.Code] < order[out[j].Sector.Code] })
	return out, nil
}

// recordObservations validates every input, then writes them all in one transaction.
func (r *Resolver) recordObservations(ctx context.Context, input []*model.ObservationInput) ([]*ent.Observation, error) {
	if _, err := principal(ctx); err != nil {
		return nil, err
	}
	if len(input) == 0 || len(input) > MaxPageSize {
		return nil, badInput("give 1 to %d observations, got %d", MaxPageSize, len(input))
	}
	ins := make([]store.ObservationInput, len(input))
	for i, in := range input {
		id, err := r.territoryID(ctx, *in.Territory)
		if err != nil {
			return nil, badInput("observation %d: %v", i+1, err)
		}
		if _, err := r.requireWrite(ctx, id); err != nil {
			return nil, err
		}
		ind, err := r.resolveIndicator(ctx, in.Lever, in.Sector, false)
		if err != nil {
			return nil, badInput("observation %d: %v", i+1, err)
		}
		o := store.ObservationInput{Territory: id, Metric: in.Metric, Year: in.Year, Value: in.Value}
		if in.Source != nil {
			o.Source = *in.Source
		}
		if in.Unit != nil {
			o.Unit = *in.Unit
		}
		switch {
		case ind.lever != nil:
			o.Lever = &ind.lever.ID
			o.Sector = &ind.lever.Edges.Sector.ID
		case ind.sector != nil:
			o.Sector = &ind.sector.ID
		default:
			return nil, badInput("observation %d: give a lever or a sector", i+1)
		}
		var leverUnit *string
		if ind.lever != nil {
			leverUnit = ind.lever.PhysicalUnit
		}
		if o.Unit, err = planning.CheckObservation(o.Metric, o.Unit, o.Year, o.Value, leverUnit); err != nil {
			return nil, badInput("observation %d: %v", i+1, err)
		}
		ins[i] = o
	}
	return store.RecordObservations(ctx, r.client, ins)
}

// coordinatedCop finds a region's COP for an edition, for a write by that region's
// coordinator: the key is checked first, then the COP, then the coordinator's right.
func (r *Resolver) coordinatedCop(ctx context.Context, region string, edition int) (*ent.Cop, error) {
	if err := requireKey(ctx); err != nil {
		return nil, err
	}
	c, err := r.copFor(ctx, region, edition)
	if err != nil {
		return nil, err
	}
	if _, err := r.requireCoordinator(ctx, c.RegionID); err != nil {
		return nil, err
	}
	return c, nil
}

// copFor finds a region's COP for an edition.
func (r *Resolver) copFor(ctx context.Context, region string, edition int) (*ent.Cop, error) {
	c, err := r.client.Cop.Query().
		Where(cop.Edition(edition), cop.HasRegionWith(territory.LevelEQ(territory.LevelREGION), territory.Code(region))).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no COP %d for region %q", edition, region)
	}
	return c, err
}

// copSteps returns a COP's steps in the order of the circular: diagnostic, debate,
// breakdown, roadmap (the database keeps no order).
func copSteps(ctx context.Context, c *ent.Cop) ([]*ent.CopStep, error) {
	steps, err := c.Edges.StepsOrErr()
	if err != nil {
		if steps, err = c.QuerySteps().All(ctx); err != nil {
			return nil, err
		}
	}
	rank := map[planning.StepKind]int{}
	for i, k := range planning.Steps {
		rank[k] = i
	}
	out := append([]*ent.CopStep(nil), steps...)
	sort.Slice(out, func(i, j int) bool { return rank[out[i].Kind] < rank[out[j].Kind] })
	return out, nil
}
