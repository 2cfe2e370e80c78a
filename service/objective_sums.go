package service

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/objective"
)

// objectiveSums returns the objectives of q summed per territory, lever, sector and
// derivation, one GROUP BY in the database: each row holds only those keys and the summed
// target value. planning.PreferOwn keeps all own or all derived objectives of a territory
// and lever, so applying it to these sums gives what applying it to the objectives does.
func objectiveSums(ctx context.Context, q *ent.ObjectiveQuery) ([]*ent.Objective, error) {
	var rows []struct {
		TerritoryID int     `json:"territory_id"`
		LeverID     *int    `json:"lever_id"`
		SectorID    *int    `json:"sector_id"`
		Derived     bool    `json:"derived"`
		Target      float64 `json:"target"`
	}
	err := q.Modify(func(s *sql.Selector) {
		keys := []string{s.C(objective.FieldTerritoryID), s.C(objective.FieldLeverID), s.C(objective.FieldSectorID), s.C(objective.FieldDerived)}
		s.Select(append(keys, sql.As(sql.Sum(s.C(objective.FieldTargetValue)), "target"))...).
			GroupBy(keys...).
			OrderBy(keys...) // a stable order, whatever plan the database picks
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]*ent.Objective, len(rows))
	all := make([]ent.Objective, len(rows))
	for i, r := range rows {
		all[i] = ent.Objective{TerritoryID: r.TerritoryID, LeverID: r.LeverID, SectorID: r.SectorID, Derived: r.Derived, TargetValue: r.Target}
		out[i] = &all[i]
	}
	return out, nil
}
