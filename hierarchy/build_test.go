package hierarchy

import (
	"math"
	"strings"
	"testing"
)

// toy is a small hierarchy: two regions, three departments, an EPCI spanning two
// departments of two regions, a commune without EPCI, and a CRTE made of the EPCI and
// that commune.
func toy() Source {
	return Source{
		Regions: []Territory{
			{Key: Key{Region, "R1"}, Name: "Région Un"},
			{Key: Key{Region, "R2"}, Name: "Région Deux"},
		},
		Departments: []DepartmentRecord{
			{Code: "D1", Region: "R1", Name: "Dép Un"},
			{Code: "D2", Region: "R1", Name: "Dép Deux"},
			{Code: "D3", Region: "R2", Name: "Dép Trois"},
		},
		EPCIs: []Territory{
			{Key: Key{EPCI, "E1"}, Name: "CC Un", Nature: "CC"},
			{Key: Key{EPCI, "E2"}, Name: "CA Deux", Nature: "CA"},
		},
		Communes: []CommuneRecord{
			{Code: "C1", Department: "D1", EPCI: "E1", Population: 100},
			{Code: "C2", Department: "D1", EPCI: "E1", Population: 100},
			{Code: "C3", Department: "D3", EPCI: "E1", Population: 200},
			{Code: "C4", Department: "D2", EPCI: "E2", Population: 50},
			{Code: "C5", Department: "D2", Population: 30},
			{Code: "C6", Department: "D3", EPCI: "E2", Population: 0},
		},
		CRTEs: []CRTEPerimeter{
			{Code: "K1", Name: "CRTE Un", Members: []Key{{EPCI, "E1"}, {Commune, "C5"}}},
		},
	}
}

func weights(ls []Link, child Key) map[Key]float64 {
	m := map[Key]float64{}
	for _, l := range ls {
		if l.Child == child {
			m[l.Parent] = l.Weight
		}
	}
	return m
}

func TestBuildPopulations(t *testing.T) {
	g, err := Build(toy())
	if err != nil {
		t.Fatal(err)
	}
	pop := map[Key]int64{}
	for _, x := range g.Territories {
		pop[x.Key] = x.Population
	}
	for _, tc := range []struct {
		key  Key
		want int64
	}{
		{Key{Country, "FR"}, 480},
		{Key{Region, "R1"}, 280},
		{Key{Region, "R2"}, 200},
		{Key{Department, "D1"}, 200},
		{Key{Department, "D2"}, 80},
		{Key{EPCI, "E1"}, 400},
		{Key{EPCI, "E2"}, 50},
		{Key{CRTE, "K1"}, 430},
		{Key{Commune, "C6"}, 0},
	} {
		if got := pop[tc.key]; got != tc.want {
			t.Errorf("population of %s = %d, want %d", tc.key, got, tc.want)
		}
	}
}

func TestBuildWeights(t *testing.T) {
	g, err := Build(toy())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		links []Link
		child Key
		want  map[Key]float64
	}{
		{"EPCI over two departments", g.Memberships, Key{EPCI, "E1"},
			map[Key]float64{{Department, "D1"}: 0.5, {Department, "D3"}: 0.5, {CRTE, "K1"}: 1}},
		{"commune member of a CRTE directly", g.Memberships, Key{Commune, "C5"},
			map[Key]float64{{Department, "D2"}: 1, {CRTE, "K1"}: 1}},
		{"commune in a CRTE through its EPCI", g.Memberships, Key{Commune, "C1"},
			map[Key]float64{{Department, "D1"}: 1, {EPCI, "E1"}: 1}},
		{"CRTE over departments", g.Memberships, Key{CRTE, "K1"},
			map[Key]float64{{Department, "D1"}: 200.0 / 430, {Department, "D2"}: 30.0 / 430, {Department, "D3"}: 200.0 / 430}},
		{"EPCI ancestry over regions", g.Ancestry, Key{EPCI, "E1"},
			map[Key]float64{{EPCI, "E1"}: 1, {CRTE, "K1"}: 1, {Department, "D1"}: 0.5, {Department, "D3"}: 0.5,
				{Region, "R1"}: 0.5, {Region, "R2"}: 0.5, {Country, "FR"}: 1}},
		{"EPCI with an empty commune", g.Ancestry, Key{EPCI, "E2"},
			map[Key]float64{{EPCI, "E2"}: 1, {Department, "D2"}: 1, {Department, "D3"}: 0,
				{Region, "R1"}: 1, {Region, "R2"}: 0, {Country, "FR"}: 1}},
		{"commune ancestry", g.Ancestry, Key{Commune, "C3"},
			map[Key]float64{{Commune, "C3"}: 1, {EPCI, "E1"}: 1, {CRTE, "K1"}: 1, {Department, "D3"}: 1, {Region, "R2"}: 1, {Country, "FR"}: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := weights(tc.links, tc.child)
			if len(got) != len(tc.want) {
				t.Fatalf("links of %s = %v, want %v", tc.child, got, tc.want)
			}
			for k, w := range tc.want {
				if math.Abs(got[k]-w) > 1e-12 {
					t.Errorf("weight of %s in %s = %v, want %v", tc.child, k, got[k], w)
				}
			}
		})
	}
}

func TestBuildRefusesBadSources(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Source)
		want   string
	}{
		{"unknown department", func(s *Source) { s.Communes[0].Department = "D9" }, "commune C1: unknown department D9"},
		{"unknown EPCI", func(s *Source) { s.Communes[0].EPCI = "E9" }, "commune C1: unknown EPCI E9"},
		{"unknown region", func(s *Source) { s.Departments[0].Region = "R9" }, "department D1: unknown region R9"},
		{"duplicate commune", func(s *Source) { s.Communes = append(s.Communes, s.Communes[0]) }, "duplicate territory COMMUNE:C1"},
		{"negative population", func(s *Source) { s.Communes[1].Population = -1 }, "negative population"},
		{"member in two CRTE", func(s *Source) {
			s.CRTEs = append(s.CRTEs, CRTEPerimeter{Code: "K2", Name: "CRTE Deux", Members: []Key{{EPCI, "E1"}}})
		}, "member EPCI:E1 is already in CRTE K1"},
		{"CRTE member of a wrong level", func(s *Source) {
			s.CRTEs[0].Members = append(s.CRTEs[0].Members, Key{Department, "D1"})
		}, "neither an EPCI nor a commune"},
		{"commune in two CRTE", func(s *Source) {
			s.CRTEs = append(s.CRTEs, CRTEPerimeter{Code: "K2", Name: "CRTE Deux", Members: []Key{{Commune, "C1"}}})
		}, "commune C1: in CRTE K2 directly and in CRTE K1 through EPCI E1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := toy()
			tc.change(&src)
			g, err := Build(src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, %v; want error containing %q", g != nil, err, tc.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Key
		ok   bool
	}{
		{"EPCI:243500139", Key{EPCI, "243500139"}, true},
		{"COMMUNE:2A004", Key{Commune, "2A004"}, true},
		{"epci:243500139", Key{}, false},
		{"REGION:", Key{}, false},
		{"53", Key{}, false},
	} {
		got, err := ParseKey(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseKey(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
