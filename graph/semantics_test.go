package graph_test

// The figures of a territory mean the same thing at every level, on both databases and
// in every format. Each test below walks, through the GraphQL API (and the exports where
// a format is at stake), one of the cases where they did not, with the figures it was
// found with: the SGPE, national, CRTE and observation files imported, as a dashboard
// developer and a data analyst would use them. The invariants over every region, lever
// and level are checked in Go (planning/country_test.go, hierarchy/country_test.go), and
// through the database on a sample (service/semantics_test.go: TestBreakdownsAddUp,
// TestRowsAddUp); the rules themselves are tested in planning/ and hierarchy/.

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// The figures the cases were found with (ktCO2e avoided in 2030 unless said otherwise),
// from the embedded SGPE file: the regions' objectives add up as the file's rows do.
const (
	bretagneEV        = 625.6611      // Bretagne, augm_voitelec (the file's objCO2)
	rennesPopulation  = 480178        // Rennes Métropole, and the illustrative CRTE made of it alone
	franceObjective   = 201305.7745   // the sum of the regions' rows of the file ("201,305.77")
	grandEstObjective = 22116.2353    // Grand Est, the sum of its levers (not 22116.235299999997)
	grandEstVoyageurs = 2455.071      // Grand Est, the levers of transport-voyageurs (not 2455.0710000000004)
	grandEstEVTarget  = 459.68505216  // Grand Est, augm_voitelec, thousands of vehicles in 2030 (not 459.68505216000005)
	basRhinObjective  = 4626.52291549 // Bas-Rhin, its part of Grand Est's objective ("4,626.52"; 4626.522915482824 exactly)
)

// download GETs an export of the handler.
func (a *api) download(path string) *httptest.ResponseRecorder {
	a.t.Helper()
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec
}

// csvRows reads a CSV export as one map per row, keyed by column.
func csvRows(t *testing.T, rec *httptest.ResponseRecorder) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV export: %v (%d records)", err, len(recs))
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// lineRows reads a JSON Lines export, numbers as written.
func lineRows(t *testing.T, rec *httptest.ResponseRecorder) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(rec.Body.String()), "\n") {
		d := json.NewDecoder(strings.NewReader(line))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("JSON Lines export: %v in %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// kt is an objective's ktCO2e figure in the nano-units sums of objectives are made in
// (planning.SumUnits), so that figures compare exactly.
func kt(v float64) int64 { return planning.SumUnits(v) }

// TestCRTEPartIsItsPopulationShare: with the four illustrative CRTE of Bretagne, which
// cover a fifth of the region, breaking the region's objective for electric vehicles
// down to the CRTE split the whole 625.66 ktCO2e among those four: "CRTE Rennes Métropole
// (illustratif)", the same 480,178 inhabitants as the Rennes Métropole EPCI, got 414.90
// ktCO2e, 4.8 times the EPCI's part, and its stored derived objective the same. Its part
// is now its share of the region's population, the EPCI's part to the digit (87.10,
// where the EPCI had 87.14 when EPCI were weighed over the population living in an EPCI
// rather than the region's), and what no CRTE covers is the unallocated part.
func TestCRTEPartIsItsPopulationShare(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			testdb.Parallel(t)
			db := testdb.WithFixtures(t, d)
			a := newAPI(t, db)
			const crteRennes = "crte-illustratif-01"
			var out struct {
				T struct {
					Population int64         `json:"population"`
					CRTE       breakdownNode `json:"crte"`
					EPCI       breakdownNode `json:"epci"`
				} `json:"t"`
				CRTE struct {
					Name       string        `json:"name"`
					Population int64         `json:"population"`
					Objectives objectiveConn `json:"objectives"`
				} `json:"crte"`
				EPCI struct {
					Population int64         `json:"population"`
					Objectives objectiveConn `json:"objectives"`
				} `json:"epci"`
			}
			a.query(`{
				t: territory(level: REGION, code: "53") { population
					crte: breakdown(lever: "augm_voitelec", level: CRTE) { `+breakdownFields+` }
					epci: breakdown(lever: "augm_voitelec", level: EPCI) { `+breakdownFields+` } }
				crte: territory(level: CRTE, code: "`+crteRennes+`") { name population
					objectives(lever: "augm_voitelec", where: {derived: true}) { totalCount edges { node { `+objectiveFields+` } } } }
				epci: territory(level: EPCI, code: "243500139") { population
					objectives(lever: "augm_voitelec", where: {derived: true}) { totalCount edges { node { `+objectiveFields+` } } } }
			}`, nil, &out)
			region, crte, epci := out.T.Population, out.T.CRTE, out.T.EPCI
			if out.CRTE.Name != "CRTE Rennes Métropole (illustratif)" || out.CRTE.Population != rennesPopulation || out.EPCI.Population != rennesPopulation {
				t.Fatalf("the CRTE of Rennes is %q with %d inhabitants, the EPCI has %d; want both %d",
					out.CRTE.Name, out.CRTE.Population, out.EPCI.Population, rennesPopulation)
			}

			// The whole is Bretagne's objective, 625.66 ktCO2e, whatever the level.
			for name, b := range map[string]breakdownNode{"CRTE": crte, "EPCI": epci} {
				if b.TargetValue != planning.Round(bretagneEV, planning.KtCO2e) || b.Unit != "ktCO2e" || b.Key != "POPULATION" {
					t.Errorf("breakdown over %s: the whole is %v %s (key %s), want Bretagne's %v ktCO2e", name, b.TargetValue, b.Unit, b.Key, bretagneEV)
				}
				b.checkAddsUp(t, "breakdown over "+name)
			}

			// Rennes: the CRTE's part is its share of the region's population, the EPCI's
			// part to the last decimal, not 414.90.
			share := func(b breakdownNode, code string) (float64, bool) {
				for _, s := range b.Shares {
					if s.Territory.Code == code {
						return s.TargetValue, s.Population == rennesPopulation && rounded(s.Weight, float64(rennesPopulation)/float64(region), planning.Share, 1)
					}
				}
				t.Fatalf("no share of %s in %+v", code, b.Shares)
				return 0, false
			}
			exact := bretagneEV * rennesPopulation / float64(region) // 87.0967
			crtePart, crteWeighed := share(crte, crteRennes)
			epciPart, epciWeighed := share(epci, "243500139")
			if !crteWeighed || !epciWeighed || crtePart != epciPart || !rounded(crtePart, exact, planning.KtCO2e, 1) {
				t.Errorf("Rennes gets %v as a CRTE (weighed by population %v), %v as an EPCI (%v); want both %v, its share of %d inhabitants",
					crtePart, crteWeighed, epciPart, epciWeighed, exact, region)
			}
			if crtePart > 400 || math.Abs(epciPart-87.14) < 0.005 {
				t.Errorf("Rennes gets %v as a CRTE and %v as an EPCI: the parts of CRTE spread over the CRTE known (414.90), or EPCI weighed over the population in an EPCI (87.14)",
					crtePart, epciPart)
			}

			// What no CRTE covers is explicit: the four cover 724,099 of 3,449,370 inhabitants,
			// and the rest of the region's objective is unallocated, not spread over them.
			var covered int64
			for _, s := range crte.Shares {
				covered += s.Population
			}
			if len(crte.Shares) != 4 || crte.Unallocated.Population != region-covered || crte.Unallocated.Population < region/2 ||
				!rounded(crte.Unallocated.TargetValue, bretagneEV*float64(region-covered)/float64(region), planning.KtCO2e, 1) {
				t.Errorf("%d CRTE cover %d inhabitants; unallocated %+v, want the %d others' part of %v",
					len(crte.Shares), covered, crte.Unallocated, region-covered, bretagneEV)
			}
			// Over EPCI too: the inhabitants of communes in no EPCI (islands) are unallocated.
			if epci.Unallocated.Population <= 0 || epci.Unallocated.TargetValue <= 0 {
				t.Errorf("breakdown over EPCI: unallocated %+v, want the communes in no EPCI", epci.Unallocated)
			}

			// The derived objectives stored for the CRTE and the EPCI are the same parts.
			for name, c := range map[string]objectiveConn{"the CRTE": out.CRTE.Objectives, "the EPCI": out.EPCI.Objectives} {
				ghg, ok := c.byMetric()["GHG_AVOIDED"]
				if !ok || ghg.TargetValue != crtePart || !ghg.Derived || ghg.BreakdownKey == nil || *ghg.BreakdownKey != "POPULATION" {
					t.Errorf("%s of Rennes: stored derived objective %+v, the breakdown gives %v", name, ghg, crtePart)
				}
			}
		})
	}
}

