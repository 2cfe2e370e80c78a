package graph_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

func catalogue(t *testing.T, db *store.DB) {
	t.Helper()
	if err := store.EnsureCatalogue(context.Background(), db.Client); err != nil {
		t.Fatal(err)
	}
}

// as returns an api sending key.
func as(t *testing.T, db *store.DB, key string) *api {
	a := newAPI(t, db)
	a.token = key
	return a
}

const createAction = `mutation($t: TerritoryKey!, $b: Float, $k: String) {
	createAction(input: {title: "Bornes de recharge", territory: $t, sector: "transports", startYear: 2025, budget: $b}, idempotencyKey: $k) { id version budget } }`

type actionOut struct {
	ID      string  `json:"id"`
	Version int     `json:"version"`
	Budget  float64 `json:"budget"`
	Status  string  `json:"status"`
}

func tkey(level hierarchy.Level, code string) map[string]any {
	return map[string]any{"level": string(level), "code": code}
}

// TestAccessMatrix tries every kind of key on territories inside and outside it.
func TestAccessMatrix(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		revoked := newKey(t, db, "Ancienne clé", hierarchy.Country, "FR", access.Admin)
		prefix, _, _ := access.SplitKey(revoked)
		if err := store.RevokeKey(context.Background(), db.Client, prefix, time.Now()); err != nil {
			t.Fatal(err)
		}
		keys := map[string]string{
			"none":           "",
			"malformed":      "cop_nope",
			"revoked":        revoked,
			"reader 53":      newKey(t, db, "Lecteur", hierarchy.Region, "53", access.Reader),
			"EPCI Rennes":    newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor),
			"EPCI Vitré":     newKey(t, db, "Vitré Communauté", hierarchy.EPCI, "200039022", access.Contributor),
			"department 35":  newKey(t, db, "Département d'Ille-et-Vilaine", hierarchy.Department, "35", access.Contributor),
			"coordinator 53": newKey(t, db, "Région Bretagne", hierarchy.Region, "53", access.Coordinator),
			"coordinator 52": newKey(t, db, "Région Pays de la Loire", hierarchy.Region, "52", access.Coordinator),
			"admin":          newKey(t, db, "Administration", hierarchy.Country, "FR", access.Admin),
		}
		targets := []struct {
			name string
			key  map[string]any
		}{
			{"Rennes", tkey(hierarchy.Commune, "35238")},
			{"Rennes Métropole", tkey(hierarchy.EPCI, "243500139")},
			{"Vitré Communauté", tkey(hierarchy.EPCI, "200039022")},
			{"Redon (35, 44, 56)", tkey(hierarchy.EPCI, "243500741")},
			{"Bretagne", tkey(hierarchy.Region, "53")},
			{"Loire-Atlantique", tkey(hierarchy.Department, "44")},
		}
		allowed := map[string][]string{
			"EPCI Rennes":    {"Rennes", "Rennes Métropole"},
			"EPCI Vitré":     {"Vitré Communauté"},
			"department 35":  {"Rennes", "Rennes Métropole", "Vitré Communauté", "Redon (35, 44, 56)"},
			"coordinator 53": {"Rennes", "Rennes Métropole", "Vitré Communauté", "Redon (35, 44, 56)", "Bretagne"},
			"coordinator 52": {"Redon (35, 44, 56)", "Loire-Atlantique"},
			"admin":          {"Rennes", "Rennes Métropole", "Vitré Communauté", "Redon (35, 44, 56)", "Bretagne", "Loire-Atlantique"},
		}
		written := 0
		for who, key := range keys {
			for _, tg := range targets {
				r := as(t, db, key).do(createAction, map[string]any{"t": tg.key, "b": 100})
				want := ""
				switch {
				case who == "none" || who == "malformed" || who == "revoked":
					want = "UNAUTHENTICATED"
				case !contains(allowed[who], tg.name):
					want = "FORBIDDEN"
				}
				got := ""
				if len(r.Errors) > 0 {
					got = r.Errors[0].code()
				} else {
					written++
				}
				if got != want {
					t.Errorf("%s writing for %s: %q, want %q (%+v)", who, tg.name, got, want, r.Errors)
				}
			}
		}
		var n struct {
			A struct{ TotalCount int } `json:"actions"`
		}
		newAPI(t, db).query(`{ actions { totalCount } }`, nil, &n)
		if n.A.TotalCount != written {
			t.Errorf("%d actions stored, %d writes accepted: refusals wrote", n.A.TotalCount, written)
		}

		// A contributor cannot touch its neighbour's action, nor move its own to the neighbour.
		var mine, theirs struct {
			A actionOut `json:"createAction"`
		}
		as(t, db, keys["EPCI Rennes"]).query(createAction, map[string]any{"t": tkey(hierarchy.EPCI, "243500139"), "b": 1}, &mine)
		as(t, db, keys["EPCI Vitré"]).query(createAction, map[string]any{"t": tkey(hierarchy.EPCI, "200039022"), "b": 1}, &theirs)
		for _, tc := range []struct{ name, id, input string }{
			{"neighbour's action", theirs.A.ID, `{budget: 5}`},
			{"move to the neighbour", mine.A.ID, `{territory: {level: EPCI, code: "200039022"}}`},
		} {
			r := as(t, db, keys["EPCI Rennes"]).do(`mutation($id: ID!) { updateAction(id: $id, version: 1, input: `+tc.input+`) { id } }`, map[string]any{"id": tc.id})
			if len(r.Errors) == 0 || r.Errors[0].code() != "FORBIDDEN" {
				t.Errorf("%s: %+v", tc.name, r.Errors)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCommitmentLifeCycle(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		epci := as(t, db, newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor))
		coord53 := as(t, db, newKey(t, db, "Région Bretagne", hierarchy.Region, "53", access.Coordinator))
		coord52 := as(t, db, newKey(t, db, "Région Pays de la Loire", hierarchy.Region, "52", access.Coordinator))
		var c struct {
			C struct {
				ID         string `json:"id"`
				Version    int    `json:"version"`
				Status     string `json:"status"`
				TargetYear int    `json:"targetYear"`
			} `json:"createCommitment"`
		}
		epci.query(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500139"}, sector: "transports", ktco2e: 12.5, copEdition: 2024}) { id version status targetYear } }`, nil, &c)
		if c.C.Status != "DRAFT" || c.C.Version != 1 || c.C.TargetYear != 2030 {
			t.Fatalf("created %+v", c.C)
		}
		id, version := c.C.ID, c.C.Version
		move := func(a *api, to string) response {
			r := a.do(`mutation($id: ID!, $v: Int!, $to: CommitmentStatus!) { transitionCommitment(id: $id, version: $v, to: $to) { version status } }`,
				map[string]any{"id": id, "v": version, "to": to})
			if len(r.Errors) == 0 {
				version++
			}
			return r
		}
		steps := []struct {
			who  *api
			to   string
			code string
		}{
			{epci, "ADOPTED", "BAD_USER_INPUT"}, // DRAFT cannot be adopted directly
			{epci, "SUBMITTED", ""},
			{epci, "ADOPTED", "FORBIDDEN"},
			{coord52, "ADOPTED", "FORBIDDEN"},
			{coord53, "ADOPTED", ""},
		}
		for i, s := range steps {
			r := move(s.who, s.to)
			if got := firstCode(r); got != s.code {
				t.Fatalf("step %d to %s: %q, want %q (%+v)", i, s.to, got, s.code, r.Errors)
			}
		}
		if r := epci.do(`mutation($id: ID!, $v: Int!) { updateCommitment(id: $id, version: $v, input: {ktco2e: 1}) { id } }`,
			map[string]any{"id": id, "v": version}); firstCode(r) != "BAD_USER_INPUT" {
			t.Errorf("update of an adopted commitment: %+v", r.Errors)
		}
		var rm struct {
			R struct {
				AdoptedKtco2e float64 `json:"adoptedKtco2e"`
				Sectors       []struct {
					Sector        struct{ Code string } `json:"sector"`
					AdoptedKtco2e float64               `json:"adoptedKtco2e"`
					Commitments   []struct{ ID string } `json:"commitments"`
				} `json:"sectors"`
			} `json:"roadmap"`
		}
		newAPI(t, db).query(`{ roadmap(region: "53", edition: 2024) { adoptedKtco2e sectors { sector { code } adoptedKtco2e commitments { id } } } }`, nil, &rm)
		if rm.R.AdoptedKtco2e != 12.5 || len(rm.R.Sectors) != 1 || rm.R.Sectors[0].Sector.Code != "transports" || rm.R.Sectors[0].Commitments[0].ID != id {
			t.Errorf("roadmap = %+v", rm.R)
		}
		if r := move(epci, "WITHDRAWN"); len(r.Errors) != 0 {
			t.Fatalf("withdraw: %+v", r.Errors)
		}
		if r := move(epci, "SUBMITTED"); firstCode(r) != "BAD_USER_INPUT" {
			t.Errorf("out of WITHDRAWN: %+v", r.Errors)
		}
		var h struct {
			N struct {
				History []struct{ From, To, Actor string } `json:"history"`
			} `json:"node"`
		}
		newAPI(t, db).query(`query($id: ID!) { node(id: $id) { ... on Commitment { history { from to actor } } } }`, map[string]any{"id": id}, &h)
		var got []string
		for _, e := range h.N.History {
			got = append(got, e.From+">"+e.To)
		}
		if strings.Join(got, " ") != ">DRAFT DRAFT>SUBMITTED SUBMITTED>ADOPTED ADOPTED>WITHDRAWN" || !strings.Contains(h.N.History[2].Actor, "Région Bretagne") {
			t.Errorf("history = %+v", h.N.History)
		}
		if r := epci.do(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500139"}, sector: "transports"}) { id } }`, nil); firstCode(r) != "BAD_USER_INPUT" {
			t.Errorf("commitment without quantity: %+v", r.Errors)
		}
	})
}

