package service

// Rankings and comparisons for data teams: territories ordered by a roll-up figure (or
// the same per inhabitant) with cursor pages and ranks, and side-by-side rows of several
// territories' objectives, observations, diagnostics and roll-ups.

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// RollupFigure is a roll-up figure territories (and rollupBy rows) are ranked by.
type RollupFigure string

// The figures of a roll-up (the fields of Rollup).
const (
	FigureCoverage        RollupFigure = "COVERAGE"
	FigureGap             RollupFigure = "GAP"
	FigureBudget          RollupFigure = "BUDGET"
	FigureAdoptedKtco2e   RollupFigure = "ADOPTED_KTCO2E"
	FigureObjectiveKtco2e RollupFigure = "OBJECTIVE_KTCO2E"
	FigureEffectKtco2e    RollupFigure = "EFFECT_KTCO2E"
	FigureActionCount     RollupFigure = "ACTION_COUNT"
	FigureActionShare     RollupFigure = "ACTION_SHARE"
)

var rollupFigures = []RollupFigure{FigureCoverage, FigureGap, FigureBudget, FigureAdoptedKtco2e,
	FigureObjectiveKtco2e, FigureEffectKtco2e, FigureActionCount, FigureActionShare}

// MarshalGQL writes the figure as a GraphQL enum value.
func (f RollupFigure) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(f))) }

// UnmarshalGQL reads a GraphQL enum value.
func (f *RollupFigure) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	for _, x := range rollupFigures {
		if string(x) == s {
			*f = x
			return nil
		}
	}
	return fmt.Errorf("%v is not a valid RollupFigure", v)
}

// RollupOrder orders territories or rollupBy rows by a roll-up figure.
type RollupOrder struct {
	By RollupFigure `json:"by"`
	// PerInhabitant divides the figure by the territory's population; coverage, a ratio,
	// is the same per inhabitant.
	PerInhabitant bool `json:"perInhabitant"`
	// Direction is DESC (the largest first, the default) or ASC.
	Direction entgql.OrderDirection `json:"direction"`
}

func (o RollupOrder) descending() bool { return o.Direction != entgql.OrderDirectionAsc }

func (o RollupOrder) check() error {
	for _, x := range rollupFigures {
		if x == o.By {
			if o.Direction != "" && o.Direction.Validate() != nil {
				return badInput("unknown direction %q", o.Direction)
			}
			return nil
		}
	}
	return badInput("unknown roll-up figure %q", o.By)
}

// parts are the parts of a roll-up its figure needs.
func (o RollupOrder) parts() RollupParts {
	switch o.By {
	case FigureCoverage, FigureGap:
		return AllRollupParts
	case FigureAdoptedKtco2e:
		return RollupParts{Commitments: true}
	case FigureObjectiveKtco2e:
		return RollupParts{Objective: true}
	}
	return RollupParts{}
}

// value is a roll-up's figure, divided by population when asked.
func (o RollupOrder) value(r *Rollup, population int64) *float64 {
	num := func(x float64) *float64 { return &x }
	var v *float64
	switch o.By {
	case FigureCoverage:
		return r.Coverage // a ratio: adopted and objective per inhabitant give the same
	case FigureGap:
		v = r.Gap
	case FigureBudget:
		v = num(r.Budget)
	case FigureAdoptedKtco2e:
		v = num(r.AdoptedKtco2e)
	case FigureObjectiveKtco2e:
		v = r.ObjectiveKtco2e
	case FigureEffectKtco2e:
		v = num(r.EffectKtco2e)
	case FigureActionCount:
		v = num(float64(r.ActionCount))
	case FigureActionShare:
		v = num(r.ActionShare)
	}
	if o.PerInhabitant {
		return planning.PerInhabitant(v, population)
	}
	if v != nil {
		v = num(*v) // never the roll-up's own field
	}
	return v
}

// Ranked is a territory's place in a ranking.
type Ranked struct {
	Territory *ent.Territory `json:"territory"`
	// Rank is 1 for the first; equal values share a rank (1, 2, 2, 4); nil without a value.
	Rank *int `json:"rank,omitempty"`
	// OutOf is how many territories of the ranking have a value.
	OutOf int `json:"outOf"`
	// Value is the figure ranked by (per inhabitant when asked); nil when there is none.
	Value  *float64 `json:"value,omitempty"`
	Rollup *Rollup  `json:"rollup"`
}