// TestEveryLevelAnswers: the country and the sectors were empty where the levels below
// were not. France's roll-up had no objective while its regions' rows add up to
// 201,305.77 ktCO2e, and its dashboard showed 0 and no lever in every sector; Grand Est's
// diagnostic for transports was null and a breakdown of its transport-voyageurs sector
// was refused although its dashboard shows that sector's 2,455.071 ktCO2e; a commune's
// dashboard was empty although its EPCI and department have derived objectives.
func TestEveryLevelAnswers(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			testdb.Parallel(t)
			db := testdb.WithFixtures(t, d)
			a := newAPI(t, db)

			// France is the sum of its regions (service/semantics_test.go checks it for
			// every lever and roll-up; here, the figure the API gives).
			type objective struct {
				Rollup struct {
					ObjectiveKtco2e *float64 `json:"objectiveKtco2e"`
				} `json:"rollup"`
			}
			var fr struct {
				T struct {
					objective
					Rows []struct {
						Unallocated bool `json:"unallocated"`
						objective
					} `json:"rollupBy"`
					Regions struct {
						Edges []struct {
							Node objective `json:"node"`
						} `json:"edges"`
					} `json:"children"`
					Dashboard []struct {
						Sector struct {
							Code string `json:"code"`
						} `json:"sector"`
						GhgAvoided float64 `json:"ghgAvoided"`
						Objectives []struct {
							Metric      string  `json:"metric"`
							Unit        string  `json:"unit"`
							TargetValue float64 `json:"targetValue"`
						} `json:"objectives"`
						Levers []struct {
							Lever struct {
								Code string `json:"code"`
							} `json:"lever"`
							GhgAvoided *float64 `json:"ghgAvoided"`
						} `json:"levers"`
					} `json:"dashboard"`
				} `json:"t"`
			}
			a.query(`{ t: territory(level: COUNTRY, code: "FR") { rollup { objectiveKtco2e }
				rollupBy(groupBy: CHILD, level: REGION) { unallocated rollup { objectiveKtco2e } }
				children(level: REGION) { edges { node { rollup { objectiveKtco2e } } } }
				dashboard { sector { code } ghgAvoided objectives { metric unit targetValue } levers { lever { code } ghgAvoided } } } }`, nil, &fr)
			whole := fr.T.Rollup.ObjectiveKtco2e
			var regions, rows int64
			for _, e := range fr.T.Regions.Edges {
				if o := e.Node.Rollup.ObjectiveKtco2e; o != nil {
					regions += kt(*o)
				}
			}
			for _, r := range fr.T.Rows {
				if o := r.Rollup.ObjectiveKtco2e; o != nil {
					rows += kt(*o)
				}
			}
			if whole == nil || kt(*whole) != regions || kt(*whole) != rows || len(fr.T.Regions.Edges) != 18 {
				t.Errorf("France's objective is %v; its %d regions' add up to %v, its rows to %v",
					deref(whole), len(fr.T.Regions.Edges), planning.FromUnits(regions, planning.KtCO2e), planning.FromUnits(rows, planning.KtCO2e))
			} else if *whole != planning.Round(franceObjective, planning.KtCO2e) {
				t.Errorf("France's objective is %v ktCO2e, the SGPE file's regions add up to %v: each figure is rounded before it is added up "+
					"(planning.Decimals(%q) = %d, fewer decimals than the file's 4)", *whole, franceObjective, planning.KtCO2e, planning.Decimals(planning.KtCO2e))
			}
			// Its dashboard: every sector avoids something, lever by lever, beside the
			// national strategy's target (transports: 90.3 MtCO2e in 2030).
			if len(fr.T.Dashboard) < 6 {
				t.Errorf("France's dashboard has %d sectors, want the 6 of the national inventory", len(fr.T.Dashboard))
			}
			for _, s := range fr.T.Dashboard {
				var levers int64
				for _, l := range s.Levers {
					if l.GhgAvoided != nil {
						levers += kt(*l.GhgAvoided)
					}
				}
				if s.GhgAvoided <= 0 || len(s.Levers) == 0 || kt(s.GhgAvoided) != levers {
					t.Errorf("France's %s row avoids %v with %d levers adding up to %v; want a positive sum of its levers",
						s.Sector.Code, s.GhgAvoided, len(s.Levers), planning.FromUnits(levers, planning.KtCO2e))
				}
				if s.Sector.Code == "transports" {
					found := false
					for _, o := range s.Objectives {
						found = found || (o.Metric == "GHG_EMISSIONS" && o.Unit == "MtCO2e" && o.TargetValue == 90.3)
					}
					if !found {
						t.Errorf("France's transports row: objectives %+v, want the national strategy's 90.3 MtCO2e", s.Objectives)
					}
				}
			}

			// Grand Est: the sector's diagnostic and breakdowns are the dashboard's sum of levers.
			var ge struct {
				T struct {
					Diagnostic *struct {
						Metric      string  `json:"metric"`
						Unit        string  `json:"unit"`
						TargetValue float64 `json:"targetValue"`
					} `json:"diagnostic"`
					Transports breakdownNode `json:"transports"`
					Voyageurs  breakdownNode `json:"voyageurs"`
					Dashboard  []struct {
						Sector struct {
							Code string `json:"code"`
						} `json:"sector"`
						GhgAvoided float64 `json:"ghgAvoided"`
						Levers     []struct {
							Lever struct {
								Sector struct {
									Code string `json:"code"`
								} `json:"sector"`
							} `json:"lever"`
							GhgAvoided *float64 `json:"ghgAvoided"`
						} `json:"levers"`
					} `json:"dashboard"`
				} `json:"t"`
			}
			a.query(`{ t: territory(level: REGION, code: "44") { diagnostic(sector: "transports") { metric unit targetValue }
				transports: breakdown(sector: "transports", level: DEPARTMENT) { `+breakdownFields+` }
				voyageurs: breakdown(sector: "transport-voyageurs", level: DEPARTMENT) { `+breakdownFields+` }
				dashboard { sector { code } ghgAvoided levers { lever { sector { code } } ghgAvoided } } } }`, nil, &ge)
			var row float64
			var voyageurs int64
			for _, s := range ge.T.Dashboard {
				if s.Sector.Code != "transports" {
					continue
				}
				row = s.GhgAvoided
				for _, l := range s.Levers {
					if l.Lever.Sector.Code == "transport-voyageurs" && l.GhgAvoided != nil {
						voyageurs += kt(*l.GhgAvoided)
					}
				}
			}
			if d := ge.T.Diagnostic; d == nil || d.Metric != "GHG_AVOIDED" || d.Unit != "ktCO2e" || d.TargetValue != row || row <= 0 {
				t.Errorf("Grand Est's diagnostic for transports: %+v; its dashboard's row avoids %v", d, row)
			}
			if ge.T.Transports.TargetValue != row {
				t.Errorf("Grand Est's breakdown of transports: %v, its dashboard's row avoids %v", ge.T.Transports.TargetValue, row)
			}
			ge.T.Transports.checkAddsUp(t, "Grand Est's transports over departments")
			ge.T.Voyageurs.checkAddsUp(t, "Grand Est's transport-voyageurs over departments")
			if v := ge.T.Voyageurs.TargetValue; kt(v) != voyageurs || len(ge.T.Voyageurs.Shares) != 10 {
				t.Errorf("Grand Est's breakdown of transport-voyageurs: %v over %d departments; its dashboard's levers of the sector add up to %v",
					v, len(ge.T.Voyageurs.Shares), planning.FromUnits(voyageurs, planning.KtCO2e))
			} else if v != grandEstVoyageurs {
				t.Errorf("Grand Est's transport-voyageurs avoids %v ktCO2e, the SGPE file's levers %v: each lever is rounded before it is added up "+
					"(planning.Decimals(%q) = %d, fewer decimals than the file's 4)", v, grandEstVoyageurs, planning.KtCO2e, planning.Decimals(planning.KtCO2e))
			}

			// A commune (Rennes) gets its part of its department's objectives: its share of
			// Ille-et-Vilaine's population, as a breakdown of the department over communes
			// gives it.
			var rennes struct {
				C struct {
					Dashboard []struct {
						GhgAvoided float64 `json:"ghgAvoided"`
						Levers     []struct {
							Lever struct {
								Code string `json:"code"`
							} `json:"lever"`
							GhgAvoided *float64 `json:"ghgAvoided"`
						} `json:"levers"`
					} `json:"dashboard"`
					Diagnostic *struct {
						TargetValue float64 `json:"targetValue"`
					} `json:"diagnostic"`
				} `json:"c"`
				D struct {
					B breakdownNode `json:"breakdown"`
				} `json:"d"`
			}
			a.query(`{ c: territory(level: COMMUNE, code: "35238") { dashboard { ghgAvoided levers { lever { code } ghgAvoided } }
					diagnostic(lever: "augm_voitelec", metric: GHG_AVOIDED) { targetValue } }
				d: territory(level: DEPARTMENT, code: "35") { breakdown(lever: "augm_voitelec", level: COMMUNE) { `+breakdownFields+` } } }`, nil, &rennes)
			part := math.NaN()
			for _, s := range rennes.D.B.Shares {
				if s.Territory.Code == "35238" {
					part = s.TargetValue
				}
			}
			var ev *float64
			n := 0
			for _, s := range rennes.C.Dashboard {
				n += len(s.Levers)
				if s.GhgAvoided <= 0 {
					t.Errorf("Rennes' dashboard: a sector avoids %v", s.GhgAvoided)
				}
				for _, l := range s.Levers {
					if l.Lever.Code == "augm_voitelec" {
						ev = l.GhgAvoided
					}
				}
			}
			if len(rennes.C.Dashboard) < 6 || n < 20 {
				t.Errorf("Rennes' dashboard: %d sectors, %d levers; want its department's", len(rennes.C.Dashboard), n)
			}
			if ev == nil || *ev != part || part <= 0 || rennes.C.Diagnostic == nil || rennes.C.Diagnostic.TargetValue != part {
				t.Errorf("Rennes avoids %v for electric vehicles in its dashboard, %+v in its diagnostic; its part of Ille-et-Vilaine's is %v",
					deref(ev), rennes.C.Diagnostic, part)
			}
		})
	}
}

