package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
)

// candidateOf is a stored objective as the goal rules read it.
func candidateOf(o *ent.Objective) planning.Candidate[int] {
	var lever, sector int
	if o.LeverID != nil {
		lever = *o.LeverID
	}
	if o.SectorID != nil {
		sector = *o.SectorID
	}
	return planning.Candidate[int]{Objective: o.ID, Lever: lever, Sector: sector, Metric: o.Metric, Derived: o.Derived,
		Figures: planning.Figures{Unit: o.Unit, BaselineYear: o.BaselineYear, TargetYear: o.TargetYear,
			Baseline: o.BaselineValue, Target: o.TargetValue}}
}

// goGoals is what each territory is measured against by the rules of planning, from the
// objectives stored for it (and its regions' for the country, its department's for a
// commune, split by the Go country's cover) that keep keeps.
func goGoals(t *testing.T, s *sample, ts []*ent.Territory, keep func(*ent.Objective) bool) map[int][]planning.Goal[int] {
	t.Helper()
	ctx := context.Background()
	objs, err := s.db.Client.Objective.Query().Where(objective.HasTerritoryWith(territory.LevelNEQ(hierarchy.Commune))).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	communes, err := s.db.Client.Objective.Query().Where(objective.HasTerritoryWith(territory.LevelEQ(hierarchy.Commune))).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regions := map[int]bool{}
	for _, r := range territoriesOf(t, s.db.Client, hierarchy.Region) {
		regions[r.ID] = true
	}
	cands := map[int][]planning.Candidate[int]{}
	var ofRegions []planning.Candidate[int]
	for _, o := range append(objs, communes...) {
		if keep(o) {
			cands[o.TerritoryID] = append(cands[o.TerritoryID], candidateOf(o))
			if regions[o.TerritoryID] {
				ofRegions = append(ofRegions, candidateOf(o))
			}
		}
	}
	out := map[int][]planning.Goal[int]{}
	for _, tr := range ts {
		switch tr.Level {
		case hierarchy.Country:
			out[tr.ID] = planning.Goals(planning.CountryCandidates(cands[tr.ID], ofRegions))
		case hierarchy.Commune:
			var dep hierarchy.Key
			for _, w := range s.c.Within(hierarchy.Key{Level: tr.Level, Code: tr.Code}) {
				if w.Territory.Level == hierarchy.Department {
					dep = w.Territory
				}
			}
			cv := s.c.Cover(dep, hierarchy.Commune)
			d := get(t, s.db.Client, dep.Level, dep.Code)
			split, err := planning.SplitGoals(planning.Goals(cands[d.ID]), cv.Weights())
			if err != nil {
				t.Fatal(err)
			}
			out[tr.ID] = planning.CommuneGoals(planning.Goals(cands[tr.ID]), split, cv.Index(hierarchy.Key{Level: tr.Level, Code: tr.Code}))
		default:
			out[tr.ID] = planning.Goals(cands[tr.ID])
		}
	}
	return out
}

