package planning

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Precision is the number of units in one unit of a broken-down value: values are split
// in millionths, so that the parts add up exactly to the whole at that precision.
const Precision = 1_000_000

// ErrNoWeight refuses a breakdown whose weights do not sum to a positive total.
var ErrNoWeight = errors.New("weights do not sum to a positive total")

// Split divides total over weights in proportion, by the largest remainder method on
// millionths: the parts, in millionths, add up exactly to total in millionths. Weights
// must not be negative and must sum to a positive total; total must be finite and at most
// MaxSplitTotal in absolute value, so that its millionths fit in an int64.
func Split(total float64, weights []float64) ([]int64, error) {
	if !(math.Abs(total) <= MaxSplitTotal) { // also refuses NaN
		return nil, fmt.Errorf("total %g cannot be split: it must be finite and at most %g in absolute value", total, float64(MaxSplitTotal))
	}
	return splitUnits(ToMicro(total), weights)
}

// splitUnits divides whole units over weights by the largest remainder method: the
// algorithm of Split and Allocate.
func splitUnits(whole int64, weights []float64) ([]int64, error) {
	var sum float64
	for i, w := range weights {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("weight %d is %v: weights must be finite and not negative", i+1, w)
		}
		sum += w
	}
	if !(sum > 0) {
		return nil, ErrNoWeight
	}
	sign := int64(1)
	if whole < 0 {
		sign, whole = -1, -whole
	}
	parts := make([]int64, len(weights))
	if whole == 0 {
		return parts, nil // nothing to hand out (the baseline of emissions avoided)
	}
	type rest struct {
		i    int
		frac float64
	}
	rests := make([]rest, len(weights))
	var given int64
	for i, w := range weights {
		exact := float64(whole) * (w / sum)
		parts[i] = int64(math.Floor(exact))
		given += parts[i]
		rests[i] = rest{i, exact - float64(parts[i])}
	}
	// Largest remainder first, ties in the order of the weights: the order a stable sort
	// on the remainders gives, sorted faster (the thousands of communes of a region).
	slices.SortFunc(rests, func(a, b rest) int {
		if c := cmp.Compare(b.frac, a.frac); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	// Floating-point rounding can leave the floors a few units off either way:
	// hand the difference out by largest remainder, or take it back by smallest.
	for k := 0; given < whole; k = (k + 1) % len(rests) {
		if weights[rests[k].i] > 0 {
			parts[rests[k].i]++
			given++
		}
	}
	for k := len(rests) - 1; given > whole; k = (k - 1 + len(rests)) % len(rests) {
		if parts[rests[k].i] > 0 {
			parts[rests[k].i]--
			given--
		}
	}
	for i := range parts {
		parts[i] *= sign
	}
	return parts, nil
}

// ToMicro converts a value to millionths, rounding to the nearest.
func ToMicro(v float64) int64 { return int64(math.Round(v * Precision)) }

// FromMicro converts millionths back to a value.
func FromMicro(m int64) float64 { return float64(m) / Precision }
