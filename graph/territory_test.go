package graph_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

type terr struct {
	ID          string   `json:"id"`
	Level       string   `json:"level"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Population  int64    `json:"population"`
	Nature      *string  `json:"nature"`
	Siren       *string  `json:"siren"`
	PostalCodes []string `json:"postalCodes"`
	Ancestors   []terr   `json:"ancestors"`
	Parents     []struct {
		Weight float64 `json:"weight"`
		Parent terr    `json:"parent"`
	} `json:"parents"`
}

type conn struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Node terr `json:"node"`
	} `json:"edges"`
}

func (c conn) codes() []string {
	var out []string
	for _, e := range c.Edges {
		out = append(out, e.Node.Code)
	}
	return out
}

func keys(ts []terr) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Level+":"+t.Code)
	}
	return out
}

func TestTerritory(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		var out struct {
			EPCI    *terr `json:"epci"`
			Commune *terr `json:"commune"`
			MGP     *terr `json:"mgp"`
			Unknown *terr `json:"unknown"`
		}
		a.query(`{
			epci: territory(level: EPCI, code: "243500139") { id name population nature siren ancestors { level code } }
			commune: territory(level: COMMUNE, code: "35238") { name population postalCodes siren
				parents { weight parent { level code } } ancestors { level code } }
			mgp: territory(level: EPCI, code: "200054781") { name parents(level: DEPARTMENT) { weight parent { code } } }
			unknown: territory(level: COMMUNE, code: "99999") { name }
		}`, nil, &out)
		if out.EPCI == nil || out.EPCI.Name != "Rennes Métropole" || *out.EPCI.Nature != "METRO" || *out.EPCI.Siren != "243500139" {
			t.Fatalf("Rennes Métropole = %+v", out.EPCI)
		}
		if got := keys(out.EPCI.Ancestors); !slices.Equal(got, []string{"COUNTRY:FR", "REGION:53", "DEPARTMENT:35"}) {
			t.Errorf("ancestors of Rennes Métropole = %v", got)
		}
		if out.EPCI.Population < 450_000 || out.EPCI.Population > 520_000 {
			t.Errorf("Rennes Métropole has %d inhabitants", out.EPCI.Population)
		}
		c := out.Commune
		if c.Name != "Rennes" || !slices.Equal(c.PostalCodes, []string{"35000", "35200", "35700"}) || *c.Siren != "213502388" {
			t.Errorf("Rennes = %+v", c)
		}
		if got := keys(c.Ancestors); !slices.Equal(got, []string{"COUNTRY:FR", "REGION:53", "DEPARTMENT:35", "EPCI:243500139"}) {
			t.Errorf("ancestors of Rennes = %v", got)
		}
		var parents []string
		for _, p := range c.Parents {
			parents = append(parents, p.Parent.Level+":"+p.Parent.Code)
			if p.Weight != 1 {
				t.Errorf("Rennes is in %s with weight %v, want 1", p.Parent.Code, p.Weight)
			}
		}
		if !slices.Equal(parents, []string{"DEPARTMENT:35", "EPCI:243500139"}) {
			t.Errorf("parents of Rennes = %v", parents)
		}
		var sum float64
		var deps []string
		for _, p := range out.MGP.Parents {
			sum += p.Weight
			deps = append(deps, p.Parent.Code)
		}
		if !slices.Equal(deps, []string{"75", "91", "92", "93", "94", "95"}) || math.Abs(sum-1) > 1e-9 {
			t.Errorf("Métropole du Grand Paris spans %v with weights adding to %v", deps, sum)
		}
		if out.Unknown != nil {
			t.Errorf("unknown code gave %+v, want null", out.Unknown)
		}

		// A membership's child is the territory whose parents are asked, read by no
		// statement of its own; its parent too.
		var round struct {
			Territory struct {
				Parents []struct {
					Child  terr `json:"child"`
					Parent terr `json:"parent"`
				} `json:"parents"`
			} `json:"territory"`
		}
		q := `{ territory(level: COMMUNE, code: "35238") { parents { child { code name population } parent { code name } } } }`
		if n := a.statements(q, nil); n != 2 {
			t.Errorf("a commune's parents with their child and parent: %d statements, want 2", n)
		}
		a.query(q, nil, &round)
		for _, p := range round.Territory.Parents {
			if p.Child.Code != "35238" || p.Child.Name != "Rennes" || p.Child.Population != c.Population || p.Parent.Name == "" {
				t.Errorf("Rennes's membership in %s: child %+v", p.Parent.Code, p.Child)
			}
		}
		if len(round.Territory.Parents) != 2 {
			t.Errorf("Rennes has %d parents, want 2", len(round.Territory.Parents))
		}

		// Two pages of the same children, one with postal codes: each reads its own
		// columns.
		var pages struct {
			Territory struct {
				A, B struct {
					Edges []struct{ Node terr } `json:"edges"`
				}
			} `json:"territory"`
		}
		a.query(`{ territory(level: EPCI, code: "243500139") {
			a: children(level: COMMUNE, first: 100) { edges { node { code } } }
			b: children(level: COMMUNE, first: 100) { edges { node { code postalCodes } } } } }`, nil, &pages)
		found := false
		for _, e := range pages.Territory.B.Edges {
			if e.Node.Code == "35238" {
				found = slices.Equal(e.Node.PostalCodes, []string{"35000", "35200", "35700"})
			}
		}
		if !found || len(pages.Territory.A.Edges) != len(pages.Territory.B.Edges) {
			t.Errorf("Rennes Métropole's communes: %d and %d, Rennes's postal codes in the second page: %v", len(pages.Territory.A.Edges), len(pages.Territory.B.Edges), found)
		}

		// node and nodes resolve the ids the API hands out.
		var nodes struct {
			Node    *terr   `json:"node"`
			Nodes   []*terr `json:"nodes"`
			Unknown *terr   `json:"unknown"`
		}
		a.query(`query($id: ID!) { node(id: $id) { ... on Territory { code name } }
			nodes(ids: [$id, $id]) { ... on Territory { code } }
			unknown: node(id: "1") { id } }`, map[string]any{"id": out.EPCI.ID}, &nodes)
		if nodes.Node == nil || nodes.Node.Code != "243500139" || len(nodes.Nodes) != 2 || nodes.Nodes[1].Code != "243500139" || nodes.Unknown != nil {
			t.Errorf("node(%s) = %+v, nodes = %+v, unknown = %+v", out.EPCI.ID, nodes.Node, nodes.Nodes, nodes.Unknown)
		}
		// An unknown id in nodes is a null with a NOT_FOUND error at its index.
		r := a.do(`query($id: ID!) { nodes(ids: [$id, "1"]) { id } }`, map[string]any{"id": out.EPCI.ID})
		if len(r.Errors) != 1 || r.Errors[0].code() != "NOT_FOUND" || compact(r.Errors[0].Path) != `["nodes",1]` {
			t.Errorf("nodes with an unknown id: %+v", r.Errors)
		}
	})
}

func TestTerritoriesConnection(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		var out struct {
			Regions conn `json:"regions"`
			Big     conn `json:"big"`
			Of53    conn `json:"of53"`
			In35    conn `json:"in35"`
			Default conn `json:"default"`
		}
		a.query(`{
			regions: territories(where: {level: REGION}, orderBy: [{field: POPULATION, direction: DESC}], first: 3) {
				totalCount edges { node { code population } } }
			big: territories(where: {level: COMMUNE, populationGTE: 200000, populationLT: 500000}, orderBy: [{field: NAME}]) {
				totalCount edges { node { name } } }
			of53: territories(parent: {level: REGION, code: "53"}) { totalCount edges { node { code } } }
			in35: territories(within: {level: DEPARTMENT, code: "35"}, where: {level: EPCI}, first: 0) { totalCount }
			default: territories { totalCount edges { node { code } } }
		}`, nil, &out)
		if got := out.Regions.codes(); out.Regions.TotalCount != 18 || !slices.Equal(got, []string{"11", "84", "75"}) {
			t.Errorf("largest regions = %v of %d", got, out.Regions.TotalCount)
		}
		var names []string
		for _, e := range out.Big.Edges {
			names = append(names, e.Node.Name)
		}
		if !slices.IsSorted(names) || !slices.Contains(names, "Rennes") || slices.Contains(names, "Paris") {
			t.Errorf("communes of 200,000 to 500,000 = %v", names)
		}
		if got := out.Of53.codes(); !slices.Equal(got, []string{"22", "29", "35", "56"}) {
			t.Errorf("children of Bretagne = %v", got)
		}
		// EPCI wholly or partly in Ille-et-Vilaine, Redon Agglomération (35, 44, 56) included.
		if out.In35.TotalCount < 15 || out.In35.TotalCount > 25 {
			t.Errorf("%d EPCI in 35", out.In35.TotalCount)
		}
		if len(out.Default.Edges) != 100 || out.Default.TotalCount < 36000 {
			t.Errorf("default page: %d edges of %d", len(out.Default.Edges), out.Default.TotalCount)
		}

		// Paging through the 101 departments 40 at a time gives them all, once, in order.
		var all []string
		after := any(nil)
		for page := 0; ; page++ {
			var p struct {
				T conn `json:"territories"`
			}
			a.query(`query($after: Cursor) { territories(where: {level: DEPARTMENT}, orderBy: [{field: CODE}], first: 40, after: $after) {
				totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }`, map[string]any{"after": after}, &p)
			all = append(all, p.T.codes()...)
			if !p.T.PageInfo.HasNextPage {
				break
			}
			if page > 3 {
				t.Fatal("pagination does not end")
			}
			after = p.T.PageInfo.EndCursor
		}
		if len(all) != 101 || !slices.IsSorted(all) || slices.Compact(slices.Clone(all))[100] != all[100] {
			t.Errorf("paged departments: %d, sorted %v", len(all), slices.IsSorted(all))
		}
	})
}

func TestChildrenAndDescendants(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		var out struct {
			D struct {
				Population int64 `json:"population"`
				Communes   conn  `json:"communes"`
				EPCI       conn  `json:"epci"`
				Region     conn  `json:"region"`
			} `json:"d"`
			FR struct {
				Regions conn `json:"regions"`
			} `json:"fr"`
		}
		a.query(`{
			d: territory(level: DEPARTMENT, code: "35") { population
				communes: descendants(level: COMMUNE, first: 1000) { totalCount edges { node { population } } }
				epci: children(level: EPCI, orderBy: [{field: CODE}]) { totalCount edges { node { code } } }
				region: children(level: REGION) { totalCount }
			}
			fr: territory(level: COUNTRY, code: "FR") { regions: children { totalCount } }
		}`, nil, &out)
		var sum int64
		for _, e := range out.D.Communes.Edges {
			sum += e.Node.Population
		}
		if out.D.Communes.TotalCount != len(out.D.Communes.Edges) || sum != out.D.Population {
			t.Errorf("the %d communes of 35 add up to %d, the department has %d", out.D.Communes.TotalCount, sum, out.D.Population)
		}
		if !slices.Contains(out.D.EPCI.codes(), "243500741") || !slices.Contains(out.D.EPCI.codes(), "243500139") {
			t.Errorf("EPCI of 35 = %v; want Rennes Métropole and Redon Agglomération", out.D.EPCI.codes())
		}
		if out.D.Region.TotalCount != 0 || out.FR.Regions.TotalCount != 18 {
			t.Errorf("children of the wrong level: %d, regions of France %d", out.D.Region.TotalCount, out.FR.Regions.TotalCount)
		}
	})
}

func TestSearchTerritories(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for _, tc := range []struct {
			text, levels string
			want         string // LEVEL:code of the first result
		}{
			{"ile de france", "", "REGION:11"},
			{"Île-de-France", "", "REGION:11"},
			{"st malo", "", "COMMUNE:35288"},
			{"Saint Malo", "", "COMMUNE:35288"},
			{"malo st", "", "COMMUNE:35288"},
			{"rennes metropole", "", "EPCI:243500139"},
			{"metropole rennes", "", "EPCI:243500139"},
			{"rennes", "", "COMMUNE:35238"},
			{"RENNES", "[EPCI]", "EPCI:243500139"},
			{"bretagne", "[REGION]", "REGION:53"},
			{"montelimar", "", "COMMUNE:26198"},
			{"35238", "", "COMMUNE:35238"},
			{"grand paris", "[EPCI]", "EPCI:200054781"},
			{"marseil", "[COMMUNE]", "COMMUNE:13055"},
		} {
			t.Run(tc.text, func(t *testing.T) {
				var out struct {
					S []terr `json:"searchTerritories"`
				}
				q := `query($text: String!) { searchTerritories(text: $text` + map[bool]string{true: ", levels: " + tc.levels, false: ""}[tc.levels != ""] + `) { level code name } }`
				a.query(q, map[string]any{"text": tc.text}, &out)
				if len(out.S) == 0 {
					t.Fatalf("no result")
				}
				if got := out.S[0].Level + ":" + out.S[0].Code; got != tc.want {
					t.Errorf("first result %s (%s), want %s; all: %v", got, out.S[0].Name, tc.want, keys(out.S))
				}
				if tc.levels != "" {
					for _, r := range out.S {
						if !strings.Contains(tc.levels, r.Level) {
							t.Errorf("result %s:%s is not of levels %s", r.Level, r.Code, tc.levels)
						}
					}
				}
			})
		}
		var out struct {
			S    []terr `json:"s"`
			None []terr `json:"none"`
			Zero []terr `json:"zero"`
		}
		a.query(`{ s: searchTerritories(text: "saint", first: 25) { name population }
			none: searchTerritories(text: "xqzwv") { name }
			zero: searchTerritories(text: "  ") { name } }`, nil, &out)
		if len(out.S) != 25 || len(out.None) != 0 || len(out.Zero) != 0 {
			t.Errorf("%d, %d, %d results", len(out.S), len(out.None), len(out.Zero))
		}
		for i := 1; i < len(out.S); i++ {
			if out.S[i].Population > out.S[i-1].Population {
				t.Errorf("prefix matches not ranked by population: %v then %v", out.S[i-1], out.S[i])
			}
		}
	})
}

// TestNestedQueriesDoNotGrow proves that the statements a nested query runs do not
// depend on how many territories it returns: lists load through batched loaders.
func TestNestedQueriesDoNotGrow(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		const q = `query($n: Int!) { territories(where: {level: EPCI}, first: $n) { totalCount edges { node {
			code nature parents { weight parent { code name ancestors { code } } } ancestors { code population } } } } }`
		small := a.statements(q, map[string]any{"n": 2})
		large := a.statements(q, map[string]any{"n": 300})
		t.Logf("nested page: %d statements for 2 EPCI, %d for 300", small, large)
		if small != large {
			t.Errorf("%d statements for 2 EPCI, %d for 300", small, large)
		}
		if large > 8 {
			t.Errorf("%d statements for one nested page, want at most 8", large)
		}
		const s = `query($n: Int!) { searchTerritories(text: "saint", first: $n) { code parents { parent { code } } ancestors { code } } }`
		if s2, s90 := a.statements(s, map[string]any{"n": 2}), a.statements(s, map[string]any{"n": 90}); s2 != s90 {
			t.Errorf("search: %d statements for 2 results, %d for 90", s2, s90)
		}
	})
}

// TestBatchedConnections checks that children and descendants pages loaded for a whole
// list agree with the same pages asked one territory at a time, cursors included, and
// that a nested page does not grow in statements with the number of parents.
func TestBatchedConnections(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		type page struct {
			T conn `json:"t"`
		}
		for _, order := range []string{`[{field: NAME}]`, `[{field: POPULATION, direction: DESC}, {field: CODE}]`, `null`} {
			var nested struct {
				R struct {
					Children struct {
						Edges []struct {
							Node struct {
								Code string
								EPCI conn `json:"epci"`
								Last conn `json:"last"`
							} `json:"node"`
						} `json:"edges"`
					} `json:"children"`
				} `json:"territory"`
			}
			a.query(`{ territory(level: REGION, code: "52") { children(level: DEPARTMENT) { edges { node { code
				epci: children(level: EPCI, first: 3, orderBy: `+order+`) { totalCount pageInfo { hasNextPage endCursor } edges { node { code } } }
				last: descendants(level: COMMUNE, last: 2, orderBy: `+order+`) { totalCount edges { node { code } } } } } } } }`, nil, &nested)
			if len(nested.R.Children.Edges) != 5 {
				t.Fatalf("departments of 52: %d", len(nested.R.Children.Edges))
			}
			for _, d := range nested.R.Children.Edges {
				var one, next, next2, last page
				vars := map[string]any{"d": d.Node.Code}
				a.query(`query($d: String!) { t: territories(parent: {level: DEPARTMENT, code: $d}, where: {level: EPCI}, first: 3, orderBy: `+order+`) {
					totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }`, vars, &one)
				if got, want := d.Node.EPCI.codes(), one.T.codes(); !slices.Equal(got, want) || d.Node.EPCI.TotalCount != one.T.TotalCount ||
					d.Node.EPCI.PageInfo.HasNextPage != one.T.PageInfo.HasNextPage {
					t.Errorf("%s order %s: batched %v (%d), alone %v (%d)", d.Node.Code, order, got, d.Node.EPCI.TotalCount, want, one.T.TotalCount)
				}
				cont := `query($d: String!, $a: Cursor) { t: territories(parent: {level: DEPARTMENT, code: $d}, where: {level: EPCI}, first: 3, after: $a, orderBy: ` + order + `) { edges { node { code } } } }`
				a.query(cont, map[string]any{"d": d.Node.Code, "a": d.Node.EPCI.PageInfo.EndCursor}, &next)
				a.query(cont, map[string]any{"d": d.Node.Code, "a": one.T.PageInfo.EndCursor}, &next2)
				if !slices.Equal(next.T.codes(), next2.T.codes()) {
					t.Errorf("%s order %s: continuing a batched page gives %v, a single page %v", d.Node.Code, order, next.T.codes(), next2.T.codes())
				}
				a.query(`query($d: String!) { t: territories(within: {level: DEPARTMENT, code: $d}, where: {level: COMMUNE}, last: 2, orderBy: `+order+`) {
					totalCount edges { node { code } } } }`, vars, &last)
				if !slices.Equal(d.Node.Last.codes(), last.T.codes()) || d.Node.Last.TotalCount != last.T.TotalCount {
					t.Errorf("%s order %s: last communes batched %v, alone %v", d.Node.Code, order, d.Node.Last.codes(), last.T.codes())
				}
			}
		}
		q := `query($r: String!) { territory(level: REGION, code: $r) { children(level: DEPARTMENT) { edges { node {
			children(level: EPCI, first: 5) { totalCount edges { node { code parents { weight } } } } } } } } }`
		small, large := a.statements(q, map[string]any{"r": "94"}), a.statements(q, map[string]any{"r": "84"}) // 2 and 12 departments
		t.Logf("3-level query: %d statements for Corse, %d for Auvergne-Rhône-Alpes", small, large)
		if small != large {
			t.Errorf("3-level query: %d statements for 2 departments, %d for 12", small, large)
		}
	})
}
