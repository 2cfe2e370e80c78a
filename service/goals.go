package service

// What a territory is measured against, at every level: the one place that reads
// objectives for the diagnostic, the breakdown, the dashboard, the roll-ups and the
// roadmap, so that they all give the same figures. The rules are planning's
// (planning/goals.go); this file reads what they need and applies them.
//
//   - A region, a department, a CRTE or an EPCI: its own objectives for an indicator and
//     metric when it has some, else those derived to it, summed (planning.SumGoal).
//   - The country: its own (the national strategy's) when it has some, else the sum of its
//     regions' own objectives (planning.CountryCandidates).
//   - A commune: its own when it has some, else its part of its department's by the rule of
//     shares (planning.CommuneGoals over the department's hierarchy.Cover), computed on the
//     fly: the same part the department's breakdown to its communes gives it.
//   - A sector: its own objectives in a metric when it has some, else, for emissions, the
//     sum of its levers' and of its subdivisions' levers' (planning.SectorGoal).

import (
	"context"
	"fmt"
	"sort"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

// goal is what a territory is measured against for one lever (or a sector's own
// objectives) and metric, from stored objectives (planning.Goal): From are the
// territory's own or derived objectives, the regions' for the country, the department's
// for a commune. Values are rounded to the unit's decimals (planning.Round).
type goal = planning.Goal[*ent.Objective]

// goalQuery narrows the goals read.
type goalQuery struct {
	lever      *int
	sectors    []int // objectives of these sectors (levers' objectives carry their sector)
	metrics    []planning.Metric
	leversOnly bool
	// figuresOnly reads only the columns the sums need: for callers that show figures,
	// never the objectives behind them (roll-ups), which then come without their other
	// fields (source, breakdown key, dates).
	figuresOnly bool
}

func (q goalQuery) where() []predicate.Objective {
	var ps []predicate.Objective
	if q.lever != nil {
		ps = append(ps, objective.LeverID(*q.lever))
	}
	if len(q.sectors) > 0 {
		ps = append(ps, objective.SectorIDIn(q.sectors...))
	}
	if len(q.metrics) > 0 {
		ps = append(ps, objective.MetricIn(q.metrics...))
	}
	if q.leversOnly {
		ps = append(ps, objective.LeverIDNotNil())
	}
	return ps
}

// candidate is an objective a territory may be measured against.
type candidate = planning.Candidate[*ent.Objective]

// candidateOf is a stored objective as the goal rules read it.
func candidateOf(o *ent.Objective) candidate {
	return candidate{Objective: o, Lever: deref0(o.LeverID), Sector: deref0(o.SectorID), Metric: o.Metric,
		Figures: planning.Figures{Unit: o.Unit, BaselineYear: o.BaselineYear, TargetYear: o.TargetYear,
			Baseline: o.BaselineValue, Target: o.TargetValue},
		Derived: o.Derived}
}

// goalList returns goals as the pointers callers keep.
func goalList(gs []goal) []*goal {
	out := make([]*goal, len(gs))
	for i := range gs {
		out[i] = &gs[i]
	}
	return out
}

// goalsOf returns the goals of each territory, ordered by lever, sector and metric. One
// statement, three when communes are among the territories.
func (svc *Service) goalsOf(ctx context.Context, ts []*ent.Territory, q goalQuery) (map[int][]*goal, error) {
	out := map[int][]*goal{}
	if len(ts) == 0 {
		return out, nil
	}
	requested := map[int]*ent.Territory{}
	var country *ent.Territory
	var communes []*ent.Territory
	direct := make([]int, 0, len(ts))
	for _, t := range ts {
		if requested[t.ID] != nil {
			continue
		}
		requested[t.ID] = t
		direct = append(direct, t.ID)
		switch t.Level {
		case hierarchy.Country:
			country = t
		case hierarchy.Commune:
			communes = append(communes, t)
		}
	}
	var parts *communeParts
	if len(communes) > 0 {
		var err error
		if parts, err = svc.communeParts(ctx, communes); err != nil {
			return nil, err
		}
		for _, d := range parts.departments {
			if requested[d] == nil {
				direct = append(direct, d)
			}
		}
	}
	pred := objective.TerritoryIDIn(direct...)
	if country != nil {
		// The regions' objectives too, for the country's sum. One list of territories,
		// not "these or any region's": an OR with the regions' condition made PostgreSQL
		// scan every objective (40,000 rows for France by region), this reads the
		// regions' and the requested ones by index. Rows not wanted (a region's
		// derived ones) are left out below.
		pred = func(s *sql.Selector) {
			t := sql.Table(territory.Table)
			s.Where(sql.In(s.C(objective.FieldTerritoryID), sql.Select(t.C(territory.FieldID)).From(t).
				Where(sql.Or(sql.EQ(t.C(territory.FieldLevel), string(hierarchy.Region)), sql.InInts(t.C(territory.FieldID), direct...)))))
		}
	}
	oq := svc.client.Objective.Query().Where(pred).Where(q.where()...).Order(ent.Asc(objective.FieldID))
	if q.figuresOnly {
		oq.Select(objective.FieldID, objective.FieldTerritoryID, objective.FieldLeverID, objective.FieldSectorID,
			objective.FieldMetric, objective.FieldUnit, objective.FieldBaselineYear, objective.FieldBaselineValue,
			objective.FieldTargetYear, objective.FieldTargetValue, objective.FieldDerived)
	}
	objs, err := oq.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read objectives: %w", err)
	}
	cands := map[int][]candidate{}
	var regions []candidate // the regions' objectives, for the country
	isDepartment := map[int]bool{}
	if parts != nil {
		for _, d := range parts.departments {
			isDepartment[d] = true
		}
	}
	for _, o := range objs {
		if requested[o.TerritoryID] != nil || isDepartment[o.TerritoryID] {
			cands[o.TerritoryID] = append(cands[o.TerritoryID], candidateOf(o))
		}
		if country != nil && o.TerritoryID != country.ID {
			// A region's objective, read for the country, or a region asked for.
			if r := requested[o.TerritoryID]; (r == nil && !isDepartment[o.TerritoryID]) || (r != nil && r.Level == hierarchy.Region) {
				regions = append(regions, candidateOf(o))
			}
		}
	}
	if country != nil {
		cands[country.ID] = planning.CountryCandidates(cands[country.ID], regions)
	}
	goalsOfOwner := func(owner int) []goal { return planning.Goals(cands[owner]) }
	for _, t := range requested {
		gs := goalsOfOwner(t.ID)
		if t.Level == hierarchy.Commune {
			if gs, err = parts.goals(t, gs, goalsOfOwner); err != nil {
				return nil, err
			}
		}
		out[t.ID] = goalList(gs)
	}
	return out, nil
}

