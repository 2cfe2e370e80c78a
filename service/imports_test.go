package service_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func parseSGPE(t testing.TB, db *store.DB) *planning.SGPEFile {
	t.Helper()
	ctx := context.Background()
	if err := service.New(db.Client).EnsureCatalogue(ctx); err != nil {
		t.Fatal(err)
	}
	codes, err := service.New(db.Client).RegionCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := planning.ParseSGPE(data.SGPE(), codes)
	if err != nil {
		t.Fatal(err)
	}
	return sf
}

// derivedSums sums objectives' targets in quanta of the objective they derive from
// (planning.InQuanta), grouped by that objective and by the level of their territory.
func derivedSums(t *testing.T, c *ent.Client) map[int]map[hierarchy.Level]int64 {
	t.Helper()
	ds, err := c.Objective.Query().Where(objective.Derived(true)).WithTerritory().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	own, err := c.Objective.Query().Where(objective.Derived(false)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	whole := map[int]float64{}
	for _, o := range own {
		whole[o.ID] = o.TargetValue
	}
	out := map[int]map[hierarchy.Level]int64{}
	for _, d := range ds {
		m := out[*d.DerivedFromID]
		if m == nil {
			m = map[hierarchy.Level]int64{}
			out[*d.DerivedFromID] = m
		}
		m[d.Edges.Territory.Level] += planning.InQuanta(d.TargetValue, whole[*d.DerivedFromID])
	}
	return out
}

// uncovered returns, for each region, the share of its population living in no
// territory of a level (read from the stored hierarchy, not through the service).
func uncovered(t *testing.T, c *ent.Client, level hierarchy.Level) map[int]float64 {
	t.Helper()
	ctx := context.Background()
	regions := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).AllX(ctx)
	out := map[int]float64{}
	for _, r := range regions {
		as := c.Ancestry.Query().Where(ancestry.AncestorID(r.ID), ancestry.HasTerritoryWith(territory.LevelEQ(level))).WithTerritory().AllX(ctx)
		var inside int64
		for _, a := range as {
			inside += hierarchy.Inside(a.Edges.Territory.Population, a.Weight)
		}
		out[r.ID] = float64(r.Population-inside) / float64(r.Population)
	}
	return out
}

func TestImportSGPE(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		sf := parseSGPE(t, db)
		sum, err := service.New(c).ImportSGPE(ctx, sf)
		if err != nil {
			t.Fatal(err)
		}
		var physical int
		for _, o := range sf.Objectives {
			if o.HasPhysical {
				physical++
			}
		}
		own := c.Objective.Query().Where(objective.Derived(false)).CountX(ctx)
		if sum.Levers != 42 || own != len(sf.Objectives)+physical {
			t.Errorf("%d levers, %d own objectives; want 42 and %d", sum.Levers, own, len(sf.Objectives)+physical)
		}
		regionObjs, err := c.Objective.Query().Where(objective.Derived(false)).WithLever().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sums := derivedSums(t, c)
		// Departments cover their region: their parts add up to it exactly. EPCI leave out
		// the communes in none (a few islands): their parts add up to the region less the
		// share of its population living in no EPCI, to the unit's precision.
		noEPCI := uncovered(t, c, hierarchy.EPCI)
		for _, o := range regionObjs {
			want := planning.InQuanta(o.TargetValue, o.TargetValue)
			if o.Metric == planning.Physical && !o.Edges.Lever.Extensive {
				if len(sums[o.ID]) != 0 {
					t.Errorf("objective %d (%s, %s) is not extensive but was broken down", o.ID, o.Edges.Lever.Code, o.Unit)
				}
				continue
			}
			if got := sums[o.ID][hierarchy.Department]; got != want {
				t.Errorf("objective %d (%s %s): its departments add up to %d quanta, want %d", o.ID, o.Edges.Lever.Code, o.Metric, got, want)
			}
			unallocated := float64(want-sums[o.ID][hierarchy.EPCI]) * math.Pow10(planning.QuantumExp(o.TargetValue))
			if math.Abs(unallocated-o.TargetValue*noEPCI[o.TerritoryID]) > 0.001 {
				t.Errorf("objective %d (%s %s): its EPCI leave %v unallocated, want %v (%.4f%% of the region in no EPCI)",
					o.ID, o.Edges.Lever.Code, o.Metric, unallocated, o.TargetValue*noEPCI[o.TerritoryID], 100*noEPCI[o.TerritoryID])
			}
		}

		// Importing the same file again updates in place: same ids, same counts.
		derived := c.Objective.Query().Where(objective.Derived(true)).CountX(ctx)
		before := map[int]bool{}
		for _, o := range regionObjs {
			before[o.ID] = true
		}
		if _, err := service.New(c).ImportSGPE(ctx, sf); err != nil {
			t.Fatal(err)
		}
		after, _ := c.Objective.Query().Where(objective.Derived(false)).IDs(ctx)
		for _, id := range after {
			if !before[id] {
				t.Fatalf("re-import created objective %d", id)
			}
		}
		if len(after) != len(regionObjs) || c.Objective.Query().Where(objective.Derived(true)).CountX(ctx) != derived {
			t.Errorf("re-import changed counts")
		}

		// Derived objectives follow their inputs: a changed target, and new CRTE perimeters.
		sf.Objectives[0].KtCO2eAvoided *= 2
		if _, err := service.New(c).ImportSGPE(ctx, sf); err != nil {
			t.Fatal(err)
		}
		if _, err := importFile(t, db, readFixture(t)); err != nil {
			t.Fatal(err)
		}
		first, err := c.Objective.Query().Where(objective.Derived(false), objective.MetricEQ(planning.GHGAvoided)).
			Where(objective.HasLeverWith()).Order(ent.Asc(objective.FieldID)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sums = derivedSums(t, c)
		if first.TargetValue != planning.RoundSig(sf.Objectives[0].KtCO2eAvoided) || sums[first.ID][hierarchy.Department] != planning.InQuanta(first.TargetValue, first.TargetValue) {
			t.Errorf("after a changed target: region %v, departments %d quanta", first.TargetValue, sums[first.ID][hierarchy.Department])
		}
		brittany, _ := c.Objective.Query().Where(objective.Derived(false), objective.HasTerritoryWith(territory.Code("53"), territory.LevelEQ(hierarchy.Region))).All(ctx)
		for _, o := range brittany {
			if len(sums[o.ID]) > 0 && sums[o.ID][hierarchy.CRTE] == 0 {
				t.Errorf("objective %d of Bretagne has no CRTE part after the CRTE import", o.ID)
				break
			}
		}
	})
}