func firstCode(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].code()
}

func TestOptimisticConcurrency(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		a := as(t, db, writeToken)
		var c struct {
			A actionOut `json:"createAction"`
		}
		a.query(createAction, map[string]any{"t": tkey(hierarchy.Commune, "35238"), "b": 10}, &c)
		const update = `mutation($id: ID!, $v: Int!, $b: Float!) { updateAction(id: $id, version: $v, input: {budget: $b}) { version budget } }`
		var u struct {
			A actionOut `json:"updateAction"`
		}
		a.query(update, map[string]any{"id": c.A.ID, "v": 1, "b": 20}, &u)
		if r := a.do(update, map[string]any{"id": c.A.ID, "v": 1, "b": 30}); firstCode(r) != "CONFLICT" {
			t.Errorf("stale version: %+v", r.Errors)
		}
		// Eight writers read version 2 and write at once: one wins, the others get CONFLICT.
		var wg sync.WaitGroup
		codes := make([]string, 8)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := a.do(update, map[string]any{"id": c.A.ID, "v": 2, "b": 100 + i})
				codes[i] = firstCode(r)
				if codes[i] == "" {
					codes[i] = fmt.Sprint(100 + i)
				}
			}()
		}
		wg.Wait()
		var winner string
		conflicts := 0
		for _, c := range codes {
			switch c {
			case "CONFLICT":
				conflicts++
			default:
				winner = c
			}
		}
		var n struct {
			N actionOut `json:"node"`
		}
		newAPI(t, db).query(`query($id: ID!) { node(id: $id) { ... on Action { version budget } } }`, map[string]any{"id": c.A.ID}, &n)
		if conflicts != 7 || n.N.Version != 3 || fmt.Sprint(n.N.Budget) != winner {
			t.Errorf("results %v; stored version %d budget %v", codes, n.N.Version, n.N.Budget)
		}
	})
}

