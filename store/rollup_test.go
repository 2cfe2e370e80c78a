package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

func sameAmounts(t *testing.T, what string, got, want map[int]*store.Amounts) {
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
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := store.EnsureCatalogue(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := store.SeedDemo(ctx, c, store.DemoSize{Actions: 3000, Commitments: 1500, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		fr := get(t, c, territory.LevelCOUNTRY, "FR")
		regions, err := c.Territory.Query().Where(territory.LevelEQ(territory.LevelREGION)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		transports, _ := c.Sector.Query().IDs(ctx)
		check := func(stage string) {
			t.Helper()
			for _, tc := range []struct {
				name string
				ids  []int
				key  store.RollupKey
				f    store.RollupFilter
			}{
				{"regions", regions, store.ByTerritory, store.RollupFilter{}},
				{"France by sector", []int{fr.ID}, store.BySector, store.RollupFilter{}},
				{"France by lever", []int{fr.ID}, store.ByLever, store.RollupFilter{}},
				{"regions, one sector, done actions", regions, store.ByTerritory,
					store.RollupFilter{Sectors: transports[:1], ActionStatuses: []action.Status{action.StatusDONE}}},
			} {
				live, err := store.RollupLive(ctx, c, tc.ids, tc.key, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				cells, err := store.Rollup(ctx, c, tc.ids, tc.key, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				sameAmounts(t, stage+": "+tc.name, cells, live)
			}
			all, _ := store.Rollup(ctx, c, append([]int{fr.ID}, regions...), store.ByTerritory, store.RollupFilter{})
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
		w := store.Write{Principal: &access.Principal{Organisation: "tests", Prefix: "00000000", Role: access.Admin}, Operation: "test"}
		redon := get(t, c, territory.LevelEPCI, "243500741").ID
		rennes := get(t, c, territory.LevelCOMMUNE, "35238").ID
		title, start, budget, sector := "Test", 2025, 1234.5, transports[0]
		a, err := store.CreateAction(ctx, c, w, store.ActionWrite{Title: &title, Territory: &redon, StartYear: &start, Budget: &budget, Sector: &sector})
		if err != nil {
			t.Fatal(err)
		}
		done := action.StatusDONE
		if _, err := store.UpdateAction(ctx, c, w, a.ID, a.Version, store.ActionWrite{Territory: &rennes, Status: &done}); err != nil {
			t.Fatal(err)
		}
		kt := 3.25
		cm, err := store.CreateCommitment(ctx, c, w, store.CommitmentWrite{Territory: &redon, Sector: &sector, KtCO2e: &kt})
		if err != nil {
			t.Fatal(err)
		}
		adopted := commitment.StatusADOPTED
		if _, err := store.UpdateCommitment(ctx, c, w, cm.ID, cm.Version, store.CommitmentWrite{}, &adopted); err != nil {
			t.Fatal(err)
		}
		first, err := c.Action.Query().Where(action.Synthetic(true)).Order(ent.Asc(action.FieldID)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		more := first.Budget * 3
		if _, err := store.UpdateAction(ctx, c, w, first.ID, first.Version, store.ActionWrite{Budget: &more}); err != nil {
			t.Fatal(err)
		}
		check("after writes")
	})
}

// TestCRTEImportKeepsCellsCurrent: a CRTE imported after actions adds them up too.
func TestCRTEImportKeepsCellsCurrent(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := store.EnsureCatalogue(ctx, c); err != nil {
			t.Fatal(err)
		}
		w := store.Write{Principal: &access.Principal{Organisation: "tests", Prefix: "00000000", Role: access.Admin}, Operation: "test"}
		rm := get(t, c, territory.LevelEPCI, "243500139").ID
		title, start, budget := "Bus", 2025, 500.0
		if _, err := store.CreateAction(ctx, c, w, store.ActionWrite{Title: &title, Territory: &rm, StartYear: &start, Budget: &budget}); err != nil {
			t.Fatal(err)
		}
		if _, err := importFile(t, db, readFixture(t)); err != nil {
			t.Fatal(err)
		}
		crte := get(t, c, territory.LevelCRTE, "crte-illustratif-01").ID
		got, err := store.Rollup(ctx, c, []int{crte}, store.ByTerritory, store.RollupFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got[crte] == nil || got[crte].Budget != 500 {
			t.Errorf("the CRTE of Rennes Métropole adds up %+v, want its 500 €", got[crte])
		}
	})
}
