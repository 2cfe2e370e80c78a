package planning_test

// The goal and roll-up rules checked on the whole country, in Go: every region, lever,
// level and territory of the embedded hierarchy (the illustrative CRTE included), with the
// SGPE file's objectives and those derived from them. The SQL computing the same things
// is held to these functions on a sample (service/rules_test.go).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/country"
	. "github.com/cop-territoriales/cop-api/planning"
)

func load(t *testing.T) *country.Country {
	t.Helper()
	c, err := country.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func regionsOf(c *country.Country) []hierarchy.Key {
	var out []hierarchy.Key
	for _, t := range c.Graph.Territories {
		if t.Level == hierarchy.Region {
			out = append(out, t.Key)
		}
	}
	return out
}

// TestBreakdownsAddUpCountryWide: for every region, every objective it has and every
// level below (departments, CRTE, EPCI, communes), the parts and the unallocated part add
// up exactly to the whole, each part is the child's share of the region's population
// within a unit of the last decimal, the populations add up to the region's, and no
// inhabitant of a region is outside its departments or communes.
func TestBreakdownsAddUpCountryWide(t *testing.T) {
	c := load(t)
	n, divisible := 0, 0
	for _, r := range regionsOf(c) {
		region := c.ByKey[r]
		for _, o := range c.ObjectivesOf(r) {
			if !Divisible(o.Metric, c.Extensive[o.Lever]) {
				continue
			}
			divisible++
			for _, level := range []hierarchy.Level{hierarchy.Department, hierarchy.CRTE, hierarchy.EPCI, hierarchy.Commune} {
				cv := c.Cover(r, level)
				if len(cv.Children) == 0 {
					continue
				}
				parts, err := SplitGoal(o.Figures, cv.Weights())
				if err != nil {
					t.Fatal(err)
				}
				n++
				what := fmt.Sprintf("%s lever %d %s over %s", r.Code, o.Lever, o.Metric, level)
				var target, base, pop int64
				for i, p := range parts {
					target += ToUnits(p.Target, o.Unit)
					base += ToUnits(p.Baseline, o.Unit)
					if i == len(cv.Children) {
						pop += cv.Unallocated
						continue
					}
					pop += cv.Inside[i]
					exact := o.Target * float64(cv.Inside[i]) / float64(region.Population)
					if d := ToUnits(p.Target, o.Unit) - ToUnits(exact, o.Unit); d > 1 || d < -1 {
						t.Errorf("%s: %s gets %v, its share of the population gives %v", what, cv.Children[i].Code, p.Target, exact)
					}
				}
				if target != ToUnits(o.Target, o.Unit) || base != ToUnits(o.Baseline, o.Unit) {
					t.Errorf("%s: parts add up to %d and %d units, the whole is %v and %v", what, target, base, o.Target, o.Baseline)
				}
				if pop != region.Population {
					t.Errorf("%s: populations add up to %d, the region has %d", what, pop, region.Population)
				}
				if (level == hierarchy.Department || level == hierarchy.Commune) && cv.Unallocated != 0 {
					t.Errorf("%s: %d inhabitants unallocated, want 0", what, cv.Unallocated)
				}
			}
		}
	}
	if n < 3*divisible || divisible < 600 {
		t.Errorf("checked %d breakdowns of %d objectives, want every region with objectives, lever and level", n, divisible)
	}
	t.Logf("%d breakdowns add up", n)
}

// goalUnits adds up goals' targets per lever and metric, in units of their unit.
func goalUnits(gs []Goal[int]) map[GoalKey]int64 {
	out := map[GoalKey]int64{}
	for _, g := range gs {
		out[g.Key()] += ToUnits(g.Target, g.Unit)
	}
	return out
}

// TestGoalsCountryWide: what every territory is measured against. France is the sum of
// its regions, lever by lever and sector by sector (the dashboard's rows, a sector's
// being its levers' and its subdivisions' levers'); the departments of a region add up
// to it; every department is the sum of its communes' goals; a territory lying in two
// regions (an EPCI, a CRTE) is measured against its parts of both; every derived goal is
// its share of the region's.
func TestGoalsCountryWide(t *testing.T) {
	c := load(t)
	goals := map[hierarchy.Key]map[GoalKey]int64{}
	all := map[hierarchy.Key][]Goal[int]{}
	for _, x := range c.Graph.Territories {
		if x.Level == hierarchy.Commune {
			continue
		}
		gs, err := c.Goals(x.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		all[x.Key], goals[x.Key] = gs, goalUnits(gs)
	}
	fr := hierarchy.Key{Level: hierarchy.Country, Code: hierarchy.CountryCode}
	sum := map[GoalKey]int64{}
	for _, r := range regionsOf(c) {
		for k, v := range goals[r] {
			sum[k] += v
		}
		// The departments of a region add up to it, key by key (a department lies in one
		// region whole).
		deps := map[GoalKey]int64{}
		for _, l := range c.Under(r, hierarchy.Department) {
			for k, v := range goals[l.Child] {
				deps[k] += v
			}
		}
		for k, v := range goals[r] {
			if k.Metric == Physical && !c.Extensive[k.Lever] {
				continue
			}
			if deps[k] != v {
				t.Errorf("%s %v: departments add up to %d units, the region has %d", r, k, deps[k], v)
			}
		}
	}
	if len(sum) == 0 || len(goals[fr]) != len(sum) {
		t.Fatalf("France has %d goals, its regions %d", len(goals[fr]), len(sum))
	}
	for k, v := range sum {
		if goals[fr][k] != v {
			t.Errorf("France %v: %d units, its regions' add up to %d", k, goals[fr][k], v)
		}
	}
	// France's sectors: its levers' and its subdivisions' levers', and its regions' sectors.
	for _, s := range Sectors {
		if s.Parent != "" {
			continue
		}
		family := []int{c.SectorID[s.Code]}
		for _, sub := range Sectors {
			if sub.Parent == s.Code {
				family = append(family, c.SectorID[sub.Code])
			}
		}
		g, ok := SectorGoal(all[fr], family[0], family, GHGAvoided)
		var levers, regions int64
		for _, x := range all[fr] {
			if x.Lever != 0 && x.Metric == GHGAvoided && contains(family, x.Sector) {
				levers += ToUnits(x.Target, KtCO2e)
			}
		}
		for _, r := range regionsOf(c) {
			if rg, ok := SectorGoal(all[r], family[0], family, GHGAvoided); ok {
				regions += ToUnits(rg.Target, KtCO2e)
			}
		}
		if !ok || ToUnits(g.Target, KtCO2e) != levers || levers != regions {
			t.Errorf("France's %s: %v (%t), its levers %d units, its regions' %d", s.Code, g.Target, ok, levers, regions)
		}
	}
	// Every derived objective is its share of a region's: a territory lying in two
	// regions is measured against the sum of its parts of both.
	parts := map[hierarchy.Key]map[GoalKey]int64{}
	straddling := 0
	for _, o := range c.Objectives {
		if !o.Derived {
			continue
		}
		if parts[o.Territory] == nil {
			parts[o.Territory] = map[GoalKey]int64{}
		}
		parts[o.Territory][o.Key()] += ToUnits(o.Target, o.Unit)
	}
	for k, ps := range parts {
		regions := 0
		for _, w := range c.Within(k) {
			if w.Territory.Level == hierarchy.Region {
				regions++
			}
		}
		if regions > 1 {
			straddling++
		}
		for key, v := range ps {
			if goals[k][key] != v {
				t.Errorf("%s %v: %d units, its parts of its regions' %d", k, key, goals[k][key], v)
			}
		}
	}
	if straddling < 20 {
		t.Errorf("%d territories in two regions, want the EPCI and CRTE that straddle", straddling)
	}
	// Communes: each department is the sum of its communes, key by key; a commune's goal
	// is its part of its department's, derived.
	communes := 0
	for _, x := range c.Graph.Territories {
		if x.Level != hierarchy.Department {
			continue
		}
		cv := c.Cover(x.Key, hierarchy.Commune)
		split, err := SplitGoals(all[x.Key], cv.Weights())
		if err != nil {
			t.Fatal(err)
		}
		sum := map[GoalKey]int64{}
		for i, cm := range cv.Children {
			for _, g := range CommuneGoals(nil, split, i) {
				if !g.Derived {
					t.Fatalf("commune %s: %v is not marked derived", cm.Code, g.Key())
				}
				sum[g.Key()] += ToUnits(g.Target, g.Unit)
			}
			communes++
		}
		for k, v := range goals[x.Key] {
			if sum[k] != v {
				t.Errorf("department %s %v: its communes add up to %d units, it has %d", x.Code, k, sum[k], v)
			}
		}
	}
	if communes < 34000 {
		t.Errorf("%d communes measured, want every one", communes)
	}
	// One commune through the country's own path, as the service takes it.
	rennes := hierarchy.Key{Level: hierarchy.Commune, Code: "35238"}
	gs, err := c.Goals(rennes, nil)
	if err != nil || len(gs) != len(goals[hierarchy.Key{Level: hierarchy.Department, Code: "35"}]) {
		t.Errorf("Rennes: %d goals, %v; want one per goal of Ille-et-Vilaine", len(gs), err)
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestRollupCountryWide adds synthetic records carried at every level up into every
// territory (RollupCells): for every territory and every level that partitions it
// (regions for France, departments, communes), its territories of that level add up to
// it for the records carried at that level or below (shares, budgets and ktCO2e; each
// record counts whole in every child it lies in), and in every territory the cells of all
// levers and all sectors add up the others.
func TestRollupCountryWide(t *testing.T) {
	c := load(t)
	rng := rand.New(rand.NewPCG(11, 13))
	byLevel := map[hierarchy.Level][]hierarchy.Key{}
	for _, x := range c.Graph.Territories {
		byLevel[x.Level] = append(byLevel[x.Level], x.Key)
	}
	statuses := []string{"PLANNED", "DONE"}
	var records []Record[hierarchy.Key]
	for i := range 20000 {
		lv := hierarchy.Levels[rng.IntN(len(hierarchy.Levels))]
		ks := byLevel[lv]
		r := Record[hierarchy.Key]{Kind: []RecordKind{ActionRecord, CommitmentRecord}[i%2], Carrier: ks[rng.IntN(len(ks))],
			Sector: rng.IntN(4), Status: statuses[rng.IntN(2)], KtCO2e: float64(rng.IntN(1000)) / 10}
		if r.Sector > 0 {
			r.Lever = 10*r.Sector + rng.IntN(3)
		}
		if r.Kind == ActionRecord {
			r.Budget = float64(rng.IntN(1_000_000))
		}
		records = append(records, r)
	}
	total := func(cells map[Cell[hierarchy.Key]]Amount, k hierarchy.Key) (a Amount) {
		for _, kind := range []RecordKind{ActionRecord, CommitmentRecord} {
			for _, s := range statuses {
				a.Add(cells[Cell[hierarchy.Key]{Territory: k, Kind: kind, Sector: AllSectors, Lever: AllLevers, Status: s}])
			}
		}
		return a
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	same := func(a, b Amount) bool {
		return a.Count == b.Count && near(a.Share, b.Share) && near(a.Budget, b.Budget) && near(a.KtCO2e, b.KtCO2e)
	}
	checked := 0
	for _, level := range []hierarchy.Level{hierarchy.Region, hierarchy.Department, hierarchy.Commune} {
		var below []Record[hierarchy.Key]
		for _, r := range records {
			if r.Carrier.Level.Rank() >= level.Rank() {
				below = append(below, r)
			}
		}
		cells := RollupCells(below, c.Within)
		for _, p := range c.Graph.Territories {
			if p.Level.Rank() >= level.Rank() || (level == hierarchy.Region && p.Level != hierarchy.Country) {
				continue
			}
			var sum Amount
			for _, l := range c.Under(p.Key, level) {
				// Counted whole in each child, the records of a child wholly inside p.
				if l.Weight != 1 {
					t.Fatalf("%s is not wholly in %s: %v", l.Child, p.Key, l.Weight)
				}
				sum.Add(total(cells, l.Child))
			}
			// Each record is counted whole in every child it lies in: the counts of a
			// grouping straddling two children do not add up, its shares do.
			if whole := total(cells, p.Key); !near(sum.Share, whole.Share) || !near(sum.Budget, whole.Budget) || !near(sum.KtCO2e, whole.KtCO2e) {
				t.Errorf("%s by %s: %+v, the whole is %+v", p.Key, level, sum, whole)
			}
			checked++
		}
	}
	cells := RollupCells(records, c.Within)
	sums := map[Cell[hierarchy.Key]]Amount{}
	for k, a := range cells {
		switch {
		case k.Sector == AllSectors:
			continue
		case k.Lever == AllLevers:
			k.Sector = AllSectors
		default:
			k.Lever = AllLevers
		}
		s := sums[k]
		s.Add(a)
		sums[k] = s
	}
	for k, s := range sums {
		if !same(cells[k], s) {
			t.Errorf("%+v holds %+v, its cells add up to %+v", k, cells[k], s)
		}
	}
	t.Logf("%d territories add up their parts, %d cells their cells", checked, len(sums))
}