// RankingEdge is a territory of a ranking page with its cursor.
type RankingEdge struct {
	Node   *Ranked            `json:"node"`
	Cursor entgql.Cursor[int] `json:"cursor"`
}

// RankingConnection is a page of a ranking.
type RankingConnection struct {
	Edges      []*RankingEdge `json:"edges"`
	PageInfo   ent.PageInfo   `json:"pageInfo"`
	TotalCount int            `json:"totalCount"`
}

// Ranking is every territory of a level inside another, in ranking order.
type Ranking struct {
	order RollupOrder
	rows  []*Ranked
	index map[int]*Ranked // by territory id
}

// MaxRanked bounds the territories of a ranking: the communes of the largest region
// (about 5,100 in Grand Est) fit, those of the whole country do not (their roll-ups are
// in the bulk export, /export/rollups.csv?level=COMMUNE). It keeps a ranking's ids
// far under the parameters SQLite (32,766) and PostgreSQL (65,535) take in a statement.
const MaxRanked = 10_000

func standingOf(r *Ranked) planning.Standing {
	return planning.Standing{Code: r.Territory.Code, Value: r.Value}
}

// Ranking ranks the territories of a level wholly or partly inside within by a roll-up
// figure (planning.Rank orders them), at most MaxRanked: a count, the territories, and
// their roll-ups (Amounts), whatever their number. The roll-ups hold the parts asked
// (all when none are given) and those the figure ranked by needs.
func (svc *Service) Ranking(ctx context.Context, within *ent.Territory, level hierarchy.Level, order RollupOrder, filter *RollupFilter, parts ...RollupParts) (*Ranking, error) {
	if err := order.check(); err != nil {
		return nil, err
	}
	if level.Rank() <= within.Level.Rank() {
		return nil, badInput("level %s is not below %s", level, within.Level)
	}
	q, err := svc.rollupQuery(ctx, filter)
	if err != nil {
		return nil, err
	}
	q = partsOf(parts).With(order.parts()).skip(q)
	// One more than a ranking takes tells there are too many, without counting them first.
	// The descendants of one level keep their plan (store.KeptPlan): through the
	// ancestries' index on (ancestor, territory's level) whatever the territory, where
	// planning them took 0.9 ms for a 0.15 ms run (EXPLAIN ANALYZE, France's departments).
	ts, err := svc.client.Territory.Query().Where(descendantsOf(within.ID, &level)).
		Order(territory.ByID()).Limit(MaxRanked + 1).All(store.KeptPlan(ctx))
	if err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	if len(ts) > MaxRanked {
		return nil, badInput("more than %d %s in %s %s, the most a ranking takes: rank them within a smaller territory, or download /export/rollups.csv?level=%s",
			MaxRanked, level, within.Level, within.Code, level)
	}
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	amounts := map[int]*Amounts{}
	if len(ids) > 0 {
		if amounts, err = svc.Amounts(ctx, ids, ByTerritory, q); err != nil {
			return nil, err
		}
	}
	r := &Ranking{order: order, rows: make([]*Ranked, len(ts)), index: make(map[int]*Ranked, len(ts))}
	for i, t := range ts {
		roll := toRollup(amounts[t.ID])
		r.rows[i] = &Ranked{Territory: t, Value: order.value(roll, t.Population), Rollup: roll}
		r.index[t.ID] = r.rows[i]
	}
	ranks := planning.Rank(r.rows, standingOf, order.descending())
	outOf := 0
	for _, x := range ranks {
		if x > 0 {
			outOf++
		}
	}
	for i, row := range r.rows {
		if ranks[i] > 0 {
			row.Rank = &ranks[i]
		}
		row.OutOf = outOf
	}
	return r, nil
}

