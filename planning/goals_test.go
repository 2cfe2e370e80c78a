package planning

import (
	"reflect"
	"testing"
)

// ghg is an emissions objective of a lever, or of a sector when lever is 0, with its id.
func ghg(id, lever, sector int, target float64, derived bool) Candidate[int] {
	return Candidate[int]{Objective: id, Lever: lever, Sector: sector, Metric: GHGAvoided, Derived: derived,
		Figures: Figures{Unit: KtCO2e, BaselineYear: 2019, TargetYear: 2030, Target: target}}
}

func TestSumGoal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []Candidate[int]
		ok      bool
		target  float64
		from    []int
		derived bool
	}{
		{"nothing", nil, false, 0, nil, false},
		{"derived only: summed (an EPCI in two regions)", []Candidate[int]{ghg(1, 7, 2, 10.5, true), ghg(2, 7, 2, 0.25, true)}, true, 10.75, []int{1, 2}, true},
		{"own takes the place of derived", []Candidate[int]{ghg(1, 7, 2, 10.5, true), ghg(2, 7, 2, 3, false)}, true, 3, []int{2}, false},
		{"every own one is summed", []Candidate[int]{ghg(1, 7, 2, 3, false), ghg(2, 7, 2, 10.5, true), ghg(3, 7, 2, 4, false)}, true, 7, []int{1, 3}, false},
		// Summed in nano-units: the sum does not depend on the order, and writes as a
		// decimal (0.1 + 0.2 + 0.00004 in floats is 0.30004000000000003).
		{"sum in units", []Candidate[int]{ghg(1, 7, 2, 0.1, true), ghg(2, 7, 2, 0.2, true), ghg(3, 7, 2, 0.00004, true)}, true, 0.30004, []int{1, 2, 3}, true},
		{"below a nano-unit", []Candidate[int]{ghg(1, 7, 2, 0.1, true), ghg(2, 7, 2, 0.0000000004, true)}, true, 0.1, []int{1, 2}, true},
		{"one is kept to all its digits", []Candidate[int]{ghg(1, 7, 2, 0.000000123456789012, true)}, true, 0.000000123456789012, []int{1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := SumGoal(tc.in)
			if ok != tc.ok || g.Target != tc.target || !reflect.DeepEqual(g.From, tc.from) || g.Derived != tc.derived {
				t.Errorf("SumGoal = %+v, %t; want target %v from %v derived %t, %t", g, ok, tc.target, tc.from, tc.derived, tc.ok)
			}
			if ok && (g.Lever != 7 || g.Sector != 2 || g.Unit != KtCO2e || g.TargetYear != 2030) {
				t.Errorf("SumGoal = %+v: lever, sector, unit or years are not the objectives'", g)
			}
		})
	}
}

func TestGoalsOnePerKeyInOrder(t *testing.T) {
	phys := ghg(5, 7, 2, 100, false)
	phys.Metric, phys.Unit = Physical, "km"
	gs := Goals([]Candidate[int]{ghg(1, 9, 2, 1, true), phys, ghg(2, 7, 2, 2, true), ghg(3, 0, 4, 5, false), ghg(4, 7, 2, 3, true)})
	var keys []GoalKey
	var targets []float64
	for _, g := range gs {
		keys = append(keys, g.Key())
		targets = append(targets, g.Target)
	}
	want := []GoalKey{{Sector: 4, Metric: GHGAvoided}, {Lever: 7, Metric: GHGAvoided}, {Lever: 7, Metric: Physical}, {Lever: 9, Metric: GHGAvoided}}
	if !reflect.DeepEqual(keys, want) || !reflect.DeepEqual(targets, []float64{5, 5, 100, 1}) {
		t.Errorf("Goals: keys %v targets %v; want %v and [5 5 100 1]", keys, targets, want)
	}
}

