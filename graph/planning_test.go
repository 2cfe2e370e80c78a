package graph_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// Tests of the planning API (schema/planning.graphql): the catalogue, the SGPE objectives
// and their breakdowns, dashboards, diagnostics, observations and the COP process. They
// run on testdb.Planned databases, which hold the data embedded in the project (data.SGPE,
// data.National), and compare the API with those files read here as they are.

// sgpeRow is a record of the SGPE file, read as it is.
type sgpeRow struct {
	ID             string  `json:"id"`
	LeverName      string  `json:"leverName"`
	RegionName     string  `json:"regionName"`
	RegionEnabled  bool    `json:"regionEnabled"`
	Sector         string  `json:"sector"`
	Group          string  `json:"group"`
	ObjCO2         float64 `json:"objCO2"`
	RatioCO2toPhys float64 `json:"ratioCO2toPhys"`
	StartPoint2019 float64 `json:"startPoint2019"`
	UnitPhys       *string `json:"unitPhys"`
}

// sgpeRows reads the embedded SGPE file without the fictitious example region.
func sgpeRows(t *testing.T) []sgpeRow {
	t.Helper()
	var all, out []sgpeRow
	if err := json.NewDecoder(data.SGPE()).Decode(&all); err != nil {
		t.Fatalf("SGPE file: %v", err)
	}
	for _, r := range all {
		if r.RegionName != planning.ExampleRegion {
			out = append(out, r)
		}
	}
	return out
}

// sgpeRowOf returns the file's record of a region and a lever.
func sgpeRowOf(t *testing.T, rows []sgpeRow, region, lever string) sgpeRow {
	t.Helper()
	for _, r := range rows {
		if r.RegionName == region && r.ID == lever {
			return r
		}
	}
	t.Fatalf("the SGPE file has no record of %s for %s", lever, region)
	return sgpeRow{}
}

// sgpeEnabled returns the lever codes enabled for a region in the file, sorted.
func sgpeEnabled(rows []sgpeRow, region string) []string {
	var out []string
	for _, r := range rows {
		if r.RegionName == region && r.RegionEnabled {
			out = append(out, r.ID)
		}
	}
	sort.Strings(out)
	return out
}

// sgpeRegionNames maps the regions the tests use to their labels in the SGPE file.
var sgpeRegionNames = map[string]string{
	"53": "Bretagne", "44": "Grand Est", "11": "Île-de-France", "93": "PACA", "04": "La Réunion",
}

// objectiveNode is an Objective as the API gives it.
type objectiveNode struct {
	Metric        string  `json:"metric"`
	Unit          string  `json:"unit"`
	Source        string  `json:"source"`
	BaselineYear  int     `json:"baselineYear"`
	BaselineValue float64 `json:"baselineValue"`
	TargetYear    int     `json:"targetYear"`
	TargetValue   float64 `json:"targetValue"`
	Derived       bool    `json:"derived"`
	BreakdownKey  *string `json:"breakdownKey"`
	Lever         *struct {
		Code      string `json:"code"`
		Extensive bool   `json:"extensive"`
	} `json:"lever"`
}

const objectiveFields = `metric unit source baselineYear baselineValue targetYear targetValue derived breakdownKey lever { code extensive }`

type objectiveConn struct {
	TotalCount int `json:"totalCount"`
	Edges      []struct {
		Node objectiveNode `json:"node"`
	} `json:"edges"`
}

func (c objectiveConn) byMetric() map[string]objectiveNode {
	out := map[string]objectiveNode{}
	for _, e := range c.Edges {
		out[e.Node.Metric] = e.Node
	}
	return out
}

// breakdownNode is a Breakdown as the API gives it.
type breakdownNode struct {
	Metric        string  `json:"metric"`
	Unit          string  `json:"unit"`
	Key           string  `json:"key"`
	BaselineYear  int     `json:"baselineYear"`
	TargetYear    int     `json:"targetYear"`
	BaselineValue float64 `json:"baselineValue"`
	TargetValue   float64 `json:"targetValue"`
	Shares        []struct {
		Territory struct {
			Code       string `json:"code"`
			Population int64  `json:"population"`
		} `json:"territory"`
		Population    int64   `json:"population"`
		Weight        float64 `json:"weight"`
		BaselineValue float64 `json:"baselineValue"`
		TargetValue   float64 `json:"targetValue"`
	} `json:"shares"`
	Unallocated struct {
		Population    int64   `json:"population"`
		Weight        float64 `json:"weight"`
		BaselineValue float64 `json:"baselineValue"`
		TargetValue   float64 `json:"targetValue"`
	} `json:"unallocated"`
}

const breakdownFields = `metric unit key baselineYear targetYear baselineValue targetValue
	shares { territory { code population } population weight baselineValue targetValue }
	unallocated { population weight baselineValue targetValue }`

func (b breakdownNode) weights() map[string]float64 {
	out := map[string]float64{}
	for _, s := range b.Shares {
		out[s.Territory.Code] = s.Weight
	}
	return out
}

func (b breakdownNode) targets() map[string]float64 {
	out := map[string]float64{}
	for _, s := range b.Shares {
		out[s.Territory.Code] = s.TargetValue
	}
	return out
}

// checkAddsUp checks that a breakdown's parts and its unallocated part add up exactly to
// the whole, in quanta of the whole (planning.InQuanta), and that its weights add up to 1
// (each is rounded to 6 decimals).
func (b breakdownNode) checkAddsUp(t *testing.T, what string) {
	t.Helper()
	inT := func(v float64) int64 { return planning.InQuanta(v, b.TargetValue) }
	inB := func(v float64) int64 { return planning.InQuanta(v, b.BaselineValue) }
	target, base := inT(b.Unallocated.TargetValue), inB(b.Unallocated.BaselineValue)
	w := b.Unallocated.Weight
	for _, s := range b.Shares {
		target += inT(s.TargetValue)
		base += inB(s.BaselineValue)
		w += s.Weight
		if s.Weight < 0 || s.Weight > 1 {
			t.Errorf("%s: %s weighs %v", what, s.Territory.Code, s.Weight)
		}
	}
	if target != inT(b.TargetValue) {
		t.Errorf("%s: targets add up to %d quanta, the whole is %d (%v)", what, target, inT(b.TargetValue), b.TargetValue)
	}
	if base != inB(b.BaselineValue) {
		t.Errorf("%s: baselines add up to %d quanta, the whole is %d (%v)", what, base, inB(b.BaselineValue), b.BaselineValue)
	}
	if !rounded(w, 1, planning.Share, len(b.Shares)+1) {
		t.Errorf("%s: weights add up to %v, want 1", what, w)
	}
}

const recordObservationsQ = `mutation($in: [ObservationInput!]!) { recordObservations(input: $in) { metric unit year value source lever { code } territory { level code } } }`

// evObservation is an ObservationInput of augm_voitelec's physical quantity.
func evObservation(level, code string, year int, value float64) map[string]any {
	return map[string]any{"territory": map[string]any{"level": level, "code": code},
		"lever": "augm_voitelec", "metric": "PHYSICAL", "year": year, "value": value}
}

