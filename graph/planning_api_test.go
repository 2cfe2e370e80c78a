package graph_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

const sgpePath = "../../shared/data/sgpe/simulateur-territorial-data.json"

// importPlanning loads the SGPE and national reference files into db.
func importPlanning(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := store.EnsureCatalogue(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sgpePath)
	if os.IsNotExist(err) {
		t.Skipf("%s is missing: the reference data sits beside the project in CI", sgpePath)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes, err := store.RegionCodes(ctx, db.Client)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := planning.ParseSGPE(f, codes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportSGPE(ctx, db.Client, sf); err != nil {
		t.Fatal(err)
	}
	nf, err := os.Open("../../shared/data/national/emissions-by-sector.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer nf.Close()
	rows, err := planning.ParseNational(nf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportNational(ctx, db.Client, rows); err != nil {
		t.Fatal(err)
	}
}

// sgpeRows reads the reference file as it is, to compare the API with it.
func sgpeRows(t *testing.T) []struct {
	ID            string  `json:"id"`
	RegionName    string  `json:"regionName"`
	RegionEnabled bool    `json:"regionEnabled"`
	ObjCO2        float64 `json:"objCO2"`
} {
	t.Helper()
	b, err := os.ReadFile(sgpePath)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID            string  `json:"id"`
		RegionName    string  `json:"regionName"`
		RegionEnabled bool    `json:"regionEnabled"`
		ObjCO2        float64 `json:"objCO2"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestPlanningFacts(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		importPlanning(t, db)
		a := newAPI(t, db)
		var out struct {
			GE struct {
				Objectives struct {
					Edges []struct {
						Node struct {
							Metric, Unit               string
							TargetValue, BaselineValue float64
							TargetYear                 int
						} `json:"node"`
					} `json:"edges"`
				} `json:"objectives"`
			} `json:"ge"`
			BR struct {
				Dashboard []struct {
					Sector     struct{ Code string } `json:"sector"`
					GhgAvoided float64               `json:"ghgAvoided"`
					Derived    bool                  `json:"derived"`
				} `json:"dashboard"`
			} `json:"br"`
			Levers struct{ TotalCount int } `json:"levers"`
			Themes []struct{ Code string }  `json:"themes"`
		}
		a.query(`{
			ge: territory(level: REGION, code: "44") { objectives(lever: "augm_voitelec", includeDerived: false) { edges { node { metric unit targetValue baselineValue targetYear } } } }
			br: territory(level: REGION, code: "53") { dashboard { sector { code } ghgAvoided derived } }
			levers { totalCount }
			themes { code }
		}`, nil, &out)
		var ge, geKt float64
		for _, r := range sgpeRows(t) {
			if r.RegionName == "Grand Est" && r.ID == "augm_voitelec" {
				geKt = r.ObjCO2
			}
		}
		for _, e := range out.GE.Objectives.Edges {
			n := e.Node
			switch n.Metric {
			case "PHYSICAL":
				ge = n.TargetValue
			case "GHG_AVOIDED":
				if n.TargetValue != geKt || n.TargetYear != 2030 || n.Unit != "ktCO2e" {
					t.Errorf("Grand Est EV ktCO2e objective = %+v, the file says %v", n, geKt)
				}
			}
		}
		if ge < 455 || ge > 465 {
			t.Errorf("Grand Est's 2030 EV objective is %v thousand vehicles, want about 460", ge)
		}
		var want, got float64
		for _, r := range sgpeRows(t) {
			if r.RegionName == "Bretagne" && r.RegionEnabled {
				want += r.ObjCO2
			}
		}
		for _, s := range out.BR.Dashboard {
			got += s.GhgAvoided
			if s.Derived {
				t.Errorf("Bretagne's own objectives shown as derived in %s", s.Sector.Code)
			}
		}
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("Bretagne's lever objectives add up to %v, the file says %v", got, want)
		}
		if out.Levers.TotalCount != 42 || len(out.Themes) != 6 {
			t.Errorf("%d levers, %d themes", out.Levers.TotalCount, len(out.Themes))
		}
	})
}

func TestBreakdownAndDiagnostic(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		importPlanning(t, db)
		a := newAPI(t, db)
		type shares struct {
			TargetValue float64 `json:"targetValue"`
			Shares      []struct {
				Territory   struct{ Code string } `json:"territory"`
				Weight      float64               `json:"weight"`
				TargetValue float64               `json:"targetValue"`
			} `json:"shares"`
		}
		var out struct {
			T struct {
				Pop    shares `json:"pop"`
				Custom shares `json:"custom"`
				EPCI   shares `json:"epci"`
			} `json:"t"`
			D struct {
				Objectives struct {
					Edges []struct {
						Node struct{ TargetValue float64 } `json:"node"`
					} `json:"edges"`
				} `json:"objectives"`
			} `json:"d"`
		}
		a.query(`{ t: territory(level: REGION, code: "53") {
			pop: breakdown(lever: "augm_voitelec", level: DEPARTMENT) { targetValue shares { territory { code } weight targetValue } }
			custom: breakdown(lever: "augm_voitelec", level: DEPARTMENT, key: {kind: CUSTOM, weights: [{code: "22", weight: 1}, {code: "35", weight: 2}, {code: "29", weight: 1}]}) { targetValue shares { territory { code } weight targetValue } }
			epci: breakdown(lever: "reduc_rfioul", level: EPCI) { targetValue shares { territory { code } weight targetValue } } }
			d: territory(level: DEPARTMENT, code: "35") { objectives(lever: "augm_voitelec", where: {derived: true, metric: GHG_AVOIDED}) { edges { node { targetValue } } } }
		}`, nil, &out)
		for name, s := range map[string]shares{"population": out.T.Pop, "custom": out.T.Custom, "EPCI": out.T.EPCI} {
			var parts int64
			var w float64
			for _, sh := range s.Shares {
				parts += planning.ToMicro(sh.TargetValue)
				w += sh.Weight
			}
			if parts != planning.ToMicro(s.TargetValue) || math.Abs(w-1) > 1e-9 {
				t.Errorf("%s breakdown: parts add up to %d millionths, whole %d; weights %v", name, parts, planning.ToMicro(s.TargetValue), w)
			}
		}
		byCode := map[string]float64{}
		for _, sh := range out.T.Custom.Shares {
			byCode[sh.Territory.Code] = sh.TargetValue
		}
		if math.Abs(byCode["35"]-2*byCode["22"]) > 2e-6 || byCode["56"] != 0 {
			t.Errorf("custom weights: %v", byCode)
		}
		var stored float64
		for _, e := range out.D.Objectives.Edges {
			stored += e.Node.TargetValue
		}
		for _, sh := range out.T.Pop.Shares {
			if sh.Territory.Code == "35" && math.Abs(sh.TargetValue-stored) > 1e-9 {
				t.Errorf("stored derived objective of 35 is %v, the breakdown gives %v", stored, sh.TargetValue)
			}
		}

		for _, tc := range []struct{ name, q, code string }{
			{"custom weights all zero", `{ territory(level: REGION, code: "53") { breakdown(lever: "augm_voitelec", level: DEPARTMENT, key: {kind: CUSTOM, weights: [{code: "22", weight: 0}]}) { targetValue } } }`, "BAD_USER_INPUT"},
			{"custom weight unknown", `{ territory(level: REGION, code: "53") { breakdown(lever: "augm_voitelec", level: DEPARTMENT, key: {kind: CUSTOM, weights: [{code: "75", weight: 1}]}) { targetValue } } }`, "BAD_USER_INPUT"},
			{"observation key without data", `{ territory(level: REGION, code: "53") { breakdown(lever: "augm_voitelec", level: DEPARTMENT, key: {kind: OBSERVATION, indicator: {lever: "augm_voitelec", metric: PHYSICAL}}) { targetValue } } }`, "BAD_USER_INPUT"},
			{"level not below", `{ territory(level: REGION, code: "53") { breakdown(lever: "augm_voitelec", level: REGION) { targetValue } } }`, "BAD_USER_INPUT"},
			{"rate not split", `{ territory(level: REGION, code: "53") { breakdown(lever: "reduc_consovp", level: DEPARTMENT, metric: PHYSICAL) { targetValue } } }`, "BAD_USER_INPUT"},
			{"unknown lever", `{ territory(level: REGION, code: "53") { breakdown(lever: "nope", level: DEPARTMENT) { targetValue } } }`, "NOT_FOUND"},
		} {
			if r := a.do(tc.q, nil); len(r.Errors) == 0 || r.Errors[0].code() != tc.code {
				t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
			}
		}

		// Diagnostic: France's transport emissions, from the national file.
		var d struct {
			T struct {
				D struct {
					Metric        string
					BaselineValue float64 `json:"baselineValue"`
					TargetValue   float64 `json:"targetValue"`
					Latest        struct {
						Year  int
						Value float64
					} `json:"latest"`
					Status string `json:"status"`
				} `json:"diagnostic"`
			} `json:"t"`
		}
		a.query(`{ t: territory(level: COUNTRY, code: "FR") { diagnostic(sector: "transports") { metric baselineValue targetValue latest { year value } status } } }`, nil, &d)
		if d.T.D.Metric != "GHG_EMISSIONS" || d.T.D.BaselineValue != 135 || d.T.D.TargetValue != 90.3 ||
			d.T.D.Latest.Year != 2024 || d.T.D.Latest.Value != 125.4 || d.T.D.Status != "LATE" {
			t.Errorf("France transports diagnostic = %+v", d.T.D)
		}

		// An observation ahead of the straight line puts Bretagne's EV lever AHEAD; the
		// OBSERVATION key then weighs departments by their observations.
		w := newAPI(t, db)
		w.token = newKey(t, db, "Région Bretagne", hierarchy.Region, "53", access.Coordinator)
		var rec map[string]any
		w.query(`mutation { recordObservations(input: [
			{territory: {level: REGION, code: "53"}, lever: "augm_voitelec", metric: PHYSICAL, year: 2024, value: 300},
			{territory: {level: DEPARTMENT, code: "22"}, lever: "augm_voitelec", metric: PHYSICAL, year: 2024, value: 1},
			{territory: {level: DEPARTMENT, code: "29"}, lever: "augm_voitelec", metric: PHYSICAL, year: 2024, value: 1},
			{territory: {level: DEPARTMENT, code: "35"}, lever: "augm_voitelec", metric: PHYSICAL, year: 2024, value: 2},
			{territory: {level: DEPARTMENT, code: "56"}, lever: "augm_voitelec", metric: PHYSICAL, year: 2024, value: 0}]) { id } }`, nil, &rec)
		var st struct {
			T struct {
				D struct{ Status string } `json:"diagnostic"`
				B shares                  `json:"b"`
			} `json:"t"`
		}
		a.query(`{ t: territory(level: REGION, code: "53") { diagnostic(lever: "augm_voitelec") { status }
			b: breakdown(lever: "augm_voitelec", level: DEPARTMENT, key: {kind: OBSERVATION, indicator: {lever: "augm_voitelec", metric: PHYSICAL}}) { targetValue shares { territory { code } weight targetValue } } } }`, nil, &st)
		if st.T.D.Status != "AHEAD" {
			t.Errorf("status %s, want AHEAD", st.T.D.Status)
		}
		for _, sh := range st.T.B.Shares {
			if want := map[string]float64{"22": 0.25, "29": 0.25, "35": 0.5, "56": 0}[sh.Territory.Code]; math.Abs(sh.Weight-want) > 1e-9 {
				t.Errorf("observation key: %s weighs %v, want %v", sh.Territory.Code, sh.Weight, want)
			}
		}
	})
}

func TestObservationWrites(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		importPlanning(t, db)
		count := func() int { return db.Client.Observation.Query().CountX(context.Background()) }
		before := count()
		epci := newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor)
		obs := func(level, code, unit string) string {
			return `{territory: {level: ` + level + `, code: "` + code + `"}, lever: "augm_voitelec", metric: PHYSICAL, unit: "` + unit + `", year: 2024, value: 7}`
		}
		unit := "milliers de véhicules électriques dans le parc régional"
		for _, tc := range []struct {
			name, key, input, code string
		}{
			{"no key", "", obs("EPCI", "243500139", unit), "UNAUTHENTICATED"},
			{"bad key", "cop_00000000_00000000000000000000000000000000", obs("EPCI", "243500139", unit), "UNAUTHENTICATED"},
			{"outside its territory", epci, obs("EPCI", "200039022", unit), "FORBIDDEN"},
			{"wrong unit", epci, obs("EPCI", "243500139", "véhicules"), "BAD_USER_INPUT"},
			{"second of two is bad", epci, obs("EPCI", "243500139", unit) + ", " + obs("COMMUNE", "35238", "kWh"), "BAD_USER_INPUT"},
		} {
			w := newAPI(t, db)
			w.token = tc.key
			r := w.do(`mutation { recordObservations(input: [`+tc.input+`]) { id } }`, nil)
			if len(r.Errors) == 0 || r.Errors[0].code() != tc.code {
				t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
			}
		}
		if n := count(); n != before {
			t.Errorf("refused writes stored %d observations", n-before)
		}
		w := newAPI(t, db)
		w.token = epci
		var ok map[string]any
		w.query(`mutation { recordObservations(input: [`+obs("COMMUNE", "35238", "")+`]) { id unit } }`, nil, &ok)
		if n := count(); n != before+1 {
			t.Errorf("%d observations written, want 1", n-before)
		}
	})
}

func TestCopProcess(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		coord := newAPI(t, db)
		coord.token = newKey(t, db, "Région Bretagne", hierarchy.Region, "53", access.Coordinator)
		var c struct {
			C struct {
				Title string
				Steps []struct{ Kind, Status string } `json:"steps"`
			} `json:"createCop"`
		}
		coord.query(`mutation { createCop(region: "53", edition: 2024) { title steps { kind status } } }`, nil, &c)
		if len(c.C.Steps) != 4 {
			t.Fatalf("steps = %+v", c.C.Steps)
		}
		var kinds []string
		for _, s := range c.C.Steps {
			kinds = append(kinds, s.Kind)
			if s.Status != "PLANNED" {
				t.Errorf("step %s is %s", s.Kind, s.Status)
			}
		}
		var m map[string]any
		coord.query(`mutation { updateCopStep(region: "53", edition: 2024, step: DIAGNOSTIC, status: IN_PROGRESS, startsOn: "2024-01-15T00:00:00Z", endsOn: "2024-03-01T00:00:00Z") { status } }`, nil, &m)
		coord.query(`mutation { addCopParticipant(region: "53", edition: 2024, organisation: "Conseil régional de Bretagne", kind: REGIONAL_COUNCIL, territory: {level: REGION, code: "53"}) { id } }`, nil, &m)
		coord.query(`mutation { addCopDocument(region: "53", edition: 2024, title: "Diagnostic", url: "https://example.org/diag.pdf", step: DIAGNOSTIC) { id } }`, nil, &m)
		var got struct {
			Cop struct {
				Steps        []struct{ Kind, Status string } `json:"steps"`
				Participants []struct{ Organisation string } `json:"participants"`
				Documents    []struct{ URL string }          `json:"documents"`
			} `json:"cop"`
			None *struct{}                `json:"none"`
			Cops struct{ TotalCount int } `json:"cops"`
		}
		coord.query(`{ cop(region: "53", edition: 2024) { steps { kind status } participants { organisation } documents { url } }
			none: cop(region: "53", edition: 2030) { id } cops(region: "53") { totalCount } }`, nil, &got)
		if len(got.Cop.Participants) != 1 || len(got.Cop.Documents) != 1 || got.None != nil || got.Cops.TotalCount != 1 {
			t.Errorf("cop = %+v", got)
		}
		contributor := newAPI(t, db)
		contributor.token = newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor)
		other := newAPI(t, db)
		other.token = newKey(t, db, "Région Pays de la Loire", hierarchy.Region, "52", access.Coordinator)
		for _, tc := range []struct {
			name string
			a    *api
			q    string
			code string
		}{
			{"twice", coord, `mutation { createCop(region: "53", edition: 2024) { id } }`, "CONFLICT"},
			{"contributor", contributor, `mutation { createCop(region: "53", edition: 2025) { id } }`, "FORBIDDEN"},
			{"other region's coordinator", other, `mutation { addCopDocument(region: "53", edition: 2024, title: "x", url: "https://x.org") { id } }`, "FORBIDDEN"},
			{"end before start", coord, `mutation { updateCopStep(region: "53", edition: 2024, step: DEBATE, startsOn: "2024-05-01T00:00:00Z", endsOn: "2024-04-01T00:00:00Z") { id } }`, "BAD_USER_INPUT"},
			{"bad url", coord, `mutation { addCopDocument(region: "53", edition: 2024, title: "x", url: "ftp://x") { id } }`, "BAD_USER_INPUT"},
			{"unknown region", coord, `mutation { createCop(region: "99", edition: 2024) { id } }`, "BAD_USER_INPUT"},
		} {
			if r := tc.a.do(tc.q, nil); len(r.Errors) == 0 || r.Errors[0].code() != tc.code {
				t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
			}
		}
	})
}

// TestDashboardStatements: a region's and a department's dashboards run the same few
// statements, whatever their number of sectors and levers.
func TestDashboardStatements(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		importPlanning(t, db)
		a := newAPI(t, db)
		q := `query($l: TerritoryLevel!, $c: String!) { territory(level: $l, code: $c) { dashboard { sector { code name }
			ghgAvoided objectives { targetValue } levers { lever { code name } ghgAvoided physicalTarget latest { value }
			diagnostic { status } objectives { id derived } } } } }`
		region := a.statements(q, map[string]any{"l": "REGION", "c": "53"})
		dep := a.statements(q, map[string]any{"l": "DEPARTMENT", "c": "35"})
		fr := a.statements(q, map[string]any{"l": "COUNTRY", "c": "FR"})
		t.Logf("dashboard statements: region %d, department %d, country %d", region, dep, fr)
		// France has no lever objectives, so no levers to load: fewer statements.
		if region != dep || fr > region || region > 8 {
			t.Errorf("dashboard statements: region %d, department %d, country %d", region, dep, fr)
		}
	})
}