// RankingWithin is Ranking inside a territory given by its key, the country when nil.
func (svc *Service) RankingWithin(ctx context.Context, within *TerritoryKey, level hierarchy.Level, order RollupOrder, filter *RollupFilter, parts ...RollupParts) (*Ranking, error) {
	k := TerritoryKey{Level: hierarchy.Country, Code: hierarchy.CountryCode}
	if within != nil {
		k = *within
	}
	t, err := svc.client.Territory.Query().Where(territory.LevelEQ(k.Level), territory.Code(k.Code)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no territory %s:%s", k.Level, k.Code)
	}
	if err != nil {
		return nil, err
	}
	return svc.Ranking(ctx, t, level, order, filter, parts...)
}

// Of is a territory's place in the ranking, nil when it is not one of the territories
// ranked.
func (r *Ranking) Of(id int) *Ranked { return r.index[id] }

// Page cuts a page of the ranking: the first n after a cursor (the first
// DefaultPageSize when first is nil, at most MaxPageSize).
func (r *Ranking) Page(after *entgql.Cursor[int], first *int) (*RankingConnection, error) {
	p, err := NewPage(after, first, nil, nil)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != nil {
		cur, ok := cursorStanding(after)
		if !ok {
			return nil, badInput("after: not a cursor of this ranking")
		}
		desc := r.order.descending()
		start = sort.Search(len(r.rows), func(i int) bool { return planning.RankBefore(cur, standingOf(r.rows[i]), desc) })
	}
	end := min(start+*p.First, len(r.rows))
	c := &RankingConnection{Edges: make([]*RankingEdge, 0, end-start), TotalCount: len(r.rows)}
	for _, row := range r.rows[start:end] {
		c.Edges = append(c.Edges, &RankingEdge{Node: row, Cursor: rankCursor(row)})
	}
	c.PageInfo.HasNextPage = end < len(r.rows)
	c.PageInfo.HasPreviousPage = start > 0
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
	}
	return c, nil
}

// rankCursor holds what places a row in its ranking: its value and code.
func rankCursor(row *Ranked) entgql.Cursor[int] {
	var v any
	if row.Value != nil {
		v = *row.Value
	}
	return entgql.Cursor[int]{ID: row.Territory.ID, Value: []any{v, row.Territory.Code}}
}

func cursorStanding(c *entgql.Cursor[int]) (planning.Standing, bool) {
	vals, ok := c.Value.([]any)
	if !ok || len(vals) != 2 {
		return planning.Standing{}, false
	}
	code, ok := vals[1].(string)
	if !ok {
		return planning.Standing{}, false
	}
	s := planning.Standing{Code: code}
	switch v := vals[0].(type) {
	case nil:
	case float64:
		s.Value = &v
	case float32:
		x := float64(v)
		s.Value = &x
	case int64:
		x := float64(v)
		s.Value = &x
	case uint64:
		x := float64(v)
		s.Value = &x
	case int8, int16, int32, int, uint8, uint16, uint32, uint:
		x, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
		s.Value = &x
	default:
		return planning.Standing{}, false
	}
	return s, true
}

// RankingPage is a page of the ranking of t's territories of a level.
func (svc *Service) RankingPage(ctx context.Context, t *ent.Territory, level hierarchy.Level, order RollupOrder, filter *RollupFilter, after *entgql.Cursor[int], first *int, parts ...RollupParts) (*RankingConnection, error) {
	if _, err := NewPage(after, first, nil, nil); err != nil {
		return nil, err // before any statement
	}
	r, err := svc.Ranking(ctx, t, level, order, filter, parts...)
	if err != nil {
		return nil, err
	}
	return r.Page(after, first)
}