// TestPlanningCatalogue: themes, sectors and levers of the catalogue and of the SGPE file.
func TestPlanningCatalogue(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		rows := sgpeRows(t)
		a := newAPI(t, db)
		type code struct {
			Code string `json:"code"`
		}
		var out struct {
			Themes []struct {
				Code string `json:"code"`
				Name string `json:"name"`
			} `json:"themes"`
			Sectors []struct {
				Code   string `json:"code"`
				Parent *code  `json:"parent"`
			} `json:"sectors"`
			Levers struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node code `json:"node"`
				} `json:"edges"`
			} `json:"levers"`
			EV *struct {
				Code         string  `json:"code"`
				Name         string  `json:"name"`
				PhysicalUnit *string `json:"physicalUnit"`
				Extensive    bool    `json:"extensive"`
				Sector       struct {
					Code   string `json:"code"`
					Parent *code  `json:"parent"`
				} `json:"sector"`
				Theme code `json:"theme"`
			} `json:"ev"`
			None       *code `json:"none"`
			NoSector   *code `json:"noSector"`
			Transports *struct {
				Subsectors []code `json:"subsectors"`
			} `json:"transports"`
		}
		a.query(`{
			themes { code name }
			sectors { code parent { code } }
			levers(first: 100) { totalCount edges { node { code } } }
			ev: lever(code: "augm_voitelec") { code name physicalUnit extensive sector { code parent { code } } theme { code } }
			none: lever(code: "pas_un_levier") { code }
			noSector: sector(code: "pas-un-secteur") { code }
			transports: sector(code: "transports") { subsectors { code } }
		}`, nil, &out)

		// Six themes, among them every group of the file (which uses five of them).
		themeCodes, themeNames := map[string]bool{}, map[string]bool{}
		for _, th := range out.Themes {
			themeCodes[th.Code], themeNames[th.Name] = true, true
		}
		if len(out.Themes) != 6 || len(themeCodes) != 6 || len(themeNames) != 6 {
			t.Errorf("%d themes (%d codes, %d names), want 6: %+v", len(out.Themes), len(themeCodes), len(themeNames), out.Themes)
		}
		for _, r := range rows {
			if !themeNames[r.Group] {
				t.Errorf("lever %s of %s: group %q is not a theme", r.ID, r.RegionName, r.Group)
				break
			}
		}
		if len(out.Themes) > 0 && out.Themes[0].Code != "se-deplacer" {
			t.Errorf("first theme %s, want se-deplacer (the dashboards' order)", out.Themes[0].Code)
		}

		// Sectors: transports is national, transport-voyageurs subdivides it.
		parents := map[string]string{}
		for _, s := range out.Sectors {
			if _, dup := parents[s.Code]; dup {
				t.Errorf("sector %s listed twice", s.Code)
			}
			parents[s.Code] = ""
			if s.Parent != nil {
				parents[s.Code] = s.Parent.Code
			}
		}
		if p, ok := parents["transports"]; !ok || p != "" {
			t.Errorf("sector transports: present %v, parent %q", ok, p)
		}
		if p, ok := parents["transport-voyageurs"]; !ok || p != "transports" {
			t.Errorf("sector transport-voyageurs: present %v, parent %q, want transports", ok, p)
		}
		if out.Transports == nil || !slices.Contains(func() []string {
			var c []string
			for _, s := range out.Transports.Subsectors {
				c = append(c, s.Code)
			}
			return c
		}(), "transport-voyageurs") {
			t.Errorf("subsectors of transports = %+v", out.Transports)
		}

		// 42 levers: every lever code of the file, once.
		fileLevers := map[string]bool{}
		for _, r := range rows {
			fileLevers[r.ID] = true
		}
		var got []string
		for _, e := range out.Levers.Edges {
			got = append(got, e.Node.Code)
		}
		sort.Strings(got)
		var want []string
		for c := range fileLevers {
			want = append(want, c)
		}
		sort.Strings(want)
		if out.Levers.TotalCount != 42 || len(want) != 42 || !slices.Equal(got, want) {
			t.Errorf("levers: totalCount %d, %d listed, the file has %d; got %v", out.Levers.TotalCount, len(got), len(want), got)
		}

		ev := out.EV
		if ev == nil {
			t.Fatal("lever augm_voitelec is null")
		}
		evRow := sgpeRowOf(t, rows, "Grand Est", "augm_voitelec")
		if ev.Code != "augm_voitelec" || ev.Name != evRow.LeverName || ev.Sector.Code != "transport-voyageurs" ||
			ev.Sector.Parent == nil || ev.Sector.Parent.Code != "transports" || ev.Theme.Code != "se-deplacer" || !ev.Extensive {
			t.Errorf("augm_voitelec = %+v (the file names it %q)", ev, evRow.LeverName)
		}
		if ev.PhysicalUnit == nil || !strings.HasPrefix(*ev.PhysicalUnit, "milliers de véhicules électriques") {
			t.Errorf("physical unit of augm_voitelec = %v", ev.PhysicalUnit)
		} else if strings.Contains(*ev.PhysicalUnit, "\n") {
			t.Errorf("physical unit of augm_voitelec keeps the file's line break: %q", *ev.PhysicalUnit)
		}
		if out.None != nil || out.NoSector != nil {
			t.Errorf("unknown lever = %+v, unknown sector = %+v; want null", out.None, out.NoSector)
		}
	})
}