func TestIdempotency(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		a := as(t, db, writeToken)
		other := as(t, db, newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor))
		rennes := tkey(hierarchy.Commune, "35238")
		var first, again, theirs struct {
			A actionOut `json:"createAction"`
		}
		a.query(createAction, map[string]any{"t": rennes, "b": 5, "k": "k1"}, &first)
		a.query(createAction, map[string]any{"t": rennes, "b": 5, "k": "k1"}, &again)
		if first.A.ID != again.A.ID {
			t.Errorf("a retry created %s after %s", again.A.ID, first.A.ID)
		}
		if r := a.do(createAction, map[string]any{"t": rennes, "b": 6, "k": "k1"}); firstCode(r) != "CONFLICT" {
			t.Errorf("same key, other request: %+v", r.Errors)
		}
		other.query(createAction, map[string]any{"t": rennes, "b": 5, "k": "k1"}, &theirs)
		if theirs.A.ID == first.A.ID {
			t.Error("another key's idempotency key returned the first key's record")
		}
		var wg sync.WaitGroup
		ids := make([]string, 6)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := a.do(createAction, map[string]any{"t": rennes, "b": 7, "k": "k2"})
				if len(r.Errors) > 0 {
					ids[i] = "error " + r.Errors[0].Message
					return
				}
				var out struct {
					A actionOut `json:"createAction"`
				}
				if err := jsonUnmarshal(r.Data, &out); err == nil {
					ids[i] = out.A.ID
				}
			}()
		}
		wg.Wait()
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Errorf("concurrent retries returned %v", ids)
				break
			}
		}
		var n struct {
			A struct{ TotalCount int } `json:"actions"`
		}
		newAPI(t, db).query(`{ actions { totalCount } }`, nil, &n)
		if n.A.TotalCount != 3 {
			t.Errorf("%d actions stored, want 3", n.A.TotalCount)
		}
	})
}

