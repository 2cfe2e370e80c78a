package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// Tests of the actions and commitments API (schema/actions.graphql): who may write, the
// commitments' life cycle, versions, idempotency keys, validation, the audit log, the
// changes feed and the roll-ups. The client and checks are helpers_test.go's.

// actionNode is an action as the API returns it.
type actionNode struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Version      int      `json:"version"`
	Budget       float64  `json:"budget"`
	Status       string   `json:"status"`
	StartYear    int      `json:"startYear"`
	EndYear      *int     `json:"endYear"`
	EffectKtco2e *float64 `json:"effectKtco2e"`
	UpdatedAt    string   `json:"updatedAt"`
	Territory    struct {
		Level string `json:"level"`
		Code  string `json:"code"`
	} `json:"territory"`
	Sector *struct {
		Code string `json:"code"`
	} `json:"sector"`
}

// Mutations here return scalars only; TestMutationResultEdges covers their edges.
const (
	actionScalars = `id title version budget status startYear endYear effectKtco2e updatedAt`
	actionFields  = actionScalars + ` territory { level code } sector { code }`
)

const (
	createActionQ   = `mutation($in: ActionInput!, $k: String) { createAction(input: $in, idempotencyKey: $k) { ` + actionScalars + ` } }`
	updateActionQ   = `mutation($id: ID!, $v: Int!, $in: ActionInput!) { updateAction(id: $id, version: $v, input: $in) { ` + actionScalars + ` } }`
	withdrawActionQ = `mutation($id: ID!, $v: Int!) { withdrawAction(id: $id, version: $v) { ` + actionScalars + ` } }`
	actionQ         = `query($id: ID!) { node(id: $id) { ... on Action { ` + actionFields + ` } } }`
	countsQ         = `{ actions { totalCount } commitments { totalCount } auditLog { totalCount } }`
)

// commitmentNode is a commitment as the API returns it.
type commitmentNode struct {
	ID         string   `json:"id"`
	Status     string   `json:"status"`
	Version    int      `json:"version"`
	Ktco2e     *float64 `json:"ktco2e"`
	TargetYear int      `json:"targetYear"`
	CopEdition *int     `json:"copEdition"`
	History    []struct {
		From  *string `json:"from"`
		To    string  `json:"to"`
		Actor string  `json:"actor"`
		At    string  `json:"at"`
	} `json:"history"`
}

const (
	commitmentScalars = `id status version ktco2e targetYear copEdition`
	commitmentFields  = commitmentScalars + ` history { from to actor at }`
)

const (
	createCommitmentQ   = `mutation($in: CommitmentInput!, $k: String) { createCommitment(input: $in, idempotencyKey: $k) { ` + commitmentScalars + ` } }`
	updateCommitmentQ   = `mutation($id: ID!, $v: Int!, $in: CommitmentInput!) { updateCommitment(id: $id, version: $v, input: $in) { ` + commitmentScalars + ` } }`
	transitionQ         = `mutation($id: ID!, $v: Int!, $to: CommitmentStatus!) { transitionCommitment(id: $id, version: $v, to: $to) { ` + commitmentScalars + ` } }`
	withdrawCommitmentQ = `mutation($id: ID!, $v: Int!) { withdrawCommitment(id: $id, version: $v) { ` + commitmentScalars + ` } }`
	commitmentQ         = `query($id: ID!) { node(id: $id) { ... on Commitment { ` + commitmentFields + ` } } }`
)

func createAction(t *testing.T, a *api, in map[string]any) actionNode {
	t.Helper()
	var out struct {
		A actionNode `json:"createAction"`
	}
	a.query(createActionQ, map[string]any{"in": in}, &out)
	return out.A
}

func updateAction(t *testing.T, a *api, id string, version int, in map[string]any) actionNode {
	t.Helper()
	var out struct {
		A actionNode `json:"updateAction"`
	}
	a.query(updateActionQ, map[string]any{"id": id, "v": version, "in": in}, &out)
	return out.A
}

func getAction(t *testing.T, a *api, id string) actionNode {
	t.Helper()
	var out struct {
		A actionNode `json:"node"`
	}
	a.query(actionQ, map[string]any{"id": id}, &out)
	return out.A
}

func getCommitment(t *testing.T, a *api, id string) commitmentNode {
	t.Helper()
	var out struct {
		C commitmentNode `json:"node"`
	}
	a.query(commitmentQ, map[string]any{"id": id}, &out)
	return out.C
}

type counts struct {
	Actions, Commitments, Audit int
}

func countAll(t *testing.T, a *api) counts {
	t.Helper()
	var out struct {
		A struct{ TotalCount int } `json:"actions"`
		C struct{ TotalCount int } `json:"commitments"`
		L struct{ TotalCount int } `json:"auditLog"`
	}
	a.as(writeToken).query(countsQ, nil, &out) // the audit log needs a key
	return counts{out.A.TotalCount, out.C.TotalCount, out.L.TotalCount}
}

// TestAccessMatrixByKey tries every kind of key on territories inside and outside its own.
func TestAccessMatrixByKey(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)

		rennesMetro := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		vitre := newKey(t, db, "Vitré Communauté", "EPCI:200039022", access.Contributor)
		ille := newKey(t, db, "Ille-et-Vilaine", "DEPARTMENT:35", access.Contributor)
		bretagne := newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator)
		pdl := newKey(t, db, "Région Pays de la Loire", "REGION:52", access.Coordinator)
		reader := newKey(t, db, "Observatoire", "REGION:53", access.Reader)
		admin := newKey(t, db, "DGEC", "COUNTRY:FR", access.Admin)
		revoked := newKey(t, db, "Ancien partenaire", "REGION:53", access.Coordinator)
		revokeKey(t, db, revoked)
		// A well-formed key that was never issued.
		unknown := "cop_0123abcd_0123456789abcdef0123456789abcdef"

		targets := []string{"COMMUNE:35238", "EPCI:243500139", "EPCI:200039022", "EPCI:243500741", "REGION:53", "DEPARTMENT:44"}
		const (
			ok = ""
			F  = "FORBIDDEN"
			U  = "UNAUTHENTICATED"
		)
		matrix := []struct {
			name, token string
			want        []string // per target, in order
		}{
			//                                    commune  RM  Vitré Redon  53  44
			{"contributor EPCI:243500139", rennesMetro, []string{ok, ok, F, F, F, F}},
			{"contributor EPCI:200039022", vitre, []string{F, F, ok, F, F, F}},
			{"contributor DEPARTMENT:35", ille, []string{ok, ok, ok, ok, F, F}},
			{"coordinator REGION:53", bretagne, []string{ok, ok, ok, ok, ok, F}},
			{"coordinator REGION:52", pdl, []string{F, F, F, ok, F, ok}},
			{"reader REGION:53", reader, []string{F, F, F, F, F, F}},
			{"admin COUNTRY:FR", admin, []string{ok, ok, ok, ok, ok, ok}},
			{"revoked coordinator", revoked, []string{U, U, U, U, U, U}},
			{"no key", "", []string{U, U, U, U, U, U}},
			{"malformed key", "cop_nope", []string{U, U, U, U, U, U}},
			{"unknown key", unknown, []string{U, U, U, U, U, U}},
		}
		for _, tc := range matrix {
			t.Run(tc.name, func(t *testing.T) {
				c := a.as(tc.token)
				for i, target := range targets {
					r := c.do(createActionQ, map[string]any{"in": map[string]any{
						"title": tc.name + " pour " + target, "territory": tk(target), "sector": "transports",
						"startYear": 2025, "budget": 1000}})
					if tc.want[i] == ok {
						if len(r.Errors) > 0 {
							t.Errorf("%s: refused: %+v", target, r.Errors)
							continue
						}
						var got actionNode
						field(t, r, "createAction", &got)
						stored := getAction(t, a, got.ID)
						if stored.Territory.Level+":"+stored.Territory.Code != target || got.Version != 1 || stored.Budget != 1000 ||
							stored.Sector == nil || stored.Sector.Code != "transports" {
							t.Errorf("%s: created %+v", target, stored)
						}
						continue
					}
					wantError(t, target, r, tc.want[i])
					if string(r.Data) != "null" && !strings.Contains(string(r.Data), `"createAction":null`) {
						t.Errorf("%s: refused write returned data %s", target, r.Data)
					}
				}
			})
		}

		// Refusals write nothing: the actions are exactly the allowed writes, per territory.
		var total int
		for ti, target := range targets {
			allowed := 0
			for _, tc := range matrix {
				if tc.want[ti] == ok {
					allowed++
				}
			}
			total += allowed
			level, code, _ := strings.Cut(target, ":")
			var out struct {
				T struct {
					Actions struct{ TotalCount int } `json:"actions"`
				} `json:"territory"`
			}
			a.query(`query($l: TerritoryLevel!, $c: String!) { territory(level: $l, code: $c) { actions { totalCount } } }`,
				map[string]any{"l": level, "c": code}, &out)
			if out.T.Actions.TotalCount != allowed {
				t.Errorf("%s carries %d actions, want %d", target, out.T.Actions.TotalCount, allowed)
			}
		}
		n := countAll(t, a)
		if n.Actions != total || n.Audit != total {
			t.Errorf("%d actions and %d audit entries after the matrix, want %d allowed writes", n.Actions, n.Audit, total)
		}

		// Updates: an EPCI's contributor cannot change its neighbour's action, nor move its
		// own action to the neighbour; it may move it to one of its communes.
		rm, vt := a.as(rennesMetro), a.as(vitre)
		neighbour := createAction(t, vt, map[string]any{"title": "Covoiturage", "territory": tk("EPCI:200039022"),
			"sector": "transports", "startYear": 2025, "budget": 500})
		own := createAction(t, rm, map[string]any{"title": "Vélo", "territory": tk("EPCI:243500139"),
			"sector": "transports", "startYear": 2025, "budget": 700})

		r := rm.do(updateActionQ, map[string]any{"id": neighbour.ID, "v": neighbour.Version, "in": map[string]any{"budget": 1}})
		wantError(t, "update the neighbour's action", r, F)
		r = rm.do(withdrawActionQ, map[string]any{"id": neighbour.ID, "v": neighbour.Version})
		wantError(t, "withdraw the neighbour's action", r, F)
		if got := getAction(t, a, neighbour.ID); got.Version != 1 || got.Budget != 500 || got.Status != "PLANNED" {
			t.Errorf("the neighbour's action changed: %+v", got)
		}

		r = rm.do(updateActionQ, map[string]any{"id": own.ID, "v": own.Version, "in": map[string]any{"territory": tk("EPCI:200039022")}})
		wantError(t, "move its action to the neighbour", r, F)
		if got := getAction(t, a, own.ID); got.Version != 1 || got.Territory.Code != "243500139" {
			t.Errorf("the moved action changed: %+v", got)
		}
		// The neighbour may not take it either.
		r = vt.do(updateActionQ, map[string]any{"id": own.ID, "v": own.Version, "in": map[string]any{"territory": tk("EPCI:200039022")}})
		wantError(t, "the neighbour takes the action", r, F)

		updateAction(t, rm, own.ID, own.Version, map[string]any{"territory": tk("COMMUNE:35238")})
		if moved := getAction(t, a, own.ID); moved.Version != 2 || moved.Territory.Level != "COMMUNE" || moved.Territory.Code != "35238" {
			t.Errorf("moved to Rennes: %+v", moved)
		}
		// A reader may not update either, and a revoked key is refused.
		wantError(t, "reader updates", a.as(reader).do(updateActionQ, map[string]any{"id": own.ID, "v": 2, "in": map[string]any{"budget": 1}}), F)
		wantError(t, "revoked key updates", a.as(revoked).do(updateActionQ, map[string]any{"id": own.ID, "v": 2, "in": map[string]any{"budget": 1}}), U)
		if got := getAction(t, a, own.ID); got.Version != 2 || got.Budget != 700 {
			t.Errorf("refused updates changed the action: %+v", got)
		}
	})
}