// TestRemainingTowardsTheTarget: Diagnostic.remaining, documented as what is left to
// reach the target, was negative for reductions (France, transports: baseline 135,
// target 90.3, latest 125.4 gave -35.1). That case, 35.1 MtCO2e still to cut, is
// TestPlanningDiagnostic's; here the other way, a target above the baseline (Grand Est's
// electric vehicles, 7.821 to 459.68505216 thousand), and both once the target is passed.
func TestRemainingTowardsTheTarget(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.as(writeToken)
		type diag struct {
			BaselineValue float64  `json:"baselineValue"`
			TargetValue   float64  `json:"targetValue"`
			Travelled     *float64 `json:"travelled"`
			Remaining     *float64 `json:"remaining"`
			Status        string   `json:"status"`
			Latest        *struct {
				Year  int     `json:"year"`
				Value float64 `json:"value"`
			} `json:"latest"`
		}
		read := func(level, code, indicator string) diag {
			t.Helper()
			var out struct {
				T struct {
					D *diag `json:"diagnostic"`
				} `json:"territory"`
			}
			a.query(`query($l: TerritoryLevel!, $c: String!) { territory(level: $l, code: $c) { diagnostic(`+indicator+`) {
				baselineValue targetValue travelled remaining status latest { year value } } } }`, map[string]any{"l": level, "c": code}, &out)
			if out.T.D == nil {
				t.Fatalf("%s %s has no diagnostic(%s)", level, code, indicator)
			}
			return *out.T.D
		}
		record := func(in map[string]any) {
			t.Helper()
			var rec map[string]any
			w.query(recordObservationsQ, map[string]any{"in": []any{in}}, &rec)
		}
		for _, tc := range []struct {
			name                   string
			level, code, indicator string
			observation            map[string]any
			base, target, latest   float64
			remaining, travelled   float64
		}{
			// An increase under way: 300 thousand vehicles, 159.68505216 thousand to go.
			{"an increase under way", "REGION", "44", `lever: "augm_voitelec"`, evObservation("REGION", "44", 2024, 300),
				7.821, grandEstEVTarget, 300, 159.68505216, (300 - 7.821) / (grandEstEVTarget - 7.821)},
			// Past it: nothing remains, more than the whole way travelled.
			{"an increase past its target", "REGION", "44", `lever: "augm_voitelec"`, evObservation("REGION", "44", 2025, 500),
				7.821, grandEstEVTarget, 500, 0, (500 - 7.821) / (grandEstEVTarget - 7.821)},
			// A reduction past its target: 85 MtCO2e, below the 90.3 aimed at.
			{"a reduction past its target", "COUNTRY", "FR", `sector: "transports"`, map[string]any{"territory": tk("COUNTRY:FR"),
				"sector": "transports", "metric": "GHG_EMISSIONS", "unit": "MtCO2e", "year": 2025, "value": 85},
				135, 90.3, 85, 0, (85 - 135) / (90.3 - 135)},
		} {
			record(tc.observation)
			d := read(tc.level, tc.code, tc.indicator)
			if d.BaselineValue != tc.base || d.TargetValue != tc.target || d.Latest == nil || d.Latest.Value != tc.latest ||
				d.Remaining == nil || *d.Remaining != tc.remaining || d.Travelled == nil || !rounded(*d.Travelled, tc.travelled, planning.Share, 1) ||
				d.Status != "AHEAD" {
				t.Errorf("%s: from %v to %v, latest %+v: remaining %v, travelled %v, %s; want remaining %v, travelled %v, AHEAD",
					tc.name, d.BaselineValue, d.TargetValue, d.Latest, deref(d.Remaining), deref(d.Travelled), d.Status, tc.remaining, tc.travelled)
			}
		}
	})
}

