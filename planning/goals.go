package planning

// What a territory is measured against, at every level: the rules service/goals.go
// applies to the objectives it reads (diagnostic, breakdown, dashboard, roll-ups,
// roadmap), and that the sums the database makes for speed (the goal cells,
// service/goalcells.go) are tested against.
//
//   - A region, a department, a CRTE or an EPCI: per lever (or sector) and metric, its own
//     objectives when it has some, else those derived to it (PreferOwn), summed (SumGoal).
//   - The country: its own when it has some, else the sum of its regions' own
//     (CountryCandidates).
//   - A commune: its own when it has some, else its part of its department's by the rule
//     of shares (CommuneGoals, SplitGoals).
//   - A sector: its own objectives in a metric when it has some, else, for emissions, the
//     sum of its levers' and of its subdivisions' levers' (SectorGoal).

import (
	"cmp"
	"slices"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Figures are the values of an objective, or of a goal: a baseline and a target, each in
// its year, in a unit.
type Figures struct {
	Unit                     string
	BaselineYear, TargetYear int
	Baseline, Target         float64
}

// GoalKey says what a goal is for: a lever (Sector 0), or a sector's own objectives
// (Lever 0; Sector 0 for the all-sector total), in a metric. Lever and sector ids are the
// caller's; 0 is none.
type GoalKey struct {
	Lever, Sector int
	Metric        Metric
}

func compareGoalKeys(a, b GoalKey) int {
	if c := cmp.Compare(a.Lever, b.Lever); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Sector, b.Sector); c != 0 {
		return c
	}
	return cmp.Compare(a.Metric, b.Metric)
}

// Candidate is an objective a territory may be measured against; T is the caller's
// objective.
type Candidate[T any] struct {
	Objective T
	// Lever and Sector are the objective's (0 for none): a lever's objective carries its
	// lever's sector.
	Lever, Sector int
	Metric        Metric
	Figures
	// Derived tells whether it was derived to the territory from a larger territory's
	// objective (the breakdown of a region's).
	Derived bool
	// FromRegion tells whether it is a region's own objective read for the country
	// (CountryCandidates): it gives way to the country's own, as a derived one does, but
	// it is not derived from a larger territory's.
	FromRegion bool
}

// Key is what the candidate is an objective for.
func (c Candidate[T]) Key() GoalKey {
	if c.Lever != 0 {
		return GoalKey{Lever: c.Lever, Metric: c.Metric}
	}
	return GoalKey{Sector: c.Sector, Metric: c.Metric}
}

// Goal is what a territory is measured against for a lever, or a sector's own
// objectives, in a metric.
type Goal[T any] struct {
	// Lever, Sector and Metric are those of the objectives it comes from (the sector of
	// the first one).
	Lever, Sector int
	Metric        Metric
	Figures
	// From are the objectives it comes from.
	From []T
	// Derived tells whether some of them are a larger territory's: derived ones, or the
	// department's for a commune.
	Derived bool
}

// Key is what the goal is for.
func (g Goal[T]) Key() GoalKey {
	if g.Lever != 0 {
		return GoalKey{Lever: g.Lever, Metric: g.Metric}
	}
	return GoalKey{Sector: g.Sector, Metric: g.Metric}
}

// SumGoal is what a territory is measured against among its candidates for one lever (or
// sector) and metric: those PreferOwn keeps, their figures added up (sumFigures), so that
// the sum does not depend on their order. The unit,
// years and sector are the first kept one's. ok is false when there is no candidate.
func SumGoal[T any](cs []Candidate[T]) (g Goal[T], ok bool) {
	kept := PreferOwn(cs, func(c Candidate[T]) bool { return c.Derived || c.FromRegion })
	if len(kept) == 0 {
		return g, false
	}
	first := kept[0]
	g = Goal[T]{Lever: first.Lever, Sector: first.Sector, Metric: first.Metric,
		Figures: Figures{Unit: first.Unit, BaselineYear: first.BaselineYear, TargetYear: first.TargetYear}}
	figures := make([]Figures, len(kept))
	for i, c := range kept {
		figures[i] = c.Figures
		g.From = append(g.From, c.Objective)
		g.Derived = g.Derived || c.Derived
	}
	g.Baseline, g.Target = sumFigures(figures)
	return g, true
}

// Goals is what a territory is measured against, given its candidates: one goal per
// lever (or sector) and metric (SumGoal), ordered by lever, sector and metric.
func Goals[T any](cs []Candidate[T]) []Goal[T] {
	// Candidates of a key side by side, in the order given (a stable sort on a copy).
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b Candidate[T]) int { return compareGoalKeys(a.Key(), b.Key()) })
	var out []Goal[T]
	for len(sorted) > 0 {
		n := 1
		for n < len(sorted) && sorted[n].Key() == sorted[0].Key() {
			n++
		}
		if g, ok := SumGoal(sorted[:n]); ok {
			out = append(out, g)
		}
		sorted = sorted[n:]
	}
	return out
}

func sortGoals[T any](gs []Goal[T]) {
	slices.SortFunc(gs, func(a, b Goal[T]) int { return compareGoalKeys(a.Key(), b.Key()) })
}

// CountryCandidates are the country's candidates: its own objectives, and its regions'
// own ones, which give way to the country's own of their lever (or sector) and metric
// (FromRegion): the country is measured against its own objectives (the national
// strategy's) when it has some, else against the sum of its regions' own. The regions'
// derived objectives, should there be any, are left out.
func CountryCandidates[T any](country, regions []Candidate[T]) []Candidate[T] {
	out := make([]Candidate[T], 0, len(country)+len(regions))
	out = append(out, country...)
	for _, r := range regions {
		if !r.Derived {
			r.FromRegion = true
			out = append(out, r)
		}
	}
	return out
}

