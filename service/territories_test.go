package service_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func TestMain(m *testing.M) {
	testdb.Main(m)
}

const fixture = "../data/fixtures/crte-illustrative.csv"

func get(t *testing.T, c *ent.Client, level hierarchy.Level, code string) *ent.Territory {
	t.Helper()
	x, err := c.Territory.Query().Where(territory.LevelEQ(level), territory.Code(code)).Only(context.Background())
	if err != nil {
		t.Fatalf("%s:%s: %v", level, code, err)
	}
	return x
}

func TestLoadHierarchy(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, false, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src, err := data.Hierarchy()
		if err != nil {
			t.Fatal(err)
		}
		source := func() (hierarchy.Source, error) { return src, nil }
		loaded, err := service.New(db.Client).EnsureHierarchy(ctx, source)
		if err != nil || loaded != 1+len(src.Regions)+len(src.Departments)+len(src.EPCIs)+len(src.Communes) {
			t.Fatalf("first load: %d territories, %v", loaded, err)
		}
		before := db.Statements.Count()
		read := false
		loaded, err = service.New(db.Client).EnsureHierarchy(ctx, func() (hierarchy.Source, error) { read = true; return src, nil })
		if err != nil || loaded != 0 || read {
			t.Fatalf("second load should do nothing: %d territories, source read %v, %v", loaded, read, err)
		}
		if n := db.Statements.Count() - before; n != 1 {
			t.Errorf("a start on a loaded database ran %d statements, want 1", n)
		}
		var counts []struct {
			Level string `json:"level"`
			Count int    `json:"count"`
		}
		if err := db.Client.Territory.Query().GroupBy(territory.FieldLevel).Aggregate(ent.Count()).Scan(ctx, &counts); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range counts {
			got[c.Level] = c.Count
		}
		want := map[string]int{"COUNTRY": 1, "REGION": 18, "DEPARTMENT": 101, "EPCI": 1255, "COMMUNE": len(src.Communes)}
		for lv, n := range want {
			if got[lv] != n {
				t.Errorf("%d %s, want %d", got[lv], lv, n)
			}
		}
		fr := get(t, db.Client, hierarchy.Country, "FR")
		if fr.Population < 66_000_000 || fr.Population > 69_000_000 {
			t.Errorf("France's population is %d", fr.Population)
		}
		rennes := get(t, db.Client, hierarchy.Commune, "35238")
		if rennes.Name != "Rennes" || len(rennes.PostalCodes) != 3 || rennes.Population < 200_000 {
			t.Errorf("Rennes = %+v", rennes)
		}
		rm := get(t, db.Client, hierarchy.EPCI, "243500139")
		if rm.Nature == nil || *rm.Nature != territory.NatureMETRO || rm.Siren == nil || *rm.Siren != "243500139" {
			t.Errorf("Rennes Métropole = %+v", rm)
		}
		ok, err := db.Client.Membership.Query().Where(membership.ChildID(rennes.ID), membership.ParentID(rm.ID)).Exist(ctx)
		if err != nil || !ok {
			t.Errorf("Rennes should be a member of Rennes Métropole: %v", err)
		}
	})
}

// TestRollupIsOneStatement adds up the population of every EPCI into every region with
// one GROUP BY over the ancestry table, and checks it counts everything once.
func TestRollupIsOneStatement(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := db.Statements.Count()
		rows, err := db.Client.QueryContext(ctx, `
			SELECT r.code, SUM(e.population * a.weight)
			FROM ancestries a
			JOIN territories e ON e.id = a.territory_id
			JOIN territories r ON r.id = a.ancestor_id
			WHERE e.level = 'EPCI' AND r.level = 'REGION'
			GROUP BY r.code`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		sums := map[string]float64{}
		for rows.Next() {
			var code string
			var sum float64
			if err := rows.Scan(&code, &sum); err != nil {
				t.Fatal(err)
			}
			sums[code] = sum
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n := db.Statements.Count() - before; n != 1 {
			t.Errorf("roll-up ran %d statements, want 1", n)
		}
		// Communes outside any EPCI (four islands) are the only difference.
		src, _ := data.Hierarchy()
		outside := map[string]float64{}
		regionOf := map[string]string{}
		for _, d := range src.Departments {
			regionOf[d.Code] = d.Region
		}
		for _, c := range src.Communes {
			if c.EPCI == "" {
				outside[regionOf[c.Department]] += float64(c.Population)
			}
		}
		regions, err := db.Client.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var total float64
		for _, r := range regions {
			total += sums[r.Code]
			if got := sums[r.Code] + outside[r.Code]; math.Abs(got-float64(r.Population)) > 1e-3 {
				t.Errorf("EPCI of region %s add up to %.3f, its population is %d", r.Code, got, r.Population)
			}
		}
		var epciPop int64
		for _, p := range db.Client.Territory.Query().Where(territory.LevelEQ(hierarchy.EPCI)).Select(territory.FieldPopulation).IntsX(ctx) {
			epciPop += int64(p)
		}
		if math.Abs(total-float64(epciPop)) > 1e-3 {
			t.Errorf("regions add up to %.3f, the EPCI hold %d", total, epciPop)
		}
	})
}

