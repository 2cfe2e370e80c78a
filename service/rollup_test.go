package service_test

import (
	"context"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func sameAmounts(t *testing.T, what string, got, want map[int]*service.Amounts) {
	t.Helper()
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
	for k, w := range want {
		g := got[k]
		if g == nil {
			t.Errorf("%s: row %d missing", what, k)
			continue
		}
		if g.ActionCount != w.ActionCount || !near(g.ActionShare, w.ActionShare) || !near(g.Budget, w.Budget) || !near(g.EffectKtCO2e, w.EffectKtCO2e) {
			t.Errorf("%s row %d: cells %+v, live %+v", what, k, *g, *w)
		}
		for s, v := range w.Committed {
			if g.Committed[s].Count != v.Count || !near(g.Committed[s].KtCO2e, v.KtCO2e) {
				t.Errorf("%s row %d %s: cells %+v, live %+v", what, k, s, g.Committed[s], v)
			}
		}
	}
	for k := range got {
		if want[k] == nil && (got[k].ActionCount != 0 || len(got[k].Committed) != 0) {
			t.Errorf("%s: extra row %d %+v", what, k, *got[k])
		}
	}
}

// TestRollupCellsMatchRecords checks the roll-up cells against the records themselves,
// after a bulk load and after writes, and the invariant that the regions add up to France.
func TestRollupCellsMatchRecords(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := service.New(c).EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := ops.SeedDemo(ctx, c, ops.DemoSize{Actions: 3000, Commitments: 1500, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		fr := get(t, c, hierarchy.Country, "FR")
		regions, err := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		transports, _ := c.Sector.Query().IDs(ctx)
		check := func(stage string) {
			t.Helper()
			for _, tc := range []struct {
				name string
				ids  []int
				key  service.RollupKey
				f    service.RollupQuery
			}{
				{"regions", regions, service.ByTerritory, service.RollupQuery{}},
				{"France by sector", []int{fr.ID}, service.BySector, service.RollupQuery{}},
				{"France by lever", []int{fr.ID}, service.ByLever, service.RollupQuery{}},
				{"regions, one sector, done actions", regions, service.ByTerritory,
					service.RollupQuery{Sectors: transports[:1], ActionStatuses: []action.Status{action.StatusDONE}}},
			} {
				live, err := service.New(c).RollupLive(ctx, tc.ids, tc.key, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				cells, err := service.New(c).Amounts(ctx, tc.ids, tc.key, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				sameAmounts(t, stage+": "+tc.name, cells, live)
			}
			all, _ := service.New(c).Amounts(ctx, append([]int{fr.ID}, regions...), service.ByTerritory, service.RollupQuery{})
			var budget float64
			for _, r := range regions {
				budget += all[r].Budget
			}
			// Everything is carried at region level or below, so the regions add up to France.
			if math.Abs(budget-all[fr.ID].Budget) > 1e-6*all[fr.ID].Budget {
				t.Errorf("%s: regions add up to %f, France has %f", stage, budget, all[fr.ID].Budget)
			}
		}
		check("after the bulk load")

		// Writes keep the cells current: create, update (moving the carrier), transition.
		svc := service.New(c)
		ctx = testdb.AsAdmin(ctx)
		title, start, budget := "Test", 2025, 1234.5
		sector := "transports"
		a, err := svc.CreateAction(ctx, service.ActionInput{Title: &title, Territory: testdb.Key(hierarchy.EPCI, "243500741"),
			StartYear: &start, Budget: &budget, Sector: &sector}, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := action.StatusDONE
		if _, err := svc.UpdateAction(ctx, a.ID, a.Version, service.ActionInput{Territory: testdb.Key(hierarchy.Commune, "35238"), Status: &done}); err != nil {
			t.Fatal(err)
		}
		kt := 3.25
		cm, err := svc.CreateCommitment(ctx, service.CommitmentInput{Territory: testdb.Key(hierarchy.EPCI, "243500741"), Sector: &sector, Ktco2e: &kt}, nil)
		if err != nil {
			t.Fatal(err)
		}
		submitted := access.Submitted
		cm, err = svc.TransitionCommitment(ctx, cm.ID, cm.Version, submitted)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.TransitionCommitment(ctx, cm.ID, cm.Version, access.Adopted); err != nil {
			t.Fatal(err)
		}
		first, err := c.Action.Query().Where(action.Synthetic(true)).Order(ent.Asc(action.FieldID)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		more := first.Budget * 3
		if _, err := svc.UpdateAction(ctx, first.ID, first.Version, service.ActionInput{Budget: &more}); err != nil {
			t.Fatal(err)
		}
		check("after writes")
	})
}

// TestCRTEImportKeepsCellsCurrent: a CRTE imported after actions adds them up too.
func TestCRTEImportKeepsCellsCurrent(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := service.New(c).EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		title, start, budget := "Bus", 2025, 500.0
		if _, err := service.New(c).CreateAction(testdb.AsAdmin(ctx), service.ActionInput{Title: &title,
			Territory: testdb.Key(hierarchy.EPCI, "243500139"), StartYear: &start, Budget: &budget}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := importFile(t, db, readFixture(t)); err != nil {
			t.Fatal(err)
		}
		crte := get(t, c, hierarchy.CRTE, "crte-illustratif-01").ID
		got, err := service.New(c).Amounts(ctx, []int{crte}, service.ByTerritory, service.RollupQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if got[crte] == nil || got[crte].Budget != 500 {
			t.Errorf("the CRTE of Rennes Métropole adds up %+v, want its 500 €", got[crte])
		}
	})
}

// liveRecord is a record as a roll-up's filter reads it.
type liveRecord struct {
	planning.Record[int]
	level hierarchy.Level // the carrier's
	start int             // an action's
	end   *int
	due   int // a commitment's target year
}

// rows are roll-up rows reduced to what the rules add up: the actions, and the
// commitments per status.
type rows map[int]map[string]planning.Amount

func rowsOf(m map[int]*service.Amounts) rows {
	out := rows{}
	for k, a := range m {
		r := map[string]planning.Amount{}
		if a.ActionCount != 0 {
			r[string(planning.ActionRecord)] = planning.Amount{Count: a.ActionCount, Share: a.ActionShare, Budget: a.Budget, KtCO2e: a.EffectKtCO2e}
		}
		for st, v := range a.Committed {
			if v.Count != 0 {
				r[string(st)] = planning.Amount{Count: v.Count, KtCO2e: v.KtCO2e}
			}
		}
		if len(r) > 0 {
			out[k] = r
		}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func sameAmount(a, b planning.Amount) bool {
	return a.Count == b.Count && near(a.Share, b.Share) && near(a.Budget, b.Budget) && near(a.KtCO2e, b.KtCO2e)
}

func sameRows(t *testing.T, what string, got, want rows) {
	t.Helper()
	for k, w := range want {
		for part, a := range w {
			if g := got[k][part]; !sameAmount(g, a) {
				t.Errorf("%s, row %d, %s: %+v, the rules give %+v", what, k, part, g, a)
			}
		}
	}
	for k, g := range got {
		for part, a := range g {
			if _, ok := want[k][part]; !ok {
				t.Errorf("%s: row %d, %s has %+v, the rules give none", what, k, part, a)
			}
		}
	}
}

// TestRollupSQLMatchesGo holds the roll-up SQL to the rules of planning: on the sample's
// territories of every level, with synthetic records and records carried by France, by a
// CRTE lying in two regions and without sector, the cells the records add up to
// (LiveCells, what a rebuild writes) and those writes kept (cellsOf) are what
// planning.RollupCells gives over the stored records and ancestries, and so are the
// roll-ups by territory, sector, lever and carrier, from the cells and from the records
// (liveRecords), under every filter: sectors, a lever, action statuses, a year
// (planning.RunsIn), carrier levels; and so are a trajectory's adopted commitments per
// year (adoptedByYear). The whole country is checked in Go
// (planning.TestRollupCountryWide).
func TestRollupSQLMatchesGo(t *testing.T) {
	t.Parallel() // a database of its own
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s := newSample(t, d, true)
			c := s.db.Client
			sampleTs := s.territories()
			ids := make([]int, len(sampleTs))
			for i, x := range sampleTs {
				ids[i] = x.ID
			}
			actions, err := c.Action.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			commitments, err := c.Commitment.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var records []liveRecord
			carriers := map[int]bool{}
			for _, a := range actions {
				kt := 0.0
				if a.EffectKtco2e != nil {
					kt = *a.EffectKtco2e
				}
				records = append(records, liveRecord{Record: planning.Record[int]{Kind: planning.ActionRecord, Carrier: a.TerritoryID,
					Sector: deref(a.SectorID), Lever: deref(a.LeverID), Status: string(a.Status), Budget: a.Budget, KtCO2e: kt},
					start: a.StartYear, end: a.EndYear})
				carriers[a.TerritoryID] = true
			}
			for _, cm := range commitments {
				kt := 0.0
				if cm.Ktco2e != nil {
					kt = *cm.Ktco2e
				}
				records = append(records, liveRecord{Record: planning.Record[int]{Kind: planning.CommitmentRecord, Carrier: cm.TerritoryID,
					Sector: deref(cm.SectorID), Lever: deref(cm.LeverID), Status: string(cm.Status), KtCO2e: kt}, due: cm.TargetYear})
				carriers[cm.TerritoryID] = true
			}
			levels := map[int]hierarchy.Level{}
			ts, err := c.Territory.Query().Where(territory.IDIn(slices.Collect(maps.Keys(carriers))...)).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range ts {
				levels[x.ID] = x.Level
			}
			for i := range records {
				records[i].level = levels[records[i].Carrier]
			}
			anc, err := c.Ancestry.Query().Where(ancestry.AncestorIDIn(ids...)).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			within := map[int][]planning.Within[int]{}
			for _, a := range anc {
				within[a.TerritoryID] = append(within[a.TerritoryID], planning.Within[int]{Territory: a.AncestorID, Weight: a.Weight})
			}
			rollup := func(rs []liveRecord, in func(int) []planning.Within[int]) map[planning.Cell[int]]planning.Amount {
				plain := make([]planning.Record[int], len(rs))
				for i, r := range rs {
					plain[i] = r.Record
				}
				return planning.RollupCells(plain, in)
			}
			inSample := func(k int) []planning.Within[int] { return within[k] }

			// The cells, as the records add them up and as writes kept them.
			want := rollup(records, inSample)
			for name, read := range map[string]func(context.Context, []int) (map[planning.Cell[int]]planning.Amount, error){
				"added up by LiveCells": s.svc.AddedUpCells, "kept by writes": s.svc.StoredCells} {
				got, err := read(ctx, ids)
				if err != nil {
					t.Fatal(err)
				}
				for k, w := range want {
					if !sameAmount(got[k], w) {
						t.Errorf("cell %+v %s: %+v, planning.RollupCells gives %+v", k, name, got[k], w)
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("cell %+v %s: %+v, planning.RollupCells gives none", k, name, got[k])
					}
				}
			}
			if len(want) < 500 {
				t.Errorf("%d cells in the sample, want the records of every level", len(want))
			}

			// Roll-ups under filters, by territory, sector, lever and carrier.
			year := 2026
			transports := []int{s.sectors["transports"], s.sectors["transport-voyageurs"], s.sectors["transport-marchandises"]}
			lever := s.levers["augm_voitelec"]
			fr, dep := s.at(hierarchy.Country, "FR"), s.at(hierarchy.Department, "35")
			for _, f := range []struct {
				name string
				q    service.RollupQuery
			}{
				{"no filter", service.RollupQuery{}},
				{"transports", service.RollupQuery{Sectors: transports}},
				{"a lever", service.RollupQuery{Lever: &lever}},
				{"done or planned actions", service.RollupQuery{ActionStatuses: []action.Status{action.StatusDONE, action.StatusPLANNED}}},
				{"2026", service.RollupQuery{Year: &year}},
				{"carried by EPCI and CRTE", service.RollupQuery{CarrierLevels: []hierarchy.Level{hierarchy.EPCI, hierarchy.CRTE}}},
				{"transports in 2026, carried by the country and regions", service.RollupQuery{Sectors: transports, Year: &year,
					CarrierLevels: []hierarchy.Level{hierarchy.Country, hierarchy.Region}}},
			} {
				f.q.SkipObjectives = true
				var kept []liveRecord
				for _, r := range records {
					isAction := r.Kind == planning.ActionRecord
					if (len(f.q.Sectors) > 0 && !slices.Contains(f.q.Sectors, r.Sector)) ||
						(f.q.Lever != nil && r.Lever != *f.q.Lever) ||
						(isAction && len(f.q.ActionStatuses) > 0 && !slices.Contains(f.q.ActionStatuses, action.Status(r.Status))) ||
						(isAction && f.q.Year != nil && !planning.RunsIn(r.start, r.end, *f.q.Year)) ||
						(len(f.q.CarrierLevels) > 0 && !slices.Contains(f.q.CarrierLevels, r.level)) {
						continue
					}
					kept = append(kept, r)
				}
				cells := rollup(kept, inSample)
				// Rows of a key from the cells: the territory's, for each row, of the
				// sectors and levers that make it.
				rowsBy := func(territory int, row func(planning.Cell[int]) (int, bool)) rows {
					out := rows{}
					for k, a := range cells {
						if k.Territory != territory {
							continue
						}
						r, ok := row(k)
						if !ok {
							continue
						}
						part := string(planning.ActionRecord)
						if k.Kind == planning.CommitmentRecord {
							part = k.Status
							a.Share, a.Budget = 0, 0
						}
						if out[r] == nil {
							out[r] = map[string]planning.Amount{}
						}
						x := out[r][part]
						x.Add(a)
						out[r][part] = x
					}
					return out
				}
				byTerritory := rows{}
				for _, id := range ids {
					for k, v := range rowsBy(id, func(k planning.Cell[int]) (int, bool) { return id, k.Sector == planning.AllSectors }) {
						byTerritory[k] = v
					}
				}
				bySector := func(t int) rows {
					return rowsBy(t, func(k planning.Cell[int]) (int, bool) {
						return k.Sector, k.Sector != planning.AllSectors && k.Lever == planning.AllLevers
					})
				}
				byLever := func(t int) rows {
					return rowsBy(t, func(k planning.Cell[int]) (int, bool) {
						return k.Lever, k.Sector != planning.AllSectors && k.Lever != planning.AllLevers
					})
				}
				// By carrier: each record inside the department counted whole.
				inDep := func(k int) []planning.Within[int] {
					for _, w := range within[k] {
						if w.Territory == dep.ID {
							return []planning.Within[int]{{Territory: k, Weight: 1}}
						}
					}
					return nil
				}
				own := func(k int) []planning.Within[int] {
					if k == fr.ID {
						return []planning.Within[int]{{Territory: k, Weight: 1}}
					}
					return nil
				}
				perCarrier := func(in func(int) []planning.Within[int]) rows {
					out := rows{}
					for k, a := range rollup(kept, in) {
						if k.Sector != planning.AllSectors {
							continue
						}
						part := string(planning.ActionRecord)
						if k.Kind == planning.CommitmentRecord {
							part = k.Status
							a.Share, a.Budget = 0, 0
						}
						if out[k.Territory] == nil {
							out[k.Territory] = map[string]planning.Amount{}
						}
						x := out[k.Territory][part]
						x.Add(a)
						out[k.Territory][part] = x
					}
					return out
				}
				for _, tc := range []struct {
					name string
					ids  []int
					key  service.RollupKey
					want rows
				}{
					{"by territory", ids, service.ByTerritory, byTerritory},
					{"France by sector", []int{fr.ID}, service.BySector, bySector(fr.ID)},
					{"Ille-et-Vilaine by sector", []int{dep.ID}, service.BySector, bySector(dep.ID)},
					{"France by lever", []int{fr.ID}, service.ByLever, byLever(fr.ID)},
					{"Ille-et-Vilaine by lever", []int{dep.ID}, service.ByLever, byLever(dep.ID)},
					{"Ille-et-Vilaine by carrier", []int{dep.ID}, service.ByCarrier, perCarrier(inDep)},
					{"France's own", []int{fr.ID}, service.ByOwnCarrier, perCarrier(own)},
				} {
					live, err := s.svc.RollupLive(ctx, tc.ids, tc.key, f.q)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, f.name+", "+tc.name+", from the records", rowsOf(live), tc.want)
					if tc.key == service.ByCarrier || tc.key == service.ByOwnCarrier {
						continue // read from the records only
					}
					read, err := s.svc.Amounts(ctx, tc.ids, tc.key, f.q)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, f.name+", "+tc.name+", as read", rowsOf(read), tc.want)
				}
			}

			// A trajectory's adopted commitments per year (adoptedByYear): those of a
			// lever, or of a sector and its subdivisions, each weighed into the territory.
			leverCode, sectorCode := "augm_voitelec", "transports"
			years := 0
			for _, x := range sampleTs {
				for _, ind := range []struct {
					lever, sector *string
					keep          func(liveRecord) bool
				}{
					{&leverCode, nil, func(r liveRecord) bool { return r.Lever == lever }},
					{nil, &sectorCode, func(r liveRecord) bool { return slices.Contains(transports, r.Sector) }},
				} {
					got, err := s.svc.AdoptedByYear(ctx, x, ind.lever, ind.sector)
					if err != nil {
						t.Fatal(err)
					}
					want := map[int]float64{}
					for _, r := range records {
						if r.Kind != planning.CommitmentRecord || r.Status != string(access.Adopted) || !ind.keep(r) {
							continue
						}
						for _, w := range within[r.Carrier] {
							if w.Territory == x.ID {
								want[r.due] += planning.Weigh(r.Record, w.Weight).KtCO2e
							}
						}
					}
					for y, w := range want {
						if !near(got[y], w) {
							t.Errorf("%s %s: %v ktCO2e adopted for %d, planning.Weigh gives %v", x.Level, x.Code, got[y], y, w)
						}
					}
					for y, g := range got {
						if _, ok := want[y]; !ok && g != 0 {
							t.Errorf("%s %s: %v ktCO2e adopted for %d, planning.Weigh gives none", x.Level, x.Code, g, y)
						}
					}
					years += len(want)
				}
			}
			if years < 20 {
				t.Errorf("%d years with adopted commitments in the sample's trajectories", years)
			}
		})
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