// loadObjectiveEdges sets the territory, lever and sector of objectives read without
// them (goalsOf reads bare rows), so that a list of goals from many territories costs
// three statements at most instead of three per objective. known are territories
// already read; a commune's goals come from its department's objectives, whose territory
// is the department.
func (svc *Service) loadObjectiveEdges(ctx context.Context, objs []*ent.Objective, known []*ent.Territory) error {
	if len(objs) == 0 {
		return nil
	}
	territories := map[int]*ent.Territory{}
	for _, t := range known {
		territories[t.ID] = t
	}
	var missing, levers, sectors []int
	seen := map[[2]int]bool{}
	note := func(kind, id int, list *[]int) {
		if !seen[[2]int{kind, id}] {
			seen[[2]int{kind, id}] = true
			*list = append(*list, id)
		}
	}
	for _, o := range objs {
		if territories[o.TerritoryID] == nil {
			note(0, o.TerritoryID, &missing)
		}
		if o.LeverID != nil {
			note(1, *o.LeverID, &levers)
		}
		if o.SectorID != nil {
			note(2, *o.SectorID, &sectors)
		}
	}
	if len(missing) > 0 {
		ts, err := svc.client.Territory.Query().Where(territory.IDIn(missing...)).All(ctx)
		if err != nil {
			return fmt.Errorf("read territories of objectives: %w", err)
		}
		for _, t := range ts {
			territories[t.ID] = t
		}
	}
	leverOf := map[int]*ent.Lever{}
	if len(levers) > 0 {
		ls, err := svc.client.Lever.Query().Where(lever.IDIn(levers...)).All(ctx)
		if err != nil {
			return fmt.Errorf("read levers of objectives: %w", err)
		}
		for _, l := range ls {
			leverOf[l.ID] = l
		}
	}
	sectorOf := map[int]*ent.Sector{}
	if len(sectors) > 0 {
		ss, err := svc.client.Sector.Query().Where(sector.IDIn(sectors...)).All(ctx)
		if err != nil {
			return fmt.Errorf("read sectors of objectives: %w", err)
		}
		for _, s := range ss {
			sectorOf[s.ID] = s
		}
	}
	for _, o := range objs {
		o.Edges.Territory = territories[o.TerritoryID]
		if o.LeverID != nil {
			o.Edges.Lever = leverOf[*o.LeverID]
		}
		if o.SectorID != nil {
			o.Edges.Sector = sectorOf[*o.SectorID]
		}
	}
	return nil
}

