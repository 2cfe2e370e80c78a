package service_test

// The invariants of issue "the numbers mean the same thing at every level": breakdowns add
// up to their whole, rollupBy(CHILD) rows add up to their parent, and France is the sum of
// its regions. They are checked on the whole country in Go (planning/country_test.go,
// hierarchy/country_test.go), and here through the database, on both, on the sample
// (sample_test.go): territories of every level chosen for the cases that differ.

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
)

func territoriesOf(t *testing.T, c *ent.Client, level hierarchy.Level) []*ent.Territory {
	t.Helper()
	ts, err := c.Territory.Query().Where(territory.LevelEQ(level)).Order(ent.Asc(territory.FieldCode)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// units converts a figure to whole units of its unit's last decimal.
func units(v float64, unit string) int64 { return planning.ToUnits(v, unit) }

// TestBreakdownsAddUp: for two regions (Bretagne with its CRTE; Pays de la Loire, which
// one of them and an EPCI straddle, by CRTE and EPCI in emissions), every lever with an
// objective and every level below (departments, CRTE, EPCI; communes for two levers per
// region, each breakdown having a thousand parts or more), the parts and the unallocated part add up exactly to the whole, each part is
// the child's share of the region's population, the unallocated part is the population
// no child covers, and each part is the one planning.SplitGoal gives over the Go
// country's cover (the database's population shares are the hierarchy's). Every region,
// lever and level: planning.TestBreakdownsAddUpCountryWide.
func TestBreakdownsAddUp(t *testing.T) {
	t.Parallel() // a database of its own
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			s := newSample(t, d, false)
			svc := s.svc
			ctx := context.Background()
			levers, err := s.db.Client.Lever.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			communes := map[string]int{}
			for _, r := range []*ent.Territory{s.at(hierarchy.Region, "53"), s.at(hierarchy.Region, "52")} {
				own, err := s.db.Client.Objective.Query().Where(objective.TerritoryID(r.ID), objective.Derived(false)).All(ctx)
				if err != nil {
					t.Fatal(err)
				}
				has := map[string]*ent.Objective{}
				for _, o := range own {
					if o.LeverID != nil {
						has[fmt.Sprint(*o.LeverID, o.Metric)] = o
					}
				}
				for _, l := range levers {
					for _, m := range []planning.Metric{planning.GHGAvoided, planning.Physical} {
						o := has[fmt.Sprint(l.ID, m)]
						if o == nil || !planning.Divisible(m, l.Extensive) {
							continue
						}
						for _, level := range []hierarchy.Level{hierarchy.Department, hierarchy.CRTE, hierarchy.EPCI, hierarchy.Commune} {
							if level == hierarchy.Commune && communes[r.Code] >= 2 {
								continue // a thousand parts or more each: two levers per region for communes
							}
							if r.Code == "52" && (level == hierarchy.Department || m == planning.Physical) {
								continue // Pays de la Loire for what it adds: a CRTE and EPCI it shares with Bretagne
							}
							if level == hierarchy.Commune {
								communes[r.Code]++
							}
							code := l.Code
							b, err := svc.Breakdown(ctx, r, &code, nil, level, &m, nil)
							if err != nil {
								t.Fatalf("%s %s %s over %s: %v", r.Code, l.Code, m, level, err)
							}
							n++
							what := fmt.Sprintf("%s %s %s over %s", r.Code, l.Code, m, level)
							cv := s.c.Cover(hierarchy.Key{Level: r.Level, Code: r.Code}, level)
							parts, err := planning.SplitGoal(candidateOf(o).Figures, cv.Weights())
							if err != nil {
								t.Fatal(err)
							}
							if len(b.Shares) != len(cv.Children) {
								t.Fatalf("%s: %d parts, the hierarchy has %d %s in the region", what, len(b.Shares), len(cv.Children), level)
							}
							// In quanta of the whole (planning.InQuanta).
							inT := func(v float64) int64 { return planning.InQuanta(v, b.TargetValue) }
							inB := func(v float64) int64 { return planning.InQuanta(v, b.BaselineValue) }
							target, base := inT(b.Unallocated.TargetValue), inB(b.Unallocated.BaselineValue)
							pop := int64(b.Unallocated.Population)
							for i, sh := range b.Shares {
								target += inT(sh.TargetValue)
								base += inB(sh.BaselineValue)
								pop += int64(sh.Population)
								// Each part is the child's share of the region's population,
								// within a quantum of the whole.
								exact := b.TargetValue * float64(sh.Population) / float64(r.Population)
								if d := inT(sh.TargetValue) - inT(exact); d > 1 || d < -1 {
									t.Errorf("%s: %s gets %v, its share of the population gives %v", what, sh.Territory.Code, sh.TargetValue, exact)
								}
								if ch := cv.Children[i]; sh.Territory.Code != ch.Code || int64(sh.Population) != cv.Inside[i] ||
									sh.TargetValue != parts[i].Target || sh.BaselineValue != parts[i].Baseline {
									t.Errorf("%s: part %d is %s, %d inhabitants, %v from %v; the rules give %s, %d, %v from %v", what, i,
										sh.Territory.Code, sh.Population, sh.TargetValue, sh.BaselineValue, ch.Code, cv.Inside[i], parts[i].Target, parts[i].Baseline)
								}
							}
							if target != inT(b.TargetValue) || base != inB(b.BaselineValue) {
								t.Errorf("%s: parts and unallocated add up to %d and %d quanta, the whole is %v and %v",
									what, target, base, b.TargetValue, b.BaselineValue)
							}
							if pop != r.Population || int64(b.Unallocated.Population) != cv.Unallocated {
								t.Errorf("%s: populations add up to %d, the region has %d; %d unallocated, the hierarchy has %d",
									what, pop, r.Population, b.Unallocated.Population, cv.Unallocated)
							}
							if (level == hierarchy.Department || level == hierarchy.Commune) && b.Unallocated.Population != 0 {
								t.Errorf("%s: %d inhabitants unallocated, want 0", what, b.Unallocated.Population)
							}
						}
					}
				}
			}
			if n < 6*3+2+6*2+2 {
				t.Errorf("checked %d breakdowns, want every lever and level of both regions", n)
			}
			t.Logf("%d breakdowns add up", n)
		})
	}
}

