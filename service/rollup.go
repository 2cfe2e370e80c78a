package service

import (
	"context"
	stdsql "database/sql"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/rollupcell"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// RollupQuery narrows a roll-up.
type RollupQuery struct {
	Sectors        []int // a sector and its subdivisions
	Lever          *int
	ActionStatuses []action.Status
	Year           *int // actions running that year
	CarrierLevels  []hierarchy.Level
	// SkipObjectives leaves the objectives out: a roll-up whose objective, coverage and
	// gap nobody reads does not load them.
	SkipObjectives bool
	// SkipCommitments leaves the commitments out: their amounts stay empty, and neither
	// their cells nor their records are read.
	SkipCommitments bool
}

// readsRecords tells whether a roll-up filtered by f is read from the records rather than
// from the roll-up cells (planning.ReadsRecords: a year, carrier levels).
func (f RollupQuery) readsRecords() bool {
	return planning.ReadsRecords(f.Year != nil, len(f.CarrierLevels))
}

// goals is what roll-ups filtered by f measure their records against: the GHG objectives
// of levers, in their figures only.
func (f RollupQuery) goals() goalQuery {
	return goalQuery{lever: f.Lever, sectors: f.Sectors, metrics: []planning.Metric{planning.GHGAvoided},
		leversOnly: true, figuresOnly: true}
}

// RollupKey says what the rows of a roll-up are: one per territory added up into, per
// sector, or per lever (of one territory).
type RollupKey string

// Row keys.
const (
	ByTerritory RollupKey = "territory"
	BySector    RollupKey = "sector"
	ByLever     RollupKey = "lever"
)

// Amounts are added-up actions and commitments, each weighted by the share of its
// carrier's population living in the territory added up into.
type Amounts struct {
	ActionCount  int64
	ActionShare  float64
	Budget       float64
	EffectKtCO2e float64
	Committed    map[access.CommitmentStatus]statusAmount
	// ObjectiveKtCO2e is the GHG objective (own, else derived); nil when there is none.
	ObjectiveKtCO2e *float64
}

// statusAmount is what commitments of one status add up to.
type statusAmount struct {
	KtCO2e float64
	Count  int64
}

// Amounts adds up the actions, commitments and objectives of every territory inside each
// of the given territories, in four statements whatever their number. Rows are keyed by
// territory id, or by sector or lever id (0 for none) when key says so, in which case
// ids should hold one territory. It reads the roll-up cells that writes keep current,
// unless the filter needs the records themselves (RollupQuery.readsRecords).
func (svc *Service) Amounts(ctx context.Context, ids []int, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	if f.SkipObjectives { // the territories are read for their objectives only
		return svc.recordsOf(ctx, ids, key, f)
	}
	ts, err := svc.client.Territory.Query().Where(territory.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	return svc.amountsOf(ctx, ts, key, f)
}

// amountsOf is Amounts for territories already read.
func (svc *Service) amountsOf(ctx context.Context, ts []*ent.Territory, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	out, err := svc.recordsOf(ctx, idsOf(ts), key, f)
	if err != nil {
		return nil, err
	}
	return out, svc.addGoals(ctx, ts, key, f, rowGetter(out))
}

// recordsOf adds up the actions and commitments of Amounts, without the objectives.
func (svc *Service) recordsOf(ctx context.Context, ids []int, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	if f.readsRecords() {
		return svc.liveRecords(ctx, ids, key, f)
	}
	return svc.cellRecords(ctx, ids, key, f)
}

func idsOf(ts []*ent.Territory) []int {
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// cellRecords adds up the actions and commitments of the roll-up cells: one row per key,
// its actions and each commitment status side by side (CASE inside the sums), so that
// France by region reads 18 rows, not one per region, kind and status. A cell whose
// records were all taken away (count 0) adds nothing, not even the rounding left in
// its sums.
func (svc *Service) cellRecords(ctx context.Context, ids []int, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	out := map[int]*Amounts{}
	s := selectFrom(svc.client, rollupcell.Table)
	where := []predicate.RollupCell{rollupcell.AncestorIDIn(ids...)}
	if len(f.Sectors) > 0 {
		where = append(where, rollupcell.SectorIDIn(f.Sectors...))
	}
	switch {
	case f.Lever != nil:
		where = append(where, rollupcell.LeverID(*f.Lever))
	case key == ByLever:
		where = append(where, rollupcell.LeverIDNEQ(allLevers))
	case key == BySector || len(f.Sectors) > 0:
		where = append(where, rollupcell.LeverID(allLevers), rollupcell.SectorIDNEQ(allSectors)) // the per-sector totals
	default:
		where = append(where, rollupcell.LeverID(allLevers), rollupcell.SectorID(allSectors)) // the totals
	}
	var statuses []string // of commitments
	if !f.SkipCommitments {
		statuses = access.CommitmentStatus("").Values()
	}
	var st []string // of actions
	for _, s := range f.ActionStatuses {
		st = append(st, string(s))
	}
	switch {
	case f.SkipCommitments && len(st) > 0:
		where = append(where, rollupcell.KindEQ(rollupcell.KindACTION), rollupcell.StatusIn(st...))
	case f.SkipCommitments:
		where = append(where, rollupcell.KindEQ(rollupcell.KindACTION))
	case len(st) > 0:
		where = append(where, rollupcell.Or(rollupcell.KindEQ(rollupcell.KindCOMMITMENT), rollupcell.StatusIn(st...)))
	}
	for _, p := range where {
		p(s)
	}
	col := rollupcell.FieldAncestorID
	switch key {
	case BySector:
		col = rollupcell.FieldSectorID
	case ByLever:
		col = rollupcell.FieldLeverID
	}
	sum := func(column, kind, status string) string {
		if kind == "" {
			return "SUM(" + s.C(column) + ")"
		}
		when := s.C(rollupcell.FieldKind) + " = '" + kind + "'"
		if status != "" {
			when += " AND " + s.C(rollupcell.FieldStatus) + " = '" + status + "'"
		}
		return "SUM(CASE WHEN " + when + " THEN " + s.C(column) + " ELSE 0 END)"
	}
	action := string(rollupcell.KindACTION)
	if f.SkipCommitments {
		action = "" // every cell read is an action's
	}
	columns := []string{s.C(col), sum(rollupcell.FieldCount, action, ""), sum(rollupcell.FieldShare, action, ""),
		sum(rollupcell.FieldBudget, action, ""), sum(rollupcell.FieldKtco2e, action, "")}
	for _, st := range statuses {
		columns = append(columns, sum(rollupcell.FieldCount, string(rollupcell.KindCOMMITMENT), st),
			sum(rollupcell.FieldKtco2e, string(rollupcell.KindCOMMITMENT), st))
	}
	s.Select(columns...).Where(sql.NEQ(s.C(rollupcell.FieldCount), 0)).GroupBy(s.C(col))
	counts := make([]int64, len(statuses))
	kts := make([]float64, len(statuses))
	// The cells of a territory are few and reached through the index leading with it: the
	// statement keeps its plan.
	err := queryRows(store.KeptPlan(ctx), svc.client, s, func(rows *sql.Rows) error {
		var (
			k  int
			a  Amounts
			to = []any{&k, &a.ActionCount, &a.ActionShare, &a.Budget, &a.EffectKtCO2e}
		)
		for i := range statuses {
			to = append(to, &counts[i], &kts[i])
		}
		if err := rows.Scan(to...); err != nil {
			return err
		}
		a.Committed = map[access.CommitmentStatus]statusAmount{}
		for i, st := range statuses {
			if counts[i] != 0 {
				a.Committed[access.CommitmentStatus(st)] = statusAmount{Count: counts[i], KtCO2e: kts[i]}
			}
		}
		out[k] = &a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roll up: %w", err)
	}
	return out, nil
}

// RollupLive computes a roll-up from the actions and commitments themselves: what Amounts
// does when the filter needs them, and the reference its cells are tested against.
func (svc *Service) RollupLive(ctx context.Context, ids []int, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	out, err := svc.liveRecords(ctx, ids, key, f)
	if err != nil || f.SkipObjectives {
		return out, err
	}
	ts, err := svc.client.Territory.Query().Where(territory.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	return out, svc.addGoals(ctx, ts, key, f, rowGetter(out))
}

// ByCarrier keys liveRecords' rows by carrier territory, each record counted whole (not
// weighted): for ids holding one territory, what each carrier inside it holds.
const ByCarrier RollupKey = "carrier"

// ByOwnCarrier keys liveRecords' rows by carrier territory for the records the
// territories of ids carry themselves, each counted whole: no territory inside them.
const ByOwnCarrier RollupKey = "own carrier"

// liveRecords adds up the actions and commitments themselves: each counted whole, and for
// the share of its carrier living in the territory in the other sums (planning.Weigh);
// with a year, the actions running that year (planning.RunsIn). It is the SQL twin of
// planning.RollupCells, held to it by TestRollupSQLMatchesGo.
func (svc *Service) liveRecords(ctx context.Context, ids []int, key RollupKey, f RollupQuery) (map[int]*Amounts, error) {
	c := svc.client
	out := map[int]*Amounts{}
	get := rowGetter(out)
	keyExpr := func(s *sql.Selector, an *sql.SelectTable) string {
		switch key {
		case BySector:
			return "COALESCE(" + s.C("sector_id") + ", 0)"
		case ByLever:
			return "COALESCE(" + s.C("lever_id") + ", 0)"
		case ByCarrier, ByOwnCarrier:
			return s.C("territory_id")
		}
		return an.C(ancestry.FieldAncestorID)
	}
	weight := func(an *sql.SelectTable) string {
		if key == ByCarrier || key == ByOwnCarrier {
			return "1"
		}
		return an.C(ancestry.FieldWeight)
	}
	join := func(s *sql.Selector) *sql.SelectTable {
		if key == ByOwnCarrier {
			s.Where(sql.InInts(s.C("territory_id"), ids...))
			return nil
		}
		an := sql.Table(ancestry.Table).As("an")
		s.Join(an).On(s.C("territory_id"), an.C(ancestry.FieldTerritoryID)).
			Where(sql.InInts(an.C(ancestry.FieldAncestorID), ids...))
		return an
	}

	// Actions, and commitments by status (unless skipped): one statement. A row of
	// actions has no status.
	aq := c.Action.Query()
	if len(f.Sectors) > 0 {
		aq.Where(action.SectorIDIn(f.Sectors...))
	}
	if f.Lever != nil {
		aq.Where(action.LeverID(*f.Lever))
	}
	if len(f.ActionStatuses) > 0 {
		aq.Where(action.StatusIn(f.ActionStatuses...))
	}
	if f.Year != nil {
		aq.Where(action.StartYearLTE(*f.Year), action.Or(action.EndYearIsNil(), action.EndYearGTE(*f.Year)))
	}
	if len(f.CarrierLevels) > 0 {
		aq.Where(action.HasTerritoryWith(territory.LevelIn(f.CarrierLevels...)))
	}
	var cps []predicate.Commitment
	if len(f.Sectors) > 0 {
		cps = append(cps, commitment.SectorIDIn(f.Sectors...))
	}
	if f.Lever != nil {
		cps = append(cps, commitment.LeverID(*f.Lever))
	}
	if len(f.CarrierLevels) > 0 {
		cps = append(cps, commitment.HasTerritoryWith(territory.LevelIn(f.CarrierLevels...)))
	}
	var rows []struct {
		K      int               `json:"k"`
		Status stdsql.NullString `json:"status"`
		N      int64             `json:"n"`
		Share  float64           `json:"share"`
		Budget float64           `json:"budget"`
		Kt     float64           `json:"kt"`
	}
	err := aq.Modify(func(s *sql.Selector) {
		an := join(s)
		k := keyExpr(s, an)
		s.Select(sql.As(k, "k"), sql.As("CAST(NULL AS TEXT)", "status"), sql.As("COUNT(*)", "n"),
			sql.As("COALESCE(SUM("+weight(an)+"), 0)", "share"),
			sql.As("COALESCE(SUM("+s.C(action.FieldBudget)+" * "+weight(an)+"), 0)", "budget"),
			sql.As("COALESCE(SUM(COALESCE("+s.C(action.FieldEffectKtco2e)+", 0) * "+weight(an)+"), 0)", "kt")).
			GroupBy(k)
		if f.SkipCommitments {
			return
		}
		cs := sql.Select().From(sql.Table(commitment.Table))
		for _, p := range cps {
			p(cs)
		}
		can := join(cs)
		ck := keyExpr(cs, can)
		cs.Select(ck, cs.C(commitment.FieldStatus), "COUNT(*)", "CAST(0 AS DOUBLE PRECISION)", "CAST(0 AS DOUBLE PRECISION)",
			"COALESCE(SUM(COALESCE("+cs.C(commitment.FieldKtco2e)+", 0) * "+weight(can)+"), 0)").
			GroupBy(ck, cs.C(commitment.FieldStatus))
		s.UnionAll(cs)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("roll up actions and commitments: %w", err)
	}
	for _, r := range rows {
		a := get(r.K)
		if !r.Status.Valid {
			a.ActionCount, a.ActionShare, a.Budget, a.EffectKtCO2e = r.N, r.Share, r.Budget, r.Kt
			continue
		}
		a.Committed[access.CommitmentStatus(r.Status.String)] = statusAmount{KtCO2e: r.Kt, Count: r.N}
	}
	return out, nil
}

// addGoals adds the territories' GHG objectives: the sum of their levers' goals
// (goalsOf), by territory, sector or lever.
func (svc *Service) addGoals(ctx context.Context, ts []*ent.Territory, key RollupKey, f RollupQuery, get func(int) *Amounts) error {
	if f.SkipObjectives {
		return nil
	}
	q := f.goals()
	if key == ByTerritory {
		// Only each territory's sum is shown: the database adds it up.
		totals, ok, err := svc.goalTotals(ctx, ts, q)
		if err != nil {
			return fmt.Errorf("roll up objectives: %w", err)
		}
		if ok {
			for id, v := range totals {
				get(id).ObjectiveKtCO2e = ptrTo(planning.FromSumUnits(v))
			}
			return nil
		}
	}
	goals, err := svc.goalsOf(ctx, ts, q)
	if err != nil {
		return fmt.Errorf("roll up objectives: %w", err)
	}
	sums := map[int]int64{}
	for _, t := range ts {
		for _, g := range goals[t.ID] {
			row := t.ID
			switch key {
			case BySector:
				row = g.Sector
			case ByLever:
				row = g.Lever
			}
			sums[row] += planning.SumUnits(g.Target)
		}
	}
	for row, v := range sums {
		obj := planning.FromSumUnits(v)
		get(row).ObjectiveKtCO2e = &obj
	}
	return nil
}

// rowGetter returns the row of a key in out, created empty on first use.
func rowGetter(out map[int]*Amounts) func(int) *Amounts {
	return func(k int) *Amounts {
		a := out[k]
		if a == nil {
			a = &Amounts{Committed: map[access.CommitmentStatus]statusAmount{}}
			out[k] = a
		}
		return a
	}
}

func deref0(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
