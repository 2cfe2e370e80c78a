package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// Objectives pages a territory's objectives, of a lever or a sector (and its
// subdivisions) when one is given, derived ones included unless includeDerived is false.
func (svc *Service) Objectives(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, includeDerived *bool, p Page, orderBy *ent.ObjectiveOrder, where *ent.ObjectiveWhereInput) (*ent.ObjectiveConnection, error) {
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, false)
	if err != nil {
		return nil, err
	}
	q := svc.client.Objective.Query().Where(objective.TerritoryID(t.ID))
	switch {
	case ind.lever != nil:
		q.Where(objective.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(objective.SectorIDIn(ind.sectors...))
	}
	if includeDerived != nil && !*includeDerived {
		q.Where(objective.Derived(false))
	}
	return q.Paginate(ctx, p.After, p.First, p.Before, p.Last, ent.WithObjectiveOrder(orderBy), ent.WithObjectiveFilter(where.Filter))
}

// Observations pages a territory's observations, newest first unless ordered otherwise.
func (svc *Service) Observations(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, p Page, orderBy *ent.ObservationOrder, where *ent.ObservationWhereInput) (*ent.ObservationConnection, error) {
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, false)
	if err != nil {
		return nil, err
	}
	q := svc.client.Observation.Query().Where(observation.TerritoryID(t.ID))
	switch {
	case ind.lever != nil:
		q.Where(observation.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(observation.SectorIDIn(ind.sectors...))
	}
	if orderBy == nil {
		orderBy = &ent.ObservationOrder{Field: ent.ObservationOrderFieldYear, Direction: entgql.OrderDirectionDesc}
	}
	return q.Paginate(ctx, p.After, p.First, p.Before, p.Last, ent.WithObservationOrder(orderBy), ent.WithObservationFilter(where.Filter))
}

