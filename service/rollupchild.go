package service

// rollupBy(groupBy: CHILD): one row per territory of a level below a parent, each holding
// what lies inside both it and the parent, and a last row for what no child holds, so
// that the rows add up to the parent's roll-up.

import (
	"context"
	"fmt"
	"slices"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// nestedLevels are the levels whose territories partition any larger one: a department
// lies wholly in its region, a commune in every territory containing it.
var nestedLevels = map[hierarchy.Level]bool{hierarchy.Region: true, hierarchy.Department: true, hierarchy.Commune: true}

// childRows computes the CHILD rows of t at a level. Records: for a level whose territories
// partition t (regions, departments, communes), each row is the child's own roll-up and
// the last row holds what is carried above the level; otherwise (CRTE, EPCI) each record
// counts in a row for the share of its carrier living in both the child and t
// (hierarchy.InsideBoth), and what is left of its share in t goes to the last row.
// Objectives: t's objective split by the rule of shares (hierarchy.Cover), the last row
// taking the part no child covers; for the country, whose objective is the sum of its
// regions', each child's own.
func (svc *Service) childRows(ctx context.Context, t *ent.Territory, level *hierarchy.Level, q RollupQuery) ([]*RollupRow, error) {
	if level == nil || level.Rank() <= hierarchy.Level(t.Level).Rank() {
		return nil, badInput("CHILD rows need a level below %s: %s", t.Level, levelsBelow(t.Level))
	}
	// Through the ancestries' index on (ancestor, territory's level): the same plan for
	// every territory and level.
	children, err := svc.client.Territory.Query().Where(descendantsOf(t.ID, level)).Order(ent.Asc(territory.FieldCode)).All(store.KeptPlan(ctx))
	if err != nil {
		return nil, err
	}
	if len(children) > MaxPageSize {
		return nil, badInput("%d %s rows, more than %d: ask for a smaller territory", len(children), *level, MaxPageSize)
	}
	country := t.Level == hierarchy.Country
	nested := nestedLevels[*level]
	byID := map[int]*ent.Territory{}
	cs := make([]child, len(children))
	for i, c := range children {
		byID[c.ID] = c
		cs[i] = child{ID: c.ID, Code: c.Code, Level: c.Level, Population: c.Population, Inside: 1}
	}
	var rows map[int]*Amounts
	rest := newAmounts()
	if nested {
		if rows, err = svc.records(ctx, idsOf(children), ByTerritory, q); err != nil {
			return nil, err
		}
		if above := carriersAbove(*level, q.CarrierLevels); len(above) > 0 {
			qa := q
			qa.CarrierLevels = above
			// The last row is there when something is carried above the rows, commitments
			// included: they are read even when their figures are not.
			qa.SkipCommitments = false
			key := ByTerritory
			if onlyItselfAbove(t.Level, above) {
				// No level between t's and the rows': the records carried above the rows
				// inside t are those t carries itself (France by region, a region by
				// department), read without the hierarchy.
				key = ByOwnCarrier
			}
			var m map[int]*Amounts
			if key == ByTerritory || slices.Contains(above, t.Level) {
				rctx := ctx
				if key == ByOwnCarrier {
					qa.CarrierLevels = nil // t, the one carrier read, is of a level asked
					// t's own records, through the index on their carrier: the plan does
					// not depend on which territory t is.
					rctx = store.KeptPlan(ctx)
				}
				if m, err = svc.liveRecords(rctx, []int{t.ID}, key, qa); err != nil {
					return nil, err
				}
			}
			if a := m[t.ID]; a != nil {
				rest = a
			}
		}
	} else {
		if rows, err = svc.distribute(ctx, t, cs, q, rest); err != nil {
			return nil, err
		}
	}
	cv := newChildCover(t.Population, cs)
	objectives, restObjective, err := svc.childObjectives(ctx, t, cv, q, country, byID)
	if err != nil {
		return nil, err
	}
	out := make([]*RollupRow, 0, len(cv.children)+1)
	get := rowGetter(rows)
	for _, c := range cv.children {
		a := get(c.ID)
		a.ObjectiveKtCO2e = objectives[c.ID]
		out = append(out, &RollupRow{Territory: byID[c.ID], Rollup: toRollup(a)})
	}
	rest.ObjectiveKtCO2e = restObjective
	if !rest.empty() || cv.cover.Unallocated > 0 {
		out = append(out, &RollupRow{Unallocated: true, Rollup: toRollup(rest)})
	}
	return out, nil
}

// records adds up actions and commitments without objectives: from the cells, or from
// the records when the filter needs them.
func (svc *Service) records(ctx context.Context, ids []int, key RollupKey, q RollupQuery) (map[int]*Amounts, error) {
	if q.readsRecords() {
		return svc.liveRecords(ctx, ids, key, q)
	}
	return svc.cellRecords(ctx, ids, key, q)
}

// onlyItselfAbove tells whether, of the carrier levels above, t's own is the lowest: then
// a territory of those levels inside t is t itself, the levels nesting down to t's.
func onlyItselfAbove(t hierarchy.Level, above []hierarchy.Level) bool {
	for _, l := range above {
		if l.Rank() > t.Rank() {
			return false
		}
	}
	return true
}

// carriersAbove lists the carrier levels above level, within those asked (all when none
// are): what no row of a nested level holds.
func carriersAbove(level hierarchy.Level, asked []hierarchy.Level) []hierarchy.Level {
	var out []hierarchy.Level
	for _, l := range hierarchy.Levels {
		if l.Rank() >= level.Rank() {
			break
		}
		if len(asked) == 0 {
			out = append(out, l)
			continue
		}
		for _, a := range asked {
			if a == l {
				out = append(out, l)
			}
		}
	}
	return out
}

// distribute puts the records carried inside t into the rows of children that do not
// nest in it, each for the share of its carrier in both (hierarchy.InsideBoth), and what
// is left of its share in t into rest. It sets the children's weights in t (cs[i].Inside).
// Three statements.
func (svc *Service) distribute(ctx context.Context, t *ent.Territory, cs []child, q RollupQuery, rest *Amounts) (map[int]*Amounts, error) {
	// Commitments are read even when their figures are not: what is left of them outside
	// every child makes the last row.
	q.SkipCommitments = false
	per, err := svc.liveRecords(ctx, []int{t.ID}, ByCarrier, q)
	if err != nil {
		return nil, err
	}
	anc := append([]int{t.ID}, childIDs(cs)...)
	as, err := svc.client.Ancestry.Query().Where(ancestry.AncestorIDIn(anc...)).All(ctx)
	if err != nil {
		return nil, err
	}
	isChild := map[int]int{}
	for i, c := range cs {
		isChild[c.ID] = i
	}
	inParent := map[int]float64{}
	inChild := map[int]map[int]float64{} // carrier -> child -> weight
	for _, a := range as {
		if a.AncestorID == t.ID {
			inParent[a.TerritoryID] = a.Weight
			if i, ok := isChild[a.TerritoryID]; ok {
				cs[i].Inside = a.Weight
			}
			continue
		}
		if inChild[a.TerritoryID] == nil {
			inChild[a.TerritoryID] = map[int]float64{}
		}
		inChild[a.TerritoryID][a.AncestorID] = a.Weight
	}
	rows := map[int]*Amounts{}
	get := rowGetter(rows)
	for carrier, a := range per {
		b := inParent[carrier]
		left := b
		for childID, w := range inChild[carrier] {
			s := hierarchy.InsideBoth(w, b, cs[isChild[childID]].Inside)
			if s <= 0 {
				continue
			}
			get(childID).addScaled(a, s)
			left -= s
		}
		if left > 1e-9 {
			rest.addScaled(a, left)
		}
	}
	return rows, nil
}

// childObjectives gives each child row its GHG objective and the last row its own, in
// ktCO2e; nil when t has none.
func (svc *Service) childObjectives(ctx context.Context, t *ent.Territory, cv *childCover, q RollupQuery, country bool, byID map[int]*ent.Territory) (map[int]*float64, *float64, error) {
	if q.SkipObjectives {
		return map[int]*float64{}, nil, nil // nobody reads them
	}
	gq := q.goals()
	n := len(cv.children)
	units := make([]int64, n+1) // the children's, then the rest
	has := map[int]bool{}       // children with goals
	if country {
		// The country's objective is the sum of its regions' goals (or its own): each
		// region's row its sum, the rest what the country's differs from them by. Only
		// sums are shown: the database adds them up.
		ts := []*ent.Territory{t}
		for _, c := range cv.children {
			ts = append(ts, byID[c.ID])
		}
		totals, ok, err := svc.goalTotals(ctx, ts, gq)
		if err != nil {
			return nil, nil, err
		}
		if !ok { // childRows refuses the country's communes: more than MaxPageSize rows
			return nil, nil, fmt.Errorf("the country's objectives are not added up by commune")
		}
		whole, found := totals[t.ID]
		if !found {
			return map[int]*float64{}, nil, nil
		}
		units[n] = whole
		for i, c := range cv.children {
			units[i], has[c.ID] = totals[c.ID]
			units[n] -= units[i]
		}
		return objectiveRows(cv, units, has), ptrTo(planning.FromSumUnits(units[n])), nil
	}
	// Below the country: t's goals, each split over the children by the rule of shares,
	// lever by lever as the breakdown splits them.
	goals, err := svc.goalsFor(ctx, t, gq)
	if err != nil {
		return nil, nil, err
	}
	if len(goals) == 0 {
		return map[int]*float64{}, nil, nil
	}
	w := cv.cover.Weights()
	for _, g := range goals {
		// Split in the nano-units the parent's objective is summed in, so that the rows
		// add up exactly to it.
		parts, err := planning.SplitSum(planning.SumUnits(g.Target), w)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range parts {
			units[i] += p
		}
	}
	for _, c := range cv.children {
		has[c.ID] = true
	}
	return objectiveRows(cv, units, has), ptrTo(planning.FromSumUnits(units[n])), nil
}

// objectiveRows gives each child with goals its objective in ktCO2e, from its units. A
// child without any (Guyane has none in the SGPE file) has none, not 0.
func objectiveRows(cv *childCover, units []int64, has map[int]bool) map[int]*float64 {
	out := map[int]*float64{}
	for i, c := range cv.children {
		if has[c.ID] {
			out[c.ID] = ptrTo(planning.FromSumUnits(units[i]))
		}
	}
	return out
}

func newAmounts() *Amounts {
	return &Amounts{Committed: map[access.CommitmentStatus]statusAmount{}}
}

// addScaled adds the records of b, counted for a share s of each (counts whole).
func (a *Amounts) addScaled(b *Amounts, s float64) {
	a.ActionCount += b.ActionCount
	a.ActionShare += b.ActionShare * s
	a.Budget += b.Budget * s
	a.EffectKtCO2e += b.EffectKtCO2e * s
	for st, v := range b.Committed {
		cur := a.Committed[st]
		cur.Count += v.Count
		cur.KtCO2e += v.KtCO2e * s
		a.Committed[st] = cur
	}
}

// add adds b to a, objectives included.
func (a *Amounts) add(b *Amounts) {
	a.addScaled(b, 1)
	if b.ObjectiveKtCO2e != nil {
		v := planning.SumUnits(*b.ObjectiveKtCO2e)
		if a.ObjectiveKtCO2e != nil {
			v += planning.SumUnits(*a.ObjectiveKtCO2e)
		}
		obj := planning.FromSumUnits(v)
		a.ObjectiveKtCO2e = &obj
	}
}

// empty tells whether no record and no objective was added.
func (a *Amounts) empty() bool {
	if a.ActionCount > 0 || (a.ObjectiveKtCO2e != nil && *a.ObjectiveKtCO2e != 0) {
		return false
	}
	for _, v := range a.Committed {
		if v.Count > 0 {
			return false
		}
	}
	return true
}

func ptrTo[T any](v T) *T { return &v }
