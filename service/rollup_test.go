package service_test

import (
	"context"
	"math"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
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
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := service.New(c).EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := service.New(c).SeedDemo(ctx, service.DemoSize{Actions: 3000, Commitments: 1500, Seed: 7}); err != nil {
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
		ctx = asAdmin(ctx)
		title, start, budget := "Test", 2025, 1234.5
		sector := "transports"
		a, err := svc.CreateAction(ctx, service.ActionInput{Title: &title, Territory: key(hierarchy.EPCI, "243500741"),
			StartYear: &start, Budget: &budget, Sector: &sector}, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := action.StatusDONE
		if _, err := svc.UpdateAction(ctx, a.ID, a.Version, service.ActionInput{Territory: key(hierarchy.Commune, "35238"), Status: &done}); err != nil {
			t.Fatal(err)
		}
		kt := 3.25
		cm, err := svc.CreateCommitment(ctx, service.CommitmentInput{Territory: key(hierarchy.EPCI, "243500741"), Sector: &sector, Ktco2e: &kt}, nil)
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
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if err := service.New(c).EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		title, start, budget := "Bus", 2025, 500.0
		if _, err := service.New(c).CreateAction(asAdmin(ctx), service.ActionInput{Title: &title,
			Territory: key(hierarchy.EPCI, "243500139"), StartYear: &start, Budget: &budget}, nil); err != nil {
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

// asAdmin returns a context whose writes are made with an admin key.
func asAdmin(ctx context.Context) context.Context {
	return service.WithPrincipal(ctx, &access.Principal{Organisation: "tests", Prefix: "00000000", Role: access.Admin}, nil)
}

func key(level hierarchy.Level, code string) *service.TerritoryKey {
	return &service.TerritoryKey{Level: level, Code: code}
}

// TestRollupSQLMatchesHierarchyRollup checks the SQL roll-ups, the cells that writes keep
// and the live query alike, against the one home of the weighting rule,
// planning.RollupCells, run in Go over the stored ancestries and the actions' budgets.
func TestRollupSQLMatchesHierarchyRollup(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		svc := service.New(c)
		if err := svc.SeedDemo(ctx, service.DemoSize{Actions: 2000, Commitments: 10, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		terrs, err := c.Territory.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keyOf := map[int]hierarchy.Key{}
		for _, x := range terrs {
			keyOf[x.ID] = hierarchy.Key{Level: x.Level, Code: x.Code}
		}
		anc, err := c.Ancestry.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		links := make([]hierarchy.Link, len(anc))
		for i, a := range anc {
			links[i] = hierarchy.Link{Child: keyOf[a.TerritoryID], Parent: keyOf[a.AncestorID], Weight: a.Weight}
		}
		actions, err := c.Action.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		within := map[hierarchy.Key][]planning.Within[hierarchy.Key]{}
		for _, l := range links {
			within[l.Child] = append(within[l.Child], planning.Within[hierarchy.Key]{Territory: l.Parent, Weight: l.Weight})
		}
		var records []planning.Record[hierarchy.Key]
		for _, a := range actions {
			records = append(records, planning.Record[hierarchy.Key]{Kind: planning.ActionRecord, Carrier: keyOf[a.TerritoryID], Budget: a.Budget})
		}
		want := map[hierarchy.Key]float64{}
		for c, a := range planning.RollupCells(records, func(k hierarchy.Key) []planning.Within[hierarchy.Key] { return within[k] }) {
			if c.Sector == planning.AllSectors {
				want[c.Territory] += a.Budget
			}
		}

		var ids []int
		for _, x := range terrs {
			if x.Level == hierarchy.Country || x.Level == hierarchy.Region || x.Level == hierarchy.Department {
				ids = append(ids, x.ID)
			}
		}
		live, err := svc.RollupLive(ctx, ids, service.ByTerritory, service.RollupQuery{})
		if err != nil {
			t.Fatal(err)
		}
		cells, err := svc.Amounts(ctx, ids, service.ByTerritory, service.RollupQuery{})
		if err != nil {
			t.Fatal(err)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
		for _, id := range ids {
			w := want[keyOf[id]]
			for name, got := range map[string]map[int]*service.Amounts{"live": live, "cells": cells} {
				g := 0.0
				if got[id] != nil {
					g = got[id].Budget
				}
				if !near(g, w) {
					t.Errorf("%s budget of %s: %f, planning.RollupCells gives %f", name, keyOf[id], g, w)
				}
			}
		}
	})
}