// TestRollupByChildOfADepartment: rollupBy(groupBy: CHILD) refused department → EPCI
// rows, and the workaround, each EPCI's own roll-up, added up to 4,877.25 ktCO2e for
// Bas-Rhin against the department's 4,626.52, EPCI straddling departments counting
// whole. A row now holds what lies inside both the EPCI and the department, so the rows
// add up to the department. (Without a level, the error names the levels below a region
// or a department: TestRollupErrors.)
func TestRollupByChildOfADepartment(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		w := newAPI(t, db).as(writeToken)
		// An adopted commitment of CA Sarreguemines Confluences, 614 of whose 62,880
		// inhabitants live in Bas-Rhin, the others in Moselle.
		const straddling = "200070746"
		var c struct {
			C commitmentNode `json:"createCommitment"`
		}
		w.query(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:" + straddling), "sector": "transports", "ktco2e": 10, "copEdition": 2024}}, &c)
		for _, to := range []string{"SUBMITTED", "ADOPTED"} {
			var tr struct {
				C commitmentNode `json:"transitionCommitment"`
			}
			w.query(transitionQ, map[string]any{"id": c.C.ID, "v": c.C.Version, "to": to}, &tr)
			c.C = tr.C
		}

		type rollup struct {
			ObjectiveKtco2e *float64 `json:"objectiveKtco2e"`
			AdoptedKtco2e   float64  `json:"adoptedKtco2e"`
		}
		var out struct {
			T struct {
				Population int64  `json:"population"`
				Rollup     rollup `json:"rollup"`
				Dashboard  []struct {
					Levers []struct {
						GhgAvoided *float64 `json:"ghgAvoided"`
					} `json:"levers"`
				} `json:"dashboard"`
				Rows []struct {
					Unallocated bool `json:"unallocated"`
					Territory   *struct {
						Code       string `json:"code"`
						Population int64  `json:"population"`
						Parents    []struct {
							Weight float64 `json:"weight"`
							Parent struct {
								Code string `json:"code"`
							} `json:"parent"`
						} `json:"parents"`
						Rollup rollup `json:"rollup"`
					} `json:"territory"`
					Rollup rollup `json:"rollup"`
				} `json:"rollupBy"`
			} `json:"t"`
		}
		w.query(`{ t: territory(level: DEPARTMENT, code: "67") { population rollup { objectiveKtco2e adoptedKtco2e }
			dashboard { levers { ghgAvoided } }
			rollupBy(groupBy: CHILD, level: EPCI) { unallocated rollup { objectiveKtco2e adoptedKtco2e }
				territory { code population parents(level: DEPARTMENT) { weight parent { code } } rollup { objectiveKtco2e adoptedKtco2e } } } } }`, nil, &out)
		dep := out.T.Rollup
		if dep.ObjectiveKtco2e == nil || !rounded(*dep.ObjectiveKtco2e, basRhinObjective, planning.KtCO2e, 1) {
			t.Fatalf("Bas-Rhin's objective is %v, want its part of Grand Est's, %v ktCO2e", deref(dep.ObjectiveKtco2e), basRhinObjective)
		}
		// The objective is the sum of the levers', each split at the unit's precision.
		levers := 0
		for _, s := range out.T.Dashboard {
			for _, l := range s.Levers {
				if l.GhgAvoided != nil {
					levers++
				}
			}
		}
		var objective, adopted int64
		var whole float64 // the EPCI's own roll-ups, as the workaround added them up
		seen := false
		for i, r := range out.T.Rows {
			if r.Rollup.ObjectiveKtco2e != nil {
				objective += kt(*r.Rollup.ObjectiveKtco2e)
			}
			adopted += planning.ToUnits(r.Rollup.AdoptedKtco2e, planning.KtCO2e) // commitments keep 4 decimals
			if r.Unallocated {
				if i != len(out.T.Rows)-1 || r.Territory != nil {
					t.Errorf("row %d of %d is the unallocated row", i, len(out.T.Rows))
				}
				continue
			}
			x := r.Territory
			if x.Rollup.ObjectiveKtco2e != nil {
				whole += *x.Rollup.ObjectiveKtco2e
			}
			// Each row is the EPCI's population inside Bas-Rhin's share of the department.
			inside := 0.0
			for _, p := range x.Parents {
				if p.Parent.Code == "67" {
					inside += p.Weight * float64(x.Population)
				}
			}
			if r.Rollup.ObjectiveKtco2e == nil || !rounded(*r.Rollup.ObjectiveKtco2e, *dep.ObjectiveKtco2e*inside/float64(out.T.Population), planning.KtCO2e, levers+1) {
				t.Errorf("EPCI %s: row objective %v, its %.0f inhabitants in Bas-Rhin give %v", x.Code, deref(r.Rollup.ObjectiveKtco2e),
					inside, *dep.ObjectiveKtco2e*inside/float64(out.T.Population))
			}
			if x.Code == straddling {
				seen = true
				share := inside / float64(x.Population)
				if share <= 0 || share >= 0.1 || r.Rollup.ObjectiveKtco2e == nil || x.Rollup.ObjectiveKtco2e == nil ||
					*r.Rollup.ObjectiveKtco2e >= *x.Rollup.ObjectiveKtco2e/10 ||
					!rounded(r.Rollup.AdoptedKtco2e, 10*share, planning.KtCO2e, 1) || x.Rollup.AdoptedKtco2e != 10 {
					t.Errorf("EPCI %s, %v of it in Bas-Rhin: row objective %v and adopted %v; its own %v and %v",
						x.Code, share, deref(r.Rollup.ObjectiveKtco2e), r.Rollup.AdoptedKtco2e, deref(x.Rollup.ObjectiveKtco2e), x.Rollup.AdoptedKtco2e)
				}
			}
		}
		if !seen || len(out.T.Rows) < 20 {
			t.Fatalf("%d EPCI rows for Bas-Rhin, %s among them: %v", len(out.T.Rows), straddling, seen)
		}
		depAdopted := planning.ToUnits(dep.AdoptedKtco2e, planning.KtCO2e)
		if objective != kt(*dep.ObjectiveKtco2e) || adopted-depAdopted > 1 || depAdopted-adopted > 1 || dep.AdoptedKtco2e <= 0 {
			t.Errorf("Bas-Rhin's EPCI rows add up to %v objective and %v adopted; the department's are %v and %v",
				planning.FromSumUnits(objective), planning.FromUnits(adopted, planning.KtCO2e), *dep.ObjectiveKtco2e, dep.AdoptedKtco2e)
		}
		// The EPCI's own roll-ups count the straddling ones whole: about 4,877.25.
		if math.Abs(whole-4877.25) > 0.01 {
			t.Errorf("the EPCI of Bas-Rhin's own objectives add up to %v, want about 4,877.25 (the straddling ones whole)", whole)
		}
	})
}

