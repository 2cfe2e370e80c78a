package planning_test

// The goal and roll-up rules checked on the whole country, in Go: every region, lever,
// level and territory of the embedded hierarchy (the illustrative CRTE included), with the
// SGPE file's objectives and those derived from them. The SQL computing the same things
// is held to these functions on a sample (service/rules_test.go).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
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
// within a quantum of the whole and to at least 4 significant digits for a child of 100
// inhabitants or more (checkPart), the populations add up to the region's, and no
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
					target += InQuanta(p.Target, o.Target)
					base += InQuanta(p.Baseline, o.Baseline)
					if i == len(cv.Children) {
						pop += cv.Unallocated
						continue
					}
					pop += cv.Inside[i]
					for _, f := range [][2]float64{{p.Target, o.Target}, {p.Baseline, o.Baseline}} {
						exact := f[1] * float64(cv.Inside[i]) / float64(region.Population)
						checkPart(t, what+" "+cv.Children[i].Code, f[0], exact, f[1], cv.Inside[i])
					}
				}
				if target != InQuanta(o.Target, o.Target) || base != InQuanta(o.Baseline, o.Baseline) {
					t.Errorf("%s: parts add up to %d and %d quanta, the whole is %v and %v", what, target, base, o.Target, o.Baseline)
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

// checkPart holds a part to the rule of precision (precision.go): within a quantum of its
// exact share of the whole, written with at most Digits significant digits (no float
// noise), and, for a territory of at least 100 inhabitants, exact to 4 significant digits
// at least: off its exact share by less than half a unit of its 4th digit.
func checkPart(t *testing.T, what string, part, exact, whole float64, population int64) {
	t.Helper()
	if d := InQuanta(part, whole) - InQuanta(exact, whole); d > 1 || d < -1 {
		t.Errorf("%s: %v, more than a quantum off its exact share %v of %v", what, part, exact, whole)
	}
	if n := SignificantDigits(part); n > Digits {
		t.Errorf("%s: %v writes with %d significant digits, more than %d", what, part, n, Digits)
	}
	if population >= 100 && exact != 0 && math.Abs(part-exact) >= 0.5e-3*math.Abs(exact) {
		t.Errorf("%s (%d inhabitants): %v for an exact share of %v, fewer than 4 significant digits", what, population, part, exact)
	}
}

// goalUnits adds up goals' targets per lever and metric, in nano-units (SumUnits), as sums
// of goals are made.
func goalUnits(gs []Goal[int]) map[GoalKey]int64 {
	out := map[GoalKey]int64{}
	for _, g := range gs {
		out[g.Key()] += SumUnits(g.Target)
	}
	return out
}

// addsUp tells whether parts add up exactly to whole in quanta of the whole.
func addsUp(parts []float64, whole float64) bool {
	var n int64
	for _, p := range parts {
		n += InQuanta(p, whole)
	}
	return n == InQuanta(whole, whole)
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
		// region whole), in quanta of the region's figure.
		deps := map[GoalKey][]float64{}
		for _, l := range c.Under(r, hierarchy.Department) {
			for _, g := range all[l.Child] {
				deps[g.Key()] = append(deps[g.Key()], g.Target)
			}
		}
		for _, g := range all[r] {
			if g.Metric == Physical && !c.Extensive[g.Lever] {
				continue
			}
			if !addsUp(deps[g.Key()], g.Target) {
				t.Errorf("%s %v: departments %v do not add up to the region's %v", r, g.Key(), deps[g.Key()], g.Target)
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
				levers += SumUnits(x.Target)
			}
		}
		for _, r := range regionsOf(c) {
			if rg, ok := SectorGoal(all[r], family[0], family, GHGAvoided); ok {
				regions += SumUnits(rg.Target)
			}
		}
		if !ok || SumUnits(g.Target) != levers || levers != regions {
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
		parts[o.Territory][o.Key()] += SumUnits(o.Target)
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
		sum := map[GoalKey][]float64{}
		dep := map[GoalKey]float64{}
		for _, g := range all[x.Key] {
			dep[g.Key()] = g.Target
		}
		for i, cm := range cv.Children {
			for _, g := range CommuneGoals(nil, split, i) {
				if !g.Derived {
					t.Fatalf("commune %s: %v is not marked derived", cm.Code, g.Key())
				}
				sum[g.Key()] = append(sum[g.Key()], g.Target)
				exact := dep[g.Key()] * float64(cv.Inside[i]) / float64(cv.Population)
				checkPart(t, fmt.Sprintf("commune %s %v", cm.Code, g.Key()), g.Target, exact, dep[g.Key()], cv.Inside[i])
			}
			communes++
		}
		for k, v := range dep {
			if !addsUp(sum[k], v) {
				t.Errorf("department %s %v: its communes do not add up to its %v", x.Code, k, v)
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

// TestRegionObjectivesAsTheFileWrites: every region's own objective is the SGPE file's
// figure to the file's precision: emissions avoided as written (objCO2), the physical
// target startPoint2019 + objCO2 × ratioCO2toPhys computed on the decimals written, both
// read here on their own (json.Number, big.Rat) and held to 12 significant digits.
func TestRegionObjectivesAsTheFileWrites(t *testing.T) {
	c := load(t)
	b, err := os.ReadFile("../data/planning/sgpe-simulateur-territorial.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	rat := func(v any) *big.Rat {
		r, ok := new(big.Rat).SetString(string(v.(json.Number)))
		if !ok {
			t.Fatalf("%v is not a number", v)
		}
		return r
	}
	type key struct {
		region, lever string
		metric        Metric
	}
	want := map[key]*big.Rat{}
	codes := SGPERegionCodes(regionTerritories(c))
	for _, r := range rows {
		code, ok := codes(r["regionName"].(string))
		if !ok || r["regionEnabled"] != true {
			continue
		}
		lever := r["id"].(string)
		want[key{code, lever, GHGAvoided}] = rat(r["objCO2"])
		if u, _ := r["unitPhys"].(string); u != "" {
			x := new(big.Rat).Mul(rat(r["objCO2"]), rat(r["ratioCO2toPhys"]))
			want[key{code, lever, Physical}] = x.Add(x, rat(r["startPoint2019"]))
		}
	}
	levers := map[int]string{}
	for code, id := range c.LeverID {
		levers[id] = code
	}
	checked, physical := 0, 0
	for _, o := range c.Objectives {
		if o.Derived {
			continue
		}
		w, ok := want[key{o.Territory.Code, levers[o.Lever], o.Metric}]
		if !ok {
			t.Errorf("%s %s %s: not in the file", o.Territory, levers[o.Lever], o.Metric)
			continue
		}
		exact, _ := w.Float64()
		if o.Target != RoundSig(exact) {
			t.Errorf("%s %s %s: %v, the file gives %s", o.Territory.Code, levers[o.Lever], o.Metric, o.Target, w.FloatString(12))
		}
		if d := new(big.Rat).Sub(new(big.Rat).SetFloat64(o.Target), w); exact != 0 && math.Abs(must(d.Float64())/exact) > 5e-12 {
			t.Errorf("%s %s %s: %v is %v off the file's %s", o.Territory.Code, levers[o.Lever], o.Metric, o.Target, d.FloatString(15), w.FloatString(12))
		}
		if n := SignificantDigits(o.Target); n > Digits {
			t.Errorf("%s %s %s: %v has %d significant digits", o.Territory.Code, levers[o.Lever], o.Metric, o.Target, n)
		}
		checked++
		if o.Metric == Physical {
			physical++
		}
	}
	if checked != len(want) || physical < 250 {
		t.Errorf("checked %d of the file's %d figures (%d physical)", checked, len(want), physical)
	}
}

func must(v float64, _ bool) float64 { return v }

func regionTerritories(c *country.Country) []hierarchy.Territory {
	var out []hierarchy.Territory
	for _, k := range regionsOf(c) {
		out = append(out, *c.ByKey[k])
	}
	return out
}

// TestSmallTerritoriesKeepTheirDigits: the cases fixed decimals got wrong. CC du Causse de
// Labastide Murat (3,888 inhabitants) had a 2030 target of 0 TWh of tertiary fuel oil;
// Bléruais (35026, 97 inhabitants) 0 TWh of it, 0 kha of land take and 0.008 thousand
// electric vehicles for 0.00836. Each now keeps at least 4 significant digits of its
// exact share of its region's objective.
func TestSmallTerritoriesKeepTheirDigits(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		territory hierarchy.Key
		levers    []string
	}{
		{hierarchy.Key{Level: hierarchy.EPCI, Code: "244600573"}, []string{"reduc_tfioul"}},
		{hierarchy.Key{Level: hierarchy.Commune, Code: "35026"}, []string{"reduc_tfioul", "reduc_artif", "augm_voitelec"}},
	} {
		self := c.ByKey[tc.territory]
		var region *hierarchy.Territory
		for _, w := range c.Within(tc.territory) {
			if w.Territory.Level == hierarchy.Region {
				region = c.ByKey[w.Territory]
			}
		}
		gs, err := c.Goals(tc.territory, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, lever := range tc.levers {
			var own *Candidate[int]
			for _, o := range c.ObjectivesOf(region.Key) {
				if o.Lever == c.LeverID[lever] && o.Metric == Physical {
					own = &o.Candidate
				}
			}
			var got *Goal[int]
			for i, g := range gs {
				if g.Lever == c.LeverID[lever] && g.Metric == Physical {
					got = &gs[i]
				}
			}
			if own == nil || got == nil {
				t.Fatalf("%s %s: no physical objective (region's %v, its %v)", self.Name, lever, own, got)
			}
			share := float64(self.Population) / float64(region.Population)
			for _, f := range [][2]float64{{got.Target, own.Target}, {got.Baseline, own.Baseline}} {
				exact := f[1] * share
				if f[0] == 0 || math.Abs(f[0]-exact) >= 0.5e-3*math.Abs(exact) {
					t.Errorf("%s %s: %v %s, its exact share of the region's %v is %v", self.Name, lever, f[0], own.Unit, f[1], exact)
				}
			}
			t.Logf("%s %s: %v → %v %s", self.Name, lever, got.Baseline, got.Target, own.Unit)
		}
	}
}
