package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/rollupcell"
	"github.com/cop-territoriales/cop-api/planning"
)

// allLevers is the lever id of the cells that add up every lever of a sector, and
// allSectors the sector id of the cells (with allLevers) that add up every sector
// (planning.AllLevers, planning.AllSectors).
const (
	allLevers  = planning.AllLevers
	allSectors = planning.AllSectors
)

// cell is one change to a roll-up cell.
type cell struct {
	ancestor      int
	kind          rollupcell.Kind
	sector, lever int
	status        string
	count         int64
	share, budget float64
	kt            float64
}

// cellsOf returns the changes a record of a carrier territory makes to the cells of
// every territory containing it (planning.RecordCells); sign is +1 to add the record, -1
// to take it away.
func cellsOf(ctx context.Context, c *ent.Client, kind rollupcell.Kind, carrier int, sector, lever *int, status string, budget, kt float64, sign int) ([]cell, error) {
	as, err := c.Ancestry.Query().Where(ancestry.TerritoryID(carrier)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("roll-up cells: %w", err)
	}
	in := make([]planning.Within[int], len(as))
	for i, a := range as {
		in[i] = planning.Within[int]{Territory: a.AncestorID, Weight: a.Weight}
	}
	r := planning.Record[int]{Kind: planning.RecordKind(kind), Carrier: carrier, Sector: deref0(sector), Lever: deref0(lever),
		Status: status, Budget: budget, KtCO2e: kt}
	s := float64(sign)
	cs := planning.RecordCells(r, in)
	out := make([]cell, len(cs))
	for i, x := range cs {
		out[i] = cell{ancestor: x.Territory, kind: rollupcell.Kind(x.Kind), sector: x.Sector, lever: x.Lever, status: x.Status,
			count: int64(sign) * x.Count, share: s * x.Share, budget: s * x.Budget, kt: s * x.KtCO2e}
	}
	return out, nil
}

func actionCells(ctx context.Context, c *ent.Client, a *ent.Action, sign int) ([]cell, error) {
	kt := 0.0
	if a.EffectKtco2e != nil {
		kt = *a.EffectKtco2e
	}
	return cellsOf(ctx, c, rollupcell.KindACTION, a.TerritoryID, a.SectorID, a.LeverID, string(a.Status), a.Budget, kt, sign)
}

func commitmentCells(ctx context.Context, c *ent.Client, cm *ent.Commitment, sign int) ([]cell, error) {
	kt := 0.0
	if cm.Ktco2e != nil {
		kt = *cm.Ktco2e
	}
	return cellsOf(ctx, c, rollupcell.KindCOMMITMENT, cm.TerritoryID, cm.SectorID, cm.LeverID, string(cm.Status), 0, kt, sign)
}

// applyCells adds changes to the cells in one statement: an INSERT of every cell changed,
// adding to those that exist (ON CONFLICT DO UPDATE). Changes to one cell are merged
// first (a statement may not update a row twice), and the rows are in key order so that
// concurrent writers lock cells in the same order and cannot deadlock.
func applyCells(ctx context.Context, c *ent.Client, cells ...[]cell) error {
	type key struct {
		ancestor      int
		kind          rollupcell.Kind
		sector, lever int
		status        string
	}
	merged := map[key]*cell{}
	for _, cs := range cells {
		for _, d := range cs {
			k := key{d.ancestor, d.kind, d.sector, d.lever, d.status}
			if m := merged[k]; m != nil {
				m.count += d.count
				m.share += d.share
				m.budget += d.budget
				m.kt += d.kt
			} else {
				merged[k] = &d
			}
		}
	}
	if len(merged) == 0 {
		return nil
	}
	all := slices.Collect(maps.Values(merged))
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.ancestor != b.ancestor {
			return a.ancestor < b.ancestor
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.sector != b.sector {
			return a.sector < b.sector
		}
		if a.lever != b.lever {
			return a.lever < b.lever
		}
		return a.status < b.status
	})
	creates := make([]*ent.RollupCellCreate, len(all))
	for i, d := range all {
		creates[i] = c.RollupCell.Create().SetAncestorID(d.ancestor).SetKind(d.kind).SetSectorID(d.sector).
			SetLeverID(d.lever).SetStatus(d.status).SetCount(d.count).SetShare(d.share).
			SetBudget(d.budget).SetKtco2e(d.kt)
	}
	err := c.RollupCell.CreateBulk(creates...).
		OnConflict(sql.ConflictColumns(rollupcell.FieldAncestorID, rollupcell.FieldKind, rollupcell.FieldSectorID,
			rollupcell.FieldLeverID, rollupcell.FieldStatus),
			sql.ResolveWith(func(u *sql.UpdateSet) {
				for _, col := range []string{rollupcell.FieldCount, rollupcell.FieldShare, rollupcell.FieldBudget, rollupcell.FieldKtco2e} {
					u.Set(col, sql.Expr(u.Table().C(col)+` + "excluded".`+`"`+col+`"`))
				}
			})).Exec(ctx)
	if err != nil {
		return fmt.Errorf("roll-up cells: %w", err)
	}
	return nil
}