// TestPlanningRegionObjectives: Grand Est's own objectives for electric vehicles are the
// file's, and its departments get derived ones.
func TestPlanningRegionObjectives(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		row := sgpeRowOf(t, sgpeRows(t), "Grand Est", "augm_voitelec")
		a := newAPI(t, db)
		var out struct {
			GE struct {
				Own objectiveConn `json:"own"`
				All objectiveConn `json:"all"`
			} `json:"ge"`
			D struct {
				Own objectiveConn `json:"own"`
				All objectiveConn `json:"all"`
			} `json:"d"`
		}
		a.query(`{
			ge: territory(level: REGION, code: "44") {
				own: objectives(lever: "augm_voitelec", includeDerived: false) { totalCount edges { node { `+objectiveFields+` } } }
				all: objectives(lever: "augm_voitelec") { totalCount }
			}
			d: territory(level: DEPARTMENT, code: "67") {
				own: objectives(lever: "augm_voitelec", includeDerived: false) { totalCount }
				all: objectives(lever: "augm_voitelec") { totalCount edges { node { `+objectiveFields+` } } }
			}
		}`, nil, &out)
		if out.GE.Own.TotalCount != 2 || len(out.GE.Own.Edges) != 2 || out.GE.All.TotalCount != 2 {
			t.Fatalf("Grand Est has %d own objectives for augm_voitelec (%d in all), want 2: %+v",
				out.GE.Own.TotalCount, out.GE.All.TotalCount, out.GE.Own.Edges)
		}
		m := out.GE.Own.byMetric()
		phys, ok := m["PHYSICAL"]
		if !ok {
			t.Fatalf("no PHYSICAL objective: %+v", m)
		}
		if phys.TargetValue < 455 || phys.TargetValue > 465 {
			t.Errorf("Grand Est's 2030 objective is %v thousand electric vehicles, want about 460", phys.TargetValue)
		}
		// Stored as the file gives it, to 12 significant digits (planning.RoundSig).
		if want := planning.RoundSig(row.StartPoint2019 + row.ObjCO2*row.RatioCO2toPhys); phys.TargetValue != want {
			t.Errorf("PHYSICAL target %v, the file gives %v + %v × %v = %v", phys.TargetValue, row.StartPoint2019, row.ObjCO2, row.RatioCO2toPhys, want)
		}
		if phys.BaselineValue != row.StartPoint2019 || phys.BaselineYear != 2019 || phys.TargetYear != 2030 ||
			phys.Derived || phys.Source != "SGPE" || !strings.HasPrefix(phys.Unit, "milliers de véhicules électriques") {
			t.Errorf("PHYSICAL objective = %+v, the file's 2019 value is %v", phys, row.StartPoint2019)
		}
		ghg, ok := m["GHG_AVOIDED"]
		if !ok {
			t.Fatalf("no GHG_AVOIDED objective: %+v", m)
		}
		if ghg.TargetValue != planning.Round(row.ObjCO2, planning.KtCO2e) || ghg.BaselineValue != 0 || ghg.Unit != "ktCO2e" ||
			ghg.BaselineYear != 2019 || ghg.TargetYear != 2030 || ghg.Derived || ghg.Source != "SGPE" {
			t.Errorf("GHG_AVOIDED objective = %+v, the file's objCO2 is %v", ghg, row.ObjCO2)
		}

		// Bas-Rhin has none of its own, but one derived objective per metric.
		if out.D.Own.TotalCount != 0 || out.D.All.TotalCount != 2 {
			t.Fatalf("Bas-Rhin: %d own, %d in all; want 0 and 2", out.D.Own.TotalCount, out.D.All.TotalCount)
		}
		for _, e := range out.D.All.Edges {
			n := e.Node
			if !n.Derived || n.Source != "BREAKDOWN" || n.BreakdownKey == nil || *n.BreakdownKey != "POPULATION" ||
				n.TargetValue <= 0 || n.TargetValue >= m[n.Metric].TargetValue || n.Unit != m[n.Metric].Unit {
				t.Errorf("Bas-Rhin's derived %s objective = %+v (region's %+v)", n.Metric, n, m[n.Metric])
			}
		}
	})
}

// TestPlanningRegionDashboard: Bretagne's dashboard adds up the file's objectives, one
// row per sector of the national inventory with its subdivisions' levers.
func TestPlanningRegionDashboard(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		rows := sgpeRows(t)
		a := newAPI(t, db)
		var out struct {
			T struct {
				Dashboard []struct {
					Sector struct {
						Code string `json:"code"`
					} `json:"sector"`
					GhgAvoided float64 `json:"ghgAvoided"`
					Derived    bool    `json:"derived"`
					Levers     []struct {
						Lever *struct {
							Code   string `json:"code"`
							Sector struct {
								Code string `json:"code"`
							} `json:"sector"`
						} `json:"lever"`
						GhgAvoided     *float64 `json:"ghgAvoided"`
						PhysicalTarget *float64 `json:"physicalTarget"`
					} `json:"levers"`
				} `json:"dashboard"`
			} `json:"t"`
		}
		a.query(`{ t: territory(level: REGION, code: "53") { dashboard { sector { code } ghgAvoided derived
			levers { lever { code sector { code } } ghgAvoided physicalTarget } } } }`, nil, &out)
		var want float64
		fileKt := map[string]float64{}
		for _, r := range rows {
			if r.RegionName == "Bretagne" && r.RegionEnabled {
				want += r.ObjCO2
				fileKt[r.ID] = planning.Round(r.ObjCO2, planning.KtCO2e)
			}
		}
		if len(out.T.Dashboard) == 0 {
			t.Fatal("Bretagne's dashboard is empty")
		}
		var got float64
		sectors := map[string]bool{}
		levers := map[string]bool{}
		for _, s := range out.T.Dashboard {
			got += s.GhgAvoided
			if sectors[s.Sector.Code] {
				t.Errorf("sector %s repeated", s.Sector.Code)
			}
			sectors[s.Sector.Code] = true
			if s.Derived {
				t.Errorf("sector %s: Bretagne's own objectives shown as derived", s.Sector.Code)
			}
			var sum float64
			for i, l := range s.Levers {
				if l.Lever == nil || l.Lever.Code == "" {
					t.Errorf("sector %s: lever summary %d has no lever", s.Sector.Code, i)
					continue
				}
				if levers[l.Lever.Code] {
					t.Errorf("lever %s repeated", l.Lever.Code)
				}
				levers[l.Lever.Code] = true
				if planning.InventorySector(l.Lever.Sector.Code) != s.Sector.Code {
					t.Errorf("lever %s of sector %s listed under %s", l.Lever.Code, l.Lever.Sector.Code, s.Sector.Code)
				}
				if l.GhgAvoided == nil || *l.GhgAvoided != fileKt[l.Lever.Code] {
					t.Errorf("lever %s avoids %v ktCO2e, the file says %v", l.Lever.Code, l.GhgAvoided, fileKt[l.Lever.Code])
				} else {
					sum += *l.GhgAvoided
				}
			}
			if math.Abs(sum-s.GhgAvoided) > 1e-6 {
				t.Errorf("sector %s avoids %v, its levers %v", s.Sector.Code, s.GhgAvoided, sum)
			}
		}
		if !rounded(got, want, planning.KtCO2e, len(levers)) {
			t.Errorf("Bretagne's dashboard avoids %v ktCO2e, the file's enabled rows %v", got, want)
		}
		var gotLevers []string
		for c := range levers {
			gotLevers = append(gotLevers, c)
		}
		sort.Strings(gotLevers)
		if wantLevers := sgpeEnabled(rows, "Bretagne"); !slices.Equal(gotLevers, wantLevers) {
			t.Errorf("dashboard levers %v, the file enables %v", gotLevers, wantLevers)
		}
	})
}