// TestMutationResultEdges asks a mutation's result for its edges (territory, sector,
// history), as a client showing what it just wrote does.
func TestMutationResultEdges(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		a.token = writeToken
		var c struct {
			A actionNode `json:"createAction"`
		}
		a.query(`mutation { createAction(input: {title: "Vélo", territory: {level: EPCI, code: "243500139"}, sector: "transports",
			startYear: 2025}) { `+actionFields+` } }`, nil, &c)
		if c.A.Territory.Code != "243500139" || c.A.Sector == nil || c.A.Sector.Code != "transports" {
			t.Errorf("createAction returned %+v", c.A)
		}
		var u struct {
			A actionNode `json:"updateAction"`
		}
		a.query(`mutation($id: ID!) { updateAction(id: $id, version: 1, input: {territory: {level: COMMUNE, code: "35238"}}) { `+
			actionFields+` } }`, map[string]any{"id": c.A.ID}, &u)
		if u.A.Territory.Code != "35238" || u.A.Version != 2 {
			t.Errorf("updateAction returned %+v", u.A)
		}
		var cc struct {
			C commitmentNode `json:"createCommitment"`
		}
		a.query(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500139"}, sector: "transports", ktco2e: 1}) { `+
			commitmentFields+` } }`, nil, &cc)
		if len(cc.C.History) != 1 || cc.C.History[0].To != "DRAFT" {
			t.Errorf("createCommitment returned %+v", cc.C)
		}
		var tr struct {
			C commitmentNode `json:"transitionCommitment"`
		}
		a.query(`mutation($id: ID!) { transitionCommitment(id: $id, version: 1, to: SUBMITTED) { `+commitmentFields+` } }`,
			map[string]any{"id": cc.C.ID}, &tr)
		if len(tr.C.History) != 2 || tr.C.History[1].To != "SUBMITTED" {
			t.Errorf("transitionCommitment returned %+v", tr.C)
		}
	})
}