// RebuildRollupCellsIn recomputes every cell from the actions and commitments, inside the
// caller's transaction (c is its client): the CRTE import's, and the operations' (package
// ops: the repair of the cells, the demo seed).
func RebuildRollupCellsIn(ctx context.Context, c *ent.Client) error {
	if _, err := c.RollupCell.Delete().Exec(ctx); err != nil {
		return fmt.Errorf("rebuild roll-up cells: %w", err)
	}
	const insert = `INSERT INTO rollup_cells (ancestor_id, kind, sector_id, lever_id, status, count, share, budget, ktco2e) `
	for _, q := range LiveCells("") {
		if _, err := c.ExecContext(ctx, insert+q); err != nil {
			return fmt.Errorf("rebuild roll-up cells: %w", err)
		}
	}
	return nil
}

// LiveCells are the cells as the records add them up, one statement per kind of record
// and per lever, all levers of a sector, or all sectors (columns ancestor_id, kind,
// sector_id, lever_id, status, count, share, budget, ktco2e), with an optional condition
// on the ancestries (an): what RebuildRollupCellsIn writes and ops.CheckRollupCells
// compares the cells with. It is the SQL twin of planning.RollupCells (the cells of
// planning.RecordCells, weighed by planning.Weigh), held to it by TestRollupSQLMatchesGo.
func LiveCells(where string) []string {
	if where != "" {
		where = "WHERE " + where
	}
	return []string{
		`SELECT an.ancestor_id, 'ACTION', COALESCE(x.sector_id, 0), COALESCE(x.lever_id, 0), x.status,
			COUNT(*), SUM(an.weight), SUM(x.budget * an.weight), SUM(COALESCE(x.effect_ktco2e, 0) * an.weight)
			FROM actions x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, COALESCE(x.sector_id, 0), COALESCE(x.lever_id, 0), x.status`,
		`SELECT an.ancestor_id, 'ACTION', COALESCE(x.sector_id, 0), -1, x.status,
			COUNT(*), SUM(an.weight), SUM(x.budget * an.weight), SUM(COALESCE(x.effect_ktco2e, 0) * an.weight)
			FROM actions x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, COALESCE(x.sector_id, 0), x.status`,
		`SELECT an.ancestor_id, 'COMMITMENT', COALESCE(x.sector_id, 0), -1, x.status,
			COUNT(*), SUM(an.weight), 0, SUM(COALESCE(x.ktco2e, 0) * an.weight)
			FROM commitments x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, COALESCE(x.sector_id, 0), x.status`,
		`SELECT an.ancestor_id, 'COMMITMENT', COALESCE(x.sector_id, 0), COALESCE(x.lever_id, 0), x.status,
			COUNT(*), SUM(an.weight), 0, SUM(COALESCE(x.ktco2e, 0) * an.weight)
			FROM commitments x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, COALESCE(x.sector_id, 0), COALESCE(x.lever_id, 0), x.status`,
		`SELECT an.ancestor_id, 'ACTION', -1, -1, x.status,
			COUNT(*), SUM(an.weight), SUM(x.budget * an.weight), SUM(COALESCE(x.effect_ktco2e, 0) * an.weight)
			FROM actions x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, x.status`,
		`SELECT an.ancestor_id, 'COMMITMENT', -1, -1, x.status,
			COUNT(*), SUM(an.weight), 0, SUM(COALESCE(x.ktco2e, 0) * an.weight)
			FROM commitments x JOIN ancestries an ON an.territory_id = x.territory_id ` + where + `
			GROUP BY an.ancestor_id, x.status`,
	}
}