// SplitGoal splits figures over weights by the rule of shares (hierarchy.Cover.Weights:
// each child's population inside the territory, then the population no child covers):
// the baseline and the target are each split in quanta of their own magnitude (Allocate),
// so that the parts add up exactly to the whole and a small part keeps its digits. Part i
// is child i's; the last part is what no child covers. The derived objectives, the breakdowns, the communes' goals and the
// objectives of rollupBy(CHILD) rows are all split by it.
func SplitGoal(f Figures, weights []float64) ([]Figures, error) {
	targets, err := Allocate(f.Target, weights)
	if err != nil {
		return nil, err
	}
	bases, err := Allocate(f.Baseline, weights)
	if err != nil {
		return nil, err
	}
	out := make([]Figures, len(weights))
	for i := range out {
		out[i] = Figures{Unit: f.Unit, BaselineYear: f.BaselineYear, TargetYear: f.TargetYear,
			Baseline: bases[i], Target: targets[i]}
	}
	return out, nil
}

// GoalSplit is a goal split over the children of a territory (SplitGoal).
type GoalSplit[T any] struct {
	Goal  Goal[T]
	Parts []Figures
}

// SplitGoals splits each goal over the same weights (SplitGoal).
func SplitGoals[T any](gs []Goal[T], weights []float64) ([]GoalSplit[T], error) {
	out := make([]GoalSplit[T], len(gs))
	for i, g := range gs {
		parts, err := SplitGoal(g.Figures, weights)
		if err != nil {
			return nil, err
		}
		out[i] = GoalSplit[T]{Goal: g, Parts: parts}
	}
	return out, nil
}

// Part is child i's goal: its part of the figures, from the same objectives, which are a
// larger territory's.
func (s GoalSplit[T]) Part(i int) Goal[T] {
	g := s.Goal
	g.Figures = s.Parts[i]
	g.Derived = true
	return g
}

// CommuneGoals is what a commune is measured against: its own goals, and for every lever
// (or sector) and metric it has none of, its part of its department's goal. department
// holds the department's goals split over its communes by the rule of shares
// (SplitGoals with the weights of the department's hierarchy.Cover by its communes), and
// i is the commune's place among them. Ordered as Goals orders them.
func CommuneGoals[T any](own []Goal[T], department []GoalSplit[T], i int) []Goal[T] {
	has := make(map[GoalKey]bool, len(own))
	out := make([]Goal[T], 0, len(department)+len(own))
	for _, g := range own {
		has[g.Key()] = true
		out = append(out, g)
	}
	for _, s := range department {
		if !has[s.Goal.Key()] {
			out = append(out, s.Part(i))
		}
	}
	sortGoals(out)
	return out
}

// SectorGoal is what a sector is measured against in a metric, among a territory's goals:
// its own goals in that metric when it has some, else, for emissions, the sum of the
// goals of its levers and of its subdivisions' levers (family: the sector's id and its
// subdivisions'); physical quantities of different levers do not add up. The sum is made
// in whole nano-units (sumFigures), in the first goal's unit. ok is false when there is none.
func SectorGoal[T any](goals []Goal[T], sector int, family []int, metric Metric) (g Goal[T], ok bool) {
	var own, levers []Goal[T]
	for _, x := range goals {
		if x.Metric != metric {
			continue
		}
		switch {
		case x.Lever == 0 && x.Sector != 0 && x.Sector == sector:
			own = append(own, x)
		case x.Lever != 0 && x.Sector != 0 && slices.Contains(family, x.Sector):
			levers = append(levers, x)
		}
	}
	gs := own
	if len(gs) == 0 {
		if metric == Physical {
			return g, false
		}
		gs = levers
	}
	if len(gs) == 0 {
		return g, false
	}
	g = Goal[T]{Sector: sector, Metric: metric,
		Figures: Figures{Unit: gs[0].Unit, BaselineYear: gs[0].BaselineYear, TargetYear: gs[0].TargetYear}}
	figures := make([]Figures, len(gs))
	for i, x := range gs {
		figures[i] = x.Figures
		g.From = append(g.From, x.From...)
		g.Derived = g.Derived || x.Derived
	}
	g.Baseline, g.Target = sumFigures(figures)
	return g, true
}

// sumFigures adds up baselines and targets in whole nano-units (SumUnits), whatever the
// order of fs. A single figure is its own sum, kept to all of its significant digits.
func sumFigures(fs []Figures) (baseline, target float64) {
	if len(fs) == 1 {
		return fs[0].Baseline, fs[0].Target
	}
	var b, t int64
	for _, f := range fs {
		b += SumUnits(f.Baseline)
		t += SumUnits(f.Target)
	}
	return FromSumUnits(b), FromSumUnits(t)
}

// BreakdownLevels are the levels a region's objectives are broken down to and stored as
// derived objectives (COP step 3).
var BreakdownLevels = []hierarchy.Level{hierarchy.Department, hierarchy.CRTE, hierarchy.EPCI}

// Divisible tells whether an objective in a metric can be split over smaller territories:
// emissions always, a physical quantity only when it adds up over territories (a lever
// whose unit is extensive, IsExtensive), not an average or a rate.
func Divisible(metric Metric, extensive bool) bool {
	return metric != Physical || extensive
}