// TestCommitmentLifeCycleAndRoadmap follows a commitment from draft to the roadmap.
func TestCommitmentLifeCycleAndRoadmap(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		contribKey := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		coord53Key := newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator)
		coord52Key := newKey(t, db, "Région Pays de la Loire", "REGION:52", access.Coordinator)
		contrib, coord53, coord52 := a.as(contribKey), a.as(coord53Key), a.as(coord52Key)

		create := func(c *api, in map[string]any) commitmentNode {
			t.Helper()
			var out struct {
				C commitmentNode `json:"createCommitment"`
			}
			c.query(createCommitmentQ, map[string]any{"in": in}, &out)
			return out.C
		}
		transition := func(c *api, id string, v int, to string) response {
			t.Helper()
			return c.do(transitionQ, map[string]any{"id": id, "v": v, "to": to})
		}
		ok := func(r response, name string) commitmentNode {
			t.Helper()
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", name, r.Errors)
			}
			var c commitmentNode
			field(t, r, name, &c)
			return c
		}

		cm := create(contrib, map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "ktco2e": 12.5, "copEdition": 2024})
		if cm.Status != "DRAFT" || cm.Version != 1 || cm.TargetYear != 2030 || cm.Ktco2e == nil || *cm.Ktco2e != 12.5 {
			t.Fatalf("created %+v", cm)
		}
		cm = ok(transition(contrib, cm.ID, cm.Version, "SUBMITTED"), "transitionCommitment")
		if cm.Status != "SUBMITTED" || cm.Version != 2 {
			t.Fatalf("submitted: %+v", cm)
		}
		wantError(t, "the contributor adopts", transition(contrib, cm.ID, cm.Version, "ADOPTED"), "FORBIDDEN")
		wantError(t, "Pays de la Loire adopts", transition(coord52, cm.ID, cm.Version, "ADOPTED"), "FORBIDDEN")
		if got := getCommitment(t, a, cm.ID); got.Status != "SUBMITTED" || got.Version != 2 {
			t.Fatalf("refused adoptions changed the commitment: %+v", got)
		}
		cm = ok(transition(coord53, cm.ID, cm.Version, "ADOPTED"), "transitionCommitment")
		if cm.Status != "ADOPTED" || cm.Version != 3 {
			t.Fatalf("adopted: %+v", cm)
		}

		h := getCommitment(t, a, cm.ID).History
		var steps []string
		for i, e := range h {
			from := ""
			if e.From != nil {
				from = *e.From
			}
			if (i == 0) != (e.From == nil) {
				t.Errorf("history[%d].from = %v: want null on creation only (the status before, an enum)", i, e.From)
			}
			steps = append(steps, from+">"+e.To)
		}
		if want := []string{">DRAFT", "DRAFT>SUBMITTED", "SUBMITTED>ADOPTED"}; !slices.Equal(steps, want) {
			t.Errorf("history %q, want %q", steps, want)
		}
		if len(h) == 3 {
			for i, org := range []string{"Rennes Métropole", "Rennes Métropole", "Région Bretagne"} {
				if !strings.Contains(h[i].Actor, org) {
					t.Errorf("history[%d] actor %q, want %s", i, h[i].Actor, org)
				}
			}
			for i := 1; i < len(h); i++ {
				t1, err1 := time.Parse(time.RFC3339Nano, h[i-1].At)
				t2, err2 := time.Parse(time.RFC3339Nano, h[i].At)
				if err1 != nil || err2 != nil || t2.Before(t1) {
					t.Errorf("history times out of order: %q then %q", h[i-1].At, h[i].At)
				}
			}
		}

		// Transitions outside the life cycle are bad input, whoever asks.
		other := create(contrib, map[string]any{"territory": tk("COMMUNE:35238"), "sector": "agriculture", "ktco2e": 3, "copEdition": 2024})
		wantError(t, "DRAFT to ADOPTED", transition(coord53, other.ID, other.Version, "ADOPTED"), "BAD_USER_INPUT", "DRAFT", "ADOPTED")
		w := ok(contrib.do(withdrawCommitmentQ, map[string]any{"id": other.ID, "v": other.Version}), "withdrawCommitment")
		if w.Status != "WITHDRAWN" || w.Version != 2 {
			t.Fatalf("withdrawn: %+v", w)
		}
		wantError(t, "WITHDRAWN to SUBMITTED", transition(contrib, w.ID, w.Version, "SUBMITTED"), "BAD_USER_INPUT", "WITHDRAWN")
		if got := getCommitment(t, a, w.ID); got.Status != "WITHDRAWN" || got.Version != 2 {
			t.Errorf("a refused transition changed the commitment: %+v", got)
		}

		// An adopted commitment's quantities are frozen.
		r := contrib.do(updateCommitmentQ, map[string]any{"id": cm.ID, "v": cm.Version, "in": map[string]any{"ktco2e": 20}})
		wantError(t, "update an adopted commitment", r, "BAD_USER_INPUT", "ADOPTED")
		if got := getCommitment(t, a, cm.ID); got.Version != 3 || got.Ktco2e == nil || *got.Ktco2e != 12.5 {
			t.Errorf("an adopted commitment changed: %+v", got)
		}
		// A draft one's are not.
		d := create(contrib, map[string]any{"territory": tk("EPCI:243500139"), "sector": "agriculture", "ktco2e": 1, "targetYear": 2028})
		var upd struct {
			C commitmentNode `json:"updateCommitment"`
		}
		contrib.query(updateCommitmentQ, map[string]any{"id": d.ID, "v": d.Version, "in": map[string]any{"ktco2e": 2}}, &upd)
		if upd.C.Version != 2 || upd.C.Ktco2e == nil || *upd.C.Ktco2e != 2 || upd.C.TargetYear != 2028 {
			t.Errorf("updated draft: %+v", upd.C)
		}

		before := countAll(t, a)
		r = contrib.do(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports"}})
		wantError(t, "a commitment without quantity", r, "BAD_USER_INPUT", "quantity")
		r = contrib.do(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "ktco2e": 1, "status": "ADOPTED"}})
		wantError(t, "a commitment created adopted", r, "BAD_USER_INPUT", "ADOPTED")
		if after := countAll(t, a); after != before {
			t.Errorf("refused commitments wrote: %+v then %+v", before, after)
		}

		// The roadmap of Bretagne for 2024 shows the adopted commitment in full: Rennes
		// Métropole lies wholly in Bretagne.
		var terrOut struct {
			T struct {
				Parents []struct {
					Weight float64 `json:"weight"`
					Parent struct{ Code string }
				} `json:"parents"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: EPCI, code: "243500139") { parents(level: DEPARTMENT) { weight parent { code } } } }`, nil, &terrOut)
		weight := 0.0
		for _, p := range terrOut.T.Parents {
			if p.Parent.Code == "35" {
				weight += p.Weight
			}
		}
		type roadmap struct {
			R struct {
				AdoptedKtco2e float64 `json:"adoptedKtco2e"`
				Sectors       []struct {
					Sector        struct{ Code string } `json:"sector"`
					AdoptedKtco2e float64               `json:"adoptedKtco2e"`
					Commitments   []struct{ ID string } `json:"commitments"`
				} `json:"sectors"`
			} `json:"roadmap"`
		}
		const rq = `query($r: String!, $e: Int!) { roadmap(region: $r, edition: $e) { adoptedKtco2e sectors { sector { code } adoptedKtco2e commitments { id } } } }`
		var rm roadmap
		a.query(rq, map[string]any{"r": "53", "e": 2024}, &rm)
		found := false
		for _, s := range rm.R.Sectors {
			if s.Sector.Code != "transports" {
				if s.AdoptedKtco2e != 0 {
					t.Errorf("sector %s adopted %v, want 0", s.Sector.Code, s.AdoptedKtco2e)
				}
				continue
			}
			found = true
			if len(s.Commitments) != 1 || s.Commitments[0].ID != cm.ID {
				t.Errorf("transports commitments %+v, want [%s]", s.Commitments, cm.ID)
			}
			if !near(weight, 1) || !near(s.AdoptedKtco2e, 12.5*weight) {
				t.Errorf("transports adopted %v, want 12.5 (weight %v)", s.AdoptedKtco2e, weight)
			}
		}
		// Without objectives loaded, the roadmap lists the sectors of adopted commitments
		// only: drafts and withdrawn ones do not show.
		if !found || len(rm.R.Sectors) != 1 || !near(rm.R.AdoptedKtco2e, 12.5) {
			t.Errorf("roadmap 53/2024: %+v", rm.R)
		}
		// Neither another edition nor another region counts it: without a COP of that
		// edition nor adopted commitments carrying it, a roadmap does not exist.
		for _, v := range []map[string]any{{"r": "53", "e": 2025}, {"r": "52", "e": 2024}} {
			wantError(t, fmt.Sprintf("roadmap %v", v), a.do(rq, v), "NOT_FOUND", "roadmaps(region:")
		}

		// Withdrawing an adopted commitment is the region's coordinator's decision: not
		// the contributor's who committed, nor another region's.
		wantError(t, "the contributor withdraws its adopted commitment", transition(contrib, cm.ID, cm.Version, "WITHDRAWN"), "FORBIDDEN")
		wantError(t, "the contributor calls withdrawCommitment on it", contrib.do(withdrawCommitmentQ, map[string]any{"id": cm.ID, "v": cm.Version}), "FORBIDDEN")
		wantError(t, "Pays de la Loire withdraws it", transition(coord52, cm.ID, cm.Version, "WITHDRAWN"), "FORBIDDEN")
		if got := getCommitment(t, a, cm.ID); got.Status != "ADOPTED" || got.Version != 3 {
			t.Fatalf("refused withdrawals changed the commitment: %+v", got)
		}
		cm = ok(coord53.do(withdrawCommitmentQ, map[string]any{"id": cm.ID, "v": cm.Version}), "withdrawCommitment")
		if cm.Status != "WITHDRAWN" || cm.Version != 4 {
			t.Fatalf("withdrawn by the coordinator: %+v", cm)
		}
		if h := getCommitment(t, a, cm.ID).History; len(h) != 4 || h[3].From == nil || *h[3].From != "ADOPTED" || h[3].To != "WITHDRAWN" ||
			!strings.Contains(h[3].Actor, "Région Bretagne") {
			t.Errorf("history after the withdrawal: %+v", h)
		}
		wantError(t, "out of WITHDRAWN", transition(coord53, cm.ID, cm.Version, "SUBMITTED"), "BAD_USER_INPUT", "WITHDRAWN")
		// The roadmap no longer counts it: without another adopted commitment nor a COP of
		// that edition, the edition no longer exists.
		wantError(t, "roadmap 53/2024 after the withdrawal", a.do(rq, map[string]any{"r": "53", "e": 2024}), "NOT_FOUND", "2024")
	})
}

// TestOptimisticConcurrencyOfUpdates races writers on one version.
func TestOptimisticConcurrencyOfUpdates(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		c := a.as(key)

		act := createAction(t, c, map[string]any{"title": "Bus express", "territory": tk("EPCI:243500139"),
			"sector": "transports", "startYear": 2025, "budget": 1000})
		act = updateAction(t, c, act.ID, act.Version, map[string]any{"budget": 2000})
		if act.Version != 2 || act.Budget != 2000 {
			t.Fatalf("updated: %+v", act)
		}
		r := c.do(updateActionQ, map[string]any{"id": act.ID, "v": 1, "in": map[string]any{"budget": 5, "title": "Périmé"}})
		wantError(t, "stale version", r, "CONFLICT", "version")
		if got := getAction(t, a, act.ID); got.Version != 2 || got.Budget != 2000 || got.Title != "Bus express" {
			t.Fatalf("a stale write changed the action: %+v", got)
		}

		const n = 8
		type result struct {
			budget float64
			r      response
			err    error
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				budget := float64(100 * (i + 1))
				<-start
				r, err := post(a.h, key, updateActionQ, map[string]any{"id": act.ID, "v": act.Version, "in": map[string]any{"budget": budget}})
				results[i] = result{budget, r, err}
			}()
		}
		close(start)
		wg.Wait()

		var winners []float64
		for i, res := range results {
			switch {
			case res.err != nil:
				t.Errorf("request %d: %v", i, res.err)
			case len(res.r.Errors) == 0:
				var got actionNode
				field(t, res.r, "updateAction", &got)
				if got.Version != act.Version+1 || got.Budget != res.budget {
					t.Errorf("request %d succeeded with %+v", i, got)
				}
				winners = append(winners, res.budget)
			case res.r.Errors[0].code() != "CONFLICT":
				t.Errorf("request %d: %q (%s), want CONFLICT", i, res.r.Errors[0].Message, res.r.Errors[0].code())
			}
		}
		if len(winners) != 1 {
			t.Fatalf("%d concurrent updates succeeded (%v), want exactly 1", len(winners), winners)
		}
		got := getAction(t, a, act.ID)
		if got.Version != act.Version+1 || got.Budget != winners[0] {
			t.Errorf("final action %+v; want version %d and the winner's budget %v", got, act.Version+1, winners[0])
		}
		// Losers wrote nothing: one audit entry per successful write, and the roll-up
		// counts the action once with the winner's budget.
		if n := countAll(t, a); n.Audit != 3 || n.Actions != 1 {
			t.Errorf("counts %+v, want 1 action and 3 audit entries", n)
		}
		var ru struct {
			T struct {
				Rollup rollupNode `json:"rollup"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: COUNTRY, code: "FR") { rollup { `+rollupFields+` } } }`, nil, &ru)
		if ru.T.Rollup.ActionCount != 1 || !near(ru.T.Rollup.Budget, winners[0]) {
			t.Errorf("France's roll-up %+v; want 1 action of budget %v", ru.T.Rollup, winners[0])
		}
	})
}

