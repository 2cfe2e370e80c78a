package planning

import (
	"math"
	"strconv"
	"testing"
)

func TestRound(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{459.68505216000005, "milliers de véhicules", "459.685"},
		{22116.235299999997, KtCO2e, "22116.2353"},
		{2455.0710000000004, KtCO2e, "2455.071"},
		{2.54104033365e+11, Euro, "254104033365"},
		{1234.5678, Euro, "1234.57"},
		{0.123456789, Share, "0.123457"},
		{90.300000001, "MtCO2e", "90.3"},
		{1234.66, "tCO2e", "1234.7"},
		{-0.00001, KtCO2e, "0"},
		{-2.00056, KtCO2e, "-2.0006"},
	} {
		got := Round(tc.v, tc.unit)
		if s := strconv.FormatFloat(got, 'f', -1, 64); s != tc.want {
			t.Errorf("Round(%v, %q) = %s, want %s", tc.v, tc.unit, s, tc.want)
		}
	}
	if Round(math.Inf(1), KtCO2e) != math.Inf(1) || RoundPtr(nil, KtCO2e) != nil {
		t.Error("Round changes infinities or nil")
	}
}

func TestDecimals(t *testing.T) {
	for unit, want := range map[string]int{KtCO2e: 4, "MtCO2e": 7, "tCO2e": 1, Euro: 2, Share: 6, "kha": DefaultDecimals} {
		if got := Decimals(unit); got != want {
			t.Errorf("Decimals(%q) = %d, want %d", unit, got, want)
		}
	}
}

// TestAllocate checks that parts at a unit's precision add up exactly to the rounded
// whole, with the last weight taking what is unallocated.
func TestAllocate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   float64
		unit    string
		weights []float64
		want    []float64
	}{
		{"thirds of a ktCO2e", 1, KtCO2e, []float64{1, 1, 1}, []float64{0.3334, 0.3333, 0.3333}},
		{"cents", 10, Euro, []float64{1, 2}, []float64{3.33, 6.67}},
		{"unallocated last", 625.66, KtCO2e, []float64{480178, 2919488}, []float64{88.3699, 537.2901}},
		{"negative", -2, KtCO2e, []float64{1, 1}, []float64{-1, -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Allocate(tc.total, tc.unit, tc.weights)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("part %d = %v, want %v", i, got[i], tc.want[i])
				}
				sum += ToUnits(got[i], tc.unit)
			}
			if sum != ToUnits(tc.total, tc.unit) {
				t.Errorf("parts add up to %d units, the whole is %d", sum, ToUnits(tc.total, tc.unit))
			}
		})
	}
	if _, err := Allocate(1, KtCO2e, []float64{0, 0}); err == nil {
		t.Error("Allocate accepted weights summing to 0")
	}
	if _, err := Allocate(math.NaN(), KtCO2e, []float64{1}); err == nil {
		t.Error("Allocate accepted NaN")
	}
}
