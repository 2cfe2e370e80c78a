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
