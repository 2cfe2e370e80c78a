package data

import (
	"math"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

func build(t *testing.T) (*hierarchy.Source, *hierarchy.Graph) {
	t.Helper()
	src, err := Hierarchy()
	if err != nil {
		t.Fatal(err)
	}
	g, err := hierarchy.Build(src)
	if err != nil {
		t.Fatal(err)
	}
	return &src, g
}

// TestRealDataFacts checks the embedded data against known facts of the 2026 COG.
func TestRealDataFacts(t *testing.T) {
	src, g := build(t)
	if got := len(src.Regions); got != 18 {
		t.Errorf("%d regions, want 18", got)
	}
	if got := len(src.Departments); got != 101 {
		t.Errorf("%d departments, want 101", got)
	}
	if got := len(src.EPCIs); got != 1255 {
		t.Errorf("%d EPCI, want 1255", got)
	}
	if got := len(src.Communes); got < 34800 || got > 34950 {
		t.Errorf("%d communes, want about 34,875", got)
	}
	parents := map[hierarchy.Key][]hierarchy.Link{}
	for _, m := range g.Memberships {
		parents[m.Child] = append(parents[m.Child], m)
	}
	has := func(child, parent hierarchy.Key) bool {
		for _, m := range parents[child] {
			if m.Parent == parent {
				return true
			}
		}
		return false
	}
	rennes := hierarchy.Key{Level: hierarchy.Commune, Code: "35238"}
	rm := hierarchy.Key{Level: hierarchy.EPCI, Code: "243500139"}
	dep35 := hierarchy.Key{Level: hierarchy.Department, Code: "35"}
	if !has(rennes, rm) || !has(rennes, dep35) || !has(rm, dep35) ||
		!has(dep35, hierarchy.Key{Level: hierarchy.Region, Code: "53"}) {
		t.Errorf("Rennes should be in Rennes Métropole, in 35, in region 53: %v %v", parents[rennes], parents[rm])
	}
	mgp := hierarchy.Key{Level: hierarchy.EPCI, Code: "200054781"}
	if got := len(parents[mgp]); got != 6 {
		t.Errorf("Métropole du Grand Paris in %d departments, want 6", got)
	}
	multiDep, multiReg := 0, 0
	regionsOf := map[hierarchy.Key]int{}
	for _, a := range g.Ancestry {
		if a.Child.Level == hierarchy.EPCI && a.Parent.Level == hierarchy.Region {
			regionsOf[a.Child]++
		}
	}
	for _, e := range src.EPCIs {
		if len(parents[e.Key]) > 1 {
			multiDep++
		}
		if regionsOf[e.Key] > 1 {
			multiReg++
		}
	}
	if multiDep != 89 || multiReg != 26 {
		t.Errorf("%d EPCI span several departments (want 89), %d two regions (want 26)", multiDep, multiReg)
	}
}

// TestRealDataInvariants checks the rules every roll-up relies on, on the whole data.
func TestRealDataInvariants(t *testing.T) {
	src, g := build(t)
	depOf := map[hierarchy.Key]int{}
	weightSum := map[hierarchy.Key]map[hierarchy.Level]float64{}
	for _, m := range g.Memberships {
		if m.Child.Level == hierarchy.Commune && m.Parent.Level == hierarchy.Department {
			depOf[m.Child]++
		}
		if weightSum[m.Child] == nil {
			weightSum[m.Child] = map[hierarchy.Level]float64{}
		}
		weightSum[m.Child][m.Parent.Level] += m.Weight
	}
	for _, c := range src.Communes {
		if n := depOf[hierarchy.Key{Level: hierarchy.Commune, Code: c.Code}]; n != 1 {
			t.Errorf("commune %s in %d departments, want exactly 1", c.Code, n)
		}
	}
	for child, byLevel := range weightSum {
		for lv, s := range byLevel {
			if math.Abs(s-1) > 1e-9 {
				t.Errorf("weights of %s over its %s parents sum to %v, want 1", child, lv, s)
			}
		}
	}

	// Populations add up level by level: regions to France, departments to their region,
	// EPCI (weighted) to their department, less the few communes outside any EPCI.
	pop := map[hierarchy.Key]float64{}
	for _, x := range g.Territories {
		pop[x.Key] = float64(x.Population)
	}
	sums := map[hierarchy.Key]map[hierarchy.Level]float64{}
	for _, a := range g.Ancestry {
		if a.Depth() == 0 {
			continue
		}
		if sums[a.Parent] == nil {
			sums[a.Parent] = map[hierarchy.Level]float64{}
		}
		sums[a.Parent][a.Child.Level] += pop[a.Child] * a.Weight
	}
	noEPCI := map[string]float64{} // department -> population outside any EPCI
	for _, c := range src.Communes {
		if c.EPCI == "" {
			noEPCI[c.Department] += float64(c.Population)
		}
	}
	if len(noEPCI) == 0 || len(noEPCI) > 5 {
		t.Errorf("communes without EPCI in %d departments; the 2026 COG has four island communes", len(noEPCI))
	}
	for _, x := range g.Territories {
		s := sums[x.Key]
		check := func(level hierarchy.Level, missing float64) {
			t.Helper()
			if got := s[level] + missing; math.Abs(got-pop[x.Key]) > 1e-6 {
				t.Errorf("%s: its %s add up to %.3f, its population is %.0f", x.Key, level, got, pop[x.Key])
			}
		}
		switch x.Level {
		case hierarchy.Country:
			check(hierarchy.Region, 0)
			check(hierarchy.Department, 0)
			check(hierarchy.Commune, 0)
		case hierarchy.Region:
			check(hierarchy.Department, 0)
			check(hierarchy.Commune, 0)
		case hierarchy.Department:
			check(hierarchy.EPCI, noEPCI[x.Code])
			check(hierarchy.Commune, 0)
		case hierarchy.EPCI:
			check(hierarchy.Commune, 0)
		}
	}
}