// objectivesFor returns what a territory is measured against for an indicator and
// metric (planning.PreferOwn): a lever's objectives, or a sector's own (not its levers').
func (svc *Service) objectivesFor(ctx context.Context, t *ent.Territory, ind indicator, metric planning.Metric) ([]*ent.Objective, error) {
	q := svc.client.Objective.Query().Where(objective.TerritoryID(t.ID), objective.MetricEQ(metric))
	switch {
	case ind.lever != nil:
		q.Where(objective.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(objective.SectorID(ind.sector.ID), objective.LeverIDIsNil())
	}
	all, err := q.Order(ent.Asc(objective.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	return preferOwn(all), nil
}

func preferOwn(all []*ent.Objective) []*ent.Objective {
	return planning.PreferOwn(all, func(o *ent.Objective) bool { return o.Derived })
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
func diagnose(os []*ent.Objective, obs []*ent.Observation) (*Diagnostic, error) {
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
	out := &Diagnostic{
		Metric: os[0].Metric, Unit: unit,
		BaselineYear: base.Year, BaselineValue: base.Value,
		TargetYear: target.Year, TargetValue: target.Value,
		Travelled: d.Travelled, Remaining: d.Remaining, Expected: d.Expected,
		Status: d.Status, Objectives: os,
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
func (svc *Service) observationsFor(ctx context.Context, t *ent.Territory, ind indicator, metric planning.Metric) ([]*ent.Observation, error) {
	q := svc.client.Observation.Query().Where(observation.TerritoryID(t.ID), observation.MetricEQ(metric))
	switch {
	case ind.lever != nil:
		q.Where(observation.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
	}
	return q.Order(ent.Asc(observation.FieldYear)).All(ctx)
}

// Diagnostic is where a territory stands against its objective for a lever or a sector:
// of the metric asked, else the first of physical, emissions avoided, emissions that has
// an objective. Nil when there is none.
func (svc *Service) Diagnostic(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, metric *planning.Metric) (*Diagnostic, error) {
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	metrics := []planning.Metric{planning.Physical, planning.GHGAvoided, planning.GHGEmissions}
	if metric != nil {
		metrics = []planning.Metric{*metric}
	}
	for _, m := range metrics {
		os, err := svc.objectivesFor(ctx, t, ind, m)
		if err != nil {
			return nil, err
		}
		if len(os) == 0 {
			continue
		}
		obs, err := svc.observationsFor(ctx, t, ind, m)
		if err != nil {
			return nil, err
		}
		return diagnose(os, obs)
	}
	return nil, nil
}

// Breakdown splits a territory's objective over its descendants of one level with the
// key asked for (population by default): the parts add up exactly to the whole.
func (svc *Service) Breakdown(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, level hierarchy.Level, metricArg *planning.Metric, key *BreakdownKeyInput) (*Breakdown, error) {
	metric := planning.GHGAvoided
	if metricArg != nil {
		metric = *metricArg
	}
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	if hierarchy.Level(level).Rank() <= hierarchy.Level(t.Level).Rank() {
		return nil, badInput("level %s is not below %s", level, t.Level)
	}
	os, err := svc.objectivesFor(ctx, t, ind, metric)
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
	ws, err := populationWeights(ctx, svc.client, []int{t.ID}, []hierarchy.Level{level})
	if err != nil {
		return nil, err
	}
	children := ws[t.ID]
	terrs, err := svc.client.Territory.Query().Where(territory.IDIn(childIDs(children)...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Territory{}
	for _, x := range terrs {
		byID[x.ID] = x
	}
	sort.Slice(children, func(i, j int) bool { return byID[children[i].ID].Code < byID[children[j].ID].Code })
	kind := objective.BreakdownKeyPOPULATION
	if key != nil {
		kind = key.Kind
	}
	weights := make([]float64, len(children))
	switch kind {
	case objective.BreakdownKeyPOPULATION:
		for i, c := range children {
			weights[i] = c.weight()
		}
	case objective.BreakdownKeyOBSERVATION:
		if weights, err = svc.observationWeights(ctx, children, byID, key); err != nil {
			return nil, err
		}
	case objective.BreakdownKeyCUSTOM:
		if weights, err = customWeights(children, byID, key); err != nil {
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
	out := &Breakdown{Parent: t, Lever: ind.lever, Sector: ind.sector, Metric: metric, Unit: unit, Key: kind,
		BaselineYear: base.Year, TargetYear: target.Year, BaselineValue: base.Value, TargetValue: target.Value}
	for i, c := range children {
		out.Shares = append(out.Shares, &BreakdownShare{Territory: byID[c.ID], Weight: weights[i] / total,
			BaselineValue: planning.FromMicro(bases[i]), TargetValue: planning.FromMicro(targets[i])})
	}
	return out, nil
}

func childIDs(cs []child) []int {
	ids := make([]int, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// observationWeights weighs each child by its latest observation of an indicator (up to
// a year), times the share of it inside the parent. Every child needs one.
func (svc *Service) observationWeights(ctx context.Context, children []child, byID map[int]*ent.Territory, key *BreakdownKeyInput) ([]float64, error) {
	if key.Indicator == nil {
		return nil, badInput("an OBSERVATION key needs an indicator")
	}
	ind, err := svc.resolveIndicator(ctx, key.Indicator.Lever, key.Indicator.Sector, true)
	if err != nil {
		return nil, err
	}
	q := svc.client.Observation.Query().Where(observation.TerritoryIDIn(childIDs(children)...), observation.MetricEQ(key.Indicator.Metric))
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
	for i, c := range children {
		o, ok := latest[c.ID]
		if !ok {
			missing = append(missing, byID[c.ID].Code)
			continue
		}
		weights[i] = o.Value * c.Inside
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
func customWeights(children []child, byID map[int]*ent.Territory, key *BreakdownKeyInput) ([]float64, error) {
	if len(key.Weights) == 0 {
		return nil, badInput("a CUSTOM key needs weights")
	}
	index := map[string]int{}
	for i, c := range children {
		index[byID[c.ID].Code] = i
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

// Dashboard is a territory's page: per sector its levers with their objectives, latest
// observation and diagnostic. Four statements whatever the number of sectors and levers
// (objectives with their levers and sectors, observations).
func (svc *Service) Dashboard(ctx context.Context, t *ent.Territory) ([]*SectorSummary, error) {
	all, err := svc.client.Objective.Query().Where(objective.TerritoryID(t.ID)).
		WithLever(func(q *ent.LeverQuery) { q.WithSector() }).WithSector().
		Order(ent.Asc(objective.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	obs, err := svc.client.Observation.Query().Where(observation.TerritoryID(t.ID)).
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
	for _, o := range obs {
		if o.LeverID != nil {
			k := leverKey{*o.LeverID, o.Metric}
			obsByLever[k] = append(obsByLever[k], o)
		}
	}
	summaries := map[int]*SectorSummary{}
	for id, s := range sectors {
		summaries[id] = &SectorSummary{Sector: s, Objectives: preferOwn(sectorOwn[id])}
	}
	for id, l := range levers {
		ghg := preferOwn(byLever[leverKey{id, planning.GHGAvoided}])
		phys := preferOwn(byLever[leverKey{id, planning.Physical}])
		ls := &LeverSummary{Lever: l, Objectives: append(append([]*ent.Objective{}, ghg...), phys...)}
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
	out := make([]*SectorSummary, 0, len(summaries))
	for _, s := range summaries {
		sort.Slice(s.Levers, func(i, j int) bool { return s.Levers[i].Lever.Code < s.Levers[j].Lever.Code })
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		return planning.SectorRank(out[i].Sector.Code) < planning.SectorRank(out[j].Sector.Code)
	})
	return out, nil
}

// RecordObservations checks every observation a client sends (its key must write in
// each territory), then writes them all in one transaction, or none.
func (svc *Service) RecordObservations(ctx context.Context, input []*ObservationInput) ([]*ent.Observation, error) {
	ctx = store.UsePrimary(ctx)
	p, err := requireKey(ctx)
	if err != nil {
		return nil, err // no key or a reader's, before anything else
	}
	if len(input) == 0 || len(input) > MaxPageSize {
		return nil, badInput("give 1 to %d observations, got %d", MaxPageSize, len(input))
	}
	recs := make([]planning.ObservationRecord, len(input))
	for i, in := range input {
		if in.Territory == nil {
			return nil, badInput("observation %d: a territory is required", i+1)
		}
		recs[i] = planning.ObservationRecord{Line: i + 1, Territory: hierarchy.Key{Level: hierarchy.Level(in.Territory.Level), Code: in.Territory.Code},
			Lever: deref(in.Lever), Sector: deref(in.Sector), Metric: in.Metric, Unit: deref(in.Unit),
			Year: in.Year, Value: in.Value, Source: deref(in.Source)}
	}
	ins, errs, err := svc.resolveObservations(ctx, recs, func(r planning.ObservationRecord) string { return fmt.Sprintf("observation %d", r.Line) })
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, badInput("%v", errors.Join(errs...))
	}
	for _, o := range ins {
		if _, err := svc.requireWrite(ctx, o.Territory); err != nil {
			return nil, err
		}
	}
	return svc.writeObservations(ctx, ins, &Write{Principal: p, Operation: "recordObservations", Request: input})
}