// TestPlanningBreakdownAddsUp: for several regions and every lever they have, the
// departments' parts add up exactly, in quanta of the whole, to the region's objective, weighed
// by population; the stored derived objectives agree with the breakdown.
func TestPlanningBreakdownAddsUp(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		rows := sgpeRows(t)
		a := newAPI(t, db)
		regions := []string{"53", "44", "11", "93", "04"}
		var voitelec53 breakdownNode
		for _, region := range regions {
			t.Run(region, func(t *testing.T) {
				name := sgpeRegionNames[region]
				var reg struct {
					T struct {
						Objectives objectiveConn `json:"objectives"`
						Children   struct {
							Edges []struct {
								Node struct {
									Code       string `json:"code"`
									Population int64  `json:"population"`
								} `json:"node"`
							} `json:"edges"`
						} `json:"children"`
					} `json:"t"`
				}
				a.query(`query($c: String!) { t: territory(level: REGION, code: $c) {
					objectives(includeDerived: false, first: 100) { totalCount edges { node { `+objectiveFields+` } } }
					children(level: DEPARTMENT, first: 100) { edges { node { code population } } } } }`,
					map[string]any{"c": region}, &reg)
				deps := map[string]int64{}
				var depPop int64
				for _, e := range reg.T.Children.Edges {
					deps[e.Node.Code] = e.Node.Population
					depPop += e.Node.Population
				}
				if len(deps) == 0 {
					t.Fatalf("region %s has no department", region)
				}
				var levers []string
				for _, e := range reg.T.Objectives.Edges {
					if e.Node.Lever != nil && e.Node.Metric == "GHG_AVOIDED" {
						levers = append(levers, e.Node.Lever.Code)
					}
				}
				sort.Strings(levers)
				if want := sgpeEnabled(rows, name); len(want) == 0 || !slices.Equal(levers, want) {
					t.Errorf("%s has GHG_AVOIDED objectives for %v, the file enables %v", name, levers, want)
				}
				n := 0
				for _, e := range reg.T.Objectives.Edges {
					o := e.Node
					if o.Lever == nil {
						continue
					}
					what := fmt.Sprintf("%s %s %s", region, o.Lever.Code, o.Metric)
					vars := map[string]any{"c": region, "l": o.Lever.Code, "m": o.Metric}
					const q = `query($c: String!, $l: String!, $m: Metric!) { t: territory(level: REGION, code: $c) {
						breakdown(lever: $l, level: DEPARTMENT, metric: $m) { ` + breakdownFields + ` } } }`
					if o.Metric == "PHYSICAL" && !o.Lever.Extensive {
						// A rate or an average does not add up over territories.
						wantError(t, what, a.do(q, vars), "BAD_USER_INPUT")
						continue
					}
					var bd struct {
						T struct {
							B breakdownNode `json:"breakdown"`
						} `json:"t"`
					}
					a.query(q, vars, &bd)
					b := bd.T.B
					n++
					if b.TargetValue != o.TargetValue || b.BaselineValue != o.BaselineValue || b.Unit != o.Unit ||
						b.Key != "POPULATION" || b.Metric != o.Metric || b.BaselineYear != o.BaselineYear || b.TargetYear != o.TargetYear {
						t.Errorf("%s: breakdown of %+v is of %v (base %v, unit %q, key %s)", what, o, b.TargetValue, b.BaselineValue, b.Unit, b.Key)
					}
					if o.Metric == "GHG_AVOIDED" {
						if kt := planning.Round(sgpeRowOf(t, rows, name, o.Lever.Code).ObjCO2, planning.KtCO2e); b.TargetValue != kt {
							t.Errorf("%s: breakdown of %v, the file's objCO2 is %v", what, b.TargetValue, kt)
						}
					}
					b.checkAddsUp(t, what)
					if len(b.Shares) != len(deps) {
						t.Errorf("%s: %d shares, the region has %d departments", what, len(b.Shares), len(deps))
					}
					for _, s := range b.Shares {
						pop, ok := deps[s.Territory.Code]
						if !ok {
							t.Errorf("%s: share of %s, not a department of the region", what, s.Territory.Code)
						} else if want := float64(pop) / float64(depPop); !rounded(s.Weight, want, planning.Share, 1) || s.Population != pop {
							t.Errorf("%s: %s weighs %v (%d inhabitants), its share of population is %v (%d)", what, s.Territory.Code, s.Weight, s.Population, want, pop)
						}
					}
					if region == "53" && o.Lever.Code == "augm_voitelec" && o.Metric == "GHG_AVOIDED" {
						voitelec53 = b
					}
				}
				if n == 0 {
					t.Errorf("no breakdown checked for %s", region)
				}
				t.Logf("%s: %d breakdowns over %d departments add up", name, n, len(deps))
			})
		}

		// The derived objectives stored for Bretagne's departments are the breakdown's parts.
		if len(voitelec53.Shares) == 0 {
			t.Fatal("no breakdown of augm_voitelec for Bretagne")
		}
		for _, s := range voitelec53.Shares {
			var d struct {
				T struct {
					Objectives objectiveConn `json:"objectives"`
				} `json:"t"`
			}
			a.query(`query($c: String!) { t: territory(level: DEPARTMENT, code: $c) {
				objectives(lever: "augm_voitelec", where: {derived: true}) { totalCount edges { node { `+objectiveFields+` } } } } }`,
				map[string]any{"c": s.Territory.Code}, &d)
			ghg, ok := d.T.Objectives.byMetric()["GHG_AVOIDED"]
			if !ok || d.T.Objectives.TotalCount != 2 {
				t.Errorf("department %s: derived objectives %+v, want a GHG_AVOIDED and a PHYSICAL one", s.Territory.Code, d.T.Objectives.Edges)
				continue
			}
			if ghg.TargetValue != s.TargetValue || !ghg.Derived {
				t.Errorf("department %s: stored derived objective %v, the breakdown gives %v", s.Territory.Code, ghg.TargetValue, s.TargetValue)
			}
		}

		// Over EPCI, which may straddle regions, the parts add up the same way: one share
		// per EPCI lying at least partly in the region.
		var epci struct {
			T struct {
				EPCI struct {
					TotalCount int `json:"totalCount"`
				} `json:"epci"`
				EV    breakdownNode `json:"ev"`
				Fioul breakdownNode `json:"fioul"`
			} `json:"t"`
		}
		a.query(`{ t: territory(level: REGION, code: "53") { epci: descendants(level: EPCI) { totalCount }
			ev: breakdown(lever: "augm_voitelec", level: EPCI) { `+breakdownFields+` }
			fioul: breakdown(lever: "reduc_rfioul", level: EPCI) { `+breakdownFields+` } } }`, nil, &epci)
		for name, b := range map[string]breakdownNode{"augm_voitelec": epci.T.EV, "reduc_rfioul": epci.T.Fioul} {
			what := "53 " + name + " over EPCI"
			b.checkAddsUp(t, what)
			if len(b.Shares) == 0 || len(b.Shares) != epci.T.EPCI.TotalCount {
				t.Errorf("%s: %d shares, Bretagne has %d EPCI", what, len(b.Shares), epci.T.EPCI.TotalCount)
			}
			if w := b.weights()["243500741"]; w <= 0 {
				t.Errorf("%s: Redon Agglomération (35, 44, 56) weighs %v, want its part inside Bretagne", what, w)
			}
		}
	})
}