// RollupByOrdered is RollupBy, its rows ordered by a roll-up figure, with their rank and
// value, when order is given.
func (svc *Service) RollupByOrdered(ctx context.Context, t *ent.Territory, group RollupGroup, level *hierarchy.Level, f *RollupFilter, order *RollupOrder, parts RollupParts) ([]*RollupRow, error) {
	if order != nil {
		if err := order.check(); err != nil {
			return nil, err
		}
	}
	if order != nil {
		parts = parts.With(order.parts()) // the figure ordered by
	}
	rows, err := svc.RollupBy(ctx, t, group, level, f, parts)
	if err != nil || order == nil {
		return rows, err
	}
	// The unallocated row holds what no row does: it is not ranked and stays last.
	var unallocated *RollupRow
	if n := len(rows); n > 0 && rows[n-1].Unallocated {
		rows, unallocated = rows[:n-1], rows[n-1]
	}
	// A row's code breaks ties; a CHILD row's figure is per its own inhabitants, a
	// SECTOR or LEVER row's per t's.
	code := func(row *RollupRow) string {
		switch {
		case row.Territory != nil:
			return row.Territory.Code
		case row.Sector != nil:
			return row.Sector.Code
		case row.Lever != nil:
			return row.Lever.Code
		}
		return ""
	}
	for _, row := range rows {
		pop := t.Population
		if row.Territory != nil {
			pop = row.Territory.Population
		}
		row.Value = order.value(row.Rollup, pop)
	}
	standing := func(row *RollupRow) planning.Standing { return planning.Standing{Code: code(row), Value: row.Value} }
	ranks := planning.Rank(rows, standing, order.descending())
	for i, row := range rows {
		if ranks[i] > 0 {
			row.Rank = &ranks[i]
		}
	}
	if unallocated != nil {
		rows = append(rows, unallocated)
	}
	return rows, nil
}

// MaxCompared bounds the territories of one comparison.
const MaxCompared = 50

// Comparison is one territory's row of a comparison.
type Comparison struct {
	Territory *ent.Territory `json:"territory"`
	// Metric is the metric of the objectives, observation and diagnostic: the one asked,
	// else the diagnostic's; nil when the territory has no objective for the indicator.
	Metric *planning.Metric `json:"metric,omitempty"`
	// Objectives are what the territory is measured against (planning.PreferOwn).
	Objectives []*ent.Objective `json:"objectives"`
	// Latest is the latest observation of the indicator in the metric.
	Latest     *ent.Observation `json:"latest,omitempty"`
	Diagnostic *Diagnostic      `json:"diagnostic,omitempty"`
	Rollup     *Rollup          `json:"rollup"`
}

// diagnosticMetrics are the metrics a diagnostic picks from, in order, when none is
// asked (as Diagnostic does).
var diagnosticMetrics = []planning.Metric{planning.Physical, planning.GHGAvoided, planning.GHGEmissions}