// goalsFor returns the goals of one territory.
func (svc *Service) goalsFor(ctx context.Context, t *ent.Territory, q goalQuery) ([]*goal, error) {
	m, err := svc.goalsOf(ctx, []*ent.Territory{t}, q)
	return m[t.ID], err
}

// communeParts holds what communes need to take their part of their department's goals:
// each one's department and the department's cover by its communes.
type communeParts struct {
	departments []int
	deptOf      map[int]int         // commune id -> department id
	covers      map[int]*childCover // department id -> its communes
	split       map[int][]planning.GoalSplit[*ent.Objective]
}

// communeParts reads the departments of communes and their covers: two statements.
func (svc *Service) communeParts(ctx context.Context, communes []*ent.Territory) (*communeParts, error) {
	ids := make([]int, len(communes))
	for i, c := range communes {
		ids[i] = c.ID
	}
	ms, err := svc.client.Membership.Query().
		Where(membership.ChildIDIn(ids...), membership.HasParentWith(territory.LevelEQ(hierarchy.Department))).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read departments of communes: %w", err)
	}
	p := &communeParts{deptOf: map[int]int{}, split: map[int][]planning.GoalSplit[*ent.Objective]{}}
	seen := map[int]bool{}
	for _, m := range ms {
		p.deptOf[m.ChildID] = m.ParentID
		if !seen[m.ParentID] {
			seen[m.ParentID] = true
			p.departments = append(p.departments, m.ParentID)
		}
	}
	sort.Ints(p.departments)
	cs, err := covers(ctx, svc.client, p.departments, []hierarchy.Level{hierarchy.Commune})
	if err != nil {
		return nil, err
	}
	p.covers = map[int]*childCover{}
	for d, byLevel := range cs {
		p.covers[d] = byLevel[hierarchy.Commune]
	}
	return p, nil
}

// goals is what commune c is measured against (planning.CommuneGoals): its own goals, and
// for every other lever (or sector) and metric its part of its department's goal, the
// part the department's breakdown to its communes gives it. goalsOf gives the goals of
// a territory read.
func (p *communeParts) goals(c *ent.Territory, own []goal, goalsOf func(int) []goal) ([]goal, error) {
	d, ok := p.deptOf[c.ID]
	cv := p.covers[d]
	if !ok || cv == nil {
		return own, nil
	}
	i := cv.index(c.ID)
	if i < 0 {
		return own, nil
	}
	if p.split[d] == nil {
		sg, err := planning.SplitGoals(goalsOf(d), cv.cover.Weights())
		if err != nil {
			return nil, fmt.Errorf("department %d: %w", d, err)
		}
		p.split[d] = sg
	}
	return planning.CommuneGoals(own, p.split[d], i), nil
}

// childCover is the descendants of one level of a parent, by code, and how they cover it
// (hierarchy.Cover): the key of every population breakdown.
type childCover struct {
	children []child
	cover    hierarchy.Cover
}

// newChildCover orders children by code and computes the cover of a parent of the given
// population.
func newChildCover(population int64, children []child) *childCover {
	sort.Slice(children, func(i, j int) bool { return children[i].Code < children[j].Code })
	inside := make([]int64, len(children))
	for i, c := range children {
		inside[i] = c.inside()
	}
	return &childCover{children: children, cover: hierarchy.NewCover(population, inside)}
}