func TestActionValidationAndAudit(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		a := as(t, db, newKey(t, db, "Rennes Métropole", hierarchy.EPCI, "243500139", access.Contributor))
		for _, tc := range []struct{ input, want string }{
			{`budget: -1`, "budget must be"},
			{`startYear: 2025, endYear: 2020`, "endYear 2020 is before startYear 2025"},
			{`startYear: 1800`, "startYear 1800 is out of range"},
			{`sector: "spatial"`, `unknown sector "spatial"`},
			{`links: ["ftp://x"]`, "is not an absolute http"},
			{`effectPhysical: 3`, "effectPhysical needs a lever"},
		} {
			in := `{title: "x", territory: {level: EPCI, code: "243500139"}, startYear: 2025, ` + tc.input + `}`
			in = strings.Replace(in, "startYear: 2025, startYear", "startYear", 1)
			r := a.do(`mutation { createAction(input: `+in+`) { id } }`, nil)
			if firstCode(r) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tc.want) {
				t.Errorf("%s: %+v, want %q", tc.input, r.Errors, tc.want)
			}
		}
		var c struct {
			A actionOut `json:"createAction"`
		}
		a.query(createAction, map[string]any{"t": tkey(hierarchy.EPCI, "243500139"), "b": 1000}, &c)
		var m map[string]any
		a.query(`mutation($id: ID!) { updateAction(id: $id, version: 1, input: {budget: 2000}) { id } }`, map[string]any{"id": c.A.ID}, &m)
		a.query(`mutation($id: ID!) { withdrawAction(id: $id, version: 2) { status } }`, map[string]any{"id": c.A.ID}, &m)
		var log struct {
			L struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Operation, Actor, Before, After string } `json:"node"`
				} `json:"edges"`
			} `json:"auditLog"`
		}
		newAPI(t, db).query(`query($id: ID!) { auditLog(entity: "Action", entityId: $id) { totalCount edges { node { operation actor before after } } } }`,
			map[string]any{"id": c.A.ID}, &log)
		var ops []string
		for _, e := range log.L.Edges {
			ops = append(ops, e.Node.Operation)
		}
		if strings.Join(ops, ",") != "withdrawAction,updateAction,createAction" {
			t.Fatalf("audit operations %v", ops)
		}
		create, update := log.L.Edges[2].Node, log.L.Edges[1].Node
		if create.Before != "" || !strings.Contains(create.Actor, "Rennes Métropole") ||
			!strings.Contains(update.Before, `"budget":1000`) || !strings.Contains(update.After, `"budget":2000`) {
			t.Errorf("audit entries %+v / %+v", create, update)
		}
		if n := db.Client.Action.Query().CountX(context.Background()); n != 1 {
			t.Errorf("%d actions stored, want 1: invalid writes wrote", n)
		}
	})
}

