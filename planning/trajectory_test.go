package planning

import (
	"math"
	"testing"
)

func TestLineAt(t *testing.T) {
	// 2019: 100, 2030: 320 (+20 a year).
	line := Line{Baseline: Point{2019, 100}, Target: Point{2030, 320}}
	down := Line{Baseline: Point{2019, 437.7}, Target: Point{2030, 273.6}}
	for _, tc := range []struct {
		line Line
		year int
		want *float64
	}{
		{line, 2018, nil},
		{line, 2019, f(100)},
		{line, 2020, f(120)},
		{line, 2024, f(200)},
		{line, 2030, f(320)},
		{line, 2035, f(320)}, // the target reached is kept
		{down, 2019, f(437.7)},
		{down, 2030, f(273.6)},
		{down, 2025, f(437.7 + 6.0/11*(273.6-437.7))},
		{Line{Point{2030, 1}, Point{2019, 2}}, 2025, nil}, // target before baseline
	} {
		got := tc.line.At(tc.year)
		if (got == nil) != (tc.want == nil) || got != nil && math.Abs(*got-*tc.want) > 1e-9 {
			t.Errorf("%v.At(%d) = %v, want %v", tc.line, tc.year, deref(got), deref(tc.want))
		}
	}
}

// TestLineAtMatchesDiagnose checks the trajectory against the diagnostic: the value on
// the line in the latest observation's year is the baseline plus the expected share of
// the way.
func TestLineAtMatchesDiagnose(t *testing.T) {
	base, target := Point{2019, 12.5}, Point{2030, 80}
	for year := 2019; year <= 2034; year++ {
		d, err := Diagnose(base, target, []Point{{year, 40}})
		if err != nil {
			t.Fatal(err)
		}
		want := base.Value + *d.Expected*(target.Value-base.Value)
		if got := (Line{base, target}).At(year); got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("At(%d) = %v, Diagnose expects %v", year, deref(got), want)
		}
	}
}

func TestTrajectory(t *testing.T) {
	line := &Line{Baseline: Point{2019, 0}, Target: Point{2030, 110}}
	obs := []Point{{2018, 1}, {2021, 15}, {2021, 99}, {2023, 41}}
	type pt struct {
		year                        int
		expected, observed, adopted any
	}
	for _, tc := range []struct {
		name     string
		line     *Line
		adopted  map[int]float64
		from, to int
		want     []pt
	}{
		{"line, observations and commitments", line, map[int]float64{2022: 3.5, 2030: 7}, 2018, 2023, []pt{
			{2018, nil, 1.0, 0.0},
			{2019, 0.0, nil, 0.0},
			{2020, 10.0, nil, 0.0},
			{2021, 20.0, 15.0, 0.0}, // the first observation of a year
			{2022, 30.0, nil, 3.5},
			{2023, 40.0, 41.0, 0.0},
		}},
		{"commitments not in the metric", line, nil, 2029, 2031, []pt{
			{2029, 100.0, nil, nil}, {2030, 110.0, nil, nil}, {2031, 110.0, nil, nil},
		}},
		{"no objective", nil, map[int]float64{2030: 2}, 2021, 2021, []pt{{2021, nil, 15.0, 0.0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Trajectory(tc.line, obs, tc.adopted, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d points, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Year != w.year || deref(g.Expected) != w.expected && math.Abs(*g.Expected-w.expected.(float64)) > 1e-9 ||
					deref(g.Observed) != w.observed || deref(g.Adopted) != w.adopted {
					t.Errorf("point %d = {%d %v %v %v}, want %v", i, g.Year, deref(g.Expected), deref(g.Observed), deref(g.Adopted), w)
				}
			}
		})
	}
}

func TestTrajectoryRefuses(t *testing.T) {
	line := &Line{Baseline: Point{2019, 0}, Target: Point{2030, 1}}
	for _, tc := range []struct {
		line     *Line
		from, to int
	}{
		{line, 2031, 2030},
		{line, 1989, 2030},
		{line, 2019, 2101},
		{&Line{Point{2030, 0}, Point{2030, 1}}, 2019, 2030},
	} {
		if _, err := Trajectory(tc.line, nil, nil, tc.from, tc.to); err == nil {
			t.Errorf("Trajectory(%v, %d, %d): no error", tc.line, tc.from, tc.to)
		}
	}
}

func TestInUnit(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		from, to string
		want     float64
		ok       bool
	}{
		{2500, "tCO2e", "ktCO2e", 2.5, true},
		{1.5, "MtCO2e", "ktCO2e", 1500, true},
		{7, "véhicules", "véhicules", 7, true},
		{7, "véhicules", "ktCO2e", 0, false},
	} {
		got, ok := InUnit(tc.v, tc.from, tc.to)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("InUnit(%v, %s, %s) = %v %t, want %v %t", tc.v, tc.from, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}