func (cv *childCover) index(id int) int {
	for i, c := range cv.children {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// covers returns, for each parent and level, the parent's descendants of that level and
// how they cover it: one statement. A parent with no descendant of a level has no entry
// for it.
func covers(ctx context.Context, c *ent.Client, parents []int, levels []hierarchy.Level) (map[int]map[hierarchy.Level]*childCover, error) {
	out := map[int]map[hierarchy.Level]*childCover{}
	if len(parents) == 0 {
		return out, nil
	}
	lv := make([]any, len(levels))
	for i, l := range levels {
		lv[i] = string(l)
	}
	var rows []struct {
		Parent           int     `json:"ancestor_id"`
		ParentPopulation int64   `json:"parent_population"`
		ID               int     `json:"child_id"`
		Code             string  `json:"child_code"`
		Level            string  `json:"child_level"`
		Population       int64   `json:"child_population"`
		Weight           float64 `json:"child_weight"`
	}
	err := c.Ancestry.Query().Where(ancestry.AncestorIDIn(parents...), ancestry.DepthGT(0)).
		Modify(func(s *sql.Selector) {
			t := sql.Table(territory.Table).As("child")
			p := sql.Table(territory.Table).As("parent")
			s.Join(t).On(s.C(ancestry.FieldTerritoryID), t.C(territory.FieldID)).
				Join(p).On(s.C(ancestry.FieldAncestorID), p.C(territory.FieldID)).
				Where(sql.In(t.C(territory.FieldLevel), lv...)).
				Select(s.C(ancestry.FieldAncestorID),
					sql.As(p.C(territory.FieldPopulation), "parent_population"),
					sql.As(t.C(territory.FieldID), "child_id"),
					sql.As(t.C(territory.FieldCode), "child_code"),
					sql.As(t.C(territory.FieldLevel), "child_level"),
					sql.As(t.C(territory.FieldPopulation), "child_population"),
					sql.As(s.C(ancestry.FieldWeight), "child_weight"))
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read population shares: %w", err)
	}
	type pl struct {
		parent int
		level  hierarchy.Level
	}
	children := map[pl][]child{}
	pops := map[int]int64{}
	for _, r := range rows {
		k := pl{r.Parent, hierarchy.Level(r.Level)}
		children[k] = append(children[k], child{ID: r.ID, Code: r.Code, Level: k.level, Population: r.Population, Inside: r.Weight})
		pops[r.Parent] = r.ParentPopulation
	}
	for k, cs := range children {
		if out[k.parent] == nil {
			out[k.parent] = map[hierarchy.Level]*childCover{}
		}
		out[k.parent][k.level] = newChildCover(pops[k.parent], cs)
	}
	return out, nil
}

// sectorTree maps every sector id to its sector and to the national sector it belongs to
// (itself for a national sector): one statement.
type sectorTree struct {
	byID     map[int]*ent.Sector
	national map[int]*ent.Sector
}

func (svc *Service) sectorTree(ctx context.Context) (*sectorTree, error) {
	ss, err := svc.client.Sector.Query().Order(ent.Asc(sector.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sectors: %w", err)
	}
	byCode := map[string]*ent.Sector{}
	tr := &sectorTree{byID: map[int]*ent.Sector{}, national: map[int]*ent.Sector{}}
	for _, s := range ss {
		byCode[s.Code] = s
		tr.byID[s.ID] = s
	}
	for _, s := range ss {
		n := byCode[planning.InventorySector(s.Code)]
		if n == nil {
			n = s
		}
		tr.national[s.ID] = n
	}
	return tr, nil
}

// sectorGoal is what a sector is measured against in a metric (planning.SectorGoal): its
// own objectives in it when it has some, else, for emissions, the sum of the goals of its
// levers and of its subdivisions' levers (the sum the dashboard shows). Nil when there is
// none.
func sectorGoal(goals []*goal, sectorID int, family []int, metric planning.Metric) *goal {
	gs := make([]goal, len(goals))
	for i, g := range goals {
		gs[i] = *g
	}
	g, ok := planning.SectorGoal(gs, sectorID, family, metric)
	if !ok {
		return nil
	}
	return &g
}
