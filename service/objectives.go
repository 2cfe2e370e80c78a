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
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/observation"
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
	if p.Counted {
		q.Modify(countRows)
	}
	// A territory's objectives are few whatever it is: their statements keep their plans.
	conn, err := q.Paginate(store.KeptPlan(ctx), p.After, p.First, p.Before, p.Last, ent.WithObjectiveOrder(orderBy), ent.WithObjectiveFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	return conn, counted(p, &conn.TotalCount, conn.Edges, func(e *ent.ObjectiveEdge) func(string) (ent.Value, error) { return e.Node.Value })
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
	if p.Counted {
		q.Modify(countRows)
	}
	conn, err := q.Paginate(store.KeptPlan(ctx), p.After, p.First, p.Before, p.Last, ent.WithObservationOrder(orderBy), ent.WithObservationFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	return conn, counted(p, &conn.TotalCount, conn.Edges, func(e *ent.ObservationEdge) func(string) (ent.Value, error) { return e.Node.GetValue })
}

// leverGoal returns the goal of a lever in a metric among goals, nil when none.
func leverGoal(goals []*goal, leverID int, metric planning.Metric) *goal {
	for _, g := range goals {
		if g.Lever != 0 && g.Lever == leverID && g.Metric == metric {
			return g
		}
	}
	return nil
}

// indicatorQuery reads the goals an indicator needs: a lever's, or those of a sector, its
// subdivisions and their levers.
func indicatorQuery(ind indicator) goalQuery {
	if ind.lever != nil {
		return goalQuery{lever: &ind.lever.ID}
	}
	return goalQuery{sectors: ind.sectors}
}

// indicatorGoal is what a territory is measured against for an indicator in a metric.
func indicatorGoal(goals []*goal, ind indicator, metric planning.Metric) *goal {
	if ind.lever != nil {
		return leverGoal(goals, ind.lever.ID, metric)
	}
	return sectorGoal(goals, ind.sector.ID, ind.sectors, metric)
}

// diagnose computes a diagnostic from a goal and the observations of its indicator.
func diagnose(g *goal, obs []*ent.Observation) (*Diagnostic, error) {
	if g == nil {
		return nil, nil
	}
	points := make([]planning.Point, len(obs))
	for i, o := range obs {
		points[i] = planning.Point{Year: o.Year, Value: o.Value}
	}
	d, err := planning.Diagnose(planning.Point{Year: g.BaselineYear, Value: g.Baseline},
		planning.Point{Year: g.TargetYear, Value: g.Target}, points)
	if err != nil {
		return nil, badInput("objective %d: %v", g.From[0].ID, err)
	}
	out := &Diagnostic{
		Metric: g.Metric, Unit: g.Unit,
		BaselineYear: g.BaselineYear, BaselineValue: g.Baseline,
		TargetYear: g.TargetYear, TargetValue: g.Target,
		Travelled: planning.RoundPtr(d.Travelled, planning.Share), Remaining: planning.RoundSigPtr(d.Remaining),
		Expected: planning.RoundPtr(d.Expected, planning.Share),
		Status:   d.Status, Objectives: g.From,
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

// observationsOf returns a territory's observations of an indicator, by metric, oldest
// first: a lever's, or a sector's own (not its levers').
func (svc *Service) observationsOf(ctx context.Context, t *ent.Territory, ind indicator) (map[planning.Metric][]*ent.Observation, error) {
	q := svc.client.Observation.Query().Where(observation.TerritoryID(t.ID))
	switch {
	case ind.lever != nil:
		q.Where(observation.LeverID(ind.lever.ID))
	case ind.sector != nil:
		q.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
	}
	obs, err := q.Order(ent.Asc(observation.FieldYear), ent.Asc(observation.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[planning.Metric][]*ent.Observation{}
	for _, o := range obs {
		out[o.Metric] = append(out[o.Metric], o)
	}
	return out, nil
}

// Diagnostic is where a territory stands against its objective for a lever or a sector,
// at any level (goalsOf): in the metric asked, else in the first of physical, emissions
// avoided, emissions that has an objective and observations, else the first that has an
// objective. A sector's objective is its own, or the sum of its levers' (sectorGoal). Nil
// when there is none.
func (svc *Service) Diagnostic(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, metric *planning.Metric) (*Diagnostic, error) {
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	metrics := []planning.Metric{planning.Physical, planning.GHGAvoided, planning.GHGEmissions}
	if metric != nil {
		metrics = []planning.Metric{*metric}
	}
	goals, err := svc.goalsFor(ctx, t, indicatorQuery(ind))
	if err != nil {
		return nil, err
	}
	obs, err := svc.observationsOf(ctx, t, ind)
	if err != nil {
		return nil, err
	}
	var first *goal
	for _, m := range metrics {
		g := indicatorGoal(goals, ind, m)
		if g == nil {
			continue
		}
		if len(obs[m]) > 0 {
			return diagnose(g, obs[m])
		}
		if first == nil {
			first = g
		}
	}
	if first == nil {
		return nil, nil
	}
	return diagnose(first, nil)
}

// levelsBelow lists the levels below a level, for messages.
func levelsBelow(l hierarchy.Level) string {
	var below []string
	for _, x := range hierarchy.Levels {
		if x.Rank() > l.Rank() {
			below = append(below, string(x))
		}
	}
	switch len(below) {
	case 0:
		return "none"
	case 1:
		return below[0]
	}
	return strings.Join(below[:len(below)-1], ", ") + " or " + below[len(below)-1]
}

// Breakdown splits a territory's objective (goalsOf; a sector's is its own or the sum of
// its levers') over its descendants of one level by the rule of shares
// (hierarchy.Cover): each child gets its share of the territory's population, and the
// part no child covers is the unallocated part. An OBSERVATION or CUSTOM key spreads the
// covered part by its own weights. The parts and the unallocated part add up exactly to
// the whole at the unit's precision.
func (svc *Service) Breakdown(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, level hierarchy.Level, metricArg *planning.Metric, key *BreakdownKeyInput) (*Breakdown, error) {
	metric := planning.GHGAvoided
	if metricArg != nil {
		metric = *metricArg
	}
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	if level.Rank() <= t.Level.Rank() {
		return nil, badInput("level %s is not below %s: give %s", level, t.Level, levelsBelow(t.Level))
	}
	goals, err := svc.goalsFor(ctx, t, indicatorQuery(ind))
	if err != nil {
		return nil, err
	}
	g := indicatorGoal(goals, ind, metric)
	if g == nil {
		return nil, notFound("%s %s has no %s objective for %s", t.Level, t.Code, metric, ind.code())
	}
	if ind.lever != nil && !planning.Divisible(metric, ind.lever.Extensive) {
		return nil, badInput("lever %s: %q is not a quantity that adds up over territories, so it cannot be broken down",
			ind.lever.Code, deref(ind.lever.PhysicalUnit))
	}
	cvs, err := covers(ctx, svc.client, []int{t.ID}, []hierarchy.Level{level})
	if err != nil {
		return nil, err
	}
	cv := cvs[t.ID][level]
	if cv == nil {
		cv = newChildCover(t.Population, nil)
	}
	terrs, err := svc.client.Territory.Query().Where(descendantsOf(t.ID, &level)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Territory{}
	for _, x := range terrs {
		byID[x.ID] = x
	}
	kind := objective.BreakdownKeyPOPULATION
	if key != nil {
		kind = key.Kind
	}
	var weights []float64
	switch kind {
	case objective.BreakdownKeyPOPULATION:
		weights = cv.cover.Weights()
	case objective.BreakdownKeyOBSERVATION, objective.BreakdownKeyCUSTOM:
		var kw []float64
		if kind == objective.BreakdownKeyOBSERVATION {
			kw, err = svc.observationWeights(ctx, cv.children, byID, key)
		} else {
			kw, err = customWeights(cv.children, byID, key)
		}
		if err != nil {
			return nil, err
		}
		if weights = cv.cover.Spread(kw); weights == nil {
			return nil, badInput("%s breakdown: %v", kind, planning.ErrNoWeight)
		}
	}
	parts, err := planning.SplitGoal(g.Figures, weights)
	if err != nil {
		return nil, badInput("%s breakdown: %v", kind, err)
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	share := func(w float64) float64 {
		if total > 0 {
			return planning.Round(w/total, planning.Share)
		}
		return 0
	}
	n := len(cv.children)
	out := &Breakdown{Parent: t, Lever: ind.lever, Sector: ind.sector, Metric: metric, Unit: g.Unit, Key: kind,
		BaselineYear: g.BaselineYear, TargetYear: g.TargetYear, BaselineValue: g.Baseline, TargetValue: g.Target,
		Shares: make([]*BreakdownShare, 0, n),
		Unallocated: &BreakdownUnallocated{Population: int(cv.cover.Unallocated), Weight: share(weights[n]),
			BaselineValue: parts[n].Baseline, TargetValue: parts[n].Target}}
	for i, c := range cv.children {
		out.Shares = append(out.Shares, &BreakdownShare{Territory: byID[c.ID], Population: int(cv.cover.Inside[i]),
			Weight: share(weights[i]), BaselineValue: parts[i].Baseline, TargetValue: parts[i].Target})
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

// Dashboard is a territory's page, at any level (goalsOf): one row per sector of the
// national inventory that has objectives (planning.InventorySector: a sector and its
// subdivisions together), each with its own objectives and its levers, their goals,
// latest observation and diagnostic. Five statements whatever the number of sectors and
// levers (objectives, sectors, levers, observations), seven for a commune; without the
// observations when parts leave them out (all parts are read when none are given).
func (svc *Service) Dashboard(ctx context.Context, t *ent.Territory, parts ...DashboardParts) ([]*SectorSummary, error) {
	dp := AllDashboardParts
	if len(parts) > 0 {
		dp = parts[0]
	}
	goals, err := svc.goalsFor(ctx, t, goalQuery{})
	if err != nil {
		return nil, err
	}
	tree, err := svc.sectorTree(ctx)
	if err != nil {
		return nil, err
	}
	var leverIDs []int
	for _, g := range goals {
		if g.Lever != 0 {
			leverIDs = append(leverIDs, g.Lever)
		}
	}
	levers := map[int]*ent.Lever{}
	if len(leverIDs) > 0 {
		ls, err := svc.client.Lever.Query().Where(lever.IDIn(leverIDs...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			levers[l.ID] = l
		}
	}
	var obs []*ent.Observation
	if dp.Observations {
		if obs, err = svc.client.Observation.Query().Where(observation.TerritoryID(t.ID)).
			Order(ent.Asc(observation.FieldYear), ent.Asc(observation.FieldID)).All(ctx); err != nil {
			return nil, err
		}
	}
	type leverKey struct {
		lever  int
		metric planning.Metric
	}
	obsByLever := map[leverKey][]*ent.Observation{}
	for _, o := range obs {
		if o.LeverID != nil {
			k := leverKey{*o.LeverID, o.Metric}
			obsByLever[k] = append(obsByLever[k], o)
		}
	}
	rows := map[int]*SectorSummary{}
	ghg := map[int]int64{} // national sector -> ktCO2e in thousandths
	row := func(sectorID int) *SectorSummary {
		n := tree.national[sectorID]
		if n == nil {
			return nil
		}
		if rows[n.ID] == nil {
			rows[n.ID] = &SectorSummary{Sector: n, Objectives: []*ent.Objective{}, Levers: []*LeverSummary{}}
		}
		return rows[n.ID]
	}
	byLever := map[int]*LeverSummary{}
	leverSector := map[int]int{}
	for _, g := range goals {
		if g.Sector == 0 {
			continue // the all-sector total has no row
		}
		r := row(g.Sector)
		if r == nil {
			continue
		}
		r.Derived = r.Derived || g.Derived
		if g.Lever == 0 {
			r.Objectives = append(r.Objectives, g.From...)
			continue
		}
		l := levers[g.Lever]
		leverSector[l.ID] = g.Sector
		ls := byLever[l.ID]
		if ls == nil {
			ls = &LeverSummary{Lever: l, Objectives: []*ent.Objective{}}
			byLever[l.ID] = ls
			r.Levers = append(r.Levers, ls)
		}
		switch g.Metric {
		case planning.GHGAvoided:
			v := g.Target
			ls.GhgAvoided = &v
			ghg[r.Sector.ID] += planning.SumUnits(v)
		case planning.Physical:
			v := g.Target
			ls.PhysicalTarget = &v
		}
	}
	for _, ls := range byLever {
		id := ls.Lever.ID
		gg, phys := leverGoal(goals, id, planning.GHGAvoided), leverGoal(goals, id, planning.Physical)
		for _, g := range []*goal{gg, phys} {
			if g != nil {
				ls.Objectives = append(ls.Objectives, g.From...)
			}
		}
		physObs := obsByLever[leverKey{id, planning.Physical}]
		if n := len(physObs); n > 0 {
			ls.Latest = physObs[n-1]
		}
		if phys != nil {
			ls.Diagnostic, err = diagnose(phys, physObs)
		} else {
			ls.Diagnostic, err = diagnose(gg, obsByLever[leverKey{id, planning.GHGAvoided}])
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]*SectorSummary, 0, len(rows))
	for _, r := range rows {
		r.GhgAvoided = planning.FromSumUnits(ghg[r.Sector.ID])
		sort.Slice(r.Levers, func(i, j int) bool {
			a, b := r.Levers[i].Lever, r.Levers[j].Lever
			ra, rb := planning.SectorRank(tree.byID[leverSector[a.ID]].Code), planning.SectorRank(tree.byID[leverSector[b.ID]].Code)
			if ra != rb {
				return ra < rb
			}
			return a.Code < b.Code
		})
		out = append(out, r)
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
		recs[i] = planning.ObservationRecord{Line: i + 1, Territory: hierarchy.Key{Level: in.Territory.Level, Code: in.Territory.Code},
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
