package service

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/store"
)

// Tolerances of CheckRollupCells. Cells are kept by adding and taking away floating-point
// amounts, so a cell may differ from the sum of its records by rounding: at most a few
// units of the last place of the largest amount it held (1e-4 euros for a budget at
// planning.MaxBudget) per write. A difference above both tolerances is a wrong cell.
const (
	// CheckAbsTolerance is the absolute tolerance on budgets (euros); a hundredth of it
	// on shares and ktCO2e.
	CheckAbsTolerance = 0.01
	// CheckRelTolerance is the tolerance relative to the amounts compared.
	CheckRelTolerance = 1e-9
)

// MaxReportedDiffs bounds the differences a RollupReport describes.
const MaxReportedDiffs = 20

// checkBatch bounds the territories compared per statement, under SQLite's 32,766
// parameters.
const checkBatch = 5000

// RollupReport is what CheckRollupCells found.
type RollupReport struct {
	// CellDiffs counts the cells whose amounts differ from their records', missing or
	// in excess; Territories and TerritoryDiffs the territories whose roll-up, as the
	// API reads it from the cells, was compared with RollupLive and found different.
	CellDiffs                   int
	Territories, TerritoryDiffs int
	// Examples describes the first differences.
	Examples []string
}

// OK reports whether the cells match the records.
func (r RollupReport) OK() bool { return r.CellDiffs == 0 && r.TerritoryDiffs == 0 }

func (r *RollupReport) example(format string, args ...any) {
	if len(r.Examples) < MaxReportedDiffs {
		r.Examples = append(r.Examples, fmt.Sprintf(format, args...))
	}
}

