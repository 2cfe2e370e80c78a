package hierarchy

import "math"

// Shares: the one rule of what part of a territory each of its descendants of one level
// holds. A child's part of its parent is the population it has inside the parent over the
// parent's population; what no child covers (communes in no EPCI, a region where only a
// few CRTE are known) is its own part, "unallocated", never spread over the others. The
// breakdowns, the derived objectives, the objectives of communes and the rows of
// rollupBy(CHILD) all use it.

// Inside is the population of a territory living inside a larger one: its population
// times the weight of its link there, to the inhabitant (both come from the populations
// of whole communes, so the product is a whole number up to floating-point rounding).
func Inside(population int64, weight float64) int64 {
	return int64(math.Round(float64(population) * weight))
}

// Cover is how the descendants of one level of a territory cover it.
type Cover struct {
	// Population is the parent's.
	Population int64
	// Inside holds each child's population inside the parent, in the caller's order.
	Inside []int64
	// Unallocated is the parent's population that lives in none of the children.
	Unallocated int64
}

// NewCover returns the cover of a parent of the given population by children with the
// given populations inside it.
func NewCover(population int64, inside []int64) Cover {
	c := Cover{Population: population, Inside: inside}
	if s := c.covered(); s < population {
		c.Unallocated = population - s
	}
	return c
}

func (c Cover) covered() int64 {
	var s int64
	for _, p := range c.Inside {
		s += p
	}
	return s
}

// whole is what shares are taken of: the parent's population, or, should children
// overlap (they do not in the hierarchy: a commune is in at most one EPCI and one CRTE),
// what they hold together, so that the parts never exceed the whole.
func (c Cover) whole() int64 { return max(c.Population, c.covered()) }

// Share is child i's share of the parent: its population inside the parent over the
// parent's population. 0 for a parent without inhabitants.
func (c Cover) Share(i int) float64 {
	if w := c.whole(); w > 0 {
		return float64(c.Inside[i]) / float64(w)
	}
	return 0
}

// UnallocatedShare is the share of the parent no child covers; the children's shares and
// it add up to 1.
func (c Cover) UnallocatedShare() float64 {
	if w := c.whole(); w > 0 {
		return float64(c.Unallocated) / float64(w)
	}
	return 0
}

// Weights are the key that splits an amount of the parent over its children: each
// child's population inside the parent, then the unallocated population. The last part
// of the split is what no child covers.
func (c Cover) Weights() []float64 {
	w := make([]float64, len(c.Inside)+1)
	for i, p := range c.Inside {
		w[i] = float64(p)
	}
	w[len(c.Inside)] = float64(c.Unallocated)
	return w
}

// Spread returns weights that give the covered part of the parent to the children in
// proportion to key (an observed indicator, custom weights) and keep the unallocated
// part as it is: the children's parts add up to their population share together,
// whatever the key. It returns nil when the key does not sum to a positive total.
func (c Cover) Spread(key []float64) []float64 {
	var sum float64
	for _, k := range key {
		sum += k
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return nil
	}
	covered := float64(c.whole() - c.Unallocated)
	w := make([]float64, len(key)+1)
	for i, k := range key {
		w[i] = covered * k / sum
	}
	w[len(key)] = float64(c.Unallocated)
	return w
}

// InsideBoth is the share of a carrier's population living in both a child and its
// parent, from the carrier's weight in the child, its weight in the parent and the
// child's weight in the parent: the weight of a record in a rollupBy(CHILD) row. It is
// exact when the child lies wholly in the parent (then it is the weight in the child),
// and when the carrier lies wholly in the child or in the parent, as communes always do;
// otherwise (a grouping straddling both a child and the parent's border) it is estimated
// as if the carrier's population were spread evenly.
func InsideBoth(inChild, inParent, childInParent float64) float64 {
	if childInParent >= 1 {
		return inChild
	}
	return inChild * inParent
}