func importFile(t *testing.T, db *store.DB, text string) (service.CRTESummary, error) {
	t.Helper()
	rows, err := hierarchy.ParseCRTE(strings.NewReader(text))
	if err != nil {
		return service.CRTESummary{}, err
	}
	return service.New(db.Client).ImportCRTE(context.Background(), rows)
}

func readFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tableCounts returns the number of rows of each table, to prove a refused import
// wrote nothing.
func tableCounts(t *testing.T, c *ent.Client) [3]int {
	t.Helper()
	ctx := context.Background()
	return [3]int{c.Territory.Query().CountX(ctx), c.Membership.Query().CountX(ctx), c.Ancestry.Query().CountX(ctx)}
}

func TestImportCRTE(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		base := tableCounts(t, c)
		sum, err := importFile(t, db, readFixture(t))
		if err != nil {
			t.Fatal(err)
		}
		if sum.CRTEs != 4 || sum.Members != 6 {
			t.Errorf("summary = %+v", sum)
		}
		after := tableCounts(t, c)
		if after[0] != base[0]+4 {
			t.Errorf("%d territories after import, want %d", after[0], base[0]+4)
		}
		redon := get(t, c, hierarchy.CRTE, "crte-illustratif-03")
		redonEPCI := get(t, c, hierarchy.EPCI, "243500741")
		if redon.Population != redonEPCI.Population || redon.Name != "CRTE Redon (illustratif)" {
			t.Errorf("CRTE Redon = %+v, its EPCI has %d inhabitants", redon, redonEPCI.Population)
		}
		deps, err := c.Membership.Query().Where(membership.ChildID(redon.ID)).WithParent().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var w float64
		for _, m := range deps {
			w += m.Weight
		}
		if len(deps) != 3 || math.Abs(w-1) > 1e-9 {
			t.Errorf("CRTE Redon spans %d departments with weights adding to %v; want 3 and 1", len(deps), w)
		}
		brehat := get(t, c, hierarchy.Commune, "22016")
		crte04 := get(t, c, hierarchy.CRTE, "crte-illustratif-04")
		if ok, _ := c.Membership.Query().Where(membership.ChildID(brehat.ID), membership.ParentID(crte04.ID)).Exist(ctx); !ok {
			t.Error("Île-de-Bréhat should be a direct member of crte-illustratif-04")
		}

		// Importing the same file again changes nothing.
		if _, err := importFile(t, db, readFixture(t)); err != nil {
			t.Fatal(err)
		}
		if again := tableCounts(t, c); again != after {
			t.Errorf("re-import changed row counts: %v, then %v", after, again)
		}
		if id := get(t, c, hierarchy.CRTE, "crte-illustratif-03").ID; id != redon.ID {
			t.Errorf("re-import changed the CRTE's id: %d, then %d", redon.ID, id)
		}

		// A new file for one CRTE replaces its members and leaves the others alone.
		one := strings.Join(strings.Split(readFixture(t), "\n")[:3], "\n") + "\n"
		one = strings.ReplaceAll(one, "crte-illustratif-01", "crte-illustratif-02")
		one = strings.ReplaceAll(one, "CRTE Rennes Métropole (illustratif)", "CRTE Pays de Vitré et Val d'Ille (illustratif)")
		one = strings.Join(append(strings.Split(one, "\n")[:1], strings.Split(one, "\n")[2:]...), "\n")
		if _, err := importFile(t, db, one); err != nil {
			t.Fatal(err)
		}
		crte02 := get(t, c, hierarchy.CRTE, "crte-illustratif-02")
		vitre := get(t, c, hierarchy.EPCI, "200039022")
		if crte02.Population != vitre.Population {
			t.Errorf("crte-illustratif-02 has %d inhabitants, want Vitré's %d alone", crte02.Population, vitre.Population)
		}
		valdille := get(t, c, hierarchy.EPCI, "243500667")
		if ok, _ := c.Membership.Query().Where(membership.ChildID(valdille.ID), membership.HasParentWith(territory.LevelEQ(hierarchy.CRTE))).Exist(ctx); ok {
			t.Error("Val d'Ille-Aubigné is still in a CRTE")
		}
		if get(t, c, hierarchy.CRTE, "crte-illustratif-03").Population != redon.Population {
			t.Error("a CRTE absent from the file changed")
		}

		// otherLevel selects the rows whose copy of a territory's level (levelCol) is not
		// the level of the territory idCol names.
		otherLevel := func(idCol, levelCol string) func(*sql.Selector) {
			return func(s *sql.Selector) {
				tt := sql.Table(territory.Table)
				s.Join(tt).On(s.C(idCol), tt.C(territory.FieldID)).
					Where(sql.ColumnsNEQ(s.C(levelCol), tt.C(territory.FieldLevel)))
			}
		}
		// Every membership, of the hierarchy and of the CRTE, carries its child's level.
		wrong, err := c.Membership.Query().Where(otherLevel(membership.FieldChildID, membership.FieldChildLevel)).Count(ctx)
		if err != nil || wrong != 0 {
			t.Errorf("%d memberships with another level than their child's (%v)", wrong, err)
		}
		if n, _ := c.Membership.Query().Where(membership.ChildLevelEQ(hierarchy.CRTE)).Count(ctx); n == 0 {
			t.Error("no membership of a CRTE child")
		}
		// Every ancestry likewise carries its territory's level.
		wrong, err = c.Ancestry.Query().Where(otherLevel(ancestry.FieldTerritoryID, ancestry.FieldTerritoryLevel)).Count(ctx)
		if err != nil || wrong != 0 {
			t.Errorf("%d ancestries with another level than their territory's (%v)", wrong, err)
		}
		if n, _ := c.Ancestry.Query().Where(ancestry.TerritoryLevelEQ(hierarchy.CRTE), ancestry.DepthGT(0)).Count(ctx); n == 0 {
			t.Error("no ancestry of a CRTE")
		}
	})
}