// CheckRollupCells compares the roll-up cells with the records, in one snapshot of the
// database: every cell with the sum of its records (the statements that rebuild them),
// then every territory's roll-up as the API reads it from the cells (Amounts) with
// RollupLive, which reads the records. RebuildRollupCells repairs what it finds.
func (svc *Service) CheckRollupCells(ctx context.Context) (RollupReport, error) {
	var rep RollupReport
	ctx = store.UsePrimary(ctx)
	// One snapshot: repeatable read on PostgreSQL; on SQLite a read transaction (deferred,
	// the isolation level is ignored) reads one snapshot in WAL mode.
	tx, err := svc.client.BeginTx(ctx, &stdsql.TxOptions{ReadOnly: true, Isolation: stdsql.LevelRepeatableRead})
	if err != nil {
		return rep, fmt.Errorf("check roll-up cells: %w", err)
	}
	defer tx.Rollback()
	c := tx.Client()
	if err := checkCells(ctx, c, &rep); err != nil {
		return rep, err
	}
	if err := New(c).checkTerritories(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// differs is the SQL condition of two amounts that differ beyond the tolerances, or that
// are not finite (NaN, infinities: SQLite keeps infinities and reads NaN as NULL).
func differs(a, b string, abs float64) string {
	return fmt.Sprintf(`(%[1]s IS NULL OR ABS(%[1]s) > 1e300 OR NOT (ABS(%[1]s - %[2]s) <= %[3]g + %[4]g * (ABS(%[1]s) + ABS(%[2]s))))`,
		a, b, abs, CheckRelTolerance)
}

// checkCells compares every cell with the cell the records add up to, in one statement.
func checkCells(ctx context.Context, c *ent.Client, rep *RollupReport) error {
	live := strings.Join(liveCells, "\nUNION ALL\n")
	amt := func(t, col string) string { return "COALESCE(" + t + "." + col + ", 0)" }
	q := `WITH live(ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e) AS (` + live + `)
		SELECT COALESCE(c.ancestor_id, l.ancestor_id), COALESCE(c.kind, l.kind), COALESCE(c.sector_id, l.sector_id),
			COALESCE(c.lever_id, l.lever_id), COALESCE(c.status, l.status),
			` + amt("c", "count") + `, ` + amt("c", "budget") + `, ` + amt("c", "ktco2e") + `,
			` + amt("l", "count") + `, ` + amt("l", "budget") + `, ` + amt("l", "ktco2e") + `
		FROM rollup_cells c FULL OUTER JOIN live l
			ON c.ancestor_id = l.ancestor_id AND c.kind = l.kind AND c.sector_id = l.sector_id
			AND c.lever_id = l.lever_id AND c.status = l.status
		WHERE ` + amt("c", "count") + ` <> ` + amt("l", "count") + `
			OR (c.ancestor_id IS NOT NULL AND (c.share IS NULL OR c.budget IS NULL OR c.ktco2e IS NULL))
			OR ` + differs(amt("c", "share"), amt("l", "share"), CheckAbsTolerance/100) + `
			OR ` + differs(amt("c", "budget"), amt("l", "budget"), CheckAbsTolerance) + `
			OR ` + differs(amt("c", "ktco2e"), amt("l", "ktco2e"), CheckAbsTolerance/100) + `
		ORDER BY 1, 2, 3, 4, 5`
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("check roll-up cells: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			anc, sector, lever int
			kind, status       string
			n, ln              int64
			b, kt, lb, lkt     stdsql.NullFloat64
		)
		if err := rows.Scan(&anc, &kind, &sector, &lever, &status, &n, &b, &kt, &ln, &lb, &lkt); err != nil {
			return fmt.Errorf("check roll-up cells: %w", err)
		}
		rep.CellDiffs++
		rep.example("cell of territory %d, %s, sector %d, lever %d, %s: %d records, budget %g, %g ktCO2e; the records: %d, %g, %g",
			anc, kind, sector, lever, status, n, b.Float64, kt.Float64, ln, lb.Float64, lkt.Float64)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check roll-up cells: %w", err)
	}
	return nil
}

// checkTerritories compares every territory's roll-up as read from the cells with
// RollupLive.
func (svc *Service) checkTerritories(ctx context.Context, rep *RollupReport) error {
	ids, err := svc.client.Territory.Query().Order(ent.Asc(territory.FieldID)).IDs(ctx)
	if err != nil {
		return fmt.Errorf("check roll-ups: %w", err)
	}
	for start := 0; start < len(ids); start += checkBatch {
		batch := ids[start:min(start+checkBatch, len(ids))]
		cells, err := svc.Amounts(ctx, batch, ByTerritory, RollupQuery{})
		if err != nil {
			return fmt.Errorf("check roll-ups: %w", err)
		}
		live, err := svc.RollupLive(ctx, batch, ByTerritory, RollupQuery{})
		if err != nil {
			return fmt.Errorf("check roll-ups: %w", err)
		}
		for _, id := range batch {
			rep.Territories++
			if d := amountsDiff(cells[id], live[id]); d != "" {
				rep.TerritoryDiffs++
				rep.example("territory %d: %s", id, d)
			}
		}
	}
	return nil
}

// amountsDiff describes how two roll-ups differ beyond the tolerances, "" when they do not.
func amountsDiff(cells, live *Amounts) string {
	if cells == nil {
		cells = &Amounts{}
	}
	if live == nil {
		live = &Amounts{}
	}
	if cells.ActionCount != live.ActionCount {
		return fmt.Sprintf("%d actions in the cells, %d in the records", cells.ActionCount, live.ActionCount)
	}
	for _, f := range []struct {
		name    string
		c, l, a float64
	}{
		{"action share", cells.ActionShare, live.ActionShare, CheckAbsTolerance / 100},
		{"budget", cells.Budget, live.Budget, CheckAbsTolerance},
		{"effect ktCO2e", cells.EffectKtCO2e, live.EffectKtCO2e, CheckAbsTolerance / 100},
	} {
		if !near(f.c, f.l, f.a) {
			return fmt.Sprintf("%s %g in the cells, %g in the records", f.name, f.c, f.l)
		}
	}
	for _, s := range []access.CommitmentStatus{access.Draft, access.Submitted, access.Adopted, access.Withdrawn} {
		c, l := cells.Committed[s], live.Committed[s]
		if c.Count != l.Count || !near(c.KtCO2e, l.KtCO2e, CheckAbsTolerance/100) {
			return fmt.Sprintf("%s commitments: %d for %g ktCO2e in the cells, %d for %g in the records", s, c.Count, c.KtCO2e, l.Count, l.KtCO2e)
		}
	}
	return ""
}

// near reports whether two finite amounts are equal within the tolerances.
func near(a, b, abs float64) bool {
	return !math.IsNaN(a) && !math.IsInf(a, 0) && math.Abs(a-b) <= abs+CheckRelTolerance*(math.Abs(a)+math.Abs(b))
}
