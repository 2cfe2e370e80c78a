package graph_test

// Tests of the API for data teams (schema/datateams.graphql): rankings and their pages
// against figures computed here, ranks, ordered rollupBy rows, comparisons in a fixed
// number of statements, and trajectories against the straight line.

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/store"
)

// adopt creates a commitment for electric vehicles and adopts it (or leaves it at
// status when that is not ADOPTED).
func adopt(t *testing.T, w *api, carrier string, kt, physical float64, targetYear int, status string) {
	t.Helper()
	var c struct {
		C commitmentNode `json:"createCommitment"`
	}
	w.query(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk(carrier), "lever": "augm_voitelec", "ktco2e": kt,
		"physical": physical, "targetYear": targetYear, "copEdition": 2024, "status": "SUBMITTED"}}, &c)
	if status == "ADOPTED" {
		var tr map[string]any
		w.query(transitionQ, map[string]any{"id": c.C.ID, "v": c.C.Version, "to": "ADOPTED"}, &tr)
	}
}

// epciOf is the EPCI a commune belongs to.
func epciOf(t *testing.T, a *api, commune string) string {
	t.Helper()
	var out struct {
		T struct {
			Parents []struct {
				Parent struct{ Code string } `json:"parent"`
			} `json:"parents"`
		} `json:"territory"`
	}
	a.query(`query($c: String!) { territory(level: COMMUNE, code: $c) { parents(level: EPCI) { parent { code } } } }`,
		map[string]any{"c": commune}, &out)
	if len(out.T.Parents) != 1 {
		t.Fatalf("commune %s: %d EPCI", commune, len(out.T.Parents))
	}
	return out.T.Parents[0].Parent.Code
}

type rankedNode struct {
	Rank      *int     `json:"rank"`
	OutOf     int      `json:"outOf"`
	Value     *float64 `json:"value"`
	Territory struct {
		Code       string `json:"code"`
		Population int64  `json:"population"`
	} `json:"territory"`
	Rollup struct {
		AdoptedKtco2e   float64  `json:"adoptedKtco2e"`
		ObjectiveKtco2e *float64 `json:"objectiveKtco2e"`
		Gap             *float64 `json:"gap"`
		Coverage        *float64 `json:"coverage"`
	} `json:"rollup"`
}

type rankingPage struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string     `json:"cursor"`
		Node   rankedNode `json:"node"`
	} `json:"edges"`
}

const rankingQ = `query($order: RollupOrder!, $first: Int, $after: Cursor) { territory(level: REGION, code: "53") {
	ranking(level: EPCI, orderBy: $order, filter: {lever: "augm_voitelec"}, first: $first, after: $after) {
		totalCount pageInfo { hasNextPage endCursor }
		edges { cursor node { rank outOf value territory { code population } rollup { adoptedKtco2e objectiveKtco2e gap coverage } } } } } }`

// expectedRow is an EPCI's figure computed here.
type expectedRow struct {
	code  string
	value *float64
	rank  int
}

// sortExpected orders rows as a ranking must (values first, then by code) and ranks them
// (equal values share a rank).
func sortExpected(rows []expectedRow, desc bool) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case (a.value == nil) != (b.value == nil):
			return b.value == nil
		case a.value != nil && *a.value != *b.value:
			return (*a.value > *b.value) == desc
		}
		return a.code < b.code
	})
	for i := range rows {
		switch {
		case rows[i].value == nil:
			rows[i].rank = 0
		case i > 0 && rows[i-1].value != nil && *rows[i-1].value == *rows[i].value:
			rows[i].rank = rows[i-1].rank
		default:
			rows[i].rank = i + 1
		}
	}
}