// TestRoadmapOfAnEditionWithoutCOP: roadmap(region: "44", edition: 2031) answered as if
// that COP existed, and roadmap(region: "Grand Est") said only "no region". An edition
// exists once the region has a COP of that edition (or adopted commitments carry it).
func TestRoadmapOfAnEditionWithoutCOP(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		const q = `query($r: String!, $e: Int!) { roadmap(region: $r, edition: $e) { edition objectiveKtco2e adoptedKtco2e gap } }`
		wantError(t, "roadmap of Grand Est's COP 2031 before it exists", a.do(q, map[string]any{"r": "44", "e": 2031}),
			"NOT_FOUND", "Grand Est (44)", "2031", `roadmaps(region: "44")`)
		wantError(t, "roadmap of a region named", a.do(q, map[string]any{"r": "Grand Est", "e": 2031}),
			"NOT_FOUND", `"Grand Est"`, `"44" for Grand Est`)
		var list struct {
			R []struct{ Edition int } `json:"roadmaps"`
		}
		a.query(`{ roadmaps(region: "44") { edition } }`, nil, &list)
		if len(list.R) != 0 {
			t.Errorf("Grand Est's roadmaps before any COP: %+v", list.R)
		}

		var m map[string]any
		a.as(writeToken).query(`mutation { createCop(region: "44", edition: 2031) { id } }`, nil, &m)
		var rm struct {
			R struct {
				Edition         int     `json:"edition"`
				ObjectiveKtco2e float64 `json:"objectiveKtco2e"`
				AdoptedKtco2e   float64 `json:"adoptedKtco2e"`
				Gap             float64 `json:"gap"`
			} `json:"roadmap"`
			T struct {
				Rollup struct {
					ObjectiveKtco2e float64 `json:"objectiveKtco2e"`
				} `json:"rollup"`
			} `json:"territory"`
		}
		a.query(`{ roadmap(region: "44", edition: 2031) { edition objectiveKtco2e adoptedKtco2e gap }
			territory(level: REGION, code: "44") { rollup { objectiveKtco2e } } }`, nil, &rm)
		if r := rm.R; r.Edition != 2031 || r.ObjectiveKtco2e <= 0 || r.ObjectiveKtco2e != rm.T.Rollup.ObjectiveKtco2e ||
			r.AdoptedKtco2e != 0 || r.Gap != r.ObjectiveKtco2e {
			t.Errorf("roadmap of Grand Est's COP 2031: %+v; the region's objective is %v", r, rm.T.Rollup.ObjectiveKtco2e)
		}
		a.query(`{ roadmaps(region: "44") { edition } }`, nil, &list)
		if len(list.R) != 1 || list.R[0].Edition != 2031 {
			t.Errorf("Grand Est's roadmaps with its COP 2031: %+v", list.R)
		}
	})
}