// TestPlanningBreakdownKeys: custom and observation keys, and the breakdowns refused.
func TestPlanningBreakdownKeys(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		// The region's coordinator records the observations of its departments.
		w := a.as(newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator))
		const q = `query($lever: String!, $level: TerritoryLevel!, $metric: Metric, $key: BreakdownKeyInput) {
			t: territory(level: REGION, code: "53") { breakdown(lever: $lever, level: $level, metric: $metric, key: $key) { ` + breakdownFields + ` } } }`
		breakdown := func(key map[string]any) breakdownNode {
			t.Helper()
			var out struct {
				T struct {
					B breakdownNode `json:"breakdown"`
				} `json:"t"`
			}
			a.query(q, map[string]any{"lever": "augm_voitelec", "level": "DEPARTMENT", "key": key}, &out)
			return out.T.B
		}
		custom := func(ws map[string]float64) map[string]any {
			var list []map[string]any
			for c, v := range ws {
				list = append(list, map[string]any{"code": c, "weight": v})
			}
			return map[string]any{"kind": "CUSTOM", "weights": list}
		}
		observation := func(year any) map[string]any {
			return map[string]any{"kind": "OBSERVATION", "year": year,
				"indicator": map[string]any{"lever": "augm_voitelec", "metric": "PHYSICAL"}}
		}
		checkWeights := func(what string, b breakdownNode, want map[string]float64) {
			t.Helper()
			b.checkAddsUp(t, what)
			got := b.weights()
			if len(got) != len(want) {
				t.Errorf("%s: weights %v, want %v", what, got, want)
			}
			for c, w := range want {
				if g, ok := got[c]; !ok || !rounded(g, w, planning.Share, 1) {
					t.Errorf("%s: %s weighs %v, want %v", what, c, g, w)
				}
			}
		}

		// CUSTOM: 35 gets twice 22's part, 56 nothing.
		b := breakdown(custom(map[string]float64{"22": 1, "29": 1, "35": 2, "56": 0}))
		if b.Key != "CUSTOM" {
			t.Errorf("key %s, want CUSTOM", b.Key)
		}
		checkWeights("custom", b, map[string]float64{"22": 0.25, "29": 0.25, "35": 0.5, "56": 0})
		parts := b.targets()
		if parts["22"] <= 0 || math.Abs(parts["35"]-2*parts["22"]) > 2e-3 || parts["56"] != 0 {
			t.Errorf("custom parts %v: want 35 twice 22 and 56 zero", parts)
		}
		// A department the weights leave out gets nothing, and keeps its share.
		checkWeights("custom without 56", breakdown(custom(map[string]float64{"22": 1, "29": 1, "35": 2})),
			map[string]float64{"22": 0.25, "29": 0.25, "35": 0.5, "56": 0})

		// Refused breakdowns.
		for _, tc := range []struct {
			name   string
			lever  string
			level  string
			key    map[string]any
			code   string
			phrase string
			metric string
		}{
			{"custom code outside the region", "augm_voitelec", "DEPARTMENT", custom(map[string]float64{"22": 1, "75": 1}), "BAD_USER_INPUT", "75", ""},
			{"custom unknown code", "augm_voitelec", "DEPARTMENT", custom(map[string]float64{"XX": 1}), "BAD_USER_INPUT", "XX", ""},
			{"custom weights all zero", "augm_voitelec", "DEPARTMENT", custom(map[string]float64{"22": 0, "29": 0}), "BAD_USER_INPUT", "positive", ""},
			{"custom negative weight", "augm_voitelec", "DEPARTMENT", custom(map[string]float64{"22": 1, "29": -1}), "BAD_USER_INPUT", "", ""},
			{"observation key without observations", "augm_voitelec", "DEPARTMENT", observation(nil), "BAD_USER_INPUT", "", ""},
			{"level not below the territory", "augm_voitelec", "REGION", nil, "BAD_USER_INPUT", "", ""},
			{"level above the territory", "augm_voitelec", "COUNTRY", nil, "BAD_USER_INPUT", "", ""},
			{"unknown lever", "pas_un_levier", "DEPARTMENT", nil, "NOT_FOUND", "", ""},
			// A consumption per vehicle is a rate: it does not add up over territories.
			{"a rate", "reduc_consovp", "DEPARTMENT", nil, "BAD_USER_INPUT", "cannot be broken down", "PHYSICAL"},
		} {
			var msgs []string
			if tc.phrase != "" {
				msgs = append(msgs, tc.phrase)
			}
			var metric any
			if tc.metric != "" {
				metric = tc.metric
			}
			r := a.do(q, map[string]any{"lever": tc.lever, "level": tc.level, "key": tc.key, "metric": metric})
			wantError(t, tc.name, r, tc.code, msgs...)
		}

		// OBSERVATION: once each department has a value, they weigh by it; the latest up
		// to the year asked for.
		var rec map[string]any
		w.query(recordObservationsQ, map[string]any{"in": []any{
			evObservation("DEPARTMENT", "22", 2024, 10), evObservation("DEPARTMENT", "29", 2024, 30),
			evObservation("DEPARTMENT", "35", 2024, 40), evObservation("DEPARTMENT", "56", 2024, 20),
		}}, &rec)
		b = breakdown(observation(nil))
		if b.Key != "OBSERVATION" {
			t.Errorf("key %s, want OBSERVATION", b.Key)
		}
		checkWeights("observation", b, map[string]float64{"22": 0.1, "29": 0.3, "35": 0.4, "56": 0.2})
		parts = b.targets()
		if math.Abs(parts["35"]-4*parts["22"]) > 4e-3 {
			t.Errorf("observation parts %v: want 35 four times 22", parts)
		}
		wantError(t, "observation key before the first observation", a.do(q, map[string]any{
			"lever": "augm_voitelec", "level": "DEPARTMENT", "key": observation(2023)}), "BAD_USER_INPUT")
		w.query(recordObservationsQ, map[string]any{"in": []any{
			evObservation("DEPARTMENT", "22", 2022, 5), evObservation("DEPARTMENT", "29", 2022, 5),
			evObservation("DEPARTMENT", "35", 2022, 5), evObservation("DEPARTMENT", "56", 2022, 5),
		}}, &rec)
		checkWeights("observation up to 2022", breakdown(observation(2022)), map[string]float64{"22": 0.25, "29": 0.25, "35": 0.25, "56": 0.25})
		checkWeights("observation, latest", breakdown(observation(nil)), map[string]float64{"22": 0.1, "29": 0.3, "35": 0.4, "56": 0.2})
		// A department observed at zero weighs nothing.
		w.query(recordObservationsQ, map[string]any{"in": []any{
			evObservation("DEPARTMENT", "22", 2025, 1), evObservation("DEPARTMENT", "29", 2025, 1),
			evObservation("DEPARTMENT", "35", 2025, 2), evObservation("DEPARTMENT", "56", 2025, 0),
		}}, &rec)
		checkWeights("observation, latest with a zero", breakdown(observation(nil)), map[string]float64{"22": 0.25, "29": 0.25, "35": 0.5, "56": 0})
		checkWeights("observation up to 2024", breakdown(observation(2024)), map[string]float64{"22": 0.1, "29": 0.3, "35": 0.4, "56": 0.2})
	})
}