// TestIdempotencyKeys retries creations, one at a time and at once.
func TestIdempotencyKeys(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		otherKey := newKey(t, db, "Ville de Rennes", "EPCI:243500139", access.Contributor)
		c := a.as(key)
		in := map[string]any{"title": "Parking relais", "territory": tk("EPCI:243500139"), "sector": "transports",
			"startYear": 2025, "budget": 1000}
		create := func(c *api, k string, in map[string]any) response {
			t.Helper()
			return c.do(createActionQ, map[string]any{"in": in, "k": k})
		}
		id := func(r response) string {
			t.Helper()
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			var got actionNode
			field(t, r, "createAction", &got)
			return got.ID
		}

		n0 := countAll(t, a)
		first := id(create(c, "k1", in))
		if n := countAll(t, a); n.Actions != n0.Actions+1 {
			t.Fatalf("%d actions after the first request, want %d", n.Actions, n0.Actions+1)
		}
		if again := id(create(c, "k1", in)); again != first {
			t.Errorf("retry returned %s, want %s", again, first)
		}
		if n := countAll(t, a); n.Actions != n0.Actions+1 || n.Audit != n0.Audit+1 {
			t.Errorf("counts after the retry %+v, want %d actions and %d audit entries", n, n0.Actions+1, n0.Audit+1)
		}

		changed := map[string]any{}
		for k, v := range in {
			changed[k] = v
		}
		changed["budget"] = 2000
		wantError(t, "same key, other input", create(c, "k1", changed), "CONFLICT", "k1")
		if n := countAll(t, a); n.Actions != n0.Actions+1 {
			t.Errorf("%d actions after a reused key, want %d", n.Actions, n0.Actions+1)
		}
		if got := getAction(t, a, first); got.Budget != 1000 || got.Version != 1 {
			t.Errorf("a reused key changed the action: %+v", got)
		}
		// Without a key, the same input makes another action.
		if plain := id(c.do(createActionQ, map[string]any{"in": in})); plain == first {
			t.Errorf("a request without key returned the keyed action")
		}

		// Concurrent requests with a fresh key write one action and all answer it.
		before := countAll(t, a)
		const n = 6
		type result struct {
			r   response
			err error
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := post(a.h, key, createActionQ, map[string]any{"in": in, "k": "k2"})
				results[i] = result{r, err}
			}()
		}
		close(start)
		wg.Wait()
		ids := map[string]int{}
		for i, res := range results {
			switch {
			case res.err != nil:
				t.Errorf("request %d: %v", i, res.err)
			case len(res.r.Errors) > 0:
				t.Errorf("request %d: %q (%s)", i, res.r.Errors[0].Message, res.r.Errors[0].code())
			default:
				var got actionNode
				field(t, res.r, "createAction", &got)
				ids[got.ID]++
			}
		}
		if len(ids) != 1 {
			t.Errorf("concurrent requests answered ids %v, want one id", ids)
		}
		after := countAll(t, a)
		if after.Actions != before.Actions+1 || after.Audit != before.Audit+1 {
			t.Errorf("concurrent requests: counts %+v then %+v, want one more action and audit entry", before, after)
		}
		for k := range ids {
			if k == first {
				t.Errorf("key k2 answered the action of k1")
			}
		}

		// Keys are per API key: another organisation's k1 is its own.
		o := a.as(otherKey)
		mine := id(create(o, "k1", in))
		if mine == first {
			t.Errorf("another API key's k1 returned the first organisation's action %s", first)
		}
		if again := id(create(o, "k1", in)); again != mine {
			t.Errorf("another API key's retry returned %s, want %s", again, mine)
		}
		// Its k1 with another input conflicts with its own request only.
		wantError(t, "other key, other input", create(o, "k1", changed), "CONFLICT")
		if n := countAll(t, a); n.Actions != after.Actions+1 {
			t.Errorf("%d actions, want %d", n.Actions, after.Actions+1)
		}
		// Commitments keep their keys in the same space: k1 of a createAction is not a
		// commitment's, and a commitment's own key replays it.
		cin := map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "ktco2e": 2}
		wantError(t, "k1 of an action for a commitment", c.do(createCommitmentQ, map[string]any{"in": cin, "k": "k1"}), "CONFLICT", "k1")
		var c1, c2 struct {
			C commitmentNode `json:"createCommitment"`
		}
		c.query(createCommitmentQ, map[string]any{"in": cin, "k": "c1"}, &c1)
		c.query(createCommitmentQ, map[string]any{"in": cin, "k": "c1"}, &c2)
		if c1.C.ID == "" || c2.C.ID != c1.C.ID {
			t.Errorf("commitment retry returned %q, want %q", c2.C.ID, c1.C.ID)
		}
		if n := countAll(t, a); n.Commitments != 1 {
			t.Errorf("%d commitments, want 1", n.Commitments)
		}

		// The roll-up counts each action once.
		var ru struct {
			T struct {
				Rollup rollupNode `json:"rollup"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: COUNTRY, code: "FR") { rollup { `+rollupFields+` } } }`, nil, &ru)
		final := countAll(t, a)
		if ru.T.Rollup.ActionCount != final.Actions || !near(ru.T.Rollup.Budget, 1000*float64(final.Actions)) {
			t.Errorf("France's roll-up %+v for %d actions of 1000", ru.T.Rollup, final.Actions)
		}
	})
}

// TestValidation refuses invalid actions with a message naming the field and the value,
// and writes nothing.
func TestValidation(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db).as(newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor))
		base := func(changes map[string]any) map[string]any {
			in := map[string]any{"title": "Réseau de chaleur", "territory": tk("EPCI:243500139"), "sector": "energie",
				"startYear": 2025, "budget": 1000}
			for k, v := range changes {
				if v == nil {
					delete(in, k)
				} else {
					in[k] = v
				}
			}
			return in
		}
		long := strings.Repeat("é", planning.MaxTitleLength+1) // characters, not bytes
		cases := []struct {
			name    string
			changes map[string]any
			msgs    []string
		}{
			{"negative budget", map[string]any{"budget": -1}, []string{"budget must be", "-1"}},
			{"endYear before startYear", map[string]any{"endYear": 2020}, []string{"endYear 2020 is before startYear 2025"}},
			{"startYear 1800", map[string]any{"startYear": 1800}, []string{"startYear 1800 is out of range"}},
			{"unknown sector", map[string]any{"sector": "astronautique"}, []string{`unknown sector "astronautique"`}},
			{"lever and sector", map[string]any{"lever": "augm_voitelec"}, []string{"lever", "sector"}},
			{"ftp link", map[string]any{"links": []string{"https://ok.example", "ftp://x"}}, []string{"links[1]", "ftp://x", "is not an absolute http"}},
			{"effectPhysical without lever", map[string]any{"effectPhysical": 3}, []string{"effectPhysical needs a lever"}},
			{"negative effect", map[string]any{"effectKtco2e": -2}, []string{"effectKtco2e must be"}},
			{"empty title", map[string]any{"title": ""}, []string{"title is required"}},
			{"title of spaces", map[string]any{"title": "   "}, []string{"title is required"}},
			{"title too long", map[string]any{"title": long}, []string{fmt.Sprintf("title has %d characters, at most %d", planning.MaxTitleLength+1, planning.MaxTitleLength)}},
			{"no territory", map[string]any{"territory": nil}, []string{"territory"}},
		}
		before := countAll(t, a)
		for _, tc := range cases {
			t.Run("create "+tc.name, func(t *testing.T) {
				r := a.do(createActionQ, map[string]any{"in": base(tc.changes)})
				wantError(t, tc.name, r, "BAD_USER_INPUT", tc.msgs...)
			})
		}
		if after := countAll(t, a); after != before {
			t.Errorf("refused creations wrote: %+v then %+v", before, after)
		}

		// The same checks apply to updates, against the action as it will be.
		act := createAction(t, a, base(nil))
		before = countAll(t, a)
		for _, tc := range []struct {
			name string
			in   map[string]any
			msgs []string
		}{
			{"negative budget", map[string]any{"budget": -5}, []string{"budget"}},
			{"endYear before the action's startYear", map[string]any{"endYear": 2024}, []string{"endYear"}},
			{"startYear after the new endYear", map[string]any{"endYear": 2026, "startYear": 2027}, []string{"endYear", "startYear"}},
			{"ftp link", map[string]any{"links": []string{"ftp://x"}}, []string{"ftp://x"}},
			{"unknown sector", map[string]any{"sector": "astronautique"}, []string{"astronautique"}},
			{"effectPhysical without lever", map[string]any{"effectPhysical": 3}, []string{"effectPhysical"}},
			{"title too long", map[string]any{"title": long}, []string{"title has"}},
		} {
			t.Run("update "+tc.name, func(t *testing.T) {
				r := a.do(updateActionQ, map[string]any{"id": act.ID, "v": act.Version, "in": tc.in})
				wantError(t, tc.name, r, "BAD_USER_INPUT", tc.msgs...)
			})
		}
		if after := countAll(t, a); after != before {
			t.Errorf("refused updates wrote: %+v then %+v", before, after)
		}
		if got := getAction(t, a, act.ID); got.Version != act.Version || got.Budget != act.Budget || got.EndYear != nil {
			t.Errorf("refused updates changed the action: %+v", got)
		}
		// A title of the longest length allowed is accepted.
		longest := strings.Repeat("é", planning.MaxTitleLength)
		if got := updateAction(t, a, act.ID, act.Version, map[string]any{"title": longest}); got.Title != longest || got.Version != act.Version+1 {
			t.Errorf("update with a title of %d characters: %+v", planning.MaxTitleLength, got)
		}
	})
}

