package planning

import (
	"math"
	"strconv"
	"testing"
)

func TestQuantumExp(t *testing.T) {
	for _, tc := range []struct {
		w    float64
		want int
	}{
		{0.93029, -12},
		{1379.8038, -8},
		{1, -11},
		{0.999999999999, -23 + 11}, // below 1: the first digit is the tenth
		{1000, -8},
		{999.9999999999, -9},
		{-2768.67188288, -8},
		{1e-30, minQuantumExp},
		{0, minQuantumExp},
		{1e15, 4},
	} {
		if got := QuantumExp(tc.w); got != tc.want {
			t.Errorf("QuantumExp(%v) = %d, want %d", tc.w, got, tc.want)
		}
	}
}

func TestRoundSig(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{2389.9729786000003, "2389.9729786"},
		{0.1 + 0.2, "0.3"},
		{459.68505216000005, "459.68505216"},
		{0.93029, "0.93029"},
		{0.000008123456789012345, "0.00000812345678901"},
		{123456789012.5, "123456789013"},
		{-2.00056, "-2.00056"},
		{-1e-25, "0"},
	} {
		if s := strconv.FormatFloat(RoundSig(tc.v), 'f', -1, 64); s != tc.want {
			t.Errorf("RoundSig(%v) = %s, want %s", tc.v, s, tc.want)
		}
	}
	if RoundSig(math.Inf(1)) != math.Inf(1) || RoundSigPtr(nil) != nil {
		t.Error("RoundSig changes infinities or nil")
	}
}

// TestAllocate checks that the parts, in quanta of the whole's magnitude, add up exactly to
// the whole, keep their digits however small, and write without noise.
func TestAllocate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   float64
		weights []float64
		want    []string
	}{
		{"thirds", 1, []float64{1, 1, 1}, []string{"0.33333333334", "0.33333333333", "0.33333333333"}},
		{"unallocated last", 625.66, []float64{480178, 2919488}, []string{"88.369906773", "537.290093227"}},
		{"a commune of 97 in a region of 3.4 million", 0.93029, []float64{97, 3_400_000 - 97}, []string{"0.000026540626", "0.930263459374"}},
		{"negative", -2, []float64{1, 1}, []string{"-1", "-1"}},
		{"nothing", 0, []float64{1, 2}, []string{"0", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Allocate(tc.total, tc.weights)
			if err != nil {
				t.Fatal(err)
			}
			e := QuantumExp(tc.total)
			var sum int64
			for i := range got {
				if s := strconv.FormatFloat(got[i], 'f', -1, 64); s != tc.want[i] {
					t.Errorf("part %d = %s, want %s", i, s, tc.want[i])
				}
				sum += toQuanta(got[i], e)
			}
			if sum != toQuanta(tc.total, e) {
				t.Errorf("parts add up to %d quanta, the whole is %d", sum, toQuanta(tc.total, e))
			}
		})
	}
	if _, err := Allocate(1, []float64{0, 0}); err == nil {
		t.Error("Allocate accepted weights summing to 0")
	}
	if _, err := Allocate(math.NaN(), []float64{1}); err == nil {
		t.Error("Allocate accepted NaN")
	}
}

func TestSumUnits(t *testing.T) {
	var n int64
	for _, v := range []float64{0.1, 0.2, 1379.8038, 0.000026540446} {
		n += SumUnits(v)
	}
	if s := strconv.FormatFloat(FromSumUnits(n), 'f', -1, 64); s != "1380.103826540" && s != "1380.10382654" {
		t.Errorf("sum = %s, want 1380.10382654", s)
	}
	if got := FromSumUnits(SumUnits(123456.123456789)); got != 123456.123456789 {
		t.Errorf("a sum below 10^6 is not kept exactly: %v", got)
	}
	if s := strconv.FormatFloat(FromSumUnits(1234567_123456789_0), 'f', -1, 64); s != "12345671.2345679" {
		t.Errorf("a sum above 10^6 = %s, want 15 significant digits", s)
	}
}
