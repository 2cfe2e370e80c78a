package service

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/planning"
)

// TrajectoryPoint is one year of a trajectory (planning.Trajectory).
type TrajectoryPoint = planning.TrajectoryPoint

// Trajectory is a territory's path towards its objective for an indicator, year by year.
type Trajectory struct {
	Metric planning.Metric `json:"metric"`
	// Unit of every value: the objective's, else the observations'.
	Unit *string `json:"unit,omitempty"`
	// Objectives the straight line is drawn from (own, else derived, summed).
	Objectives    []*ent.Objective  `json:"objectives"`
	BaselineYear  *int              `json:"baselineYear,omitempty"`
	BaselineValue *float64          `json:"baselineValue,omitempty"`
	TargetYear    *int              `json:"targetYear,omitempty"`
	TargetValue   *float64          `json:"targetValue,omitempty"`
	Points        []TrajectoryPoint `json:"points"`
}

// Trajectory lays out a territory's years for a lever or a sector (planning.Trajectory):
// the straight line from baseline to target, the observations, and the commitments
// adopted for each year, each counted for the share of its carrier's population living
// in t, in the metric asked or else the diagnostic's. The years default to the
// objective's, else to those of the observations and commitments. Nil when no metric is
// asked and t has no objective for the indicator.
func (svc *Service) Trajectory(ctx context.Context, t *ent.Territory, leverCode, sectorCode *string, metric *planning.Metric, from, to *int) (*Trajectory, error) {
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	metrics := diagnosticMetrics
	if metric != nil {
		metrics = []planning.Metric{*metric}
	}
	goals, err := svc.goalsFor(ctx, t, indicatorQuery(ind))
	if err != nil {
		return nil, err
	}
	var g *goal
	var m planning.Metric
	for _, m = range metrics {
		if g = indicatorGoal(goals, ind, m); g != nil {
			break
		}
	}
	if g == nil && metric == nil {
		return nil, nil
	}
	out := &Trajectory{Metric: m, Objectives: []*ent.Objective{}, Points: []TrajectoryPoint{}}
	var line *planning.Line
	if g != nil {
		out.Objectives = g.From
		base := planning.Point{Year: g.BaselineYear, Value: g.Baseline}
		target := planning.Point{Year: g.TargetYear, Value: g.Target}
		unit := g.Unit
		line = &planning.Line{Baseline: base, Target: target}
		out.Unit = &unit
		out.BaselineYear, out.BaselineValue = &base.Year, &base.Value
		out.TargetYear, out.TargetValue = &target.Year, &target.Value
	}

	// Observations, the first recorded of a year first, in the trajectory's unit.
	oq := svc.client.Observation.Query().Where(observation.TerritoryID(t.ID), observation.MetricEQ(m))
	if ind.lever != nil {
		oq.Where(observation.LeverID(ind.lever.ID))
	} else {
		oq.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
	}
	obs, err := oq.Order(ent.Asc(observation.FieldYear), ent.Asc(observation.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("trajectory observations: %w", err)
	}
	if out.Unit == nil && len(obs) > 0 {
		out.Unit = &obs[0].Unit
	}
	var points []planning.Point
	first, last := 0, 0
	seen := func(year int) {
		if first == 0 || year < first {
			first = year
		}
		last = max(last, year)
	}
	for _, o := range obs {
		v, ok := planning.InUnit(o.Value, o.Unit, *out.Unit)
		if !ok {
			continue // not comparable with the objective
		}
		points = append(points, planning.Point{Year: o.Year, Value: v})
		seen(o.Year)
	}

	adopted, err := svc.adoptedByYear(ctx, t, ind, m, out.Unit)
	if err != nil {
		return nil, err
	}
	for y := range adopted {
		seen(y)
	}
	if out.Unit == nil && len(adopted) > 0 {
		unit := "ktCO2e"
		if m == planning.Physical {
			unit = deref(ind.lever.PhysicalUnit)
		}
		out.Unit = &unit
	}
	if line != nil {
		first, last = line.Baseline.Year, line.Target.Year
	}
	switch {
	case from != nil && to != nil:
		first, last = *from, *to
	case from != nil:
		first, last = *from, max(*from, last)
	case to != nil:
		if first == 0 || first > *to {
			first = *to
		}
		last = *to
	case first == 0:
		return out, nil // nothing to lay out
	}
	if out.Points, err = planning.Trajectory(line, points, adopted, first, last); err != nil {
		return nil, badInput("trajectory: %v", err)
	}
	return out, nil
}

// adoptedByYear adds up the adopted commitments of every territory inside t for an
// indicator, by target year, each weighted by the share of its carrier's population
// living in t (as roll-ups count them): in ktCO2e converted to unit for emissions
// avoided, in the lever's unit for its physical quantity; nil for other metrics, which
// commitments are not measured in.
func (svc *Service) adoptedByYear(ctx context.Context, t *ent.Territory, ind indicator, m planning.Metric, unit *string) (map[int]float64, error) {
	col := commitment.FieldKtco2e
	switch {
	case m == planning.GHGAvoided:
	case m == planning.Physical && ind.lever != nil:
		col = commitment.FieldPhysical
	default:
		return nil, nil
	}
	q := svc.client.Commitment.Query().Where(commitment.StatusEQ(access.Adopted))
	if ind.lever != nil {
		q.Where(commitment.LeverID(ind.lever.ID))
	} else {
		q.Where(commitment.SectorIDIn(ind.sectors...))
	}
	var rows []struct {
		Year  int     `json:"year"`
		Value float64 `json:"value"`
	}
	err := q.Modify(func(s *sql.Selector) {
		an := sql.Table(ancestry.Table).As("an")
		s.Join(an).On(s.C(commitment.FieldTerritoryID), an.C(ancestry.FieldTerritoryID)).
			Where(sql.EQ(an.C(ancestry.FieldAncestorID), t.ID))
		s.Select(sql.As(s.C(commitment.FieldTargetYear), "year"),
			sql.As("COALESCE(SUM(COALESCE("+s.C(col)+", 0) * "+an.C(ancestry.FieldWeight)+"), 0)", "value")).
			GroupBy(s.C(commitment.FieldTargetYear))
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("trajectory commitments: %w", err)
	}
	out := map[int]float64{}
	for _, r := range rows {
		v := r.Value
		if m == planning.GHGAvoided && unit != nil {
			if x, ok := planning.InUnit(v, "ktCO2e", *unit); ok {
				v = x
			}
		}
		out[r.Year] = v
	}
	return out, nil
}
