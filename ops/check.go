package ops

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/service"
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

// checkBatch bounds the territories compared at a time: the cells of a batch are held in
// memory, and its ids are parameters of statements (SQLite takes at most 32,766).
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
// database, a batch of territories at a time: every cell with what its records add up to
// (the statements that rebuild the cells), then every territory's roll-up as the API
// reads it from the cells (service.Amounts) with service.RollupLive, which reads the
// records. RebuildRollupCells repairs what it finds.
func CheckRollupCells(ctx context.Context, client *ent.Client) (RollupReport, error) {
	var rep RollupReport
	ctx = store.UsePrimary(ctx)
	// One snapshot: repeatable read on PostgreSQL; on SQLite a read transaction (deferred,
	// the isolation level is ignored) reads one snapshot in WAL mode.
	tx, err := client.BeginTx(ctx, &stdsql.TxOptions{ReadOnly: true, Isolation: stdsql.LevelRepeatableRead})
	if err != nil {
		return rep, fmt.Errorf("check roll-up cells: %w", err)
	}
	defer tx.Rollback()
	c := tx.Client()
	ids, err := c.Territory.Query().Order(ent.Asc(territory.FieldID)).IDs(ctx)
	if err != nil {
		return rep, fmt.Errorf("check roll-up cells: %w", err)
	}
	// Cells of ancestors that are not territories: none should exist.
	if err := checkCells(ctx, c, &rep, `NOT EXISTS (SELECT 1 FROM territories t WHERE t.id = rollup_cells.ancestor_id)`, ""); err != nil {
		return rep, err
	}
	for start := 0; start < len(ids); start += checkBatch {
		batch := ids[start:min(start+checkBatch, len(ids))]
		lo, hi := batch[0], batch[len(batch)-1]
		if err := checkCells(ctx, c, &rep, fmt.Sprintf("ancestor_id BETWEEN %d AND %d", lo, hi),
			fmt.Sprintf("an.ancestor_id BETWEEN %d AND %d", lo, hi)); err != nil {
			return rep, err
		}
		if err := checkTerritories(ctx, service.New(c), batch, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// RebuildRollupCells recomputes every cell from the actions and commitments, in one
// transaction: after a bulk load, or to repair what CheckRollupCells found.
func RebuildRollupCells(ctx context.Context, client *ent.Client) error {
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	if err := store.WithTx(ctx, client, func(tx *ent.Tx) error { return service.RebuildRollupCellsIn(ctx, tx.Client()) }); err != nil {
		return err
	}
	return service.Analyze(ctx, client, "rollup_cells")
}

// cellRow is a roll-up cell as stored or as its records add it up.
type cellRow struct {
	count             int64
	share, budget, kt stdsql.NullFloat64
}

type cellKey struct {
	ancestor, sector, lever int
	kind, status            string
}

// checkCells compares the cells stored that match storedWhere with those the records add
// up to through the ancestries matching liveWhere ("": none).
func checkCells(ctx context.Context, c *ent.Client, rep *RollupReport, storedWhere, liveWhere string) error {
	read := func(q string) (map[cellKey]cellRow, error) {
		rows, err := c.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("check roll-up cells: %w", err)
		}
		defer rows.Close()
		out := map[cellKey]cellRow{}
		for rows.Next() {
			var k cellKey
			var r cellRow
			if err := rows.Scan(&k.ancestor, &k.sector, &k.lever, &k.kind, &k.status, &r.count, &r.share, &r.budget, &r.kt); err != nil {
				return nil, fmt.Errorf("check roll-up cells: %w", err)
			}
			out[k] = r
		}
		return out, rows.Err()
	}
	const cols = `ancestor_id, sector_id, lever_id, kind, status, count, share, budget, ktco2e`
	stored, err := read(`SELECT ` + cols + ` FROM rollup_cells WHERE ` + storedWhere)
	if err != nil {
		return err
	}
	live := map[cellKey]cellRow{}
	if liveWhere != "" {
		if live, err = read(`WITH live(ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e) AS (` +
			strings.Join(service.LiveCells(liveWhere), "\nUNION ALL\n") + `) SELECT ` + cols + ` FROM live`); err != nil {
			return err
		}
	}
	var diffs []cellKey
	for k, s := range stored {
		l := live[k]
		if s.count != l.count || !s.share.Valid || !s.budget.Valid || !s.kt.Valid ||
			!near(s.share.Float64, l.share.Float64, CheckAbsTolerance/100) ||
			!near(s.budget.Float64, l.budget.Float64, CheckAbsTolerance) ||
			!near(s.kt.Float64, l.kt.Float64, CheckAbsTolerance/100) {
			diffs = append(diffs, k)
		}
	}
	for k := range live {
		if _, ok := stored[k]; !ok {
			diffs = append(diffs, k)
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		a, b := diffs[i], diffs[j]
		if a.ancestor != b.ancestor {
			return a.ancestor < b.ancestor
		}
		if a.sector != b.sector {
			return a.sector < b.sector
		}
		if a.lever != b.lever {
			return a.lever < b.lever
		}
		return a.kind+a.status < b.kind+b.status
	})
	for _, k := range diffs {
		s, l := stored[k], live[k]
		rep.CellDiffs++
		rep.example("cell of territory %d, sector %d, lever %d, %s %s: %d records, budget %g, %g ktCO2e; the records: %d, %g, %g",
			k.ancestor, k.sector, k.lever, k.kind, k.status, s.count, s.budget.Float64, s.kt.Float64, l.count, l.budget.Float64, l.kt.Float64)
	}
	return nil
}

// checkTerritories compares the roll-ups of a batch of territories as read from the
// cells with RollupLive.
func checkTerritories(ctx context.Context, svc *service.Service, batch []int, rep *RollupReport) error {
	// Objectives are left out: amountsDiff compares none, and computing them (the
	// communes' parts of their departments' above all) took two thirds of the check.
	q := service.RollupQuery{SkipObjectives: true}
	cells, err := svc.Amounts(ctx, batch, service.ByTerritory, q)
	if err != nil {
		return fmt.Errorf("check roll-ups: %w", err)
	}
	live, err := svc.RollupLive(ctx, batch, service.ByTerritory, q)
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
	return nil
}

// amountsDiff describes how two roll-ups differ beyond the tolerances, "" when they do not.
func amountsDiff(cells, live *service.Amounts) string {
	if cells == nil {
		cells = &service.Amounts{}
	}
	if live == nil {
		live = &service.Amounts{}
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