func TestChangesFeed(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		a := as(t, db, writeToken)
		var ids []string
		for i := range 5 {
			var c struct {
				A actionOut `json:"createAction"`
			}
			a.query(createAction, map[string]any{"t": tkey(hierarchy.Commune, "35238"), "b": i}, &c)
			ids = append(ids, c.A.ID)
		}
		time.Sleep(20 * time.Millisecond) // updatedAt is a wall-clock time: leave a gap to filter on
		since := time.Now().UTC()
		for _, id := range []string{ids[1], ids[3]} {
			var m map[string]any
			a.query(`mutation($id: ID!) { updateAction(id: $id, version: 1, input: {budget: 99}) { id } }`, map[string]any{"id": id}, &m)
		}
		type page struct {
			A struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Edges []struct{ Node struct{ ID string } } `json:"edges"`
			} `json:"actions"`
		}
		var changed page
		a.query(`query($s: Time) { actions(updatedSince: $s) { edges { node { id } } } }`, map[string]any{"s": since.Format(time.RFC3339Nano)}, &changed)
		var got []string
		for _, e := range changed.A.Edges {
			got = append(got, e.Node.ID)
		}
		if strings.Join(got, ",") != ids[1]+","+ids[3] {
			t.Errorf("changed since: %v, want %s and %s", got, ids[1], ids[3])
		}
		seen := map[string]bool{}
		after := any(nil)
		for range 10 {
			var p page
			a.query(`query($a: Cursor) { actions(first: 2, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, map[string]any{"a": after}, &p)
			for _, e := range p.A.Edges {
				if seen[e.Node.ID] {
					t.Errorf("%s seen twice", e.Node.ID)
				}
				seen[e.Node.ID] = true
			}
			if !p.A.PageInfo.HasNextPage {
				break
			}
			after = p.A.PageInfo.EndCursor
		}
		if len(seen) != 5 {
			t.Errorf("paging saw %d actions, want 5", len(seen))
		}
	})
}

// TestRollupAPI checks the roll-ups against what was written, and the invariants: child
// rows add up to their parent, regions to France, sectors to the total.
func TestRollupAPI(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		catalogue(t, db)
		a := as(t, db, writeToken)
		var total float64
		for i, tg := range []map[string]any{tkey(hierarchy.Commune, "35238"), tkey(hierarchy.EPCI, "243500139"),
			tkey(hierarchy.EPCI, "243500741"), tkey(hierarchy.Department, "44"), tkey(hierarchy.Region, "53"), tkey(hierarchy.Commune, "13055")} {
			b := float64(1000 * (i + 1))
			total += b
			var m map[string]any
			a.query(createAction, map[string]any{"t": tg, "b": b}, &m)
			a.query(`mutation($t: TerritoryKey!, $k: Float!) { createCommitment(input: {territory: $t, sector: "agriculture", ktco2e: $k}) { id } }`,
				map[string]any{"t": tg, "k": b / 100}, &m)
		}
		type roll struct {
			ActionCount int     `json:"actionCount"`
			Budget      float64 `json:"budget"`
			Committed   []struct {
				Status string  `json:"status"`
				Ktco2e float64 `json:"ktco2e"`
			} `json:"committed"`
		}
		type row struct {
			Territory *struct{ Code string } `json:"territory"`
			Sector    *struct{ Code string } `json:"sector"`
			Rollup    roll                   `json:"rollup"`
		}
		var out struct {
			FR struct {
				Rollup  roll  `json:"rollup"`
				Regions []row `json:"regions"`
				Sectors []row `json:"sectors"`
			} `json:"fr"`
			BR struct {
				Rollup roll  `json:"rollup"`
				Deps   []row `json:"deps"`
			} `json:"br"`
		}
		const f = `{carrierLevels: [DEPARTMENT, CRTE, EPCI, COMMUNE]}`
		q := `{ fr: territory(level: COUNTRY, code: "FR") { rollup { actionCount budget committed { status ktco2e } }
			regions: rollupBy(groupBy: CHILD, level: REGION) { territory { code } rollup { actionCount budget } }
			sectors: rollupBy(groupBy: SECTOR) { sector { code } rollup { budget } } }
			br: territory(level: REGION, code: "53") { rollup(filter: ` + f + `) { budget }
			deps: rollupBy(groupBy: CHILD, level: DEPARTMENT, filter: ` + f + `) { territory { code } rollup { budget } } } }`
		a.query(q, nil, &out)
		near := func(x, y float64) bool { return math.Abs(x-y) < 1e-6 }
		if !near(out.FR.Rollup.Budget, total) || out.FR.Rollup.ActionCount != 6 {
			t.Errorf("France: %+v, want budget %v", out.FR.Rollup, total)
		}
		sum := func(rows []row) (s float64) {
			for _, r := range rows {
				s += r.Rollup.Budget
			}
			return s
		}
		if !near(sum(out.FR.Regions), total) || !near(sum(out.FR.Sectors), total) {
			t.Errorf("regions add up to %v, sectors to %v, France %v", sum(out.FR.Regions), sum(out.FR.Sectors), total)
		}
		if !near(sum(out.BR.Deps), out.BR.Rollup.Budget) {
			t.Errorf("departments of Bretagne add up to %v, Bretagne has %v", sum(out.BR.Deps), out.BR.Rollup.Budget)
		}
		if len(out.FR.Rollup.Committed) != 1 || !near(out.FR.Rollup.Committed[0].Ktco2e, total/100) {
			t.Errorf("committed = %+v", out.FR.Rollup.Committed)
		}
		// Redon Agglomération's 3000 € lie partly in Bretagne and partly in Pays de la Loire.
		br, pdl := 0.0, 0.0
		for _, r := range out.FR.Regions {
			switch r.Territory.Code {
			case "53":
				br = r.Rollup.Budget
			case "52":
				pdl = r.Rollup.Budget
			}
		}
		if !(br > 1000+2000+5000 && br < 1000+2000+5000+3000) || !(pdl > 4000 && pdl < 7000) || !near(br+pdl, 1000+2000+3000+4000+5000) {
			t.Errorf("Bretagne %v, Pays de la Loire %v", br, pdl)
		}
		n1 := a.statements(`{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) { territory { code } rollup { budget coverage } } } }`, nil)
		n2 := a.statements(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: DEPARTMENT) { territory { code } rollup { budget coverage } } } }`, nil)
		t.Logf("child roll-ups: %d and %d statements", n1, n2)
		if n1 != n2 || n1 > 8 {
			t.Errorf("child roll-ups ran %d and %d statements", n1, n2)
		}
		if r := a.do(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: EPCI) { rollup { budget } } } }`, nil); firstCode(r) != "BAD_USER_INPUT" {
			t.Errorf("CHILD by EPCI: %+v", r.Errors)
		}
	})
}