// The roadmap's JSON export was the database's structs (snake_case columns, numeric
// ids, search_key, empty edges, each lever's Markdown): that it is now the GraphQL
// answer to httpapi.RoadmapQuery, byte for byte, is httpapi's TestExportIsTheAPIAnswer.

// TestFiguresReadTheSameEverywhere: figures carried floating-point noise that differed
// between the databases and the formats: 459.68505216000005 thousand vehicles;
// 22116.235299999997 ktCO2e over GraphQL against 22116.2353 in the export; 2455.0710000000004
// on PostgreSQL against 2455.071 on SQLite; budgets as 2.54104033365e+11. Every figure
// is now given to the decimals of its unit, the same digits on each database (this test
// runs on both), in GraphQL and in the CSV, JSON Lines and roadmap exports, without
// exponent.
func TestFiguresReadTheSameEverywhere(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.as(writeToken)
		var m map[string]any
		w.query(`mutation { createCop(region: "44", edition: 2031) { id } }`, nil, &m)
		const budget = "254104033365.25"
		w.query(createActionQ, map[string]any{"in": map[string]any{"title": "Programme régional", "territory": tk("REGION:44"),
			"startYear": 2025, "budget": json.Number(budget)}}, &m)

		// GraphQL, as written in the response.
		var out struct {
			T struct {
				Objectives struct {
					Edges []struct {
						Node struct {
							Metric      string      `json:"metric"`
							TargetValue json.Number `json:"targetValue"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"objectives"`
				Voyageurs struct {
					TargetValue json.Number `json:"targetValue"`
				} `json:"voyageurs"`
				Rollup struct {
					ObjectiveKtco2e json.Number `json:"objectiveKtco2e"`
					Budget          json.Number `json:"budget"`
				} `json:"rollup"`
			} `json:"t"`
			Roadmap struct {
				ObjectiveKtco2e json.Number `json:"objectiveKtco2e"`
			} `json:"roadmap"`
		}
		a.query(`{ t: territory(level: REGION, code: "44") {
				objectives(lever: "augm_voitelec", includeDerived: false) { edges { node { metric targetValue } } }
				voyageurs: breakdown(sector: "transport-voyageurs", level: DEPARTMENT) { targetValue }
				rollup { objectiveKtco2e budget } }
			roadmap(region: "44", edition: 2031) { objectiveKtco2e } }`, nil, &out)
		evTarget := ""
		for _, e := range out.T.Objectives.Edges {
			if e.Node.Metric == "PHYSICAL" {
				evTarget = e.Node.TargetValue.String()
			}
		}
		want := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s reads %s, want %s", what, got, want)
			}
		}
		digits := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		want("Grand Est's 2030 target of electric vehicles", evTarget, digits(grandEstEVTarget))
		want("Grand Est's transport-voyageurs", out.T.Voyageurs.TargetValue.String(), digits(grandEstVoyageurs))
		want("Grand Est's objective in its roll-up", out.T.Rollup.ObjectiveKtco2e.String(), digits(grandEstObjective))
		want("Grand Est's objective in its roadmap", out.Roadmap.ObjectiveKtco2e.String(), out.T.Rollup.ObjectiveKtco2e.String())
		want("Grand Est's budget", out.T.Rollup.Budget.String(), budget)

		// The exports write the same digits.
		for _, r := range csvRows(t, a.download("/export/objectives.csv?level=REGION&lever=augm_voitelec&metric=PHYSICAL&derived=false")) {
			if r["territory_code"] == "44" {
				want("the objectives CSV: Grand Est's target", r["target_value"], evTarget)
			}
		}
		for _, r := range lineRows(t, a.download("/export/objectives.jsonl?level=REGION&lever=augm_voitelec&metric=PHYSICAL&derived=false")) {
			if r["territory_code"] == "44" {
				want("the objectives JSON Lines: Grand Est's target", r["target_value"].(json.Number).String(), evTarget)
			}
		}
		n := 0
		for _, r := range csvRows(t, a.download("/export/rollups.csv?level=REGION")) {
			if r["territory_code"] == "44" {
				n++
				want("the roll-ups CSV: Grand Est's objective", r["objective_ktco2e"], out.T.Rollup.ObjectiveKtco2e.String())
				want("the roll-ups CSV: Grand Est's budget", r["budget"], budget)
			}
		}
		for _, r := range lineRows(t, a.download("/export/rollups.jsonl?level=REGION")) {
			if r["territory_code"] == "44" {
				n++
				want("the roll-ups JSON Lines: Grand Est's objective", r["objective_ktco2e"].(json.Number).String(), out.T.Rollup.ObjectiveKtco2e.String())
				want("the roll-ups JSON Lines: Grand Est's budget", r["budget"].(json.Number).String(), budget)
			}
		}
		if n != 2 {
			t.Errorf("Grand Est found %d times in the roll-up exports, want once in each", n)
		}
		rec := a.download("/export/roadmap/44/2031.json")
		d := json.NewDecoder(rec.Body)
		d.UseNumber()
		var rm struct {
			ObjectiveKtco2e json.Number `json:"objectiveKtco2e"`
			Sectors         []struct {
				ObjectiveKtco2e json.Number `json:"objectiveKtco2e"`
			} `json:"sectors"`
		}
		if err := d.Decode(&rm); err != nil {
			t.Fatal(err)
		}
		want("the roadmap's JSON export: Grand Est's objective", rm.ObjectiveKtco2e.String(), out.T.Rollup.ObjectiveKtco2e.String())
		var sectors int64
		for _, s := range rm.Sectors {
			f, _ := s.ObjectiveKtco2e.Float64()
			sectors += kt(f)
			if strings.ContainsAny(s.ObjectiveKtco2e.String(), "eE") {
				t.Errorf("the roadmap's JSON export writes %s", s.ObjectiveKtco2e)
			}
		}
		if f, _ := rm.ObjectiveKtco2e.Float64(); sectors != kt(f) {
			t.Errorf("the roadmap's sectors add up to %v, its objective is %v", planning.FromUnits(sectors, planning.KtCO2e), f)
		}
	})
}