// nationalRow reads one sector's row of the embedded national file: its values by year and its
// target.
func nationalRow(t *testing.T, sector string) (values map[int]float64, targetYear int, target float64) {
	t.Helper()
	recs, err := csv.NewReader(data.National()).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	values = map[int]float64{}
	for _, rec := range recs[1:] {
		if rec[0] != sector {
			continue
		}
		for i, h := range recs[0] {
			v, err := strconv.ParseFloat(rec[i], 64)
			switch {
			case strings.HasPrefix(h, "y") && err == nil:
				y, _ := strconv.Atoi(h[1:])
				values[y] = v
			case strings.HasPrefix(h, "target_") && err == nil:
				targetYear, _ = strconv.Atoi(strings.TrimPrefix(h, "target_"))
				target = v
			}
		}
		return values, targetYear, target
	}
	t.Fatalf("no row %s in the national file", sector)
	return nil, 0, 0
}

// TestPlanningDiagnostic: France's transport emissions against the national strategy, and
// Grand Est's electric vehicles against the SGPE objective, ahead or late.
func TestPlanningDiagnostic(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		type diag struct {
			Metric        string  `json:"metric"`
			Unit          string  `json:"unit"`
			BaselineYear  int     `json:"baselineYear"`
			BaselineValue float64 `json:"baselineValue"`
			TargetYear    int     `json:"targetYear"`
			TargetValue   float64 `json:"targetValue"`
			Latest        *struct {
				Year  int     `json:"year"`
				Value float64 `json:"value"`
			} `json:"latest"`
			Travelled *float64 `json:"travelled"`
			Remaining *float64 `json:"remaining"`
			Expected  *float64 `json:"expected"`
			Status    string   `json:"status"`
		}
		const fields = `metric unit baselineYear baselineValue targetYear targetValue latest { year value } travelled remaining expected status`

		// France, transports.
		values, targetYear, target := nationalRow(t, "transports")
		latestYear := 0
		for y := range values {
			latestYear = max(latestYear, y)
		}
		if values[2019] != 135 || target != 90.3 || latestYear != 2024 || values[2024] != 125.4 {
			t.Fatalf("national file: 2019 %v, target %v, latest %d %v; the test expects 135, 90.3, 2024 125.4",
				values[2019], target, latestYear, values[latestYear])
		}
		var fr struct {
			T struct {
				D *diag `json:"diagnostic"`
			} `json:"t"`
		}
		a.query(`{ t: territory(level: COUNTRY, code: "FR") { diagnostic(sector: "transports") { `+fields+` } } }`, nil, &fr)
		d := fr.T.D
		if d == nil {
			t.Fatal("France has no diagnostic for transports")
		}
		travelled := (values[latestYear] - values[2019]) / (target - values[2019])
		expected := float64(latestYear-2019) / float64(targetYear-2019)
		if d.Metric != "GHG_EMISSIONS" || d.Unit != "MtCO2e" || d.BaselineYear != 2019 || d.BaselineValue != values[2019] ||
			d.TargetYear != targetYear || d.TargetValue != target || d.Latest == nil || d.Latest.Year != latestYear ||
			d.Latest.Value != values[latestYear] || d.Status != "LATE" {
			t.Errorf("France transports diagnostic = %+v (latest %+v)", d, d.Latest)
		}
		if travelled >= expected-0.05 {
			t.Errorf("the national file puts transports on track (%v travelled of %v expected): the test expects LATE", travelled, expected)
		}
		// A reduction: what remains is what is still to cut, 125.4 - 90.3 = 35.1 MtCO2e.
		if d.Travelled == nil || !rounded(*d.Travelled, travelled, planning.Share, 1) || d.Expected == nil || !rounded(*d.Expected, expected, planning.Share, 1) ||
			d.Remaining == nil || !rounded(*d.Remaining, values[latestYear]-target, d.Unit, 1) || *d.Remaining != 35.1 {
			t.Errorf("travelled %v, expected %v, remaining %v; want %v, %v, %v", deref(d.Travelled), deref(d.Expected), deref(d.Remaining),
				travelled, expected, values[latestYear]-target)
		}

		// Grand Est, electric vehicles: no observation yet, then ahead, on track, late.
		row := sgpeRowOf(t, sgpeRows(t), "Grand Est", "augm_voitelec")
		base, goal := row.StartPoint2019, row.StartPoint2019+row.ObjCO2*row.RatioCO2toPhys
		line := base + (goal-base)*float64(2024-2019)/float64(2030-2019) // the straight trajectory in 2024
		const q = `{ t: territory(level: REGION, code: "44") { diagnostic(lever: "augm_voitelec") { ` + fields + ` }
			observations(lever: "augm_voitelec") { totalCount } } }`
		type geOut struct {
			T struct {
				D            *diag `json:"diagnostic"`
				Observations struct {
					TotalCount int `json:"totalCount"`
				} `json:"observations"`
			} `json:"t"`
		}
		var ge geOut
		a.query(q, nil, &ge)
		if d := ge.T.D; d == nil || d.Status != "NO_DATA" || d.Latest != nil || d.Metric != "PHYSICAL" ||
			d.TargetValue != planning.RoundSig(goal) || d.BaselineValue != base {
			t.Errorf("Grand Est before any observation: %+v", d)
		}
		w := newAPI(t, db)
		w.token = writeToken
		for _, tc := range []struct {
			name   string
			value  float64
			status string
		}{
			{"well ahead", base + 0.9*(goal-base), "AHEAD"},
			{"on the line", line, "ON_TRACK"},
			{"at the baseline", base, "LATE"},
		} {
			var rec map[string]any
			w.query(recordObservationsQ, map[string]any{"in": []any{evObservation("REGION", "44", 2024, tc.value)}}, &rec)
			var ge geOut
			a.query(q, nil, &ge)
			d := ge.T.D
			// Observations are kept to 12 significant digits.
			if d == nil || d.Status != tc.status || d.Metric != "PHYSICAL" || d.Latest == nil || d.Latest.Year != 2024 ||
				d.Latest.Value != planning.RoundSig(tc.value) {
				t.Errorf("%s (%v in 2024, straight line %v, from %v to %v): diagnostic %+v, want %s", tc.name, tc.value, line, base, goal, d, tc.status)
			}
			// The same year and source replace the observation.
			if ge.T.Observations.TotalCount != 1 {
				t.Errorf("%s: %d observations of Grand Est, want 1 (replaced)", tc.name, ge.T.Observations.TotalCount)
			}
		}
	})
}

