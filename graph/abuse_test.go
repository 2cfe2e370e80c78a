package graph_test

// The catalogue of bad inputs and abuses: what an attacker or an unlucky operator sent
// (issue "Safe to expose"), each refused with its status and code, with a short message
// of the project's own, and nothing written. The items of the issue that are not one
// request are tested beside: the database bounding its own work (TestNoBackendOutlivesTheDeadline),
// a seed killed half-way (server: TestSeedKilledAtRandom), truncated import files
// (server: TestImportRefusesTruncatedFiles), writers of a busy SQLite database
// (TestBusyDatabaseWriters), every mutation audited (TestEveryMutationIsAudited), tests
// bounding their waits (internal/testdb).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/store"
)

// abuse is one request of the catalogue and what it must get.
type abuse struct {
	name  string
	as    string // key: "" (none), admin, contributor, other (another EPCI's), reader, coordinator
	query string
	vars  map[string]any
	// A request built by hand instead of query and vars.
	method, contentType, body, rawQuery string
	header                              map[string]string
	chunked                             bool

	status int
	code   string // "" when the answer has no error (CORS)
	msg    string
	check  func(t *testing.T, rec *httptest.ResponseRecorder)
}

// words returns n words of one letter.
func words(n int) string { return strings.TrimSpace(strings.Repeat("N ", n)) }

// orTerms returns a filter of n alternatives.
func orTerms(n int, term string) map[string]any {
	or := make([]any, n)
	for i := range or {
		or[i] = map[string]any{term: "N"}
	}
	return map[string]any{"or": or}
}