func TestImportCRTERefusesBadFiles(t *testing.T) {
	t.Parallel() // a database of its own
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		if _, err := importFile(t, db, readFixture(t)); err != nil {
			t.Fatal(err)
		}
		before := tableCounts(t, db.Client)
		head := strings.SplitN(readFixture(t), "\n", 2)[0] + "\n"
		row := func(reg, dep, id, siren string) string {
			return reg + ",R," + dep + ",D," + id + ",CRTE " + id + ",EPCI,Non,Non," + siren + ",G,CC,,,\n"
		}
		for _, tc := range []struct {
			name, file string
			want       []string
		}{
			{"unknown SIREN", head + row("53", "35", "x1", "243500139") + row("53", "35", "x1", "999999999"),
				[]string{"line 3: unknown SIREN 999999999"}},
			{"unknown department and region", head + row("53", "99", "x1", "200039022") + row("00", "35", "x2", "243500667"),
				[]string{"line 2: unknown department \"99\"", "line 3: unknown region \"00\""}},
			{"member of a CRTE not in the file", head + row("53", "35", "x1", "243500139"),
				[]string{"line 2: EPCI:243500139 is already in CRTE crte-illustratif-01"}},
			{"member twice in the file", head + row("53", "35", "x1", "243500550") + row("53", "35", "x2", "243500550"),
				[]string{"line 3: EPCI:243500550 is listed in CRTE x1 and x2"}},
			{"commune already in through its EPCI", head + row("53", "35", "crte-illustratif-01", "243500139") + row("53", "35", "x2", "213502388"),
				[]string{"commune 35238: in CRTE x2 directly and in CRTE crte-illustratif-01 through EPCI 243500139"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := importFile(t, db, tc.file)
				if err == nil {
					t.Fatal("import accepted a bad file")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				if after := tableCounts(t, db.Client); after != before {
					t.Errorf("a refused import wrote rows: %v, then %v", before, after)
				}
			})
		}
	})
}