// TestPlanningObservationAuth: writes need a valid key for the territories written, are
// checked, and are all or none.
func TestPlanningObservationAuth(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		// Every observation of the database, wherever a refused write might have put it.
		count := func() int {
			t.Helper()
			n, err := db.Client.Observation.Query().Count(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		var lv struct {
			Lever struct {
				PhysicalUnit string `json:"physicalUnit"`
			} `json:"lever"`
		}
		a.query(`{ lever(code: "augm_voitelec") { physicalUnit } }`, nil, &lv)
		unit := lv.Lever.PhysicalUnit
		if unit == "" {
			t.Fatal("augm_voitelec has no physical unit")
		}
		good := evObservation("REGION", "44", 2024, 120)
		wrongUnit := evObservation("DEPARTMENT", "67", 2024, 30)
		wrongUnit["unit"] = "véhicules"
		old := evObservation("DEPARTMENT", "67", 1800, 30)
		before := count()

		anonymous := newAPI(t, db)
		wrong := newAPI(t, db)
		wrong.token = "cop_00000000_00000000000000000000000000000000"
		garbage := newAPI(t, db)
		garbage.token = "not-a-key"
		w := newAPI(t, db)
		w.token = writeToken
		rennes := a.as(newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor))
		inRennes := evObservation("COMMUNE", "35238", 2024, 7)
		for _, tc := range []struct {
			name string
			a    *api
			in   []any
			code string
			msgs []string
		}{
			{"no token", anonymous, []any{good}, "UNAUTHENTICATED", nil},
			{"a contributor outside its territory", rennes, []any{evObservation("EPCI", "200039022", 2024, 7)}, "FORBIDDEN", nil},
			{"a contributor, second of two outside its territory", rennes, []any{inRennes, evObservation("REGION", "53", 2024, 7)}, "FORBIDDEN", nil},
			{"wrong token", wrong, []any{good}, "UNAUTHENTICATED", nil},
			{"malformed token", garbage, []any{good}, "UNAUTHENTICATED", nil},
			{"unit of another lever", w, []any{wrongUnit}, "BAD_USER_INPUT", []string{unit}},
			{"second of two has a bad unit", w, []any{good, wrongUnit}, "BAD_USER_INPUT", []string{unit}},
			{"year 1800", w, []any{old}, "BAD_USER_INPUT", []string{"1800"}},
			{"second of two in 1800", w, []any{good, old}, "BAD_USER_INPUT", []string{"1800"}},
		} {
			r := tc.a.do(recordObservationsQ, map[string]any{"in": tc.in})
			wantError(t, tc.name, r, tc.code, tc.msgs...)
			if n := count(); n != before {
				t.Errorf("%s: %d observations written by a refused write", tc.name, n-before)
				before = n
			}
		}

		// A good batch writes both, with the lever's unit; again, it replaces them.
		second := evObservation("DEPARTMENT", "67", 2024, 30)
		second["unit"] = unit
		for i, v := range []float64{120, 130} {
			good["value"] = v
			var out struct {
				R []struct {
					Metric string  `json:"metric"`
					Unit   string  `json:"unit"`
					Year   int     `json:"year"`
					Value  float64 `json:"value"`
					Lever  struct {
						Code string `json:"code"`
					} `json:"lever"`
				} `json:"recordObservations"`
			}
			w.query(recordObservationsQ, map[string]any{"in": []any{good, second}}, &out)
			if len(out.R) != 2 || out.R[0].Unit != unit || out.R[1].Unit != unit || out.R[0].Value != v ||
				out.R[0].Metric != "PHYSICAL" || out.R[0].Lever.Code != "augm_voitelec" || out.R[0].Year != 2024 {
				t.Errorf("write %d: %+v", i+1, out.R)
			}
			if n := count(); n != before+2 {
				t.Errorf("write %d: %d observations in all, want %d", i+1, n-before, 2)
			}
		}

		// A contributor writes for a commune of its EPCI; without a unit, the lever's is
		// taken.
		var out struct {
			R []struct {
				Unit      string `json:"unit"`
				Territory struct {
					Code string `json:"code"`
				} `json:"territory"`
			} `json:"recordObservations"`
		}
		rennes.query(recordObservationsQ, map[string]any{"in": []any{inRennes}}, &out)
		if len(out.R) != 1 || out.R[0].Unit != unit || out.R[0].Territory.Code != "35238" {
			t.Errorf("the contributor's observation: %+v", out.R)
		}
		if n := count(); n != before+3 {
			t.Errorf("%d observations written in all, want 3", n-before)
		}
	})
}