// TestAuditLog reads the log of one action's writes.
func TestAuditLog(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		prefix := keyPrefix(t, key)
		c := a.as(key)

		act := createAction(t, c, map[string]any{"title": "Métro ligne c", "territory": tk("EPCI:243500139"),
			"sector": "transports", "startYear": 2025, "budget": 1000})
		// Another action, whose entries must not show in the first one's log.
		createAction(t, c, map[string]any{"title": "Autre", "territory": tk("EPCI:243500139"), "startYear": 2025, "budget": 1})
		up := updateAction(t, c, act.ID, act.Version, map[string]any{"budget": 2500})
		var wd struct {
			A actionNode `json:"withdrawAction"`
		}
		c.query(withdrawActionQ, map[string]any{"id": up.ID, "v": up.Version}, &wd)
		if wd.A.Status != "ABANDONED" || wd.A.Version != 3 {
			t.Fatalf("withdrawn: %+v", wd.A)
		}

		var out struct {
			L struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						At        string  `json:"at"`
						Actor     string  `json:"actor"`
						Operation string  `json:"operation"`
						Entity    string  `json:"entity"`
						EntityID  int     `json:"entityID"`
						Before    *string `json:"before"`
						After     string  `json:"after"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"auditLog"`
		}
		auditQ := `query($id: ID!) { auditLog(entity: "Action", entityId: $id) { totalCount edges { node {
			at actor operation entity entityID before after } } } }`
		wantError(t, "audit log without a key", a.do(auditQ, map[string]any{"id": act.ID}), "UNAUTHENTICATED", "audit log needs an API key")
		reader := newKey(t, db, "Lecteur", "COUNTRY:FR", access.Reader)
		a.as(reader).query(auditQ, map[string]any{"id": act.ID}, &out)
		var ops []string
		for _, e := range out.L.Edges {
			ops = append(ops, e.Node.Operation)
		}
		if want := []string{"withdrawAction", "updateAction", "createAction"}; out.L.TotalCount != 3 || !slices.Equal(ops, want) {
			t.Fatalf("audit log of action %s: %d entries %q, want %q", act.ID, out.L.TotalCount, ops, want)
		}
		decode := func(s string) map[string]any {
			t.Helper()
			var m map[string]any
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				t.Fatalf("audit JSON %q: %v", s, err)
			}
			return m
		}
		var prev time.Time
		for i, e := range out.L.Edges {
			n := e.Node
			if !strings.Contains(n.Actor, "Rennes Métropole") || !strings.Contains(n.Actor, prefix) {
				t.Errorf("entry %d: actor %q, want the organisation and key %s", i, n.Actor, prefix)
			}
			if n.Entity != "Action" || fmt.Sprint(n.EntityID) != act.ID {
				t.Errorf("entry %d: %s %d, want Action %s", i, n.Entity, n.EntityID, act.ID)
			}
			at, err := time.Parse(time.RFC3339Nano, n.At)
			if err != nil || i > 0 && at.After(prev) {
				t.Errorf("entry %d at %q: not newest first", i, n.At)
			}
			prev = at
		}
		create, update, withdraw := out.L.Edges[2].Node, out.L.Edges[1].Node, out.L.Edges[0].Node
		if create.Before != nil && *create.Before != "" {
			t.Errorf("creation has a before: %q", *create.Before)
		}
		if m := decode(create.After); m["budget"] != 1000.0 || m["title"] != "Métro ligne c" {
			t.Errorf("creation after = %s", create.After)
		}
		if update.Before == nil {
			t.Fatal("update has no before")
		}
		if m := decode(*update.Before); m["budget"] != 1000.0 || m["version"] != 1.0 {
			t.Errorf("update before = %s, want the old budget 1000", *update.Before)
		}
		if m := decode(update.After); m["budget"] != 2500.0 || m["version"] != 2.0 {
			t.Errorf("update after = %s, want the new budget 2500", update.After)
		}
		if withdraw.Before == nil || decode(*withdraw.Before)["status"] != "PLANNED" || decode(withdraw.After)["status"] != "ABANDONED" {
			t.Errorf("withdrawal before %v after %s", withdraw.Before, withdraw.After)
		}

		// Refused writes leave no entry.
		r := c.do(updateActionQ, map[string]any{"id": act.ID, "v": 1, "in": map[string]any{"budget": 3}})
		wantError(t, "stale update", r, "CONFLICT")
		var all struct {
			L struct{ TotalCount int } `json:"auditLog"`
		}
		a.as(reader).query(`{ auditLog { totalCount } }`, nil, &all)
		if all.L.TotalCount != 4 {
			t.Errorf("%d audit entries, want 4 (3 for the action, 1 for the other)", all.L.TotalCount)
		}
	})
}

// TestChangesFeedPaging syncs incrementally, as a partner does.
func TestChangesFeedPaging(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		a.token = writeToken
		var acts []actionNode
		for i := range 5 {
			acts = append(acts, createAction(t, a, map[string]any{"title": fmt.Sprintf("Action %d", i),
				"territory": tk("EPCI:243500139"), "startYear": 2025, "budget": 10 * (i + 1)}))
		}
		time.Sleep(20 * time.Millisecond)
		since := time.Now()
		time.Sleep(20 * time.Millisecond)
		// Update the second and the fourth, the fourth first.
		updated := []string{acts[3].ID, acts[1].ID}
		updateAction(t, a, acts[3].ID, acts[3].Version, map[string]any{"budget": 1})
		updateAction(t, a, acts[1].ID, acts[1].Version, map[string]any{"budget": 2})

		type page struct {
			P struct {
				TotalCount int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage bool    `json:"hasNextPage"`
					EndCursor   *string `json:"endCursor"`
				} `json:"pageInfo"`
				Edges []struct {
					Node actionNode `json:"node"`
				} `json:"edges"`
			} `json:"actions"`
		}
		const q = `query($since: Time, $after: Cursor, $first: Int) { actions(updatedSince: $since, after: $after, first: $first) {
			totalCount pageInfo { hasNextPage endCursor } edges { node { ` + actionFields + ` } } } }`
		// The same instant written in UTC and in another zone.
		for _, zone := range []*time.Location{time.UTC, time.FixedZone("CEST", 2*3600)} {
			var p page
			a.query(q, map[string]any{"since": since.In(zone).Format(time.RFC3339Nano)}, &p)
			var got []string
			for _, e := range p.P.Edges {
				got = append(got, e.Node.ID)
			}
			if p.P.TotalCount != 2 || !slices.Equal(got, updated) {
				t.Errorf("updatedSince %s: %d actions %v, want %v in update order", since.In(zone).Format(time.RFC3339Nano), p.P.TotalCount, got, updated)
			}
		}
		var none page
		a.query(q, map[string]any{"since": time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)}, &none)
		if none.P.TotalCount != 0 || len(none.P.Edges) != 0 {
			t.Errorf("updatedSince in the future: %d actions", none.P.TotalCount)
		}

		// Paging through every action, two at a time, visits each once in updatedAt order.
		var visited []actionNode
		var after any
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			var p page
			a.query(q, map[string]any{"first": 2, "after": after}, &p)
			if p.P.TotalCount != 5 || len(p.P.Edges) > 2 {
				t.Fatalf("page %d: total %d, %d edges", pages, p.P.TotalCount, len(p.P.Edges))
			}
			for _, e := range p.P.Edges {
				visited = append(visited, e.Node)
			}
			if !p.P.PageInfo.HasNextPage {
				break
			}
			after = *p.P.PageInfo.EndCursor
		}
		seen := map[string]int{}
		var ids []string
		for i, v := range visited {
			seen[v.ID]++
			ids = append(ids, v.ID)
			if i > 0 {
				t1, _ := time.Parse(time.RFC3339Nano, visited[i-1].UpdatedAt)
				t2, _ := time.Parse(time.RFC3339Nano, v.UpdatedAt)
				if t2.Before(t1) {
					t.Errorf("action %s (updated %s) after %s (updated %s)", v.ID, v.UpdatedAt, visited[i-1].ID, visited[i-1].UpdatedAt)
				}
			}
		}
		if len(visited) != 5 || len(seen) != 5 {
			t.Errorf("paging visited %v, want each of the 5 actions once", ids)
		}
		want := []string{acts[0].ID, acts[2].ID, acts[4].ID, acts[3].ID, acts[1].ID}
		if !slices.Equal(ids, want) {
			t.Errorf("paging order %v, want %v (by updatedAt)", ids, want)
		}
	})
}

