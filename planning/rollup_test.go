package planning

import (
	"math"
	"reflect"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

func TestWeigh(t *testing.T) {
	r := Record[string]{Kind: ActionRecord, Carrier: "E", Budget: 1000, KtCO2e: 2}
	if got, want := Weigh(r, 0.25), (Amount{Count: 1, Share: 0.25, Budget: 250, KtCO2e: 0.5}); got != want {
		t.Errorf("Weigh = %+v, want %+v: counted whole, the rest for its share", got, want)
	}
}

func TestRecordCells(t *testing.T) {
	r := Record[string]{Kind: CommitmentRecord, Carrier: "E", Sector: 3, Lever: 0, Status: "ADOPTED", KtCO2e: 4}
	got := RecordCells(r, []Within[string]{{"E", 1}, {"D", 0.5}})
	var cells []Cell[string]
	for _, c := range got {
		cells = append(cells, c.Cell)
		if want := Weigh(r, map[string]float64{"E": 1, "D": 0.5}[c.Territory]); c.Amount != want {
			t.Errorf("%+v adds %+v, want %+v", c.Cell, c.Amount, want)
		}
	}
	cell := func(territory string, sector, lever int) Cell[string] {
		return Cell[string]{Territory: territory, Kind: CommitmentRecord, Sector: sector, Lever: lever, Status: "ADOPTED"}
	}
	want := []Cell[string]{cell("E", 3, 0), cell("E", 3, AllLevers), cell("E", AllSectors, AllLevers),
		cell("D", 3, 0), cell("D", 3, AllLevers), cell("D", AllSectors, AllLevers)}
	if !reflect.DeepEqual(cells, want) {
		t.Errorf("cells %v, want %v", cells, want)
	}
}

// toy is a small hierarchy: two regions, three departments, an EPCI spanning two
// departments of two regions, a commune without EPCI, and a CRTE made of the EPCI and
// that commune.
func toy(t *testing.T) *hierarchy.Graph {
	t.Helper()
	k := func(l hierarchy.Level, c string) hierarchy.Key { return hierarchy.Key{Level: l, Code: c} }
	g, err := hierarchy.Build(hierarchy.Source{
		Regions: []hierarchy.Territory{{Key: k(hierarchy.Region, "R1")}, {Key: k(hierarchy.Region, "R2")}},
		Departments: []hierarchy.DepartmentRecord{{Code: "D1", Region: "R1"}, {Code: "D2", Region: "R1"},
			{Code: "D3", Region: "R2"}},
		EPCIs: []hierarchy.Territory{{Key: k(hierarchy.EPCI, "E1")}, {Key: k(hierarchy.EPCI, "E2")}},
		Communes: []hierarchy.CommuneRecord{
			{Code: "C1", Department: "D1", EPCI: "E1", Population: 100},
			{Code: "C2", Department: "D1", EPCI: "E1", Population: 100},
			{Code: "C3", Department: "D3", EPCI: "E1", Population: 200},
			{Code: "C4", Department: "D2", EPCI: "E2", Population: 50},
			{Code: "C5", Department: "D2", Population: 30},
			{Code: "C6", Department: "D3", EPCI: "E2", Population: 0},
		},
		CRTEs: []hierarchy.CRTEPerimeter{{Code: "K1", Members: []hierarchy.Key{k(hierarchy.EPCI, "E1"), k(hierarchy.Commune, "C5")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// withinOf indexes a graph's ancestry by territory, for RollupCells.
func withinOf(g *hierarchy.Graph) func(hierarchy.Key) []Within[hierarchy.Key] {
	in := map[hierarchy.Key][]Within[hierarchy.Key]{}
	for _, l := range g.Ancestry {
		in[l.Child] = append(in[l.Child], Within[hierarchy.Key]{Territory: l.Parent, Weight: l.Weight})
	}
	return func(k hierarchy.Key) []Within[hierarchy.Key] { return in[k] }
}

// TestRollupCountsOnce checks the invariant roll-ups rest on: for records carried at or
// below a level, the territories of that level inside a parent add up to the parent; and
// the cells of all levers and all sectors add up the others.
func TestRollupCountsOnce(t *testing.T) {
	g := toy(t)
	k := func(l hierarchy.Level, c string) hierarchy.Key { return hierarchy.Key{Level: l, Code: c} }
	var records []Record[hierarchy.Key]
	for i, x := range []struct {
		carrier       hierarchy.Key
		budget        float64
		sector, lever int
	}{
		{k(hierarchy.EPCI, "E1"), 1000, 1, 11}, {k(hierarchy.EPCI, "E2"), 10, 1, 0}, {k(hierarchy.Commune, "C5"), 7, 2, 21},
		{k(hierarchy.CRTE, "K1"), 3, 0, 0}, {k(hierarchy.Department, "D1"), 100, 1, 12}, {k(hierarchy.Commune, "C3"), 1, 2, 21},
	} {
		records = append(records, Record[hierarchy.Key]{Kind: ActionRecord, Carrier: x.carrier, Sector: x.sector, Lever: x.lever,
			Status: []string{"PLANNED", "DONE"}[i%2], Budget: x.budget})
	}
	cells := RollupCells(records, withinOf(g))
	total := func(t hierarchy.Key) (a Amount) {
		for _, s := range []string{"PLANNED", "DONE"} {
			a.Add(cells[Cell[hierarchy.Key]{Territory: t, Kind: ActionRecord, Sector: AllSectors, Lever: AllLevers, Status: s}])
		}
		return a
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	fr := total(k(hierarchy.Country, "FR"))
	if fr.Count != 6 || !near(fr.Budget, 1121) || !near(fr.Share, 6) {
		t.Errorf("France = %+v, want every record once: 6 records, 1121, share 6", fr)
	}
	r1, r2 := total(k(hierarchy.Region, "R1")), total(k(hierarchy.Region, "R2"))
	if !near(r1.Budget+r2.Budget, fr.Budget) || !near(r1.Share+r2.Share, fr.Share) {
		t.Errorf("regions add up to %v (share %v), France is %v", r1.Budget+r2.Budget, r1.Share+r2.Share, fr.Budget)
	}
	d1, d2 := total(k(hierarchy.Department, "D1")), total(k(hierarchy.Department, "D2"))
	if !near(d1.Budget+d2.Budget, r1.Budget) {
		t.Errorf("departments of R1 add up to %v, R1 is %v", d1.Budget+d2.Budget, r1.Budget)
	}
	// E1 is half in D1: 500, plus D1's own 100 and the CRTE's share in D1.
	if !near(d1.Budget, 600+3*200.0/430) {
		t.Errorf("D1 = %v", d1.Budget)
	}
	// The cells of all levers of a sector add up its levers', those of all sectors the
	// sectors'.
	sums := map[Cell[hierarchy.Key]]Amount{}
	for c, a := range cells {
		switch {
		case c.Sector == AllSectors:
		case c.Lever == AllLevers:
			c.Sector = AllSectors
			s := sums[c]
			s.Add(a)
			sums[c] = s
		default:
			c.Lever = AllLevers
			s := sums[c]
			s.Add(a)
			sums[c] = s
		}
	}
	for c, s := range sums {
		if a := cells[c]; a.Count != s.Count || !near(a.Budget, s.Budget) || !near(a.Share, s.Share) {
			t.Errorf("%+v holds %+v, its parts add up to %+v", c, a, s)
		}
	}
}

func TestReadsRecords(t *testing.T) {
	for _, tc := range []struct {
		year   bool
		levels int
		want   bool
	}{{false, 0, false}, {true, 0, true}, {false, 2, true}, {true, 1, true}} {
		if got := ReadsRecords(tc.year, tc.levels); got != tc.want {
			t.Errorf("ReadsRecords(%t, %d) = %t", tc.year, tc.levels, got)
		}
	}
}

func TestRunsIn(t *testing.T) {
	end := 2026
	for _, tc := range []struct {
		start int
		end   *int
		year  int
		want  bool
	}{{2024, &end, 2024, true}, {2024, &end, 2026, true}, {2024, &end, 2027, false}, {2024, &end, 2023, false},
		{2024, nil, 2100, true}, {2024, nil, 2023, false}} {
		if got := RunsIn(tc.start, tc.end, tc.year); got != tc.want {
			t.Errorf("RunsIn(%d, %v, %d) = %t", tc.start, tc.end, tc.year, got)
		}
	}
}