// amountsOf is what a roll-up adds up, in whole units of each figure's last decimal.
type amountsOf struct {
	share, budget, effect, adopted, objective int64
	committed                                 map[access.CommitmentStatus]int64
}

func amounts(r *service.Rollup) amountsOf {
	a := amountsOf{share: units(r.ActionShare, planning.Share), budget: units(r.Budget, planning.Euro),
		effect: units(r.EffectKtco2e, planning.KtCO2e), adopted: units(r.AdoptedKtco2e, planning.KtCO2e),
		committed: map[access.CommitmentStatus]int64{}}
	if r.ObjectiveKtco2e != nil {
		a.objective = planning.SumUnits(*r.ObjectiveKtco2e) // sums of objectives are in nano-units
	}
	for _, c := range r.Committed {
		a.committed[c.Status] = units(c.Ktco2e, planning.KtCO2e)
	}
	return a
}

func (a *amountsOf) add(b amountsOf) {
	a.share += b.share
	a.budget += b.budget
	a.effect += b.effect
	a.adopted += b.adopted
	a.objective += b.objective
	for s, v := range b.committed {
		a.committed[s] += v
	}
}

// within tells whether a sum of n rounded rows is the rounded whole, up to the rounding
// of each row (half a unit each); the objective, split in nano-units, exactly.
func within(sum, whole amountsOf, n int64) error {
	near := func(x, y int64) bool { return x-y <= n && y-x <= n }
	if !near(sum.share, whole.share) || !near(sum.budget, whole.budget) || !near(sum.effect, whole.effect) || !near(sum.adopted, whole.adopted) {
		return fmt.Errorf("rows add up to share %d, budget %d, effect %d, adopted %d; the whole is %d, %d, %d, %d (units of the last decimal)",
			sum.share, sum.budget, sum.effect, sum.adopted, whole.share, whole.budget, whole.effect, whole.adopted)
	}
	for _, s := range []access.CommitmentStatus{access.Draft, access.Submitted, access.Adopted, access.Withdrawn} {
		if !near(sum.committed[s], whole.committed[s]) {
			return fmt.Errorf("%s rows add up to %d, the whole is %d", s, sum.committed[s], whole.committed[s])
		}
	}
	if sum.objective != whole.objective {
		return fmt.Errorf("objectives of the rows add up to %d nano-units, the whole is %d", sum.objective, whole.objective)
	}
	return nil
}

