package planning

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func show(s []Standing, ranks []int) string {
	out := ""
	for i, x := range s {
		v := "-"
		if x.Value != nil {
			v = fmt.Sprint(*x.Value)
		}
		out += fmt.Sprintf("%s=%s#%d ", x.Code, v, ranks[i])
	}
	return out
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         []Standing
		descending bool
		want       string
	}{
		{"descending, ties by code share a rank", []Standing{{"35", f(2)}, {"22", f(5)}, {"56", f(5)}, {"29", f(1)}}, true,
			"22=5#1 56=5#1 35=2#3 29=1#4 "},
		{"ascending", []Standing{{"35", f(2)}, {"22", f(5)}, {"56", f(5)}, {"29", f(1)}}, false,
			"29=1#1 35=2#2 22=5#3 56=5#3 "},
		{"no value last whatever the direction, by code", []Standing{{"b", nil}, {"c", f(0)}, {"a", nil}, {"d", f(-1)}}, true,
			"c=0#1 d=-1#2 a=-#0 b=-#0 "},
		{"no value last ascending", []Standing{{"b", nil}, {"c", f(0)}, {"a", nil}, {"d", f(-1)}}, false,
			"d=-1#1 c=0#2 a=-#0 b=-#0 "},
		{"all equal", []Standing{{"3", f(0)}, {"1", f(0)}, {"2", f(0)}}, true, "1=0#1 2=0#1 3=0#1 "},
		{"empty", nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			ranks := Rank(in, func(s Standing) Standing { return s }, tc.descending)
			if got := show(in, ranks); got != tc.want {
				t.Errorf("Rank = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRankBeforeIsAStrictOrder checks that RankBefore never puts two items before each
// other, so that a cursor (a standing) splits a ranking in one place.
func TestRankBeforeIsAStrictOrder(t *testing.T) {
	vals := []*float64{nil, f(-1), f(0), f(0), f(2.5), f(math.MaxFloat64)}
	codes := []string{"", "01", "2A", "2B", "35"}
	for _, desc := range []bool{true, false} {
		for _, va := range vals {
			for _, vb := range vals {
				for _, ca := range codes {
					for _, cb := range codes {
						a, b := Standing{ca, va}, Standing{cb, vb}
						if RankBefore(a, b, desc) && RankBefore(b, a, desc) {
							t.Fatalf("%v and %v are each before the other", a, b)
						}
						if ca == cb && (va == nil) == (vb == nil) && (va == nil || *va == *vb) && RankBefore(a, b, desc) {
							t.Fatalf("%v is before its equal", a)
						}
					}
				}
			}
		}
	}
}

func TestPerInhabitant(t *testing.T) {
	for _, tc := range []struct {
		v    *float64
		pop  int64
		want *float64
	}{
		{f(1000), 250, f(4)},
		{f(0), 10, f(0)},
		{nil, 10, nil},
		{f(5), 0, nil},
	} {
		got := PerInhabitant(tc.v, tc.pop)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("PerInhabitant(%v, %d) = %v, want %v", tc.v, tc.pop, got, tc.want)
		}
	}
}