func ints(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func strs(n int, s string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// nested returns a filter of depth nots around a term.
func nested(depth int) map[string]any {
	w := map[string]any{"nameContains": "a"}
	for range depth {
		w = map[string]any{"not": w}
	}
	return w
}

// writes counts every kind of record a write makes: the catalogue checks that none
// changed.
func writes(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	ctx := context.Background()
	c := db.Client
	out := map[string]int{}
	for name, count := range map[string]func() (int, error){
		"actions":           func() (int, error) { return c.Action.Query().Count(ctx) },
		"commitments":       func() (int, error) { return c.Commitment.Query().Count(ctx) },
		"commitment events": func() (int, error) { return c.CommitmentEvent.Query().Count(ctx) },
		"audit entries":     func() (int, error) { return c.AuditEntry.Query().Count(ctx) },
		"observations":      func() (int, error) { return c.Observation.Query().Count(ctx) },
		"objectives":        func() (int, error) { return c.Objective.Query().Count(ctx) },
		"COPs":              func() (int, error) { return c.Cop.Query().Count(ctx) },
		"COP participants":  func() (int, error) { return c.CopParticipant.Query().Count(ctx) },
		"COP documents":     func() (int, error) { return c.CopDocument.Query().Count(ctx) },
		"idempotency keys":  func() (int, error) { return c.IdempotencyKey.Query().Count(ctx) },
		"roll-up cells":     func() (int, error) { return c.RollupCell.Query().Count(ctx) },
	} {
		n, err := count()
		if err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		out[name] = n
	}
	// A write may change a record in place: the versions and the steps tell.
	for name, sum := range map[string]func() (int, error){
		"action versions":     func() (int, error) { return c.Action.Query().Aggregate(ent.Sum(action.FieldVersion)).Int(ctx) },
		"commitment versions": func() (int, error) { return c.Commitment.Query().Aggregate(ent.Sum(commitment.FieldVersion)).Int(ctx) },
	} {
		n, err := sum()
		if err != nil {
			t.Fatalf("sum %s: %v", name, err)
		}
		out[name] = n
	}
	steps, err := c.CopStep.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		out[fmt.Sprintf("step %d %s %v %v", s.ID, s.Status, s.StartsOn, s.EndsOn)] = 1
	}
	return out
}

// TestAbuseCatalogue sends every bad input and abuse of the catalogue, on each database.
func TestAbuseCatalogue(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		opts := testOptions()
		opts.Metrics = httpapi.NewMetrics()
		a := newAPIWith(t, db, opts)
		keys := map[string]string{
			"admin":       newKey(t, db, "Administration", "COUNTRY:FR", access.Admin),
			"contributor": newKey(t, db, "Rennes Métropole", "EPCI:243500139", access.Contributor),
			"other":       newKey(t, db, "Vitré Communauté", "EPCI:200039022", access.Contributor),
			"reader":      newKey(t, db, "Lecteur", "COUNTRY:FR", access.Reader),
			"coordinator": newKey(t, db, "Région Bretagne", "REGION:53", access.Coordinator),
		}
		as := func(who string) *api { return a.as(keys[who]) }

		// What the refused writes would change.
		var act struct {
			A struct {
				ID string `json:"id"`
			} `json:"createAction"`
		}
		as("contributor").query(createActionQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"),
			"title": "Pistes cyclables", "startYear": 2025, "budget": 1000}, "k": "k-1"}, &act)
		var cm struct {
			C struct {
				ID      string `json:"id"`
				Version int    `json:"version"`
			} `json:"createCommitment"`
		}
		as("contributor").query(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"),
			"sector": "transports", "ktco2e": 5, "status": "SUBMITTED"}}, &cm)
		var adopted map[string]any
		as("coordinator").query(transitionQ, map[string]any{"id": cm.C.ID, "v": cm.C.Version, "to": "ADOPTED"}, &adopted)
		var draft struct {
			C struct {
				ID string `json:"id"`
			} `json:"createCommitment"`
		}
		as("contributor").query(createCommitmentQ, map[string]any{"in": map[string]any{"territory": tk("EPCI:243500139"),
			"sector": "transports", "ktco2e": 1}}, &draft)
		var cop map[string]any
		as("coordinator").query(`mutation { createCop(region: "53", edition: 2026) { id } }`, nil, &cop)
		var audit struct {
			L struct {
				Edges []struct {
					Node struct {
						ID string `json:"id"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"auditLog"`
		}
		as("reader").query(`{ auditLog(first: 1) { edges { node { id } } } }`, nil, &audit)
		if len(audit.L.Edges) == 0 {
			t.Fatal("no audit entry to ask for")
		}
		auditID := audit.L.Edges[0].Node.ID
		actionID, adoptedID, draftID := act.A.ID, cm.C.ID, draft.C.ID

		const (
			search      = `query($t: String!) { searchTerritories(text: $t) { code } }`
			territories = `query($w: TerritoryWhereInput) { territories(where: $w, first: 10) { totalCount } }`
			actions     = `query($w: ActionWhereInput) { actions(where: $w) { totalCount } }`
			updateNote  = `mutation($id: ID!, $in: CommitmentInput!) { updateCommitment(id: $id, version: 1, input: $in) { id } }`
			participant = `mutation($o: String!) { addCopParticipant(region: "53", edition: 2026, organisation: $o, kind: OTHER) { id } }`
			document    = `mutation($t: String!, $u: String!) { addCopDocument(region: "53", edition: 2026, title: $t, url: $u) { id } }`
			observe     = `mutation($in: [ObservationInput!]!) { recordObservations(input: $in) { id } }`
		)
		newAction := func(fields map[string]any) map[string]any {
			in := map[string]any{"territory": tk("EPCI:243500139"), "title": "Action", "startYear": 2025}
			for k, v := range fields {
				in[k] = v
			}
			return map[string]any{"in": in}
		}
		update := func(fields map[string]any) map[string]any {
			return map[string]any{"id": actionID, "v": 1, "in": fields}
		}
		newCommitment := func(fields map[string]any) map[string]any {
			in := map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "ktco2e": 1}
			for k, v := range fields {
				in[k] = v
			}
			return map[string]any{"in": in}
		}
		observation := func(fields map[string]any) map[string]any {
			o := map[string]any{"territory": tk("EPCI:243500139"), "sector": "transports", "metric": "GHG_EMISSIONS", "year": 2024, "value": 10}
			for k, v := range fields {
				o[k] = v
			}
			return map[string]any{"in": []any{o}}
		}
		deep := `{ territory(level: COMMUNE, code: "35238") { ` + strings.Repeat(`parents { parent { `, 25) + `code` + strings.Repeat(` } }`, 25) + ` } }`
		var aliases strings.Builder
		aliases.WriteString("{")
		for i := range 1000 {
			fmt.Fprintf(&aliases, ` a%d: territory(level: REGION, code: "53") { name }`, i)
		}
		aliases.WriteString(" }")
		longName := strings.Repeat("N", 200_000)
		big := func(n int) string { return strings.Repeat("é", n) }
		const nul = "Rennes\x00 Métropole"

		cases := []abuse{
			// 1. Searches and filters that kept PostgreSQL busy for half an hour.
			{name: "search of 50,000 words (100 KB)", query: search, vars: map[string]any{"t": words(50_000)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "search of 10,000 words", query: search, vars: map[string]any{"t": words(10_000)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "search of 5,000 words", query: search, vars: map[string]any{"t": words(5_000)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "search of 1,000 words", query: search, vars: map[string]any{"t": words(1_000)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "search of 11 words", query: search, vars: map[string]any{"t": words(11)}, status: 200, code: "BAD_USER_INPUT", msg: "11 words, at most 10"},
			{name: "search word of 51 letters", query: search, vars: map[string]any{"t": strings.Repeat("a", 51)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 50"},
			{name: "search over 500 characters", query: search, vars: map[string]any{"t": strings.Repeat("ab ", 170)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "filter of 20,000 alternatives", query: territories, vars: map[string]any{"w": orTerms(20_000, "nameContains")}, status: 200, code: "BAD_USER_INPUT", msg: "has 20000 entries, at most 1000"},
			{name: "filter of 900 alternatives", query: territories, vars: map[string]any{"w": orTerms(900, "nameContains")}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "variables of 30,000 values", query: territories, vars: map[string]any{"w": map[string]any{"nameIn": strs(900, "a")}, "x": func() []any {
				out := make([]any, 40)
				for i := range out {
					out[i] = strs(900, "b")
				}
				return out
			}()}, status: 200, code: "BAD_USER_INPUT", msg: "more than 20000 values"},
			{name: "filter of 51 alternatives", query: territories, vars: map[string]any{"w": orTerms(51, "nameContains")}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "filter of 60 nested nots", query: territories, vars: map[string]any{"w": nested(60)}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "filter of 51 ands", query: territories, vars: map[string]any{"w": map[string]any{"and": orTerms(51, "codeHasPrefix")["or"]}}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "filter inline, 2,000 alternatives", query: `{ territories(where: {or: [` + strings.Repeat(`{nameContains: "N"},`, 2000) + `]}) { totalCount } }`, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "two filters of 30 alternatives", query: territories, vars: map[string]any{"w": map[string]any{"and": []any{orTerms(30, "nameContains"), orTerms(30, "codeHasPrefix")}}}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "actions filter of 100 alternatives", query: actions, vars: map[string]any{"w": orTerms(100, "titleContains")}, status: 200, code: "BAD_USER_INPUT", msg: "more than 50 terms"},
			{name: "filter text of 501 characters", query: territories, vars: map[string]any{"w": map[string]any{"nameContains": strings.Repeat("a", 501)}}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},
			{name: "filter text of 100 KB", query: territories, vars: map[string]any{"w": map[string]any{"nameContains": strings.Repeat("a", 100_000)}}, status: 200, code: "BAD_USER_INPUT", msg: "at most 500"},

			// 2. Amounts past the ceilings.
			{name: "budget 1.7e308", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"budget": 1.7e308}), status: 200, code: "BAD_USER_INPUT", msg: "budget must be a finite amount from 0 to 1e+12"},
			{name: "budget just over 1e12", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"budget": 1.0000001e12}), status: 200, code: "BAD_USER_INPUT", msg: "budget"},
			{name: "negative budget", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"budget": -1}), status: 200, code: "BAD_USER_INPUT", msg: "budget"},
			{name: "budget 1e400 (not a float)", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"budget": json.Number("1e400")}), status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
			{name: "effect 1e7 ktCO2e", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"effectKtco2e": 1e7}), status: 200, code: "BAD_USER_INPUT", msg: "effectKtco2e"},
			{name: "physical effect 1e10", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"lever": "augm_voitelec", "effectPhysical": 1e10}), status: 200, code: "BAD_USER_INPUT", msg: "effectPhysical"},
			{name: "update to budget 1.7e308", as: "contributor", query: updateActionQ, vars: update(map[string]any{"budget": 1.7e308}), status: 200, code: "BAD_USER_INPUT", msg: "budget"},
			{name: "commitment of 1e308 ktCO2e", as: "contributor", query: createCommitmentQ, vars: newCommitment(map[string]any{"ktco2e": 1e308}), status: 200, code: "BAD_USER_INPUT", msg: "ktco2e"},
			{name: "commitment update to 1e7 ktCO2e", as: "contributor", query: updateNote, vars: map[string]any{"id": draftID, "in": map[string]any{"ktco2e": 1e7}}, status: 200, code: "BAD_USER_INPUT", msg: "ktco2e"},
			{name: "observation of 1e13", as: "contributor", query: observe, vars: observation(map[string]any{"value": 1e13}), status: 200, code: "BAD_USER_INPUT", msg: "observation 1"},
			{name: "start year 1999", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"startYear": 1999}), status: 200, code: "BAD_USER_INPUT", msg: "startYear 1999 is out of range"},
			{name: "end before start", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"endYear": 2024}), status: 200, code: "BAD_USER_INPUT", msg: "before startYear"},
			{name: "COP edition 1 on an action", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"copEdition": 1}), status: 200, code: "BAD_USER_INPUT", msg: "copEdition 1 is out of range"},
			{name: "COP edition 99999", as: "coordinator", query: `mutation { createCop(region: "53", edition: 99999) { id } }`, status: 200, code: "BAD_USER_INPUT", msg: "edition 99999 is out of range"},
			{name: "commitment target year 3000", as: "contributor", query: createCommitmentQ, vars: newCommitment(map[string]any{"targetYear": 3000}), status: 200, code: "BAD_USER_INPUT", msg: "targetYear"},

			// 4. Reads that cost what they read.
			{name: "communes of 101 departments", query: `{ territories(where: {level: DEPARTMENT}, first: 101) { edges { node { rollupBy(groupBy: CHILD, level: COMMUNE) { territory { code } rollup { budget } } } } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "communes of any 100 territories", query: `{ territories(first: 100) { edges { node { rollupBy(groupBy: CHILD, level: COMMUNE) { territory { code } rollup { budget } } } } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "communes of 5 departments by alias", query: `{ ` + strings.Repeat(`x`, 0) + `a: territory(level: DEPARTMENT, code: "62") { ...C } b: territory(level: DEPARTMENT, code: "59") { ...C } c: territory(level: DEPARTMENT, code: "02") { ...C } d: territory(level: DEPARTMENT, code: "80") { ...C } e: territory(level: DEPARTMENT, code: "76") { ...C } } fragment C on Territory { rollupBy(groupBy: CHILD, level: COMMUNE) { territory { code name } rollup { budget } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "France broken down to communes twice", query: `{ a: territory(level: COUNTRY, code: "FR") { breakdown(level: COMMUNE) { shares { territory { code } weight } } } b: territory(level: COUNTRY, code: "FR") { breakdown(level: COMMUNE) { shares { territory { code } weight } } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "France's communes ten times", query: `{ ` + strings.Repeat(`territory(level: COUNTRY, code: "FR") { descendants(level: COMMUNE, first: 1000) { edges { node { code } } } } `, 1)[:0] + func() string {
				var b strings.Builder
				for i := range 10 {
					fmt.Fprintf(&b, `t%d: territory(level: COUNTRY, code: "FR") { descendants(level: COMMUNE, first: 1000) { edges { node { code } } } } `, i)
				}
				return b.String()
			}() + `}`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "children of 1,000 x 1,000", query: `{ territories(first: 1000) { edges { node { children(first: 1000) { edges { node { code name } } } } } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "live roll-ups of 100 territories' communes", query: `{ territories(first: 100) { edges { node { rollupBy(groupBy: CHILD, level: COMMUNE, filter: {year: 2025}) { rollup { budget } } } } } }`, status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED"},
			{name: "a region's communes: over 1,000 rows", query: `{ territory(level: REGION, code: "44") { rollupBy(groupBy: CHILD, level: COMMUNE) { rollup { budget } } } }`, status: 200, code: "BAD_USER_INPUT", msg: "more than 1000"},
			{name: "rollupBy CHILD without a level", query: `{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD) { rollup { budget } } } }`, status: 200, code: "BAD_USER_INPUT", msg: "CHILD rows need a level"},
			{name: "nested 50 levels", query: deep, status: 200, code: "QUERY_TOO_COMPLEX"},
			{name: "1,000 aliases", query: aliases.String(), status: 200, code: "QUERY_TOO_COMPLEX"},

			// 6. Texts past their limits.
			{name: "title of 999,700 characters", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"title": strings.Repeat("a", 999_700)}), status: 200, code: "BAD_USER_INPUT", msg: "title has 999700 characters, at most 200"},
			{name: "title of 201 characters", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"title": big(201)}), status: 200, code: "BAD_USER_INPUT", msg: "title has 201 characters, at most 200"},
			{name: "title of spaces", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"title": "      "}), status: 200, code: "BAD_USER_INPUT", msg: "title is required"},
			{name: "empty title", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"title": ""}), status: 200, code: "BAD_USER_INPUT", msg: "title is required"},
			{name: "description of 300 KB", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"description": strings.Repeat("a", 300_000)}), status: 200, code: "BAD_USER_INPUT", msg: "description has 300000 characters, at most 10000"},
			{name: "40,000 funding sources", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"fundingSources": strs(40_000, "Fonds vert")}), status: 200, code: "BAD_USER_INPUT", msg: "has 40000 entries, at most 1000"},
			{name: "51 funding sources", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"fundingSources": strs(51, "Fonds vert")}), status: 200, code: "BAD_USER_INPUT", msg: "fundingSources has 51 entries, at most 50"},
			{name: "a funding source of 201 characters", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"fundingSources": []any{big(201)}}), status: 200, code: "BAD_USER_INPUT", msg: "fundingSources[0] has 201 characters"},
			{name: "a funding source of spaces", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"fundingSources": []any{"  "}}), status: 200, code: "BAD_USER_INPUT", msg: "fundingSources[0] is required"},
			{name: "21 links", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"links": strs(21, "https://example.org")}), status: 200, code: "BAD_USER_INPUT", msg: "links has 21 entries, at most 20"},
			{name: "a script link", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"links": []any{"javascript:alert(1)"}}), status: 200, code: "BAD_USER_INPUT", msg: "not an absolute http or https address"},
			{name: "update: description of 300 KB", as: "contributor", query: updateActionQ, vars: update(map[string]any{"description": strings.Repeat("a", 300_000)}), status: 200, code: "BAD_USER_INPUT", msg: "description has 300000 characters"},
			{name: "update: 51 funding sources", as: "contributor", query: updateActionQ, vars: update(map[string]any{"fundingSources": strs(51, "DSIL")}), status: 200, code: "BAD_USER_INPUT", msg: "fundingSources has 51 entries"},
			{name: "update: title of spaces", as: "contributor", query: updateActionQ, vars: update(map[string]any{"title": " \t "}), status: 200, code: "BAD_USER_INPUT", msg: "title is required"},
			{name: "note of 2,001 characters", as: "contributor", query: createCommitmentQ, vars: newCommitment(map[string]any{"note": big(2001)}), status: 200, code: "BAD_USER_INPUT", msg: "note has 2001 characters, at most 2000"},
			{name: "update: note of 300 KB", as: "contributor", query: updateNote, vars: map[string]any{"id": draftID, "in": map[string]any{"note": strings.Repeat("a", 300_000)}}, status: 200, code: "BAD_USER_INPUT", msg: "note has 300000 characters"},
			{name: "COP title of 201 characters", as: "coordinator", query: `mutation($t: String) { createCop(region: "53", edition: 2027, title: $t) { id } }`, vars: map[string]any{"t": big(201)}, status: 200, code: "BAD_USER_INPUT", msg: "title has 201 characters, at most 200"},
			{name: "participant of 201 characters", as: "coordinator", query: participant, vars: map[string]any{"o": big(201)}, status: 200, code: "BAD_USER_INPUT", msg: "organisation has 201 characters, at most 200"},
			{name: "participant of spaces", as: "coordinator", query: participant, vars: map[string]any{"o": "   "}, status: 200, code: "BAD_USER_INPUT", msg: "organisation is required"},
			{name: "participant of 5 MiB", as: "coordinator", query: participant, vars: map[string]any{"o": strings.Repeat("a", 5<<20)}, status: 413, code: "REQUEST_TOO_LARGE"},
			{name: "document title of 301 characters", as: "coordinator", query: document, vars: map[string]any{"t": big(301), "u": "https://example.org/a.pdf"}, status: 200, code: "BAD_USER_INPUT", msg: "title has 301 characters, at most 300"},
			{name: "document without a title", as: "coordinator", query: document, vars: map[string]any{"t": " ", "u": "https://example.org/a.pdf"}, status: 200, code: "BAD_USER_INPUT", msg: "title is required"},
			{name: "document at an ftp address", as: "coordinator", query: document, vars: map[string]any{"t": "Diagnostic", "u": "ftp://example.org/a.pdf"}, status: 200, code: "BAD_USER_INPUT", msg: "not an absolute http or https address"},
			{name: "document address of 2,001 characters", as: "coordinator", query: document, vars: map[string]any{"t": "Diagnostic", "u": "https://example.org/" + strings.Repeat("a", 1990)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 2000"},
			{name: "observation source of 301 characters", as: "contributor", query: observe, vars: observation(map[string]any{"source": big(301)}), status: 200, code: "BAD_USER_INPUT", msg: "source has 301 characters"},
			{name: "observation unit of 201 characters", as: "contributor", query: observe, vars: observation(map[string]any{"unit": big(201)}), status: 200, code: "BAD_USER_INPUT", msg: "unit has 201 characters"},
			{name: "1,001 observations", as: "contributor", query: observe, vars: map[string]any{"in": func() []any {
				o := observation(nil)["in"].([]any)[0]
				out := make([]any, 1001)
				for i := range out {
					out[i] = o
				}
				return out
			}()}, status: 200, code: "BAD_USER_INPUT", msg: "at most 1000"},
			{name: "no observation", as: "contributor", query: observe, vars: map[string]any{"in": []any{}}, status: 200, code: "BAD_USER_INPUT", msg: "give 1 to 1000 observations"},
			{name: "idempotency key of 201 characters", as: "contributor", query: createActionQ, vars: map[string]any{"in": newAction(nil)["in"], "k": strings.Repeat("k", 201)}, status: 200, code: "BAD_USER_INPUT", msg: "idempotencyKey must have 1 to 200 characters"},

			// 7. Operation names that would grow the metrics.
			{name: "operation name of 200,000 letters", query: `query ` + longName + ` { __typename }`, status: 200, code: "BAD_USER_INPUT", msg: "the operation name has 200000 characters, at most 100"},
			{name: "operation name of 101 letters", query: `query ` + strings.Repeat("Q", 101) + ` { __typename }`, status: 200, code: "BAD_USER_INPUT", msg: "at most 100"},
			{name: "unknown operation name of 100,000 letters", method: http.MethodPost, contentType: "application/json",
				body: `{"query": "query A { __typename }", "operationName": "` + strings.Repeat("Z", 100_000) + `"}`, status: 200, code: "BAD_USER_INPUT", msg: "at most 100"},
			{name: "unknown operation name", method: http.MethodPost, contentType: "application/json",
				body: `{"query": "query A { __typename }", "operationName": "B"}`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},

			// 10. NUL characters, stored by SQLite and refused by PostgreSQL: refused by both.
			{name: "NUL in a title", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"title": nul}), status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a description", as: "contributor", query: updateActionQ, vars: update(map[string]any{"description": nul}), status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a funding source", as: "contributor", query: createActionQ, vars: newAction(map[string]any{"fundingSources": []any{nul}}), status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a search", query: search, vars: map[string]any{"t": nul}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a territory code", query: `query($c: String!) { territory(level: EPCI, code: $c) { name } }`, vars: map[string]any{"c": "2435\x0000139"}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a filter", query: territories, vars: map[string]any{"w": map[string]any{"nameContains": nul}}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a note", as: "contributor", query: createCommitmentQ, vars: newCommitment(map[string]any{"note": nul}), status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in an observation source", as: "contributor", query: observe, vars: observation(map[string]any{"source": nul}), status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a participant", as: "coordinator", query: participant, vars: map[string]any{"o": nul}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a lever code", query: `query($c: String!) { lever(code: $c) { name } }`, vars: map[string]any{"c": "augm\x00"}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a region", query: `query($r: String!) { roadmap(region: $r, edition: 2024) { gap } }`, vars: map[string]any{"r": "5\x003"}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in an idempotency key", as: "contributor", query: createActionQ, vars: map[string]any{"in": newAction(nil)["in"], "k": "k\x00"}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},
			{name: "NUL in a COP title", as: "coordinator", query: `mutation($t: String) { createCop(region: "53", edition: 2027, title: $t) { id } }`, vars: map[string]any{"t": nul}, status: 200, code: "BAD_USER_INPUT", msg: "NUL"},

			// 11. Client mistakes that were server errors.
			{name: "first and last", query: `{ territories(first: 10, last: 10) { totalCount } }`, status: 200, code: "BAD_USER_INPUT", msg: "give first or last, not both"},
			{name: "first and last of children", query: `{ territory(level: REGION, code: "53") { children(first: 1, last: 1) { totalCount } } }`, status: 200, code: "BAD_USER_INPUT", msg: "not both"},
			{name: "60,000 ids", query: territories, vars: map[string]any{"w": map[string]any{"idIn": ints(60_000)}}, status: 200, code: "BAD_USER_INPUT", msg: "has 60000 entries, at most 1000"},
			{name: "1,001 codes", query: territories, vars: map[string]any{"w": map[string]any{"codeIn": strs(1001, "35")}}, status: 200, code: "BAD_USER_INPUT", msg: "has 1001 entries, at most 1000"},
			{name: "nodes of 60,000 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ints(60_000)}, status: 200, code: "BAD_USER_INPUT", msg: "at most 1000"},
			{name: "60,000 levels", query: `query($l: [TerritoryLevel!]) { searchTerritories(text: "rennes", levels: $l) { code } }`, vars: map[string]any{"l": strs(60_000, "EPCI")}, status: 200, code: "BAD_USER_INPUT", msg: "at most 1000"},
			{name: "20,000 action statuses in a roll-up", query: `query($s: [ActionStatus!]) { territory(level: REGION, code: "53") { rollup(filter: {actionStatus: $s}) { budget } } }`, vars: map[string]any{"s": strs(20_000, "DONE")}, status: 200, code: "BAD_USER_INPUT", msg: "at most 1000"},
			{name: "first -1", query: `{ territories(first: -1) { totalCount } }`, status: 200, code: "BAD_USER_INPUT", msg: "first must be between 0 and 1000"},
			{name: "first of two billion", query: `{ territories(first: 2000000000) { edges { node { code } } } }`, status: 200, code: "BAD_USER_INPUT", msg: "first must be between 0 and 1000"},

			// 12. Requests that are not GraphQL requests, and what they were answered.
			{name: "chunked body over 1 MiB", method: http.MethodPost, contentType: "application/json", chunked: true,
				body: `{"query": "{ __typename }", "variables": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`, status: 413, code: "REQUEST_TOO_LARGE"},
			{name: "body of 10 MiB", method: http.MethodPost, contentType: "application/json",
				body: `{"query": "{ __typename }", "variables": {"x": "` + strings.Repeat("a", 10<<20) + `"}}`, status: 413, code: "REQUEST_TOO_LARGE"},
			{name: "mutation sent with GET", method: http.MethodGet, rawQuery: url.Values{"query": {`mutation { withdrawAction(id: ` + actionID + `, version: 1) { id } }`}}.Encode(),
				status: 405, code: "METHOD_NOT_ALLOWED", check: func(t *testing.T, rec *httptest.ResponseRecorder) {
					if rec.Header().Get("Allow") != "POST" {
						t.Errorf("Allow: %q", rec.Header().Get("Allow"))
					}
				}},
			{name: "malformed JSON", method: http.MethodPost, contentType: "application/json", body: `{"query": "{ territory`, status: 400, code: "BAD_REQUEST", msg: "not valid JSON"},
			{name: "malformed body of 1 MB", method: http.MethodPost, contentType: "application/json", body: `{"query": "` + strings.Repeat("{ x ", 250_000), status: 400, code: "BAD_REQUEST", msg: "not valid JSON"},
			{name: "a JSON array", method: http.MethodPost, contentType: "application/json", body: `[1]`, status: 400, code: "BAD_REQUEST", msg: "must be a JSON object"},
			{name: "a batch of 100", method: http.MethodPost, contentType: "application/json", body: "[" + strings.TrimSuffix(strings.Repeat(`{"query": "{ __typename }"},`, 100), ",") + "]", status: 400, code: "BAD_REQUEST"},
			{name: "variables not an object", method: http.MethodPost, contentType: "application/json", body: `{"query": "{ __typename }", "variables": [1]}`, status: 400, code: "BAD_REQUEST", msg: "must be a JSON object"},
			{name: "a query that is a number", method: http.MethodPost, contentType: "application/json", body: `{"query": 5}`, status: 400, code: "BAD_REQUEST"},
			{name: "no query", method: http.MethodPost, contentType: "application/json", body: `{"variables": {}}`, status: 400},
			{name: "GET with a bad escape", method: http.MethodGet, rawQuery: "query=%zz", status: 400, code: "BAD_REQUEST", msg: "not a valid URL query"},
			{name: "GET with variables not JSON", method: http.MethodGet, rawQuery: "query=%7B__typename%7D&variables=x", status: 400, code: "BAD_REQUEST"},
			{name: "an id that is not a number", query: `{ node(id: "abc") { id } }`, status: 200, code: "BAD_USER_INPUT", msg: `"abc" is not an id`},
			{name: "a cursor that is not one", query: `{ territories(after: "AAAA") { totalCount } }`, status: 200, code: "BAD_USER_INPUT", msg: "not a cursor"},
			{name: "a cursor that is not base64", query: `{ territories(after: "not-a-cursor") { totalCount } }`, status: 200, code: "BAD_USER_INPUT", msg: "not a cursor"},
			{name: "a field named 100,000 letters", query: `{ ` + strings.Repeat("f", 100_000) + ` }`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},

			// 14. Who may do what.
			{name: "audit log without a key", query: `{ auditLog { totalCount } }`, status: 200, code: "UNAUTHENTICATED", msg: "audit log needs an API key"},
			{name: "an audit entry by its id, without a key", query: `query($id: ID!) { node(id: $id) { id } }`, vars: map[string]any{"id": auditID}, status: 200, code: "UNAUTHENTICATED"},
			{name: "audit entries by their ids, without a key", query: `query($id: ID!) { nodes(ids: [$id]) { id } }`, vars: map[string]any{"id": auditID}, status: 200, code: "UNAUTHENTICATED"},
			{name: "contributor withdraws an adopted commitment", as: "contributor", query: withdrawCommitmentQ, vars: map[string]any{"id": adoptedID, "v": 2}, status: 200, code: "FORBIDDEN"},
			{name: "contributor sends an adopted commitment back", as: "contributor", query: transitionQ, vars: map[string]any{"id": adoptedID, "v": 2, "to": "SUBMITTED"}, status: 200, code: "FORBIDDEN"},
			{name: "a draft adopted at once", as: "contributor", query: transitionQ, vars: map[string]any{"id": draftID, "v": 1, "to": "ADOPTED"}, status: 200, code: "BAD_USER_INPUT", msg: "cannot go from DRAFT to ADOPTED"},
			{name: "write without a key", query: createActionQ, vars: newAction(nil), status: 200, code: "UNAUTHENTICATED"},
			{name: "write with a reader's key", as: "reader", query: createActionQ, vars: newAction(nil), status: 200, code: "FORBIDDEN"},
			{name: "write outside the key's territory", as: "other", query: createActionQ, vars: newAction(nil), status: 200, code: "FORBIDDEN"},
			{name: "update outside the key's territory", as: "other", query: updateActionQ, vars: update(map[string]any{"budget": 5}), status: 200, code: "FORBIDDEN"},
			{name: "a contributor runs the COP", as: "contributor", query: participant, vars: map[string]any{"o": "Intrus"}, status: 200, code: "FORBIDDEN"},
			{name: "a forged key", query: createActionQ, vars: newAction(nil), header: map[string]string{"Authorization": "Bearer cop_0000000000_forged"}, status: 200, code: "UNAUTHENTICATED"},
			{name: "a stale version", as: "contributor", query: updateActionQ, vars: map[string]any{"id": actionID, "v": 7, "in": map[string]any{"budget": 5}}, status: 200, code: "CONFLICT"},
			{name: "an idempotency key reused for another request", as: "contributor", query: createActionQ, vars: map[string]any{"in": newAction(map[string]any{"title": "Autre"})["in"], "k": "k-1"}, status: 200, code: "CONFLICT"},
			{name: "an unknown carrier", as: "admin", query: createActionQ, vars: map[string]any{"in": map[string]any{"territory": tk("EPCI:000000000"), "title": "x", "startYear": 2025}}, status: 200, code: "BAD_USER_INPUT", msg: "no territory"},
			{name: "a step that ends before it starts", as: "coordinator", query: `mutation { updateCopStep(region: "53", edition: 2026, step: DIAGNOSTIC, startsOn: "2026-05-01T00:00:00Z", endsOn: "2026-04-01T00:00:00Z") { id } }`, status: 200, code: "BAD_USER_INPUT", msg: "ends"},
			{name: "preflight from the null origin", method: http.MethodOptions, header: map[string]string{"Origin": "null", "Access-Control-Request-Method": "POST"},
				check: func(t *testing.T, rec *httptest.ResponseRecorder) {
					if o := rec.Header().Get("Access-Control-Allow-Origin"); o != "" {
						t.Errorf("the null origin is allowed: %q", o)
					}
				}},
			{name: "a page on another site", method: http.MethodPost, contentType: "application/json", body: `{"query": "{ __typename }"}`,
				header: map[string]string{"Origin": "https://ailleurs.example.org"}, status: 200,
				check: func(t *testing.T, rec *httptest.ResponseRecorder) {
					if o := rec.Header().Get("Access-Control-Allow-Origin"); o != "*" || rec.Header().Get("Access-Control-Allow-Credentials") != "" {
						t.Errorf("CORS: %v", rec.Header())
					}
				}},
		}
		if len(cases) < 80 {
			t.Fatalf("%d cases, the catalogue needs at least 80", len(cases))
		}
		before := writes(t, db)
		for _, tc := range cases {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				rec := sendAbuse(t, a, keys[tc.as], tc)
				if tc.status != 0 && rec.Code != tc.status {
					t.Errorf("status %d, want %d: %.300s", rec.Code, tc.status, rec.Body.String())
				}
				if tc.check != nil {
					tc.check(t, rec)
				}
				var r response
				if tc.code != "" || tc.msg != "" {
					if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
						t.Fatalf("answer is not JSON: %.300s", rec.Body.String())
					}
					if len(r.Errors) == 0 {
						t.Fatalf("no error: %.300s", rec.Body.String())
					}
					if tc.code != "" && r.Errors[0].code() != tc.code {
						t.Errorf("code %q (%q), want %s", r.Errors[0].code(), r.Errors[0].Message, tc.code)
					}
					if !strings.Contains(r.Errors[0].Message, tc.msg) {
						t.Errorf("message %q, want it to say %q", r.Errors[0].Message, tc.msg)
					}
				}
				for _, e := range r.Errors {
					if n := len([]rune(e.Message)); n > 301 {
						t.Errorf("a message of %d characters", n)
					}
					for _, leak := range append(leaks, "strconv", "msgpack", "Go value", "graphql.", "json:", "body:", "unmarshal") {
						if strings.Contains(e.Message, leak) {
							t.Errorf("message %q names %q", e.Message, leak)
						}
					}
				}
				if after := writes(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("something was written:\nbefore %v\nafter  %v", before, after)
				}
			})
		}

		// 7. The refused names did not grow the metrics.
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if n := rec.Body.Len(); n > 64<<10 || strings.Contains(rec.Body.String(), "NNNNNNNNNN") {
			t.Errorf("/metrics has %d bytes after the catalogue", n)
		}
		t.Logf("%d cases; /metrics %d bytes", len(cases), rec.Body.Len())
	})
}

// sendAbuse sends one request of the catalogue to the handler.
func sendAbuse(t *testing.T, a *api, key string, tc abuse) *httptest.ResponseRecorder {
	t.Helper()
	method, ctype, body := tc.method, tc.contentType, tc.body
	if tc.query != "" {
		b, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
		if err != nil {
			t.Fatal(err)
		}
		method, ctype, body = http.MethodPost, "application/json", string(b)
	}
	target := "/graphql"
	if tc.rawQuery != "" {
		target += "?" + tc.rawQuery
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tc.chunked {
		req.ContentLength = -1
		req.Body = io.NopCloser(strings.NewReader(body))
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range tc.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}
