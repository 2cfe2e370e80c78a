package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/store"
)

// recorded posts an operation and returns the text of the statements it ran, in lower
// case.
func (a *api) recorded(query string) []string {
	a.t.Helper()
	stop := a.db.Statements.Record()
	var out map[string]any
	a.query(query, nil, &out)
	text := stop()
	for i, s := range text {
		text[i] = strings.ToLower(s)
	}
	return text
}

// reading returns the statements of text that hold any of words.
func reading(text []string, words ...string) []string {
	var out []string
	for _, s := range text {
		for _, w := range words {
			if strings.Contains(s, w) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// Words of the statements that read each part: the commitments (their table, or their
// roll-up cells, kind 'COMMITMENT'), the objectives (their table, or the goal cells),
// the observations, and a separate count.
var (
	commitmentWords  = []string{"commitment"}
	objectiveWords   = []string{"objective", "goal_cell"}
	observationWords = []string{"observation"}
	countWords       = []string{"count(*)"}
)

// TestWorkOnlyForTheFieldsAsked checks, statement by statement, that roll-ups, rows,
// rankings, dashboards, comparisons and connections read only what the operation selects:
// no commitment without a commitment figure, no objective without objectiveKtco2e,
// coverage or gap, no observation without latest or diagnostic, no count without
// totalCount.
func TestWorkOnlyForTheFieldsAsked(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		l, err := db.Client.Lever.Query().First(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		type check struct {
			name  string
			query string
			none  []string // no statement holds these words
			some  []string // some statement does
		}
		const region = `territory(level: REGION, code: "53")`
		compare := `{ compare(territories: [{level: REGION, code: "53"}, {level: EPCI, code: "243500139"}], lever: "` + l.Code + `") { territory { code } %s } }`
		ranking := `{ ` + region + ` { ranking(level: EPCI, orderBy: {by: %s}, first: 10) { %s edges { node { territory { code } rollup { %s } } } } } }`
		var objectiveOrCommitment []string
		objectiveOrCommitment = append(append(objectiveOrCommitment, commitmentWords...), objectiveWords...)
		for _, c := range []check{
			{"a roll-up, actionCount and budget", `{ ` + region + ` { rollup { actionCount budget } } }`, objectiveOrCommitment, nil},
			{"a roll-up of 2026 (from the records), actionCount and budget", `{ ` + region + ` { rollup(filter: {year: 2026}) { actionCount budget } } }`, objectiveOrCommitment, nil},
			{"a roll-up, adoptedKtco2e", `{ ` + region + ` { rollup { actionCount adoptedKtco2e } } }`, objectiveWords, commitmentWords},
			{"a roll-up, committed", `{ ` + region + ` { rollup { committed { count } } } }`, objectiveWords, commitmentWords},
			{"a roll-up, objectiveKtco2e", `{ ` + region + ` { rollup { budget objectiveKtco2e } } }`, commitmentWords, objectiveWords},
			{"a roll-up, coverage", `{ ` + region + ` { rollup { coverage } } }`, nil, objectiveOrCommitment},
			{"rows by department, actionCount and budget", `{ ` + region + ` { rollupBy(groupBy: CHILD, level: DEPARTMENT) { territory { code } rollup { actionCount budget } } } }`, objectiveWords, nil},
			{"rows by department ordered by budget", `{ ` + region + ` { rollupBy(groupBy: CHILD, level: DEPARTMENT, orderBy: {by: BUDGET}) { rank rollup { budget } } } }`, objectiveWords, nil},
			{"rows by department ordered by gap", `{ ` + region + ` { rollupBy(groupBy: CHILD, level: DEPARTMENT, orderBy: {by: GAP}) { rank rollup { budget } } } }`, nil, objectiveWords},
			{"a ranking by budget, actionCount and budget", fmt.Sprintf(ranking, "BUDGET", "", "actionCount budget"), append(objectiveOrCommitment, countWords...), nil},
			{"a ranking by budget with its total count", fmt.Sprintf(ranking, "BUDGET", "totalCount", "actionCount budget"), append(objectiveOrCommitment, countWords...), nil},
			{"a ranking by adoptedKtco2e", fmt.Sprintf(ranking, "ADOPTED_KTCO2E", "", "budget"), objectiveWords, commitmentWords},
			{"a ranking by budget, gap", fmt.Sprintf(ranking, "BUDGET", "", "gap"), nil, objectiveOrCommitment},
			{"a region's rank by budget", `{ ` + region + ` { rank(orderBy: {by: BUDGET}) { rank rollup { budget } } } }`, objectiveOrCommitment, nil},
			{"a dashboard without observations", `{ ` + region + ` { dashboard { sector { code } ghgAvoided levers { lever { code } ghgAvoided physicalTarget } } } }`, observationWords, objectiveWords},
			{"a dashboard with the latest observations", `{ ` + region + ` { dashboard { sector { code } levers { lever { code } latest { value } } } } }`, nil, observationWords},
			{"a comparison of roll-ups, budget", fmt.Sprintf(compare, "rollup { budget }"), append(append(observationWords, objectiveWords...), commitmentWords...), nil},
			{"a comparison of objectives", fmt.Sprintf(compare, "objectives { targetValue }"), append(observationWords, commitmentWords...), objectiveWords},
			{"a comparison of diagnostics", fmt.Sprintf(compare, "diagnostic { status }"), commitmentWords, append(observationWords, objectiveWords...)},
			{"actions with pageInfo", `{ actions(first: 10) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, countWords, nil},
			{"a territory's actions with pageInfo", `{ ` + region + ` { actions(first: 10) { pageInfo { hasNextPage } edges { node { id } } } } }`, countWords, nil},
			{"commitments with pageInfo", `{ commitments(first: 10) { pageInfo { hasNextPage } edges { node { id } } } }`, countWords, nil},
			{"levers with pageInfo", `{ levers(first: 10) { pageInfo { hasNextPage } edges { node { code } } } }`, countWords, nil},
			{"COPs with pageInfo", `{ cops(first: 10) { pageInfo { hasNextPage } edges { node { edition } } } }`, countWords, nil},
			{"a territory and its children, codes and names", `{ territory(level: DEPARTMENT, code: "35") { code children(level: EPCI) { edges { node { code name } } } } }`, []string{"search_key", "postal_codes", `"siren"`, `"nature"`}, nil},
			{"a territory's children with their postal codes", `{ territory(level: EPCI, code: "243500139") { children(level: COMMUNE) { edges { node { postalCodes } } } } }`, nil, []string{"postal_codes"}},
			{"a page of territories with their parents and roll-ups", `{ territories(first: 10, where: {level: EPCI}) { edges { node { code parents { weight } rollup { budget } } } } }`, []string{"search_key", "postal_codes"}, nil},
		} {
			text := a.recorded(c.query)
			if got := reading(text, c.none...); len(got) > 0 {
				t.Errorf("%s: %d statements read what is not asked (%v):\n  %s", c.name, len(got), c.none, strings.Join(got, "\n  "))
			}
			if len(c.some) > 0 && len(reading(text, c.some...)) == 0 {
				t.Errorf("%s: no statement reads %v:\n  %s", c.name, c.some, strings.Join(text, "\n  "))
			}
		}

		// Rows by department read the commitments the region carries itself (they make
		// the last row), not those of the departments' cells.
		text := a.recorded(`{ ` + region + ` { rollupBy(groupBy: CHILD, level: DEPARTMENT) { rollup { budget } } } }`)
		if got := reading(reading(text, "rollup_cells"), commitmentWords...); len(got) > 0 {
			t.Errorf("rows by department, budget: the cells read commit to commitments:\n  %s", strings.Join(got, "\n  "))
		}

		// A first page with its total count: one statement, the count in it.
		for _, q := range []string{
			`{ actions(first: 10) { totalCount edges { node { id } } } }`,
			`{ commitments(first: 10) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`,
			`{ levers(first: 10) { totalCount edges { node { code } } } }`,
		} {
			if n := len(a.recorded(q)); n != 1 {
				t.Errorf("%s: %d statements, want 1", q, n)
			}
		}
	})
}