// TestCopProcess: a region's coordinator runs its COP (conférence des parties): the
// steps, in the circular's order, participants and documents; what others may not do.
func TestCopProcess(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		coord := a.as(newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator))
		admin := a.as(writeToken)
		contributor := a.as(newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor))
		other := a.as(newKey(t, db, "Région Pays de la Loire", "REGION:52", access.Coordinator))
		type step struct {
			Kind     string  `json:"kind"`
			Status   string  `json:"status"`
			StartsOn *string `json:"startsOn"`
			EndsOn   *string `json:"endsOn"`
		}
		// The schema promises the steps "in order: diagnostic, debate, breakdown, roadmap",
		// from createCop, cop and cops alike.
		wantOrder := []string{"DIAGNOSTIC", "DEBATE", "BREAKDOWN", "ROADMAP"}
		kinds := func(steps []step) []string {
			var out []string
			for _, s := range steps {
				out = append(out, s.Kind)
			}
			return out
		}
		var created struct {
			C struct {
				Edition int    `json:"edition"`
				Title   string `json:"title"`
				Region  struct {
					Code string `json:"code"`
				} `json:"region"`
				Steps []step `json:"steps"`
			} `json:"createCop"`
		}
		coord.query(`mutation { createCop(region: "53", edition: 2024) { edition title region { code } steps { kind status startsOn endsOn } } }`, nil, &created)
		if got := kinds(created.C.Steps); !slices.Equal(got, wantOrder) {
			t.Errorf("createCop steps %v, want %v", got, wantOrder)
		}
		for _, s := range created.C.Steps {
			if s.Status != "PLANNED" || s.StartsOn != nil || s.EndsOn != nil {
				t.Errorf("new step %+v, want PLANNED without dates", s)
			}
		}
		if created.C.Edition != 2024 || created.C.Region.Code != "53" || created.C.Title == "" {
			t.Errorf("createCop = %+v", created.C)
		}

		var upd struct {
			S step `json:"updateCopStep"`
		}
		coord.query(`mutation { updateCopStep(region: "53", edition: 2024, step: DIAGNOSTIC, status: IN_PROGRESS,
			startsOn: "2024-01-15T00:00:00Z", endsOn: "2024-03-01T00:00:00Z") { kind status startsOn endsOn } }`, nil, &upd)
		if upd.S.Kind != "DIAGNOSTIC" || upd.S.Status != "IN_PROGRESS" || upd.S.StartsOn == nil || *upd.S.StartsOn != "2024-01-15T00:00:00Z" ||
			upd.S.EndsOn == nil || *upd.S.EndsOn != "2024-03-01T00:00:00Z" {
			t.Errorf("updateCopStep = %+v", upd.S)
		}
		var m map[string]any
		coord.query(`mutation { addCopParticipant(region: "53", edition: 2024, organisation: "Conseil régional de Bretagne",
			kind: REGIONAL_COUNCIL, territory: {level: REGION, code: "53"}) { id } }`, nil, &m)
		// An admin may act in any region's COP.
		admin.query(`mutation { addCopDocument(region: "53", edition: 2024, title: "Diagnostic partagé",
			url: "https://www.bretagne.bzh/cop/diagnostic.pdf", step: DIAGNOSTIC) { id } }`, nil, &m)

		for _, tc := range []struct {
			name string
			a    *api
			q    string
			code string
		}{
			{"twice", coord, `mutation { createCop(region: "53", edition: 2024) { id } }`, "CONFLICT"},
			{"without a key", a, `mutation { createCop(region: "53", edition: 2025) { id } }`, "UNAUTHENTICATED"},
			{"by a contributor", contributor, `mutation { createCop(region: "53", edition: 2025) { id } }`, "FORBIDDEN"},
			{"by another region's coordinator", other, `mutation { addCopDocument(region: "53", edition: 2024, title: "x", url: "https://x.org") { id } }`, "FORBIDDEN"},
			{"unknown region", coord, `mutation { createCop(region: "99", edition: 2024) { id } }`, "BAD_USER_INPUT"},
			{"ends before it starts", coord, `mutation { updateCopStep(region: "53", edition: 2024, step: DEBATE,
				status: IN_PROGRESS, startsOn: "2024-05-01T00:00:00Z", endsOn: "2024-04-01T00:00:00Z") { id } }`, "BAD_USER_INPUT"},
			{"ends before its stored start", coord, `mutation { updateCopStep(region: "53", edition: 2024, step: DIAGNOSTIC,
				status: DONE, endsOn: "2024-01-01T00:00:00Z") { id } }`, "BAD_USER_INPUT"},
			{"ftp document", coord, `mutation { addCopDocument(region: "53", edition: 2024, title: "x", url: "ftp://x") { id } }`, "BAD_USER_INPUT"},
		} {
			wantError(t, tc.name, tc.a.do(tc.q, nil), tc.code)
		}

		var got struct {
			Cop *struct {
				Steps        []step `json:"steps"`
				Participants []struct {
					Organisation string `json:"organisation"`
					Kind         string `json:"kind"`
					Territory    *struct {
						Level string `json:"level"`
						Code  string `json:"code"`
					} `json:"territory"`
				} `json:"participants"`
				Documents []struct {
					Title string  `json:"title"`
					URL   string  `json:"url"`
					Step  *string `json:"step"`
				} `json:"documents"`
			} `json:"cop"`
			None *struct {
				ID string `json:"id"`
			} `json:"none"`
			Cops struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Steps []step `json:"steps"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"cops"`
		}
		a.query(`{ cop(region: "53", edition: 2024) { steps { kind status startsOn endsOn }
				participants { organisation kind territory { level code } } documents { title url step } }
			none: cop(region: "53", edition: 2031) { id }
			cops(region: "53") { totalCount edges { node { steps { kind } } } } }`, nil, &got)
		c := got.Cop
		if c == nil {
			t.Fatal("cop(53, 2024) is null")
		}
		if k := kinds(c.Steps); !slices.Equal(k, wantOrder) {
			t.Errorf("cop steps %v, want %v", k, wantOrder)
		}
		for _, s := range c.Steps {
			want := step{Kind: s.Kind, Status: "PLANNED"}
			if s.Kind == "DIAGNOSTIC" {
				want.Status = "IN_PROGRESS"
			}
			if s.Status != want.Status || (s.Kind != "DIAGNOSTIC" && (s.StartsOn != nil || s.EndsOn != nil)) ||
				(s.Kind == "DIAGNOSTIC" && (s.EndsOn == nil || *s.EndsOn != "2024-03-01T00:00:00Z")) {
				t.Errorf("after the refused updates, step %s is %s (%v to %v)", s.Kind, s.Status, s.StartsOn, s.EndsOn)
			}
		}
		if len(c.Participants) != 1 || c.Participants[0].Organisation != "Conseil régional de Bretagne" ||
			c.Participants[0].Kind != "REGIONAL_COUNCIL" || c.Participants[0].Territory == nil || c.Participants[0].Territory.Code != "53" {
			t.Errorf("participants = %+v", c.Participants)
		}
		if len(c.Documents) != 1 || c.Documents[0].URL != "https://www.bretagne.bzh/cop/diagnostic.pdf" ||
			c.Documents[0].Step == nil || *c.Documents[0].Step != "DIAGNOSTIC" {
			t.Errorf("documents = %+v", c.Documents)
		}
		if got.None != nil || got.Cops.TotalCount != 1 || len(got.Cops.Edges) != 1 {
			t.Fatalf("cop of an unknown edition = %+v, cops of 53: %d", got.None, got.Cops.TotalCount)
		}
		if k := kinds(got.Cops.Edges[0].Node.Steps); !slices.Equal(k, wantOrder) {
			t.Errorf("cops steps %v, want %v", k, wantOrder)
		}
	})
}

// TestPlanningDashboardStatementCount: a dashboard runs the same few statements for a
// region or a department, whatever its number of sectors and levers; France's, without
// lever objectives, no more.
func TestPlanningDashboardStatementCount(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		const q = `query($l: TerritoryLevel!, $c: String!) { territory(level: $l, code: $c) { dashboard {
			sector { code name } ghgAvoided derived objectives { targetValue }
			levers { lever { code name physicalUnit } ghgAvoided physicalTarget latest { year value }
				diagnostic { status travelled } objectives { metric targetValue derived } } } } }`
		var levers struct {
			B, R struct {
				Dashboard []struct {
					Levers []struct {
						Lever struct {
							Code string `json:"code"`
						} `json:"lever"`
					} `json:"levers"`
				} `json:"dashboard"`
			}
		}
		a.query(`{ b: territory(level: REGION, code: "53") { dashboard { levers { lever { code } } } }
			r: territory(level: REGION, code: "04") { dashboard { levers { lever { code } } } } }`, nil, &levers)
		nb, nr := 0, 0
		for _, s := range levers.B.Dashboard {
			nb += len(s.Levers)
		}
		for _, s := range levers.R.Dashboard {
			nr += len(s.Levers)
		}
		if nb == nr || nb == 0 || nr == 0 {
			t.Fatalf("Bretagne has %d levers, La Réunion %d: want two different, non-zero numbers", nb, nr)
		}
		counts := map[string]int64{}
		for _, tr := range []struct{ level, code string }{
			{"REGION", "53"}, {"DEPARTMENT", "35"}, {"REGION", "04"}, {"DEPARTMENT", "974"},
		} {
			counts[tr.level+":"+tr.code] = a.statements(q, map[string]any{"l": tr.level, "c": tr.code})
		}
		fr := a.statements(q, map[string]any{"l": "COUNTRY", "c": "FR"})
		t.Logf("dashboard statements: Bretagne (%d levers) %d, Ille-et-Vilaine %d, La Réunion (%d levers) %d, 974 %d, France %d",
			nb, counts["REGION:53"], counts["DEPARTMENT:35"], nr, counts["REGION:04"], counts["DEPARTMENT:974"], fr)
		want := counts["REGION:53"]
		for k, n := range counts {
			if n != want || n > 8 {
				t.Errorf("dashboard of %s runs %d statements; Bretagne's %d; want the same, at most 8", k, n, want)
			}
		}
		if fr > want {
			t.Errorf("France's dashboard runs %d statements, more than Bretagne's %d", fr, want)
		}
	})
}