// TestRowsAddUp: rollupBy(CHILD) of the sample's territories at every level below adds
// up to their roll-up, the last row holding what no child holds (records and objectives:
// France by region, department and CRTE; regions by department, CRTE and EPCI, one of them
// straddling two regions; departments by CRTE, EPCI and commune; CRTE, one with a
// commune as a direct member, and EPCI, one over six departments, by commune); France is
// the sum of its regions in roll-ups, objectives and dashboards. Every territory and
// level: hierarchy.TestSharesCountryWide and planning.TestRollupCountryWide.
func TestRowsAddUp(t *testing.T) {
	t.Parallel() // a database of its own
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			s := newSample(t, d, true)
			svc := s.svc
			db := s.db
			ctx := context.Background()
			check := func(parent *ent.Territory, level hierarchy.Level) int {
				t.Helper()
				rows, err := svc.RollupBy(ctx, parent, service.RollupGroupChild, &level, nil)
				if err != nil {
					t.Errorf("%s %s by %s: %v", parent.Level, parent.Code, level, err)
					return 0
				}
				whole, err := svc.Rollup(ctx, parent, nil)
				if err != nil {
					t.Fatal(err)
				}
				sum := amountsOf{committed: map[access.CommitmentStatus]int64{}}
				for i, r := range rows {
					if r.Unallocated != (r.Territory == nil) || (r.Unallocated && i != len(rows)-1) {
						t.Errorf("%s %s by %s: row %d is unallocated %v with territory %v", parent.Level, parent.Code, level, i, r.Unallocated, r.Territory)
					}
					sum.add(amounts(r.Rollup))
				}
				if err := within(sum, amounts(whole), int64(len(rows))); err != nil {
					t.Errorf("%s %s by %s (%d rows): %v", parent.Level, parent.Code, level, len(rows), err)
				}
				return len(rows)
			}
			fr := s.at(hierarchy.Country, "FR")
			regions := territoriesOf(t, db.Client, hierarchy.Region)
			n := 0
			for _, c := range []struct {
				parent *ent.Territory
				levels []hierarchy.Level
			}{
				{fr, []hierarchy.Level{hierarchy.Region, hierarchy.Department, hierarchy.CRTE}},
				{s.at(hierarchy.Region, "53"), []hierarchy.Level{hierarchy.Department, hierarchy.CRTE, hierarchy.EPCI}},
				{s.at(hierarchy.Region, "52"), []hierarchy.Level{hierarchy.CRTE, hierarchy.EPCI}},
				{s.at(hierarchy.Region, "44"), []hierarchy.Level{hierarchy.EPCI}},
				{s.at(hierarchy.Department, "35"), []hierarchy.Level{hierarchy.CRTE, hierarchy.EPCI, hierarchy.Commune}},
				{s.at(hierarchy.Department, "44"), []hierarchy.Level{hierarchy.EPCI, hierarchy.Commune}},
				{s.at(hierarchy.CRTE, "crte-illustratif-03"), []hierarchy.Level{hierarchy.Commune}},
				{s.at(hierarchy.CRTE, "crte-illustratif-04"), []hierarchy.Level{hierarchy.EPCI, hierarchy.Commune}},
				{s.at(hierarchy.EPCI, "243500139"), []hierarchy.Level{hierarchy.Commune}},
				{s.at(hierarchy.EPCI, "243500741"), []hierarchy.Level{hierarchy.Commune}},
				{s.at(hierarchy.EPCI, "200054781"), []hierarchy.Level{hierarchy.Commune}},
			} {
				for _, level := range c.levels {
					check(c.parent, level)
					n++
				}
			}
			t.Logf("%d rollupBy(CHILD) add up to their parent", n)

			// France is the sum of its regions: roll-up and objective, dashboard per lever.
			whole, err := svc.Rollup(ctx, fr, nil)
			if err != nil {
				t.Fatal(err)
			}
			sum := amountsOf{committed: map[access.CommitmentStatus]int64{}}
			dash := map[string]int64{}
			for _, r := range regions {
				ru, err := svc.Rollup(ctx, r, nil)
				if err != nil {
					t.Fatal(err)
				}
				sum.add(amounts(ru))
				ds, err := svc.Dashboard(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				for _, row := range ds {
					for _, l := range row.Levers {
						if l.GhgAvoided != nil {
							dash[l.Lever.Code] += planning.SumUnits(*l.GhgAvoided)
						}
					}
				}
			}
			// Carriers straddling two regions count in each for their share; France also
			// holds what France itself carries: compare the objective exactly, and the
			// records with the rows of rollupBy above.
			if sum.objective != amounts(whole).objective || sum.objective == 0 {
				t.Errorf("France's objective is %v, its regions' add up to %d nano-units", whole.ObjectiveKtco2e, sum.objective)
			}
			ds, err := svc.Dashboard(ctx, fr)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			withLevers := 0
			for _, row := range ds {
				var levers int64
				for _, l := range row.Levers {
					if l.GhgAvoided != nil {
						got[l.Lever.Code] = planning.SumUnits(*l.GhgAvoided)
						levers += got[l.Lever.Code]
					}
				}
				if planning.SumUnits(row.GhgAvoided) != levers {
					t.Errorf("France's %s row avoids %v, its levers %d nano-units", row.Sector.Code, row.GhgAvoided, levers)
				}
				if levers != 0 {
					withLevers++
				}
			}
			if withLevers < 3 {
				t.Errorf("France's dashboard has %d sectors with levers, want those of the sample's levers", withLevers)
			}
			codes := make([]string, 0, len(dash))
			for c := range dash {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				if got[c] != dash[c] {
					t.Errorf("France's dashboard: %s avoids %d nano-units, its regions' %d", c, got[c], dash[c])
				}
			}
		})
	}
}