// TestGoalTotals holds the database's sums of goals (goalTotals, what roll-ups show:
// read from the goal cells, or added up from the objectives with a sector filter) and
// goalsOf's goals to the rules of planning, on the sample's territories of every level,
// for every lever, one lever and a sector (and its subdivisions): with the SGPE file's
// objectives and those derived from them, then with own objectives that take the place
// of derived ones (a department's, a CRTE's, a commune's), of the regions' (the
// country's), and one filed under another sector, which a filter on the lever's sector
// leaves out, and with it its place: the derived one counts then. The whole country is
// checked in Go (planning.TestGoalsCountryWide).
func TestGoalTotals(t *testing.T) {
	t.Parallel() // a database of its own
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s := newSample(t, d, false)
			ts := s.territories(hierarchy.Country, hierarchy.Region, hierarchy.Department, hierarchy.CRTE, hierarchy.EPCI)
			communes := s.territories(hierarchy.Commune)
			lever := s.levers["augm_voitelec"]
			transports := []int{s.sectors["transports"], s.sectors["transport-voyageurs"], s.sectors["transport-marchandises"]}
			residential := []int{s.sectors["residentiel"]}

			compare := func(what string) {
				t.Helper()
				for _, f := range []struct {
					name    string
					lever   *int
					sectors []int
				}{{"all", nil, nil}, {"lever", &lever, nil}, {"transports", nil, transports}, {"residential", nil, residential}} {
					keep := func(o *ent.Objective) bool {
						return o.Metric == planning.GHGAvoided && o.LeverID != nil && (f.lever == nil || *o.LeverID == *f.lever) &&
							(f.sectors == nil || o.SectorID != nil && slices.Contains(f.sectors, *o.SectorID))
					}
					goals := goGoals(t, s, append(ts[:len(ts):len(ts)], communes...), keep)
					want := map[int]int64{} // a territory without goals has no entry
					for id, gs := range goals {
						for _, g := range gs {
							want[id] += planning.SumUnits(g.Target)
						}
					}
					with := 0
					for _, tr := range ts {
						if len(goals[tr.ID]) > 0 {
							with++
						}
					}
					if with < 12 {
						t.Fatalf("%s, %s: %d territories with goals, want those of the sample's regions", what, f.name, with)
					}
					fromGo, err := s.svc.GoalSums(ctx, append(ts[:len(ts):len(ts)], communes...), f.lever, f.sectors)
					if err != nil {
						t.Fatal(err)
					}
					for _, tr := range communes {
						if fromGo[tr.ID] != want[tr.ID] {
							t.Errorf("%s, %s, commune %s: %d units from goalsOf, %d by the rules", what, f.name, tr.Code, fromGo[tr.ID], want[tr.ID])
						}
					}
					for _, sum := range []struct {
						name  string
						total func(context.Context, []*ent.Territory, *int, []int) (map[int]int64, bool, error)
					}{
						{"read", s.svc.GoalTotals},
						{"added up from the objectives", s.svc.LiveGoalTotals},
						{"goalsOf", func(ctx context.Context, ts []*ent.Territory, l *int, ss []int) (map[int]int64, bool, error) {
							m, err := s.svc.GoalSums(ctx, ts, l, ss)
							return m, true, err
						}},
					} {
						got, ok, err := sum.total(ctx, ts, f.lever, f.sectors)
						if err != nil || !ok {
							t.Fatalf("%s, %s: %v, %t", what, f.name, err, ok)
						}
						for _, tr := range ts {
							g, has := got[tr.ID]
							w, wants := want[tr.ID]
							if g != w || has != wants {
								t.Errorf("%s, %s, %s %s: %d units %s (%t), %d by the rules (%t)", what, f.name, tr.Level, tr.Code, g, sum.name, has, w, wants)
							}
						}
					}
				}
			}
			compare("SGPE")

			other := s.sectors["industrie"]
			voyageurs := s.sectors["transport-voyageurs"]
			for _, owner := range []struct {
				level       hierarchy.Level
				code, lever string
				value       float64
				sector      int
			}{
				{hierarchy.Department, "67", "augm_voitelec", 1234.5678, voyageurs},
				{hierarchy.Country, "FR", "augm_voitelec", 50_000.25, voyageurs},
				{hierarchy.EPCI, "243500139", "augm_voitelec", 77.5, other},
				{hierarchy.CRTE, "crte-illustratif-03", "co2_indus", 3.75, other},
				{hierarchy.Commune, "35238", "augm_voitelec", 12.3456, voyageurs},
			} {
				tr := s.at(owner.level, owner.code)
				err := s.db.Client.Objective.Create().SetTerritoryID(tr.ID).SetLeverID(s.levers[owner.lever]).SetSectorID(owner.sector).
					SetMetric(planning.GHGAvoided).SetUnit(planning.KtCO2e).SetBaselineYear(2019).SetBaselineValue(0).
					SetTargetYear(2030).SetTargetValue(owner.value).SetSource(objective.SourceLOCAL).Exec(ctx)
				if err != nil {
					t.Fatal(err)
				}
			}
			// Objectives are written by the imports, which keep the goal cells: written
			// here directly, the cells are recomputed as an import would.
			if err := s.svc.RebuildGoalCells(ctx); err != nil {
				t.Fatal(err)
			}
			compare("own objectives")

			// Communes are left to goalsOf.
			if _, ok, err := s.svc.GoalTotals(ctx, append(ts[:1:1], communes[0]), nil, nil); ok || err != nil {
				t.Errorf("a commune among the territories: ok %t, %v; want false", ok, err)
			}
		})
	}
}