// TestDocumentedCodesAndTypes: the documentation said what was not true. What the docs
// and the schema now say is checked here where no other test does: the error code of an
// unknown persisted query, in the list of codes of docs/operations.md;
// CommitmentEvent.from and to, the status enum (from null on creation, which
// TestCommitmentLifeCycleAndRoadmap follows); no CRTE in a database as a first start
// loads it (none ship). That every
// output field and argument has a description is schema/schema_test.go's
// TestEveryFieldIsDescribed; that -help and an unknown command name migrate is
// server/run_test.go's TestCommandsAreListed.
func TestDocumentedCodesAndTypes(t *testing.T) {
	runShared(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)

		// An unknown hash of an automatic persisted query.
		r := a.raw(http.MethodPost, "application/json",
			`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "`+strings.Repeat("ab", 32)+`"}}}`)
		if len(r.Errors) == 0 || r.Errors[0].code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("unknown persisted query: %+v, want code PERSISTED_QUERY_NOT_FOUND", r.Errors)
		}
		page, err := os.ReadFile("../docs/operations.md")
		if err != nil {
			t.Fatal(err)
		}
		_, codes, found := strings.Cut(string(page), "Errors carry `extensions.code`")
		if !found {
			t.Fatal("docs/operations.md has no list of error codes")
		}
		codes, _, _ = strings.Cut(codes, "\n\n")
		for _, c := range []string{"PERSISTED_QUERY_NOT_FOUND", "NOT_FOUND", "BAD_USER_INPUT", "COMPLEXITY_LIMIT_EXCEEDED",
			"TRUSTED_DOCUMENT_REQUIRED", "TRUSTED_DOCUMENT_NOT_FOUND"} {
			if !strings.Contains(codes, "`"+c+"`") {
				t.Errorf("the list of error codes of docs/operations.md does not name %s: %q", c, codes)
			}
		}

		// CommitmentEvent.from and to are the status enum.
		var schema struct {
			T *struct {
				Fields []struct {
					Name string `json:"name"`
					Type struct {
						Kind   string  `json:"kind"`
						Name   *string `json:"name"`
						OfType *struct {
							Kind string `json:"kind"`
							Name string `json:"name"`
						} `json:"ofType"`
					} `json:"type"`
				} `json:"fields"`
			} `json:"__type"`
		}
		a.query(`{ __type(name: "CommitmentEvent") { fields { name type { kind name ofType { kind name } } } } }`, nil, &schema)
		if schema.T == nil {
			t.Fatal("no type CommitmentEvent")
		}
		types := map[string]string{}
		for _, f := range schema.T.Fields {
			switch {
			case f.Type.Kind == "NON_NULL" && f.Type.OfType != nil:
				types[f.Name] = f.Type.OfType.Kind + " " + f.Type.OfType.Name + "!"
			case f.Type.Name != nil:
				types[f.Name] = f.Type.Kind + " " + *f.Type.Name
			}
		}
		if types["from"] != "ENUM CommitmentStatus" || types["to"] != "ENUM CommitmentStatus!" {
			t.Errorf("CommitmentEvent.from is %q, to is %q; want the nullable CommitmentStatus enum and a CommitmentStatus", types["from"], types["to"])
		}

		// A first start loads no CRTE: they come with `import crte`.
		var crte struct {
			T struct {
				TotalCount int `json:"totalCount"`
			} `json:"territories"`
		}
		a.query(`{ territories(where: {level: CRTE}) { totalCount } }`, nil, &crte)
		if crte.T.TotalCount != 0 {
			t.Errorf("a first start loads %d CRTE, the README says none ship", crte.T.TotalCount)
		}
	})
}
