package service

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/goalcell"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// goalTotals adds up, for each territory, its goals of q over every lever: the sum of the
// targets of goalsOf's goals, for callers that show only that sum (roll-ups). q must ask
// for levers' objectives in ktCO2e (planning.GHGAvoided); totals are in nano-units of a
// ktCO2e (planning.SumUnits). A territory without any goal has no entry. Communes, whose goals
// are parts of their department's, are not summed here: ok is false when one is asked.
//
// Without a sector filter the sums are read from the goal cells (one row per territory,
// kept by the imports); with one, own objectives filed under another sector are out of
// sight and no longer hide the derived ones, so the database adds the objectives up
// (goalSums). Both are SQL twins of the goal rules of planning (SumGoal, CountryCandidates):
// TestGoalTotals holds them, and goalsOf, to those on a sample of territories.
func (svc *Service) goalTotals(ctx context.Context, ts []*ent.Territory, q goalQuery) (totals map[int]int64, ok bool, err error) {
	return svc.addUpGoals(ctx, ts, q, q.cells())
}

// addUpGoals is goalTotals, from the goal cells or from the objectives.
func (svc *Service) addUpGoals(ctx context.Context, ts []*ent.Territory, q goalQuery, fromCells bool) (totals map[int]int64, ok bool, err error) {
	totals = map[int]int64{}
	if len(ts) == 0 {
		return totals, true, nil
	}
	var country *int
	ids := make([]int, 0, len(ts))
	for _, t := range ts {
		switch t.Level {
		case hierarchy.Commune:
			return nil, false, nil
		case hierarchy.Country:
			country = &t.ID
		}
		ids = append(ids, t.ID)
	}
	var s *sql.Selector
	if fromCells {
		lev := allLevers
		if q.lever != nil {
			lev = *q.lever
		}
		s = selectFrom(svc.client, goalcell.Table)
		goalcell.TerritoryIDIn(ids...)(s)
		goalcell.LeverID(lev)(s)
		s.Select(s.C(goalcell.FieldTerritoryID), s.C(goalcell.FieldUnits))
	} else {
		s = goalSums(svc.client, q, func(s *sql.Selector) { s.Where(sql.InInts(s.C(objective.FieldTerritoryID), ids...)) }, country, false)
	}
	rctx := ctx
	if fromCells {
		rctx = store.KeptPlan(ctx) // one row per territory, by its key
	}
	err = queryRows(rctx, svc.client, s, func(rows *sql.Rows) error {
		var t int
		var u int64
		if err := rows.Scan(&t, &u); err != nil {
			return err
		}
		totals[t] = u
		return nil
	})
	if err != nil {
		return nil, true, fmt.Errorf("add up objectives: %w", err)
	}
	return totals, true, nil
}

// cells tells whether the goal cells hold q's sums: GHG objectives of levers, of every
// sector, one lever or all.
func (q goalQuery) cells() bool {
	return len(q.sectors) == 0 && q.leversOnly && slices.Equal(q.metrics, []planning.Metric{planning.GHGAvoided})
}

// goalSums is the statement adding up the goals of q, per territory of those in selects,
// and per lever when perLever: columns t (territory), l (lever, when perLever) and u (the
// sum, in units). It applies the rules goalsOf applies per lever and metric: a derived
// objective counts only when the territory has no own one (planning.SumGoal); the country
// (when not nil) counts its own, and its regions' own for the levers it has none of
// (planning.CountryCandidates).
func goalSums(c *ent.Client, q goalQuery, in func(*sql.Selector), country *int, perLever bool) *sql.Selector {
	q.leversOnly = true
	scale := strconv.FormatFloat(math.Pow10(planning.SumDecimals), 'f', -1, 64)
	// Per territory, lever and metric: the own objectives' sum when there is one, else
	// the derived ones'. One pass over the objectives, grouped: no subquery per row.
	g := selectFrom(c, objective.Table)
	for _, p := range q.where() {
		p(g)
	}
	in(g)
	target := "ROUND(" + g.C(objective.FieldTargetValue) + " * " + scale + ")"
	own := "CASE WHEN " + g.C(objective.FieldDerived) + " THEN 0 ELSE "
	g.Select(sql.As(g.C(objective.FieldTerritoryID), "t"), sql.As(g.C(objective.FieldLeverID), "l"),
		sql.As("CASE WHEN SUM("+own+"1 END) > 0 THEN SUM("+own+target+" END) ELSE SUM("+target+") END", "u")).
		GroupBy(g.C(objective.FieldTerritoryID), g.C(objective.FieldLeverID), g.C(objective.FieldMetric))
	if country != nil {
		g.UnionAll(regionsOwn(q, *country, scale))
	}
	g.As("g")
	s := sql.Dialect(c.Driver().Dialect()).Select(g.C("t"))
	group := []string{g.C("t")}
	if perLever {
		s.AppendSelect(g.C("l"))
		group = append(group, g.C("l"))
	}
	return s.AppendSelect(sql.As("CAST(SUM("+g.C("u")+") AS BIGINT)", "u")).From(g).GroupBy(group...)
}