func TestImportNational(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := data.National()
		rows, err := planning.ParseNational(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := service.New(db.Client).EnsureCatalogue(ctx); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second import updates in place
			sum, err := service.New(db.Client).ImportNational(ctx, rows)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Objectives != 7 || sum.Observations != 7*4 {
				t.Errorf("summary %+v", sum)
			}
			if n := db.Client.Objective.Query().CountX(ctx); n != 7 {
				t.Errorf("%d objectives, want 7", n)
			}
			if n := db.Client.Observation.Query().CountX(ctx); n != 28 {
				t.Errorf("%d observations, want 28", n)
			}
		}
		total, err := db.Client.Objective.Query().Where(objective.SectorIDIsNil(), objective.LeverIDIsNil()).Only(ctx)
		if err != nil || total.BaselineValue != 437.7 || total.TargetValue != 276 || total.Unit != "MtCO2e" {
			t.Errorf("national total = %+v, %v", total, err)
		}
	})
}

func TestImportObservations(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := service.New(db.Client).ImportSGPE(ctx, parseSGPE(t, db)); err != nil {
			t.Fatal(err)
		}
		read := func(text string) []planning.ObservationRecord {
			t.Helper()
			recs, err := planning.ParseObservations(strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		b, err := os.ReadFile("../data/fixtures/observations-illustrative.csv")
		if err != nil {
			t.Fatal(err)
		}
		good := string(b)
		for range 2 { // importing again replaces, it does not add
			n, err := service.New(db.Client).ImportObservations(ctx, read(good))
			if err != nil || n != 7 {
				t.Fatalf("import: %d, %v", n, err)
			}
			if c := db.Client.Observation.Query().CountX(ctx); c != 7 {
				t.Errorf("%d observations stored, want 7", c)
			}
		}
		bad := good + "EPCI,999999999,augm_voitelec,,PHYSICAL,,2024,1,x\n" +
			"REGION,53,augm_voitelec,,PHYSICAL,véhicules,2024,1,x\n" +
			"REGION,53,nope,,PHYSICAL,,2024,1,x\n" +
			"REGION,53,,transports,GHG_EMISSIONS,,2024,1,new source\n"
		_, err = service.New(db.Client).ImportObservations(ctx, read(bad))
		for _, want := range []string{"line 9: unknown territory EPCI:999999999", "line 10: unit \"véhicules\" does not match", "line 11: unknown lever \"nope\""} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not contain %q", err, want)
			}
		}
		if c := db.Client.Observation.Query().CountX(ctx); c != 7 {
			t.Errorf("a refused file wrote observations: %d stored", c)
		}
	})
}
