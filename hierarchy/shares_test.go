package hierarchy

import (
	"math"
	"reflect"
	"testing"
)

func TestInside(t *testing.T) {
	for _, tc := range []struct {
		population int64
		weight     float64
		want       int64
	}{
		{480178, 1, 480178},
		{1000, 0.2345, 235},
		{3, 1.0 / 3, 1}, // 0.99999... is one inhabitant
		{0, 0.5, 0},
	} {
		if got := Inside(tc.population, tc.weight); got != tc.want {
			t.Errorf("Inside(%d, %v) = %d, want %d", tc.population, tc.weight, got, tc.want)
		}
	}
}

func TestCover(t *testing.T) {
	for _, tc := range []struct {
		name        string
		population  int64
		inside      []int64
		shares      []float64
		unallocated int64
		weights     []float64
	}{
		{"children cover the parent", 100, []int64{60, 40}, []float64{0.6, 0.4}, 0, []float64{60, 40, 0}},
		// 4 CRTE of 3.4 million people covering 1.1 million: each keeps its share of the
		// region, the rest is unallocated instead of inflating them.
		{"a few children", 3_400_000, []int64{480_178, 600_000}, []float64{480_178.0 / 3_400_000, 600_000.0 / 3_400_000}, 2_319_822,
			[]float64{480_178, 600_000, 2_319_822}},
		{"islands in no EPCI", 10_000, []int64{9_995}, []float64{0.9995}, 5, []float64{9_995, 5}},
		{"no child", 50, nil, nil, 50, []float64{50}},
		{"overlapping children never exceed the whole", 100, []int64{80, 40}, []float64{80.0 / 120, 40.0 / 120}, 0, []float64{80, 40, 0}},
		{"no inhabitant", 0, []int64{0}, []float64{0}, 0, []float64{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCover(tc.population, tc.inside)
			if c.Unallocated != tc.unallocated {
				t.Errorf("Unallocated = %d, want %d", c.Unallocated, tc.unallocated)
			}
			sum := c.UnallocatedShare()
			for i := range tc.inside {
				if got := c.Share(i); math.Abs(got-tc.shares[i]) > 1e-15 {
					t.Errorf("Share(%d) = %v, want %v", i, got, tc.shares[i])
				}
				sum += c.Share(i)
			}
			if tc.population > 0 && math.Abs(sum-1) > 1e-12 {
				t.Errorf("shares and unallocated share add up to %v, want 1", sum)
			}
			if got := c.Weights(); !reflect.DeepEqual(got, tc.weights) {
				t.Errorf("Weights = %v, want %v", got, tc.weights)
			}
		})
	}
}

func TestCoverSpread(t *testing.T) {
	c := NewCover(100, []int64{30, 50}) // 20 unallocated
	if got, want := c.Spread([]float64{1, 3}), []float64{20, 60, 20}; !reflect.DeepEqual(got, want) {
		t.Errorf("Spread = %v, want %v: the key spreads the covered 80, the 20 stay unallocated", got, want)
	}
	if got := c.Spread([]float64{0, 0}); got != nil {
		t.Errorf("Spread of a key summing to 0 = %v, want nil", got)
	}
}

func TestInsideBoth(t *testing.T) {
	for _, tc := range []struct {
		name                             string
		inChild, inParent, childInParent float64
		want                             float64
	}{
		{"child wholly in the parent: the weight in the child", 0.3, 0.7, 1, 0.3},
		{"a commune of the child inside the parent", 1, 1, 0.6, 1},
		{"a commune of the child outside the parent", 1, 0, 0.6, 0},
		{"the child itself, straddling the parent", 1, 0.6, 0.6, 0.6},
		{"a carrier wholly in the parent", 0.4, 1, 0.5, 0.4},
		{"a carrier outside the child", 0, 0.5, 0.5, 0},
		{"straddling both: estimated", 0.5, 0.5, 0.5, 0.25},
	} {
		if got := InsideBoth(tc.inChild, tc.inParent, tc.childInParent); got != tc.want {
			t.Errorf("%s: InsideBoth(%v, %v, %v) = %v, want %v", tc.name, tc.inChild, tc.inParent, tc.childInParent, got, tc.want)
		}
	}
}
