package planning

import (
	"reflect"
	"testing"
)

func TestPreferOwn(t *testing.T) {
	type obj struct {
		name    string
		derived bool
	}
	own1, own2 := obj{"own 1", false}, obj{"own 2", false}
	der1, der2 := obj{"derived 1", true}, obj{"derived 2", true}
	for _, tc := range []struct {
		name string
		in   []obj
		want []obj
	}{
		{"nothing", nil, nil},
		{"derived only: every one, to be summed", []obj{der1, der2}, []obj{der1, der2}},
		{"own wins over derived", []obj{der1, own1, der2}, []obj{own1}},
		{"every own one is kept", []obj{own1, der1, own2}, []obj{own1, own2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PreferOwn(tc.in, func(o obj) bool { return o.derived })
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("PreferOwn = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		objective, adopted float64
		coverage           *float64
		gap                float64
	}{
		{100, 25, f(0.25), 75},
		{100, 0, f(0), 100},
		{100, 150, f(1.5), 0},
		{0, 10, nil, 0},
		{-5, 0, nil, 0},
	} {
		c, g := Coverage(tc.objective, tc.adopted)
		if g != tc.gap || (c == nil) != (tc.coverage == nil) || (c != nil && *c != *tc.coverage) {
			t.Errorf("Coverage(%v, %v) = %v, %v; want %v, %v", tc.objective, tc.adopted, c, g, tc.coverage, tc.gap)
		}
	}
}

func TestSectorRank(t *testing.T) {
	if SectorRank(Sectors[0].Code) != 0 || SectorRank(Sectors[len(Sectors)-1].Code) != len(Sectors)-1 {
		t.Error("catalogue sectors are not ranked in their order")
	}
	if SectorRank("nope") != len(Sectors) {
		t.Error("an unknown sector does not come last")
	}
}

func TestInventorySector(t *testing.T) {
	for code, want := range map[string]string{"transport-voyageurs": "transports", "transports": "transports",
		"residentiel": "batiments", "agriculture": "agriculture", "unknown": "unknown"} {
		if got := InventorySector(code); got != want {
			t.Errorf("InventorySector(%q) = %q, want %q", code, got, want)
		}
	}
}
