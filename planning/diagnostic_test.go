package planning

import "testing"

// TestDiagnoseBothWays checks remaining and travelled for a target above the baseline (an
// increase: electric vehicles) and below it (a reduction: emissions), before and past
// the target.
func TestDiagnoseBothWays(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		baseline, target, latest float64
		travelled, remaining     float64
	}{
		// France, transports (MtCO2e): 135 in 2019, 90.3 aimed at in 2030, 125.4 in 2024.
		{"reduction under way", 135, 90.3, 125.4, 9.6 / 44.7, 35.1},
		{"reduction going backwards", 135, 90.3, 140, -5 / 44.7, 49.7},
		{"reduction past the target", 135, 90.3, 80, 55 / 44.7, 0},
		{"increase under way", 10, 60, 25, 0.3, 35},
		{"increase going backwards", 10, 60, 5, -0.1, 55},
		{"increase past the target", 10, 60, 70, 1.2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Diagnose(Point{2019, tc.baseline}, Point{2030, tc.target}, []Point{{2024, tc.latest}})
			if err != nil {
				t.Fatal(err)
			}
			if !near(d.Travelled, f(tc.travelled)) || !near(d.Remaining, f(tc.remaining)) {
				t.Errorf("travelled %v remaining %v, want %v %v", deref(d.Travelled), deref(d.Remaining), tc.travelled, tc.remaining)
			}
		})
	}
	// A target equal to the baseline (keep the level): the distance to it.
	d, _ := Diagnose(Point{2019, 50}, Point{2030, 50}, []Point{{2024, 47}})
	if !near(d.Remaining, f(3)) || d.Travelled != nil || d.Status != OnTrack {
		t.Errorf("flat target: remaining %v travelled %v status %v", deref(d.Remaining), deref(d.Travelled), d.Status)
	}
}