// Compare puts up to MaxCompared territories of any levels side by side for a lever or a
// sector: each one's objectives, latest observation, diagnostic and roll-up, in the
// order given. The statements do not depend on the number of territories: the indicator
// (twice), the territories, the objectives with their levers and sectors, the
// observations with theirs, and the roll-ups.
//
// Only the parts asked are read (all when none are given): without the objectives,
// metric and diagnostic, no objective; without the latest observation and the
// diagnostic, no observation; without the roll-up, no roll-up.
func (svc *Service) Compare(ctx context.Context, keys []*TerritoryKey, leverCode, sectorCode *string, metric *planning.Metric, parts ...CompareParts) ([]*Comparison, error) {
	cp := AllCompareParts
	if len(parts) > 0 {
		cp = parts[0]
	}
	if len(keys) > MaxCompared {
		return nil, badInput("compare takes at most %d territories, got %d", MaxCompared, len(keys))
	}
	byLevel := map[hierarchy.Level][]string{}
	seen := map[TerritoryKey]bool{}
	for _, k := range keys {
		if seen[*k] {
			return nil, badInput("%s:%s is given twice", k.Level, k.Code)
		}
		seen[*k] = true
		byLevel[k.Level] = append(byLevel[k.Level], k.Code)
	}
	ind, err := svc.resolveIndicator(ctx, leverCode, sectorCode, true)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return []*Comparison{}, nil
	}
	var preds []predicate.Territory
	for l, codes := range byLevel {
		preds = append(preds, territory.And(territory.LevelEQ(l), territory.CodeIn(codes...)))
	}
	ts, err := svc.client.Territory.Query().Where(territory.Or(preds...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	byKey := map[TerritoryKey]*ent.Territory{}
	ids := make([]int, len(ts))
	for i, t := range ts {
		byKey[TerritoryKey{Level: t.Level, Code: t.Code}] = t
		ids[i] = t.ID
	}
	for _, k := range keys {
		if byKey[*k] == nil {
			return nil, notFound("no territory %s:%s", k.Level, k.Code)
		}
	}

	// What each territory is measured against (goalsOf, the rule of every level), and
	// the observations of the indicator: a lever's records, or a sector's own.
	// The latest observation is of the metric the goals pick.
	var goals map[int][]*goal
	if cp.Goals || cp.Observations {
		if goals, err = svc.goalsOf(ctx, ts, indicatorQuery(ind)); err != nil {
			return nil, fmt.Errorf("compare objectives: %w", err)
		}
	}
	var obs []*ent.Observation
	if cp.Observations {
		obq := svc.client.Observation.Query().Where(observation.TerritoryIDIn(ids...))
		if ind.lever != nil {
			obq.Where(observation.LeverID(ind.lever.ID))
		} else {
			obq.Where(observation.SectorID(ind.sector.ID), observation.LeverIDIsNil())
		}
		if metric != nil {
			obq.Where(observation.MetricEQ(*metric))
		}
		if obs, err = obq.WithLever().WithSector().Order(ent.Asc(observation.FieldYear), ent.Asc(observation.FieldID)).All(ctx); err != nil {
			return nil, fmt.Errorf("compare observations: %w", err)
		}
	}
	type tm struct {
		territory int
		metric    planning.Metric
	}
	obsBy := map[tm][]*ent.Observation{}
	for _, o := range obs {
		k := tm{o.TerritoryID, o.Metric}
		obsBy[k] = append(obsBy[k], o)
	}
	amounts := map[int]*Amounts{}
	if cp.Rollup != nil {
		rq, err := svc.rollupQuery(ctx, &RollupFilter{Lever: leverCode, Sector: sectorCode})
		if err != nil {
			return nil, err
		}
		if amounts, err = svc.Amounts(ctx, ids, ByTerritory, cp.Rollup.skip(rq)); err != nil {
			return nil, err
		}
	}

	out := make([]*Comparison, len(keys))
	for i, k := range keys {
		t := byKey[*k]
		c := &Comparison{Territory: t, Objectives: []*ent.Objective{}, Rollup: toRollup(amounts[t.ID])}
		metrics := diagnosticMetrics
		if metric != nil {
			metrics = []planning.Metric{*metric}
		}
		for _, m := range metrics {
			g := indicatorGoal(goals[t.ID], ind, m)
			if g == nil && metric == nil {
				continue
			}
			c.Metric = &m
			if g != nil {
				c.Objectives = append(c.Objectives, g.From...)
			}
			ob := obsBy[tm{t.ID, m}]
			if n := len(ob); n > 0 {
				c.Latest = ob[n-1]
			}
			if c.Diagnostic, err = diagnose(g, ob); err != nil {
				return nil, err
			}
			break
		}
		if c.Latest != nil {
			c.Latest.Edges.Territory = t
		}
		out[i] = c
	}
	var objs []*ent.Objective
	for _, c := range out {
		objs = append(objs, c.Objectives...)
	}
	if !cp.Goals {
		objs = nil // nobody reads them: their edges are not loaded
	}
	if err := svc.loadObjectiveEdges(ctx, objs, ts); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return out, nil
}

// RankingKey identifies a ranking's arguments, so that the territories of one response
// asking for the same ranking can share it.
func RankingKey(within *TerritoryKey, level hierarchy.Level, order RollupOrder, f *RollupFilter, parts ...RollupParts) string {
	var b strings.Builder
	p := partsOf(parts)
	fmt.Fprintf(&b, "%t%t|", p.Objective, p.Commitments)
	if within != nil {
		fmt.Fprintf(&b, "%s:%s", within.Level, within.Code)
	}
	fmt.Fprintf(&b, "|%s|%s|%t|%s|", level, order.By, order.PerInhabitant, order.Direction)
	if f != nil {
		fmt.Fprintf(&b, "%v|%v|%v|%v|%v", deref(f.Sector), deref(f.Lever), f.ActionStatus, derefInt(f.Year), f.CarrierLevels)
	}
	return b.String()
}

func derefInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