// regionsOwn is the part of the country's goals its regions' own objectives make: per
// lever and metric the country has no own objective of, their sum (columns t, the
// country, l and u). The regions' are summed per lever first, so that the country's own
// are looked for once per lever, not once per region and lever.
func regionsOwn(q goalQuery, country int, scale string) *sql.Selector {
	r := sql.Table(objective.Table).As("r")
	regions := sql.Table(territory.Table).As("region")
	perLever := sql.Select(sql.As(r.C(objective.FieldLeverID), "l"), sql.As(r.C(objective.FieldMetric), "m"),
		sql.As("SUM(ROUND("+r.C(objective.FieldTargetValue)+" * "+scale+"))", "u")).
		From(r).Join(regions).On(r.C(objective.FieldTerritoryID), regions.C(territory.FieldID))
	for _, p := range q.where() {
		p(perLever)
	}
	perLever.Where(sql.And(sql.EQ(regions.C(territory.FieldLevel), string(hierarchy.Region)),
		sql.EQ(r.C(objective.FieldDerived), false))).
		GroupBy(r.C(objective.FieldLeverID), r.C(objective.FieldMetric)).As("s")
	o := sql.Table(objective.Table).As("own")
	own := sql.Select(o.C(objective.FieldID)).From(o)
	for _, p := range q.where() {
		p(own)
	}
	own.Where(sql.And(sql.EQ(o.C(objective.FieldTerritoryID), country),
		sql.ColumnsEQ(o.C(objective.FieldLeverID), perLever.C("l")),
		sql.ColumnsEQ(o.C(objective.FieldMetric), perLever.C("m")),
		sql.EQ(o.C(objective.FieldDerived), false)))
	return sql.Select(sql.As("CAST("+strconv.Itoa(country)+" AS BIGINT)", "t"), perLever.C("l"), perLever.C("u")).
		From(perLever).Where(sql.NotExists(own))
}

// rebuildGoalCells recomputes every goal cell from the objectives, inside the caller's
// transaction: per territory above the communes, one cell per lever with GHG objectives
// and one for their sum (lever_id -1).
func rebuildGoalCells(ctx context.Context, c *ent.Client) error {
	if _, err := c.GoalCell.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild goal cells: %w", err)
	}
	var country *int
	switch id, err := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Country)).FirstID(ctx); {
	case err == nil:
		country = &id
	case !ent.IsNotFound(err):
		return fmt.Errorf("rebuild goal cells: %w", err)
	}
	q := RollupQuery{}.goals()
	sums := goalSums(c, q, func(s *sql.Selector) {
		above := sql.Select(territory.FieldID).From(sql.Table(territory.Table)).
			Where(sql.NEQ(territory.FieldLevel, string(hierarchy.Commune)))
		s.Where(sql.In(s.C(objective.FieldTerritoryID), above))
	}, country, true)
	query, args := sums.Query()
	insert := `INSERT INTO ` + goalcell.Table + ` (` + goalcell.FieldTerritoryID + `, ` + goalcell.FieldLeverID + `, ` + goalcell.FieldUnits + `) `
	if _, err := c.ExecContext(ctx, insert+query, args...); err != nil {
		return fmt.Errorf("rebuild goal cells: %w", err)
	}
	if _, err := c.ExecContext(ctx, insert+`SELECT `+goalcell.FieldTerritoryID+`, `+strconv.Itoa(allLevers)+`, SUM(`+goalcell.FieldUnits+`) FROM `+
		goalcell.Table+` GROUP BY `+goalcell.FieldTerritoryID); err != nil {
		return fmt.Errorf("rebuild goal cells: %w", err)
	}
	return nil
}

// ensureGoalCells computes the goal cells of a database whose objectives were imported
// before the cells existed (the migration creates them empty).
func (svc *Service) ensureGoalCells(ctx context.Context) error {
	ctx = store.UsePrimary(ctx)
	if n, err := svc.client.GoalCell.Query().Limit(1).Count(ctx); err != nil || n > 0 {
		return err
	}
	if n, err := svc.client.Objective.Query().Where(objective.MetricEQ(planning.GHGAvoided), objective.LeverIDNotNil()).Limit(1).Count(ctx); err != nil || n == 0 {
		return err
	}
	if err := store.WithTx(ctx, svc.client, func(tx *ent.Tx) error { return rebuildGoalCells(ctx, tx.Client()) }); err != nil {
		return err
	}
	return svc.analyze(ctx, "goal_cells")
}