// rollupNode is a roll-up as the API returns it.
type rollupNode struct {
	ActionCount   int            `json:"actionCount"`
	ActionShare   float64        `json:"actionShare"`
	Budget        float64        `json:"budget"`
	EffectKtco2e  float64        `json:"effectKtco2e"`
	AdoptedKtco2e float64        `json:"adoptedKtco2e"`
	Committed     []statusAmount `json:"committed"`
	rows          int            // for a sum of rows: how many
}

type statusAmount struct {
	Status string  `json:"status"`
	Ktco2e float64 `json:"ktco2e"`
	Count  int     `json:"count"`
}

const rollupFields = `actionCount actionShare budget effectKtco2e adoptedKtco2e committed { status ktco2e count }`

func (r rollupNode) committed(status string) float64 {
	for _, c := range r.Committed {
		if c.Status == status {
			return c.Ktco2e
		}
	}
	return 0
}

func (r rollupNode) committedCount(status string) int {
	for _, c := range r.Committed {
		if c.Status == status {
			return c.Count
		}
	}
	return 0
}

var commitmentStatuses = []string{"DRAFT", "SUBMITTED", "ADOPTED", "WITHDRAWN"}

// TestRollupInvariants writes actions and commitments at every level and checks the
// roll-ups against sums computed here from the memberships' population weights. The
// database holds the SGPE objectives, so that the pages also compute coverage and gap.
func TestRollupInvariants(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		a.token = writeToken

		// What was written, to compute the expected roll-ups here.
		type rec struct {
			id, carrier, sector, status string
			version                     int
			budget, kt                  float64
		}
		var actions, commitments []*rec
		addAction := func(carrier, sector string, budget, effect float64) *rec {
			in := map[string]any{"title": "Action " + carrier, "territory": tk(carrier), "startYear": 2025, "budget": budget, "effectKtco2e": effect}
			if sector != "" {
				in["sector"] = sector
			}
			got := createAction(t, a, in)
			r := &rec{id: got.ID, carrier: carrier, sector: sector, status: got.Status, version: got.Version, budget: budget, kt: effect}
			actions = append(actions, r)
			return r
		}
		addCommitment := func(carrier, sector string, kt float64, status string) *rec {
			var out struct {
				C commitmentNode `json:"createCommitment"`
			}
			a.query(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk(carrier), "sector": sector,
				"ktco2e": kt, "copEdition": 2024}}, &out)
			r := &rec{id: out.C.ID, carrier: carrier, sector: sector, status: out.C.Status, version: out.C.Version, kt: kt}
			for _, to := range map[string][]string{"DRAFT": nil, "SUBMITTED": {"SUBMITTED"}, "ADOPTED": {"SUBMITTED", "ADOPTED"},
				"WITHDRAWN": {"SUBMITTED", "WITHDRAWN"}}[status] {
				var tr struct {
					C commitmentNode `json:"transitionCommitment"`
				}
				a.query(transitionQ, map[string]any{"id": r.id, "v": r.version, "to": to}, &tr)
				r.status, r.version = tr.C.Status, tr.C.Version
			}
			if r.status != status {
				t.Fatalf("commitment of %s is %s, want %s", carrier, r.status, status)
			}
			commitments = append(commitments, r)
			return r
		}

		addAction("COMMUNE:35238", "transport-voyageurs", 120000, 1.5)
		addAction("EPCI:243500139", "transports", 2500000, 12)
		redon := addAction("EPCI:243500741", "transports", 800000, 4)
		addAction("EPCI:243500741", "agriculture", 300000, 2)
		addAction("EPCI:200039022", "energie", 450000, 3.25)
		addAction("DEPARTMENT:44", "transports", 1000000, 7)
		addAction("DEPARTMENT:35", "", 640000, 0.5)
		addAction("REGION:53", "agriculture", 5000000, 20)
		addAction("REGION:52", "batiments", 3300000, 9)
		addAction("COMMUNE:44109", "residentiel", 210000, 0.75)
		addAction("COUNTRY:FR", "energie", 9000000, 40)

		addCommitment("COMMUNE:35238", "transports", 2.5, "ADOPTED")
		addCommitment("EPCI:243500139", "transports", 12.5, "SUBMITTED")
		redonC := addCommitment("EPCI:243500741", "transports", 10, "ADOPTED")
		addCommitment("EPCI:243500741", "agriculture", 4, "DRAFT")
		addCommitment("DEPARTMENT:44", "batiments", 6, "ADOPTED")
		addCommitment("REGION:53", "agriculture", 30, "WITHDRAWN")
		addCommitment("EPCI:200039022", "energie", 1.25, "DRAFT")
		addCommitment("COUNTRY:FR", "energie", 100, "SUBMITTED")

		// Weights from the memberships (the hierarchy as published), independently of
		// the ancestries the roll-ups read: weight(t, x) is the share of t's population
		// living in x, along communes and EPCI -> departments -> regions -> the country.
		type membership struct {
			P []struct {
				Weight float64 `json:"weight"`
				Parent struct {
					Level string `json:"level"`
					Code  string `json:"code"`
				} `json:"parent"`
			} `json:"parents"`
		}
		parents := map[string]map[string]float64{}
		parentsOf := func(k string) map[string]float64 {
			if p, ok := parents[k]; ok {
				return p
			}
			level, code, _ := strings.Cut(k, ":")
			up := map[string]string{"COMMUNE": "DEPARTMENT", "EPCI": "DEPARTMENT", "DEPARTMENT": "REGION", "REGION": "COUNTRY"}[level]
			p := map[string]float64{}
			if up != "" {
				var out struct {
					T membership `json:"territory"`
				}
				a.query(`query($l: TerritoryLevel!, $c: String!, $up: TerritoryLevel) { territory(level: $l, code: $c) {
					parents(level: $up) { weight parent { level code } } } }`, map[string]any{"l": level, "c": code, "up": up}, &out)
				for _, m := range out.T.P {
					p[m.Parent.Level+":"+m.Parent.Code] += m.Weight
				}
				if len(p) == 0 {
					t.Fatalf("%s has no %s parent", k, up)
				}
			}
			parents[k] = p
			return p
		}
		var weight func(k, x string) float64
		weight = func(k, x string) float64 {
			if k == x {
				return 1
			}
			w := 0.0
			for p, pw := range parentsOf(k) {
				w += pw * weight(p, x)
			}
			return w
		}
		levelOf := func(k string) string { l, _, _ := strings.Cut(k, ":"); return l }

		type expect struct {
			budget, effect, share float64
			count                 int
			committed             map[string]float64
			committedN            map[string]int
		}
		// expectedOf adds up what lies in x, carried at levels (all when nil), of the
		// sectors kept (all when nil), counting actions of these statuses (all when nil).
		expectedOf := func(x string, levels []string, sector func(string) bool, statuses []string) expect {
			e := expect{committed: map[string]float64{}, committedN: map[string]int{}}
			keep := func(r *rec) (float64, bool) {
				w := weight(r.carrier, x)
				return w, w > 0 && (levels == nil || slices.Contains(levels, levelOf(r.carrier))) && (sector == nil || sector(r.sector))
			}
			for _, r := range actions {
				if w, ok := keep(r); ok && (statuses == nil || slices.Contains(statuses, r.status)) {
					e.budget += r.budget * w
					e.effect += r.kt * w
					e.share += w
					e.count++
				}
			}
			for _, r := range commitments {
				if w, ok := keep(r); ok {
					e.committed[r.status] += r.kt * w
					e.committedN[r.status]++
				}
			}
			return e
		}
		expected := func(x string, levels []string, sector func(string) bool) expect {
			return expectedOf(x, levels, sector, nil)
		}
		// The API gives figures to the decimals of their unit (planning.Round): each is
		// within half a unit of the last decimal of the exact amount.
		check := func(what string, got rollupNode, want expect) {
			t.Helper()
			if got.ActionCount != want.count || !rounded(got.ActionShare, want.share, planning.Share, 1) ||
				!rounded(got.Budget, want.budget, planning.Euro, 1) || !rounded(got.EffectKtco2e, want.effect, planning.KtCO2e, 1) {
				t.Errorf("%s: %d actions, share %v, budget %v, effect %v; want %d, %v, %v, %v",
					what, got.ActionCount, got.ActionShare, got.Budget, got.EffectKtco2e, want.count, want.share, want.budget, want.effect)
			}
			for _, s := range commitmentStatuses {
				if !rounded(got.committed(s), want.committed[s], planning.KtCO2e, 1) || got.committedCount(s) != want.committedN[s] {
					t.Errorf("%s: %s %v ktCO2e in %d, want %v in %d", what, s, got.committed(s), got.committedCount(s), want.committed[s], want.committedN[s])
				}
			}
			if !rounded(got.AdoptedKtco2e, want.committed["ADOPTED"], planning.KtCO2e, 1) {
				t.Errorf("%s: adopted %v, want %v", what, got.AdoptedKtco2e, want.committed["ADOPTED"])
			}
		}
		rollup := func(k string, filter map[string]any) rollupNode {
			t.Helper()
			level, code, _ := strings.Cut(k, ":")
			var out struct {
				T struct {
					Rollup rollupNode `json:"rollup"`
				} `json:"territory"`
			}
			a.query(`query($l: TerritoryLevel!, $c: String!, $f: RollupFilter) { territory(level: $l, code: $c) {
				rollup(filter: $f) { `+rollupFields+` } } }`, map[string]any{"l": level, "c": code, "f": filter}, &out)
			return out.T.Rollup
		}
		type row struct {
			Unallocated bool `json:"unallocated"`
			Sector      *struct {
				Code string `json:"code"`
			} `json:"sector"`
			Territory *struct {
				Level string `json:"level"`
				Code  string `json:"code"`
			} `json:"territory"`
			Rollup rollupNode `json:"rollup"`
		}
		rollupBy := func(k, group string, level any, filter map[string]any) []row {
			t.Helper()
			l, code, _ := strings.Cut(k, ":")
			var out struct {
				T struct {
					Rows []row `json:"rollupBy"`
				} `json:"territory"`
			}
			a.query(`query($l: TerritoryLevel!, $c: String!, $g: RollupGroup!, $level: TerritoryLevel, $f: RollupFilter) {
				territory(level: $l, code: $c) { rollupBy(groupBy: $g, level: $level, filter: $f) {
				unallocated sector { code } territory { level code } rollup { `+rollupFields+` } } } }`,
				map[string]any{"l": l, "c": code, "g": group, "level": level, "f": filter}, &out)
			return out.T.Rows
		}
		sum := func(rows []row) rollupNode {
			s := rollupNode{rows: len(rows)}
			by := map[string]float64{}
			for _, r := range rows {
				s.ActionShare += r.Rollup.ActionShare
				s.Budget += r.Rollup.Budget
				s.EffectKtco2e += r.Rollup.EffectKtco2e
				s.AdoptedKtco2e += r.Rollup.AdoptedKtco2e
				for _, c := range r.Rollup.Committed {
					by[c.Status] += c.Ktco2e
				}
			}
			for _, st := range commitmentStatuses {
				if v, ok := by[st]; ok {
					s.Committed = append(s.Committed, statusAmount{st, v, 0})
				}
			}
			return s
		}
		// adds checks the additive amounts of a sum of rows (not counts: a carrier lying
		// in two rows counts in both).
		adds := func(what string, got, want rollupNode) {
			t.Helper()
			n := got.rows + 1 // each row and the whole are rounded
			if !rounded(got.ActionShare, want.ActionShare, planning.Share, n) || !rounded(got.Budget, want.Budget, planning.Euro, n) ||
				!rounded(got.EffectKtco2e, want.EffectKtco2e, planning.KtCO2e, n) || !rounded(got.AdoptedKtco2e, want.AdoptedKtco2e, planning.KtCO2e, n) {
				t.Errorf("%s: rows add up to share %v, budget %v, effect %v, adopted %v; want %v, %v, %v, %v", what,
					got.ActionShare, got.Budget, got.EffectKtco2e, got.AdoptedKtco2e, want.ActionShare, want.Budget, want.EffectKtco2e, want.AdoptedKtco2e)
			}
			for _, s := range commitmentStatuses {
				if !rounded(got.committed(s), want.committed(s), planning.KtCO2e, n) {
					t.Errorf("%s: %s rows add up to %v, want %v", what, s, got.committed(s), want.committed(s))
				}
			}
		}
		below := []string{"REGION", "DEPARTMENT", "EPCI", "COMMUNE"}
		belowRegion := below[1:]

		verify := func(stage string) {
			t.Helper()
			// France's roll-up is everything, each action for its whole budget.
			fr := rollup("COUNTRY:FR", nil)
			var total, totalKt float64
			for _, r := range actions {
				total += r.budget
			}
			for _, r := range commitments {
				totalKt += r.kt
			}
			if !near(fr.Budget, total) || fr.ActionCount != len(actions) {
				t.Errorf("%s: France's budget %v in %d actions, want the sum %v in %d", stage, fr.Budget, fr.ActionCount, total, len(actions))
			}
			var frKt float64
			for _, c := range fr.Committed {
				frKt += c.Ktco2e
			}
			if !near(frKt, totalKt) {
				t.Errorf("%s: France's commitments by status add up to %v, want %v", stage, frKt, totalKt)
			}
			check(stage+": France", fr, expected("COUNTRY:FR", nil, nil))

			// Regions add up to France for what is carried at region level or below; the
			// last row holds what France itself carries, and all add up to France.
			regions := rollupBy("COUNTRY:FR", "CHILD", "REGION", nil)
			if len(regions) < 13 {
				t.Fatalf("%s: %d region rows", stage, len(regions))
			}
			adds(stage+": regions of France and the rest", sum(regions), fr)
			if last := regions[len(regions)-1]; !last.Unallocated || last.Territory != nil {
				t.Errorf("%s: the last row of France's regions is %+v, want the unallocated row", stage, last)
			} else {
				check(stage+": France, what no region holds", last.Rollup, expected("COUNTRY:FR", []string{"COUNTRY"}, nil))
				regions = regions[:len(regions)-1]
			}
			frBelow := rollup("COUNTRY:FR", map[string]any{"carrierLevels": below})
			check(stage+": France, carried by regions and below", frBelow, expected("COUNTRY:FR", below, nil))
			adds(stage+": regions of France", sum(regions), frBelow)
			for _, r := range regions {
				k := r.Territory.Level + ":" + r.Territory.Code
				if r.Territory.Level != "REGION" {
					t.Errorf("%s: row of %s", stage, k)
					continue
				}
				if k == "REGION:53" || k == "REGION:52" {
					check(stage+": row "+k, r.Rollup, expected(k, nil, nil))
				}
			}

			// Departments add up to their region, for what departments and below carry.
			deps := rollupBy("REGION:53", "CHILD", "DEPARTMENT", map[string]any{"carrierLevels": belowRegion})
			if len(deps) != 4 {
				t.Errorf("%s: %d department rows in Bretagne", stage, len(deps))
			}
			r53 := rollup("REGION:53", map[string]any{"carrierLevels": belowRegion})
			check(stage+": Bretagne, carried by departments and below", r53, expected("REGION:53", belowRegion, nil))
			adds(stage+": departments of Bretagne", sum(deps), r53)
			for _, r := range deps {
				k := r.Territory.Level + ":" + r.Territory.Code
				check(stage+": row "+k, r.Rollup, expected(k, belowRegion, nil))
			}
			// Without a filter, rows read the cells; with the last row (what the region
			// carries) they add up to the region.
			adds(stage+": departments of Bretagne, from the cells", sum(rollupBy("REGION:53", "CHILD", "DEPARTMENT", nil)), rollup("REGION:53", nil))

			// Redon Agglomération is split between Bretagne and Pays de la Loire by its
			// population.
			w53, w52 := weight("EPCI:243500741", "REGION:53"), weight("EPCI:243500741", "REGION:52")
			if !(w53 > 0 && w53 < 1 && w52 > 0 && w52 < 1) || !near(w52+w53, 1) {
				t.Errorf("Redon's weights: %v in 53, %v in 52", w53, w52)
			}
			// Among EPCI, only Rennes Métropole and Redon carry transports.
			epciTransports := map[string]any{"carrierLevels": []string{"EPCI"}, "sector": "transports"}
			redon53, redon52 := rollup("REGION:53", epciTransports), rollup("REGION:52", epciTransports)
			rm := rollup("EPCI:243500139", epciTransports)
			if !rounded(redon53.Budget-rm.Budget, redon.budget*w53, planning.Euro, 2) || !rounded(redon52.Budget, redon.budget*w52, planning.Euro, 1) ||
				!rounded(redon52.Budget+redon53.Budget-rm.Budget, redon.budget, planning.Euro, 3) {
				t.Errorf("%s: Redon's budget %v split as %v in 53, %v in 52; want %v and %v", stage, redon.budget,
					redon53.Budget-rm.Budget, redon52.Budget, redon.budget*w53, redon.budget*w52)
			}
			if !rounded(redon53.committed(redonC.status)-rm.committed(redonC.status), redonC.kt*w53, planning.KtCO2e, 2) ||
				!rounded(redon52.committed(redonC.status), redonC.kt*w52, planning.KtCO2e, 1) {
				t.Errorf("%s: Redon's commitment %v split as %v in 53, %v in 52", stage, redonC.kt,
					redon53.committed(redonC.status)-rm.committed(redonC.status), redon52.committed(redonC.status))
			}
			// In full: each region's roll-up against the weights.
			check(stage+": Bretagne", rollup("REGION:53", nil), expected("REGION:53", nil, nil))
			check(stage+": Pays de la Loire", rollup("REGION:52", nil), expected("REGION:52", nil, nil))
			check(stage+": Redon", rollup("EPCI:243500741", nil), expected("EPCI:243500741", nil, nil))

			// Sector rows, one per sector of the national inventory with its subdivisions, add
			// up to the total; a sector filter takes its subsectors.
			sectors := rollupBy("COUNTRY:FR", "SECTOR", nil, nil)
			adds(stage+": sectors of France", sum(sectors), fr)
			for _, r := range sectors {
				code := ""
				if r.Sector != nil {
					code = r.Sector.Code
				}
				check(stage+": sector row "+code, r.Rollup, expected("COUNTRY:FR", nil, func(s string) bool { return planning.InventorySector(s) == code }))
			}
			sub := map[string]bool{"transports": true, "transport-voyageurs": true, "transport-marchandises": true}
			check(stage+": France, transports", rollup("COUNTRY:FR", map[string]any{"sector": "transports"}),
				expected("COUNTRY:FR", nil, func(s string) bool { return sub[s] }))
			adds(stage+": sectors of Bretagne", sum(rollupBy("REGION:53", "SECTOR", nil, nil)), rollup("REGION:53", nil))

			// Status and year filters narrow the actions, not the commitments, from the
			// cells and from the records alike.
			for _, st := range [][]string{{"PLANNED"}, {"ABANDONED"}, {"PLANNED", "ABANDONED"}} {
				check(fmt.Sprintf("%s: France, actions %v", stage, st), rollup("COUNTRY:FR", map[string]any{"actionStatus": st}),
					expectedOf("COUNTRY:FR", nil, nil, st))
				check(fmt.Sprintf("%s: Bretagne, actions %v carried below", stage, st),
					rollup("REGION:53", map[string]any{"actionStatus": st, "carrierLevels": belowRegion}),
					expectedOf("REGION:53", belowRegion, nil, st))
			}
			check(stage+": France in 2030", rollup("COUNTRY:FR", map[string]any{"year": 2030}), expected("COUNTRY:FR", nil, nil))
			check(stage+": France in 2024", rollup("COUNTRY:FR", map[string]any{"year": 2024}), expectedOf("COUNTRY:FR", nil, nil, []string{}))
		}
		verify("after creation")

		// Writes keep the roll-ups current: move, change, abandon and withdraw.
		for _, r := range actions {
			switch {
			case r.carrier == "COMMUNE:35238":
				got := updateAction(t, a, r.id, r.version, map[string]any{"territory": tk("DEPARTMENT:44"), "budget": 130000})
				r.carrier, r.budget, r.version = "DEPARTMENT:44", 130000, got.Version
			case r == redon:
				got := updateAction(t, a, r.id, r.version, map[string]any{"budget": 900000, "effectKtco2e": 5})
				r.budget, r.kt, r.version = 900000, 5, got.Version
			case r.carrier == "EPCI:200039022" || r.carrier == "REGION:52":
				var wd struct {
					A actionNode `json:"withdrawAction"`
				}
				a.query(withdrawActionQ, map[string]any{"id": r.id, "v": r.version}, &wd)
				r.status, r.version = wd.A.Status, wd.A.Version
				if r.status != "ABANDONED" {
					t.Fatalf("withdrawn action of %s is %s", r.carrier, r.status)
				}
			}
		}
		var tr struct {
			C commitmentNode `json:"withdrawCommitment"`
		}
		a.query(withdrawCommitmentQ, map[string]any{"id": redonC.id, "v": redonC.version}, &tr)
		redonC.status, redonC.version = tr.C.Status, tr.C.Version
		verify("after updates")

		// The number of statements of a region's page does not depend on how many rows it
		// has, objectives and coverage included.
		const q = `query($l: TerritoryLevel!, $c: String!, $level: TerritoryLevel) { territory(level: $l, code: $c) {
			rollupBy(groupBy: CHILD, level: $level) { territory { code name population } rollup { ` + rollupFields + `
			objectiveKtco2e coverage gap } } } }`
		frN := a.statements(q, map[string]any{"l": "COUNTRY", "c": "FR", "level": "REGION"})
		bzhN := a.statements(q, map[string]any{"l": "REGION", "c": "53", "level": "DEPARTMENT"})
		t.Logf("rollupBy CHILD: %d statements for the regions of France, %d for the departments of Bretagne", frN, bzhN)
		if frN != bzhN || frN > 8 {
			t.Errorf("rollupBy CHILD: %d statements for France's regions, %d for Bretagne's departments; want the same, at most 8", frN, bzhN)
		}
	})
}

