package planning

import "sort"

// Standing is where one territory (or sector, or lever) stands on a figure, for a
// ranking: its code breaks ties, and a nil value (no objective, no population) ranks
// after every value.
type Standing struct {
	Code  string
	Value *float64
}

// RankBefore is the one order of every ranking: higher values first when descending,
// lower first otherwise; items without a value last whatever the direction; equal values
// (and items without one) by code, so that pages of a ranking are stable.
func RankBefore(a, b Standing, descending bool) bool {
	switch {
	case (a.Value == nil) != (b.Value == nil):
		return b.Value == nil
	case a.Value != nil && *a.Value != *b.Value:
		return (*a.Value > *b.Value) == descending
	}
	return a.Code < b.Code
}

// Rank sorts items into ranking order (RankBefore) and returns each one's rank, in the
// sorted order: 1 for the first, equal values sharing a rank and the next value's rank
// counting them all (1, 2, 2, 4); 0 for items without a value.
func Rank[T any](items []T, standing func(T) Standing, descending bool) []int {
	sort.SliceStable(items, func(i, j int) bool { return RankBefore(standing(items[i]), standing(items[j]), descending) })
	ranks := make([]int, len(items))
	for i, it := range items {
		s := standing(it)
		switch {
		case s.Value == nil:
			ranks[i] = 0
		case i > 0 && ranks[i-1] > 0 && *standing(items[i-1]).Value == *s.Value:
			ranks[i] = ranks[i-1]
		default:
			ranks[i] = i + 1
		}
	}
	return ranks
}

// PerInhabitant divides a figure by a population: nil when there is no figure or no
// inhabitant.
func PerInhabitant(v *float64, population int64) *float64 {
	if v == nil || population <= 0 {
		return nil
	}
	x := *v / float64(population)
	return &x
}
