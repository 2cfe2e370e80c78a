package hierarchy_test

import (
	"math"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/country"
)

// TestSharesCountryWide checks, on the whole country with the illustrative CRTE, what the
// rows of rollupBy(CHILD) rest on, for every territory and every level below it:
//   - its cover: the children's populations inside it and the unallocated population add
//     up to its population, and the levels that partition it (regions of France,
//     departments, communes) leave nobody unallocated;
//   - for a level that partitions it, a territory carried inside it at that level or
//     below has its share in it spread over the children exactly;
//   - for the others (CRTE, EPCI), hierarchy.InsideBoth never gives the children more than
//     the carrier's share in the parent, so that the rest row is never negative.
func TestSharesCountryWide(t *testing.T) {
	c, err := country.Load()
	if err != nil {
		t.Fatal(err)
	}
	nested := map[hierarchy.Level]bool{hierarchy.Region: true, hierarchy.Department: true, hierarchy.Commune: true}
	checks := 0
	for _, p := range c.Graph.Territories {
		if p.Level == hierarchy.Commune {
			continue
		}
		carriers := append(c.Under(p.Key, ""), hierarchy.Link{Child: p.Key, Parent: p.Key, Weight: 1})
		for _, level := range hierarchy.Levels[p.Level.Rank()+1:] {
			cv := c.Cover(p.Key, level)
			var pop int64
			for _, in := range cv.Inside {
				pop += in
			}
			if pop+cv.Unallocated != p.Population {
				t.Errorf("%s by %s: %d inside, %d unallocated, the population is %d", p.Key, level, pop, cv.Unallocated, p.Population)
			}
			if nested[level] && cv.Unallocated != 0 {
				t.Errorf("%s by %s: %d inhabitants unallocated", p.Key, level, cv.Unallocated)
			}
			child := map[hierarchy.Key]float64{} // child -> its weight in p
			for i, ch := range cv.Children {
				child[ch.Key] = cv.Weight[i]
			}
			for _, carrier := range carriers {
				inParent := carrier.Weight
				var spread float64
				for _, w := range c.Within(carrier.Child) {
					childInParent, ok := child[w.Territory]
					if !ok {
						continue
					}
					if nested[level] {
						spread += w.Weight
					} else {
						spread += hierarchy.InsideBoth(w.Weight, inParent, childInParent)
					}
				}
				checks++
				switch {
				case nested[level] && carrier.Child.Level.Rank() >= level.Rank():
					if math.Abs(spread-inParent) > 1e-9 {
						t.Errorf("%s by %s: %s has %v in it, %v in its children", p.Key, level, carrier.Child, inParent, spread)
					}
				case !nested[level]:
					if spread > inParent+1e-9 {
						t.Errorf("%s by %s: %s has %v in it, its rows would take %v", p.Key, level, carrier.Child, inParent, spread)
					}
				}
			}
		}
	}
	if checks < 400_000 {
		t.Errorf("%d carriers checked, want every territory inside every other, by every level", checks)
	}
	t.Logf("%d carriers in their parents' children", checks)
}