func TestCountryCandidates(t *testing.T) {
	regions := []Candidate[int]{ghg(10, 7, 2, 100, false), ghg(11, 7, 2, 50, false), ghg(12, 7, 2, 999, true), ghg(13, 8, 2, 20, false)}
	for _, tc := range []struct {
		name    string
		country []Candidate[int]
		want    map[GoalKey]float64
	}{
		{"the sum of the regions' own, never their derived ones", nil,
			map[GoalKey]float64{{Lever: 7, Metric: GHGAvoided}: 150, {Lever: 8, Metric: GHGAvoided}: 20}},
		{"the country's own takes the place of the regions' for its lever only", []Candidate[int]{ghg(1, 7, 2, 120, false)},
			map[GoalKey]float64{{Lever: 7, Metric: GHGAvoided}: 120, {Lever: 8, Metric: GHGAvoided}: 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[GoalKey]float64{}
			for _, g := range Goals(CountryCandidates(tc.country, regions)) {
				got[g.Key()] = g.Target
				if g.Derived {
					t.Errorf("%v is marked derived: the regions' objectives are not a larger territory's", g.Key())
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("country's goals %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSplitGoalAddsUp(t *testing.T) {
	f := Figures{Unit: KtCO2e, BaselineYear: 2019, TargetYear: 2030, Baseline: 10, Target: 966.1408}
	parts, err := SplitGoal(f, []float64{1, 1, 1, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var base, target int64
	for _, p := range parts {
		base += InQuanta(p.Baseline, 10)
		target += InQuanta(p.Target, 966.1408)
		if p.Unit != f.Unit || p.BaselineYear != 2019 || p.TargetYear != 2030 {
			t.Errorf("part %+v: unit or years changed", p)
		}
	}
	if base != InQuanta(10, 10) || target != InQuanta(966.1408, 966.1408) {
		t.Errorf("parts add up to %d and %d quanta, want the whole", base, target)
	}
	if parts[3].Target*2 > parts[0].Target+2e-9 {
		t.Errorf("the last part (half the weight) is %v, the first %v", parts[3].Target, parts[0].Target)
	}
	if _, err := SplitGoal(f, []float64{0, 0}); err == nil {
		t.Error("weights summing to 0 are accepted")
	}
}

func TestCommuneGoals(t *testing.T) {
	department := Goals([]Candidate[int]{ghg(1, 7, 2, 30, true), ghg(2, 8, 2, 3, false)})
	split, err := SplitGoals(department, []float64{2, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	own := Goals([]Candidate[int]{ghg(3, 8, 2, 0.5, false)})
	got := CommuneGoals(own, split, 0)
	if len(got) != 2 {
		t.Fatalf("CommuneGoals = %+v, want two goals", got)
	}
	if g := got[0]; g.Lever != 7 || g.Target != 20 || !g.Derived || !reflect.DeepEqual(g.From, []int{1}) {
		t.Errorf("lever 7: %+v; want its part of the department's 30, 20, derived, from objective 1", g)
	}
	if g := got[1]; g.Lever != 8 || g.Target != 0.5 || g.Derived || !reflect.DeepEqual(g.From, []int{3}) {
		t.Errorf("lever 8: %+v; want its own 0.5", g)
	}
	if g := CommuneGoals(nil, split, 1); g[0].Target != 10 || g[1].Target != 1 {
		t.Errorf("the second commune: %+v; want 10 and 1", g)
	}
}

func TestSectorGoal(t *testing.T) {
	// Sector 2 with its subdivision 3; levers 7 (sector 2) and 8 (sector 3); lever 9 in
	// sector 4.
	phys := ghg(6, 7, 2, 100, false)
	phys.Metric, phys.Unit = Physical, "km"
	levers := Goals([]Candidate[int]{ghg(1, 7, 2, 10, true), ghg(2, 8, 3, 2.5, false), ghg(3, 9, 4, 1000, false), phys})
	family := []int{2, 3}
	if g, ok := SectorGoal(levers, 2, family, GHGAvoided); !ok || g.Target != 12.5 || g.Sector != 2 || g.Lever != 0 ||
		!g.Derived || !reflect.DeepEqual(g.From, []int{1, 2}) {
		t.Errorf("levers' sum = %+v, %t; want 12.5 from 1 and 2, derived", g, ok)
	}
	own := append(Goals([]Candidate[int]{ghg(4, 0, 2, 40, false)}), levers...)
	if g, ok := SectorGoal(own, 2, family, GHGAvoided); !ok || g.Target != 40 || g.Derived || !reflect.DeepEqual(g.From, []int{4}) {
		t.Errorf("own = %+v, %t; want its own 40", g, ok)
	}
	if g, ok := SectorGoal(levers, 2, family, Physical); ok {
		t.Errorf("physical quantities of levers add up to %+v; want none", g)
	}
	if g, ok := SectorGoal(levers, 5, []int{5}, GHGAvoided); ok {
		t.Errorf("a sector without objectives has %+v", g)
	}
}

func TestDivisible(t *testing.T) {
	for _, tc := range []struct {
		metric    Metric
		extensive bool
		want      bool
	}{{GHGAvoided, false, true}, {GHGEmissions, false, true}, {Physical, true, true}, {Physical, false, false}} {
		if got := Divisible(tc.metric, tc.extensive); got != tc.want {
			t.Errorf("Divisible(%s, %t) = %t", tc.metric, tc.extensive, got)
		}
	}
}