// TestRankingOrdersAndPages ranks the EPCI of Bretagne on electric vehicles by gap per
// inhabitant and by coverage, walks the pages with cursors, and checks every figure,
// rank and position against what this test computes from the objectives and the
// commitments it wrote.
func TestRankingOrdersAndPages(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.as(writeToken)
		brest := epciOf(t, a, "29019")
		adopted := map[string]float64{"243500139": 40, "243500741": 2, brest: 1.5 + 0.25} // carried by each EPCI or its communes
		adopt(t, w, "EPCI:243500139", 40, 0, 2030, "ADOPTED")                             // Rennes Métropole
		adopt(t, w, "EPCI:243500741", 2, 0, 2030, "ADOPTED")                              // Redon Agglomération, over two regions
		adopt(t, w, "COMMUNE:29019", 1.5, 0, 2030, "ADOPTED")                             // Brest, in Brest Métropole
		adopt(t, w, "EPCI:"+brest, 0.25, 0, 2028, "ADOPTED")
		adopt(t, w, "EPCI:243500139", 1000, 0, 2030, "SUBMITTED") // not adopted: not counted

		// The objectives of every EPCI of Bretagne (wholly or partly), as published.
		var epcis struct {
			T struct {
				D struct {
					Edges []struct {
						Node struct {
							Code       string `json:"code"`
							Population int64  `json:"population"`
							Objectives struct {
								Edges []struct {
									Node struct {
										TargetValue float64 `json:"targetValue"`
										Derived     bool    `json:"derived"`
									} `json:"node"`
								} `json:"edges"`
							} `json:"objectives"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"descendants"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: REGION, code: "53") { descendants(level: EPCI, first: 1000) { edges { node { code population
			objectives(lever: "augm_voitelec", where: {metric: GHG_AVOIDED}, first: 5) { edges { node { targetValue derived } } } } } } } }`, nil, &epcis)
		n := len(epcis.T.D.Edges)
		if n < 50 {
			t.Fatalf("%d EPCI in Bretagne", n)
		}
		gap := map[string]*float64{}
		coverage := map[string]*float64{}
		perInhabitant := map[string]*float64{}
		for _, e := range epcis.T.D.Edges {
			var obj *float64
			for _, o := range e.Node.Objectives.Edges {
				if !o.Node.Derived {
					t.Fatalf("%s has its own objective: the test expects derived ones only", e.Node.Code)
				}
				v := o.Node.TargetValue
				if obj != nil {
					v += *obj
				}
				obj = &v
			}
			if obj == nil {
				continue
			}
			g := math.Max(0, *obj-adopted[e.Node.Code])
			gp := g / float64(e.Node.Population)
			gap[e.Node.Code], perInhabitant[e.Node.Code] = &g, &gp
			if *obj > 0 {
				c := adopted[e.Node.Code] / *obj
				coverage[e.Node.Code] = &c
			}
		}
		if len(gap) != n || coverage["243500139"] == nil || *coverage["243500139"] <= 0 {
			t.Fatalf("%d of %d EPCI with an objective; Rennes' coverage %v", len(gap), n, coverage["243500139"])
		}

		for _, tc := range []struct {
			name  string
			order map[string]any
			want  map[string]*float64
			desc  bool
		}{
			{"gap per inhabitant", map[string]any{"by": "GAP", "perInhabitant": true}, perInhabitant, true},
			{"coverage, smallest first", map[string]any{"by": "COVERAGE", "direction": "ASC"}, coverage, false},
			{"coverage per inhabitant is coverage", map[string]any{"by": "COVERAGE", "perInhabitant": true}, coverage, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want []expectedRow
				for _, e := range epcis.T.D.Edges {
					want = append(want, expectedRow{code: e.Node.Code, value: tc.want[e.Node.Code]})
				}
				sortExpected(want, tc.desc)
				outOf := 0
				for _, r := range want {
					if r.value != nil {
						outOf++
					}
				}
				var got []rankedNode
				var after any
				for pages := 0; ; pages++ {
					if pages > n {
						t.Fatal("pages do not end")
					}
					var out struct {
						T struct {
							R rankingPage `json:"ranking"`
						} `json:"territory"`
					}
					a.query(rankingQ, map[string]any{"order": tc.order, "first": 7, "after": after}, &out)
					r := out.T.R
					if r.TotalCount != n || len(r.Edges) > 7 {
						t.Fatalf("page %d: total %d (want %d), %d edges", pages, r.TotalCount, n, len(r.Edges))
					}
					for _, e := range r.Edges {
						got = append(got, e.Node)
					}
					if !r.PageInfo.HasNextPage {
						break
					}
					after = *r.PageInfo.EndCursor
				}
				if len(got) != n {
					t.Fatalf("%d territories over the pages, want %d", len(got), n)
				}
				for i, g := range got {
					w := want[i]
					if g.Territory.Code != w.code {
						t.Fatalf("position %d: %s, want %s (value %v)", i+1, g.Territory.Code, w.code, deref(w.value))
					}
					if (g.Value == nil) != (w.value == nil) || g.Value != nil && !near(*g.Value, *w.value) {
						t.Errorf("%s: value %v, want %v", w.code, deref(g.Value), deref(w.value))
					}
					rank := 0
					if g.Rank != nil {
						rank = *g.Rank
					}
					if rank != w.rank {
						t.Errorf("%s: rank %d, want %d", w.code, rank, w.rank)
					}
					if g.OutOf != outOf {
						t.Errorf("%s: out of %d, want %d", w.code, g.OutOf, outOf)
					}
					if !near(g.Rollup.AdoptedKtco2e, adopted[w.code]) {
						t.Errorf("%s: adopted %v, want %v", w.code, g.Rollup.AdoptedKtco2e, adopted[w.code])
					}
				}
			})
		}

		// A territory's rank, alone and in a list, as the ranking gives it.
		var full struct {
			T struct {
				R rankingPage `json:"ranking"`
			} `json:"territory"`
		}
		order := map[string]any{"by": "GAP", "perInhabitant": true}
		a.query(rankingQ, map[string]any{"order": order, "first": 1000}, &full)
		ranks := map[string]*int{}
		for _, e := range full.T.R.Edges {
			ranks[e.Node.Territory.Code] = e.Node.Rank
		}
		const rankQ = `query($n: Int) { territory(level: REGION, code: "53") { descendants(level: EPCI, first: $n) { edges { node { code
			rank(orderBy: {by: GAP, perInhabitant: true}, within: {level: REGION, code: "53"}, filter: {lever: "augm_voitelec"}) { rank outOf territory { code } } } } } } }`
		var list struct {
			T struct {
				D struct {
					Edges []struct {
						Node struct {
							Code string      `json:"code"`
							Rank *rankedNode `json:"rank"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"descendants"`
			} `json:"territory"`
		}
		a.query(rankQ, map[string]any{"n": 1000}, &list)
		for _, e := range list.T.D.Edges {
			r := e.Node.Rank
			if r == nil || r.Territory.Code != e.Node.Code || fmt.Sprint(deref(r.Rank)) != fmt.Sprint(deref(ranks[e.Node.Code])) {
				t.Errorf("%s: rank %+v, want %v", e.Node.Code, r, deref(ranks[e.Node.Code]))
			}
		}
		if small, large := a.statements(rankQ, map[string]any{"n": 3}), a.statements(rankQ, map[string]any{"n": 1000}); small != large {
			t.Errorf("ranks: %d statements for 3 EPCI, %d for %d", small, large, n)
		}
		var outside struct {
			T struct {
				Rank *rankedNode `json:"rank"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: EPCI, code: "200054781") { rank(orderBy: {by: GAP}, within: {level: REGION, code: "53"}) { rank } } }`, nil, &outside)
		if outside.T.Rank != nil {
			t.Errorf("the Métropole du Grand Paris has a rank in Bretagne: %+v", outside.T.Rank)
		}

		// rollupBy ordered: the departments of Bretagne by adopted commitments.
		var rb struct {
			T struct {
				Rows []struct {
					Rank      *int     `json:"rank"`
					Value     *float64 `json:"value"`
					Territory struct{ Code string }
					Rollup    struct {
						AdoptedKtco2e float64 `json:"adoptedKtco2e"`
					} `json:"rollup"`
				} `json:"rollupBy"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: DEPARTMENT, filter: {lever: "augm_voitelec"},
			orderBy: {by: ADOPTED_KTCO2E}) { rank value territory { code } rollup { adoptedKtco2e } } } }`, nil, &rb)
		var want []expectedRow
		for _, r := range rb.T.Rows {
			v := r.Rollup.AdoptedKtco2e
			want = append(want, expectedRow{code: r.Territory.Code, value: &v})
		}
		sortExpected(want, true)
		if len(rb.T.Rows) != 4 {
			t.Fatalf("rollupBy: %d rows", len(rb.T.Rows))
		}
		for i, r := range rb.T.Rows {
			if r.Territory.Code != want[i].code || r.Rank == nil || *r.Rank != want[i].rank || r.Value == nil || *r.Value != r.Rollup.AdoptedKtco2e {
				t.Errorf("rollupBy row %d: %s rank %v value %v, want %s rank %d", i, r.Territory.Code, deref(r.Rank), deref(r.Value), want[i].code, want[i].rank)
			}
		}
		if rb.T.Rows[0].Territory.Code != "35" {
			t.Errorf("Ille-et-Vilaine (Rennes) is not first: %+v", rb.T.Rows)
		}

		var names struct {
			T struct {
				PageInfo struct {
					EndCursor string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"territories"`
		}
		a.query(`{ territories(first: 1, orderBy: [{field: NAME}]) { pageInfo { endCursor } } }`, nil, &names)
		foreign := names.T.PageInfo.EndCursor
		for _, tc := range []struct {
			name, q, code string
		}{
			{"level not below", `{ territory(level: REGION, code: "53") { ranking(level: REGION, orderBy: {by: GAP}) { totalCount } } }`, "BAD_USER_INPUT"},
			{"too many territories", `{ territory(level: COUNTRY, code: "FR") { ranking(level: COMMUNE, orderBy: {by: GAP}) { totalCount } } }`, "BAD_USER_INPUT"},
			{"page too large", `{ territory(level: REGION, code: "53") { ranking(level: EPCI, orderBy: {by: GAP}, first: 1001) { totalCount } } }`, "BAD_USER_INPUT"},
			{"foreign cursor", `{ territory(level: REGION, code: "53") { ranking(level: EPCI, orderBy: {by: GAP}, after: "` + foreign + `") { totalCount } } }`, "BAD_USER_INPUT"},
			{"unknown lever", `{ territory(level: REGION, code: "53") { ranking(level: EPCI, orderBy: {by: GAP}, filter: {lever: "nope"}) { totalCount } } }`, "NOT_FOUND"},
			{"unknown within", `{ territory(level: EPCI, code: "243500139") { rank(orderBy: {by: GAP}, within: {level: REGION, code: "99"}) { rank } } }`, "NOT_FOUND"},
		} {
			wantError(t, tc.name, a.do(tc.q, nil), tc.code)
		}
	})
}

// TestCompare puts territories of several levels side by side and checks each row
// against the same territory's own fields, in the same statements for 2 territories as
// for 50.
func TestCompare(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.as(writeToken)
		adopt(t, w, "EPCI:243500139", 12, 0, 2030, "ADOPTED")
		var rec map[string]any
		w.query(recordObservationsQ, map[string]any{"in": []any{evObservation("EPCI", "243500139", 2023, 9000),
			evObservation("DEPARTMENT", "35", 2024, 15000)}}, &rec)

		var epcis struct {
			T struct {
				D struct {
					Edges []struct {
						Node struct{ Code string } `json:"node"`
					} `json:"edges"`
				} `json:"descendants"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: REGION, code: "53") { descendants(level: EPCI, first: 45) { edges { node { code } } } } }`, nil, &epcis)
		keys := []string{"EPCI:243500139", "REGION:53", "DEPARTMENT:35", "DEPARTMENT:29", "COMMUNE:35238", "COUNTRY:FR"}
		for _, e := range epcis.T.D.Edges {
			if len(keys) < 50 && e.Node.Code != "243500139" {
				keys = append(keys, "EPCI:"+e.Node.Code)
			}
		}
		if len(keys) != 50 {
			t.Fatalf("%d territories to compare", len(keys))
		}
		inputs := func(ks []string) []any {
			out := []any{}
			for _, k := range ks {
				out = append(out, tk(k))
			}
			return out
		}
		const q = `query($keys: [TerritoryKey!]!) { compare(territories: $keys, lever: "augm_voitelec") {
			territory { level code name ancestors { code } } metric objectives { metric targetValue derived lever { code } sector { code } territory { code } }
			latest { year value lever { code } } diagnostic { status metric travelled expected objectives { id } }
			rollup { adoptedKtco2e objectiveKtco2e coverage gap budget } } }`
		// The first six are of every level: what more territories add is rows, not statements.
		small := a.statements(q, map[string]any{"keys": inputs(keys[:6])})
		large := a.statements(q, map[string]any{"keys": inputs(keys)})
		t.Logf("compare: %d statements for 6 territories, %d for 50", small, large)
		if small != large || large > 22 {
			t.Errorf("compare: %d statements for 6 territories of every level, %d for 50", small, large)
		}

		type diag struct {
			Status    string   `json:"status"`
			Metric    string   `json:"metric"`
			Travelled *float64 `json:"travelled"`
		}
		type rollup struct {
			AdoptedKtco2e   float64  `json:"adoptedKtco2e"`
			ObjectiveKtco2e *float64 `json:"objectiveKtco2e"`
			Coverage        *float64 `json:"coverage"`
		}
		var out struct {
			C []struct {
				Territory struct{ Level, Code string } `json:"territory"`
				Metric    *string                      `json:"metric"`
				Latest    *struct {
					Year  int     `json:"year"`
					Value float64 `json:"value"`
				} `json:"latest"`
				Objectives []struct {
					Derived   bool                  `json:"derived"`
					Territory struct{ Code string } `json:"territory"`
				} `json:"objectives"`
				Diagnostic *diag  `json:"diagnostic"`
				Rollup     rollup `json:"rollup"`
			} `json:"compare"`
		}
		a.query(q, map[string]any{"keys": inputs(keys)}, &out)
		// Each territory's own fields, in one request.
		var b strings.Builder
		b.WriteString("{")
		for i, k := range keys {
			level, code, _ := strings.Cut(k, ":")
			fmt.Fprintf(&b, ` t%d: territory(level: %s, code: %q) { diagnostic(lever: "augm_voitelec") { status metric travelled }
				rollup(filter: {lever: "augm_voitelec"}) { adoptedKtco2e objectiveKtco2e coverage } }`, i, level, code)
		}
		b.WriteString("}")
		var own map[string]struct {
			Diagnostic *diag  `json:"diagnostic"`
			Rollup     rollup `json:"rollup"`
		}
		a.query(b.String(), nil, &own)
		if len(out.C) != 50 {
			t.Fatalf("%d rows", len(out.C))
		}
		for i, row := range out.C {
			k := keys[i]
			o := own[fmt.Sprintf("t%d", i)]
			if row.Territory.Level+":"+row.Territory.Code != k {
				t.Errorf("row %d is %s:%s, want %s", i, row.Territory.Level, row.Territory.Code, k)
			}
			if compact(row.Diagnostic) != compact(o.Diagnostic) || compact(row.Rollup) != compact(o.Rollup) {
				t.Errorf("%s: compare gives %s %s, the territory %s %s", k, compact(row.Diagnostic), compact(row.Rollup),
					compact(o.Diagnostic), compact(o.Rollup))
			}
		}
		rennes := out.C[0]
		if rennes.Metric == nil || *rennes.Metric != "PHYSICAL" || rennes.Latest == nil || rennes.Latest.Year != 2023 ||
			rennes.Latest.Value != 9000 || rennes.Rollup.AdoptedKtco2e != 12 {
			t.Errorf("Rennes Métropole: %+v", rennes)
		}
		// A commune is measured against its part of its department's objectives, which
		// its row lists with their own territory, the department.
		if commune := out.C[4]; commune.Metric == nil || commune.Diagnostic == nil || len(commune.Objectives) == 0 ||
			commune.Objectives[0].Territory.Code != "35" || commune.Rollup.ObjectiveKtco2e == nil {
			t.Errorf("Rennes (commune), measured against its part of Ille-et-Vilaine's objectives: %+v", commune)
		}

		many := make([]string, 51)
		for i := range many {
			many[i] = fmt.Sprintf("COMMUNE:35%03d", i+1)
		}
		for _, tc := range []struct {
			name string
			keys []string
			args string
			code string
		}{
			{"51 territories", many, `lever: "augm_voitelec"`, "BAD_USER_INPUT"},
			{"twice the same", []string{"REGION:53", "REGION:53"}, `lever: "augm_voitelec"`, "BAD_USER_INPUT"},
			{"unknown territory", []string{"REGION:53", "EPCI:000000000"}, `lever: "augm_voitelec"`, "NOT_FOUND"},
			{"no lever or sector", []string{"REGION:53"}, ``, "BAD_USER_INPUT"},
		} {
			args := tc.args
			if args != "" {
				args = ", " + args
			}
			r := a.do(`query($keys: [TerritoryKey!]!) { compare(territories: $keys`+args+`) { territory { code } } }`,
				map[string]any{"keys": inputs(tc.keys)})
			wantError(t, tc.name, r, tc.code)
		}
	})
}

// TestTrajectory lays out Rennes Métropole's years for electric vehicles: the straight
// line from its objective's baseline to its target, its observations, and the
// commitments adopted for each year inside it, which add up to its roll-up.
func TestTrajectory(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.as(writeToken)
		if epciOf(t, a, "35238") != "243500139" {
			t.Fatal("Rennes is not in Rennes Métropole")
		}
		adopt(t, w, "EPCI:243500139", 1.5, 100, 2026, "ADOPTED")
		adopt(t, w, "COMMUNE:35238", 0.5, 50, 2026, "ADOPTED")
		adopt(t, w, "COMMUNE:35238", 0.25, 20, 2030, "ADOPTED")
		adopt(t, w, "EPCI:243500139", 9, 900, 2030, "SUBMITTED") // not adopted
		adopt(t, w, "EPCI:200039022", 7, 700, 2026, "ADOPTED")   // another EPCI
		var rec map[string]any
		w.query(recordObservationsQ, map[string]any{"in": []any{evObservation("EPCI", "243500139", 2020, 5000),
			evObservation("EPCI", "243500139", 2022, 8000), evObservation("DEPARTMENT", "35", 2021, 1)}}, &rec)

		// The objective, as published: derived from Bretagne's.
		var objs struct {
			T struct {
				O struct {
					Edges []struct {
						Node struct {
							BaselineYear  int     `json:"baselineYear"`
							BaselineValue float64 `json:"baselineValue"`
							TargetYear    int     `json:"targetYear"`
							TargetValue   float64 `json:"targetValue"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"objectives"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: EPCI, code: "243500139") { objectives(lever: "augm_voitelec", where: {metric: PHYSICAL}) {
			edges { node { baselineYear baselineValue targetYear targetValue } } } } }`, nil, &objs)
		if len(objs.T.O.Edges) != 1 {
			t.Fatalf("%d physical objectives for Rennes Métropole", len(objs.T.O.Edges))
		}
		o := objs.T.O.Edges[0].Node
		if o.BaselineYear != 2019 || o.TargetYear != 2030 || o.TargetValue <= o.BaselineValue {
			t.Fatalf("objective %+v", o)
		}

		type point struct {
			Year     int      `json:"year"`
			Expected *float64 `json:"expected"`
			Observed *float64 `json:"observed"`
			Adopted  *float64 `json:"adopted"`
		}
		type trajectory struct {
			Metric       string  `json:"metric"`
			Unit         *string `json:"unit"`
			BaselineYear *int    `json:"baselineYear"`
			TargetYear   *int    `json:"targetYear"`
			Points       []point `json:"points"`
		}
		get := func(args string) *trajectory {
			t.Helper()
			var out struct {
				T struct {
					Tr *trajectory `json:"trajectory"`
				} `json:"territory"`
			}
			a.query(`{ territory(level: EPCI, code: "243500139") { trajectory(lever: "augm_voitelec"`+args+`) {
				metric unit baselineYear targetYear points { year expected observed adopted } } } }`, nil, &out)
			return out.T.Tr
		}
		line := func(y int) float64 {
			share := math.Min(1, float64(y-o.BaselineYear)/float64(o.TargetYear-o.BaselineYear))
			return o.BaselineValue + share*(o.TargetValue-o.BaselineValue)
		}
		check := func(name string, tr *trajectory, from, to int, observed, adopted map[int]float64) {
			t.Helper()
			if tr == nil || len(tr.Points) != to-from+1 {
				t.Fatalf("%s: %+v, want %d points", name, tr, to-from+1)
			}
			for i, p := range tr.Points {
				y := from + i
				if p.Year != y || p.Expected == nil || !near(*p.Expected, line(y)) {
					t.Errorf("%s: point %d = year %d expected %v, want %d %v", name, i, p.Year, deref(p.Expected), y, line(y))
				}
				if v, ok := observed[y]; ok != (p.Observed != nil) || ok && *p.Observed != v {
					t.Errorf("%s %d: observed %v, want %v", name, y, deref(p.Observed), observed[y])
				}
				if p.Adopted == nil || !near(*p.Adopted, adopted[y]) {
					t.Errorf("%s %d: adopted %v, want %v", name, y, deref(p.Adopted), adopted[y])
				}
			}
		}

		tr := get("")
		if tr == nil || tr.Metric != "PHYSICAL" || tr.BaselineYear == nil || *tr.BaselineYear != 2019 || *tr.TargetYear != 2030 {
			t.Fatalf("trajectory %+v", tr)
		}
		check("physical", tr, 2019, 2030, map[int]float64{2020: 5000, 2022: 8000}, map[int]float64{2026: 150, 2030: 20})

		// Emissions avoided, past the target: the line stays at the target.
		var ghg struct {
			T struct {
				O struct {
					Edges []struct {
						Node struct {
							TargetValue float64 `json:"targetValue"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"objectives"`
				Rollup struct {
					AdoptedKtco2e float64 `json:"adoptedKtco2e"`
				} `json:"rollup"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: EPCI, code: "243500139") { objectives(lever: "augm_voitelec", where: {metric: GHG_AVOIDED}) {
			edges { node { targetValue } } } rollup(filter: {lever: "augm_voitelec"}) { adoptedKtco2e } } }`, nil, &ghg)
		o = objs.T.O.Edges[0].Node
		o.BaselineValue, o.TargetValue = 0, ghg.T.O.Edges[0].Node.TargetValue
		tr = get(", metric: GHG_AVOIDED, from: 2024, to: 2032")
		check("emissions", tr, 2024, 2032, nil, map[int]float64{2026: 2, 2030: 0.25})
		sum := 0.0
		for _, p := range tr.Points {
			sum += *p.Adopted
		}
		if !near(sum, ghg.T.Rollup.AdoptedKtco2e) {
			t.Errorf("adopted over the years %v, roll-up %v", sum, ghg.T.Rollup.AdoptedKtco2e)
		}

		// A commune is measured against its part of its department's objective: its line
		// runs over the department's years, and its commitments count for their years.
		var commune struct {
			T struct {
				None *trajectory `json:"none"`
				Phys *trajectory `json:"phys"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: COMMUNE, code: "35238") { none: trajectory(lever: "augm_voitelec") { metric }
			phys: trajectory(lever: "augm_voitelec", metric: PHYSICAL) { metric unit points { year expected observed adopted } } } }`, nil, &commune)
		if commune.T.None == nil || commune.T.None.Metric != "PHYSICAL" {
			t.Errorf("Rennes (commune), the diagnostic's metric: %+v", commune.T.None)
		}
		if p := commune.T.Phys; p == nil || p.Unit == nil || len(p.Points) != 12 || p.Points[0].Year != 2019 || p.Points[11].Year != 2030 ||
			p.Points[0].Expected == nil || p.Points[11].Expected == nil || !(*p.Points[11].Expected > *p.Points[0].Expected) ||
			deref(p.Points[7].Adopted) != 50.0 || deref(p.Points[11].Adopted) != 20.0 {
			t.Errorf("Rennes (commune), physical: %+v", p)
		}

		for _, tc := range []struct{ name, args, code string }{
			{"from after to", `lever: "augm_voitelec", from: 2030, to: 2020`, "BAD_USER_INPUT"},
			{"too early", `lever: "augm_voitelec", from: 1800`, "BAD_USER_INPUT"},
			{"no indicator", ``, "BAD_USER_INPUT"},
			{"unknown lever", `lever: "nope"`, "NOT_FOUND"},
		} {
			args := ""
			if tc.args != "" {
				args = "(" + tc.args + ")"
			}
			wantError(t, tc.name, a.do(`{ territory(level: EPCI, code: "243500139") { trajectory`+args+` { metric } } }`, nil), tc.code)
		}
	})
}