// TestRollupErrors refuses groupings that do not add up and unknown filters.
func TestRollupErrors(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for _, tc := range []struct {
			name, query string
			codes       []string
			msgs        []string
		}{
			{"CHILD without level", `{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD) { rollup { budget } } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"level below REGION: DEPARTMENT, CRTE, EPCI or COMMUNE"}},
			{"CHILD without level, of a department", `{ territory(level: DEPARTMENT, code: "35") { rollupBy(groupBy: CHILD) { rollup { budget } } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"level below DEPARTMENT: CRTE, EPCI or COMMUNE"}},
			{"CHILD of a level above", `{ territory(level: DEPARTMENT, code: "35") { rollupBy(groupBy: CHILD, level: REGION) { rollup { budget } } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"level"}},
			{"CHILD of its own level", `{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: REGION) { rollup { budget } } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"level"}},
			{"too many CHILD rows", `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: COMMUNE) { rollup { budget } } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"COMMUNE"}},
			{"unknown sector in rollup", `{ territory(level: REGION, code: "53") { rollup(filter: {sector: "astronautique"}) { budget } } }`,
				[]string{"NOT_FOUND", "BAD_USER_INPUT"}, []string{"astronautique"}},
			{"unknown sector in rollupBy", `{ territory(level: REGION, code: "53") { rollupBy(groupBy: SECTOR, filter: {sector: "astronautique"}) { rollup { budget } } } }`,
				[]string{"NOT_FOUND", "BAD_USER_INPUT"}, []string{"astronautique"}},
			{"unknown lever", `{ territory(level: REGION, code: "53") { rollup(filter: {lever: "teleportation"}) { budget } } }`,
				[]string{"NOT_FOUND", "BAD_USER_INPUT"}, []string{"teleportation"}},
			{"lever and sector", `{ territory(level: REGION, code: "53") { rollup(filter: {lever: "x", sector: "transports"}) { budget } } }`,
				[]string{"BAD_USER_INPUT"}, []string{"lever", "sector"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.do(tc.query, nil)
				if len(r.Errors) == 0 {
					t.Fatalf("no error; data %s", r.Data)
				}
				e := r.Errors[0]
				if !slices.Contains(tc.codes, e.code()) {
					t.Errorf("error %q with code %q, want one of %v", e.Message, e.code(), tc.codes)
				}
				for _, m := range tc.msgs {
					if !strings.Contains(e.Message, m) {
						t.Errorf("error %q does not name %q", e.Message, m)
					}
				}
			})
		}
		// A valid grouping of the same territory answers.
		var out struct {
			T struct {
				Rows []struct {
					Territory struct{ Code string } `json:"territory"`
				} `json:"rollupBy"`
			} `json:"territory"`
		}
		a.query(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: DEPARTMENT) { territory { code } } } }`, nil, &out)
		var codes []string
		for _, r := range out.T.Rows {
			codes = append(codes, r.Territory.Code)
		}
		// Any level below answers, EPCI too (they straddle departments and regions).
		a.query(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: EPCI) { territory { code } } } }`, nil, &out)
		if len(out.T.Rows) < 50 {
			t.Errorf("EPCI of Bretagne: %d rows", len(out.T.Rows))
		}
		sort.Strings(codes)
		if !slices.Equal(codes, []string{"22", "29", "35", "56"}) {
			t.Errorf("departments of Bretagne: %v", codes)
		}
	})
}

// TestWriteStoreFailureIsHidden breaks the database under a write: the client gets a
// generic internal error, not a bad-input error quoting the driver.
func TestWriteStoreFailureIsHidden(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		a.token = writeToken
		createAction(t, a, map[string]any{"title": "Avant", "territory": tk("EPCI:243500139"), "startYear": 2025})
		db.Close()
		for _, q := range []struct {
			name string
			in   map[string]any
		}{
			{"createAction", map[string]any{"title": "Vélo", "territory": tk("EPCI:243500139"), "startYear": 2025}},
			{"createAction with a sector", map[string]any{"title": "Vélo", "territory": tk("EPCI:243500139"), "sector": "transports", "startYear": 2025}},
		} {
			r := a.do(createActionQ, map[string]any{"in": q.in})
			wantError(t, q.name+" while the database is down", r, "INTERNAL_SERVER_ERROR", "internal error")
			noLeak(t, r)
		}
	})
}

// TestAuthenticationFailureIsHidden breaks the table of keys: a key that could not be
// checked is the server's failure, not the client's, and the driver's words stay in the
// logs.
func TestAuthenticationFailureIsHidden(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		key := newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor)
		a := newAPI(t, db).as(key)
		createAction(t, a, map[string]any{"title": "Avant", "territory": tk("EPCI:243500139"), "startYear": 2025})
		if _, err := db.Client.ExecContext(context.Background(), "ALTER TABLE api_keys RENAME TO api_keys_gone"); err != nil {
			t.Fatal(err)
		}
		r := a.do(createActionQ, map[string]any{"in": map[string]any{"title": "Vélo", "territory": tk("EPCI:243500139"), "startYear": 2025}})
		wantError(t, "write while the keys cannot be read", r, "INTERNAL_SERVER_ERROR", "internal error")
		noLeak(t, r)
	})
}
