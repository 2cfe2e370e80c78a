package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/ent/theme"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// GHGUnit is the unit of the SGPE's emission objectives.
const GHGUnit = planning.KtCO2e

// RegionCodes returns a function mapping a region label of the SGPE file to its INSEE
// code (planning.SGPERegionCodes).
func (svc *Service) RegionCodes(ctx context.Context) (func(string) (string, bool), error) {
	c := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	regions, err := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read regions: %w", err)
	}
	keys := make([]hierarchy.Territory, len(regions))
	for i, r := range regions {
		keys[i] = hierarchy.Territory{Key: hierarchy.Key{Level: hierarchy.Region, Code: r.Code}, Name: r.Name}
	}
	return planning.SGPERegionCodes(keys), nil
}

// SGPESummary tells what an SGPE import did.
type SGPESummary struct {
	Levers, Objectives, Derived int
}

// ImportSGPE writes the levers and the regions' objectives of an SGPE file, updating
// those already stored in place and removing the region objectives the file no longer
// has, then recomputes every derived objective. All or nothing.
func (svc *Service) ImportSGPE(ctx context.Context, f *planning.SGPEFile) (SGPESummary, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var sum SGPESummary
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		leverIDs, err := upsertLevers(ctx, c, f.Levers)
		if err != nil {
			return err
		}
		sectorOf := map[string]string{}
		unitOf := map[string]string{}
		for _, l := range f.Levers {
			sectorOf[l.Code], unitOf[l.Code] = l.Sector, l.PhysicalUnit
		}
		sectorIDs, err := codeIDs(ctx, c.Sector.Query().Select(sector.FieldID, sector.FieldCode))
		if err != nil {
			return err
		}
		regionIDs, err := codeIDs(ctx, c.Territory.Query().Where(territory.LevelEQ(hierarchy.Region)).Select(territory.FieldID, territory.FieldCode))
		if err != nil {
			return err
		}
		existing, err := c.Objective.Query().
			Where(objective.SourceEQ(objective.SourceSGPE), objective.Derived(false)).All(ctx)
		if err != nil {
			return fmt.Errorf("read SGPE objectives: %w", err)
		}
		type key struct {
			territory, lever int
			metric           planning.Metric
		}
		have := map[key]*ent.Objective{}
		for _, o := range existing {
			if o.LeverID != nil {
				have[key{o.TerritoryID, *o.LeverID, o.Metric}] = o
			}
		}
		seen := map[int]bool{}
		var creates []*ent.ObjectiveCreate
		write := func(region, lev, sec int, metric planning.Metric, f planning.Figures) error {
			if o, ok := have[key{region, lev, metric}]; ok {
				seen[o.ID] = true
				if o.Unit == f.Unit && o.BaselineValue == f.Baseline && o.TargetValue == f.Target &&
					o.BaselineYear == f.BaselineYear && o.TargetYear == f.TargetYear {
					return nil
				}
				return c.Objective.UpdateOneID(o.ID).SetUnit(f.Unit).
					SetBaselineYear(f.BaselineYear).SetBaselineValue(f.Baseline).
					SetTargetYear(f.TargetYear).SetTargetValue(f.Target).Exec(ctx)
			}
			creates = append(creates, c.Objective.Create().SetTerritoryID(region).SetLeverID(lev).SetSectorID(sec).
				SetMetric(metric).SetUnit(f.Unit).SetSource(objective.SourceSGPE).
				SetBaselineYear(f.BaselineYear).SetBaselineValue(f.Baseline).
				SetTargetYear(f.TargetYear).SetTargetValue(f.Target))
			return nil
		}
		for _, o := range f.Objectives {
			region, lev, sec := regionIDs[o.RegionCode], leverIDs[o.Lever], sectorIDs[sectorOf[o.Lever]]
			metrics, figures := o.Metrics(unitOf[o.Lever])
			for i, m := range metrics {
				if err := write(region, lev, sec, m, figures[i]); err != nil {
					return fmt.Errorf("record %d: %w", o.Record, err)
				}
			}
			sum.Objectives++
		}
		if err := bulk(ctx, creates, c.Objective.CreateBulk); err != nil {
			return fmt.Errorf("insert objectives: %w", err)
		}
		var stale []int
		for _, o := range existing {
			if !seen[o.ID] {
				stale = append(stale, o.ID)
			}
		}
		if len(stale) > 0 {
			if _, err := c.Objective.Delete().Where(objective.DerivedFromIDIn(stale...)).Exec(ctx); err != nil {
				return fmt.Errorf("delete derived of stale objectives: %w", err)
			}
			if _, err := c.Objective.Delete().Where(objective.IDIn(stale...)).Exec(ctx); err != nil {
				return fmt.Errorf("delete stale objectives: %w", err)
			}
		}
		sum.Levers = len(f.Levers)
		sum.Derived, err = recomputeBreakdowns(ctx, c)
		return err
	})
	if err != nil {
		return SGPESummary{}, fmt.Errorf("import SGPE: %w", err)
	}
	return sum, svc.analyze(ctx, "levers", "objectives", "goal_cells")
}

// upsertLevers writes the levers and returns the id of every lever by code.
func upsertLevers(ctx context.Context, c *ent.Client, levers []planning.Lever) (map[string]int, error) {
	sectorIDs, err := codeIDs(ctx, c.Sector.Query().Select(sector.FieldID, sector.FieldCode))
	if err != nil {
		return nil, err
	}
	themeIDs, err := codeIDs(ctx, c.Theme.Query().Select(theme.FieldID, theme.FieldCode))
	if err != nil {
		return nil, err
	}
	ids, err := codeIDs(ctx, c.Lever.Query().Select(lever.FieldID, lever.FieldCode))
	if err != nil {
		return nil, err
	}
	for _, l := range levers {
		var unit *string
		if l.PhysicalUnit != "" {
			unit = &l.PhysicalUnit
		}
		if id, ok := ids[l.Code]; ok {
			err = c.Lever.UpdateOneID(id).SetName(l.Name).SetNillablePhysicalUnit(unit).
				SetExtensive(l.Extensive).SetDescription(l.Description).
				SetSectorID(sectorIDs[l.Sector]).SetThemeID(themeIDs[l.Theme]).Exec(ctx)
		} else {
			var lv *ent.Lever
			lv, err = c.Lever.Create().SetCode(l.Code).SetName(l.Name).SetNillablePhysicalUnit(unit).
				SetExtensive(l.Extensive).SetDescription(l.Description).
				SetSectorID(sectorIDs[l.Sector]).SetThemeID(themeIDs[l.Theme]).Save(ctx)
			if lv != nil {
				ids[l.Code] = lv.ID
			}
		}
		if err != nil {
			return nil, fmt.Errorf("write lever %s: %w", l.Code, err)
		}
	}
	return ids, nil
}

// codeIDs maps the codes of a query's rows (selecting id and code) to their ids.
func codeIDs[Q interface {
	Scan(context.Context, any) error
}](ctx context.Context, q Q) (map[string]int, error) {
	var rows []struct {
		ID   int    `json:"id"`
		Code string `json:"code"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read codes: %w", err)
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		m[r.Code] = r.ID
	}
	return m, nil
}

// bulk inserts creates in batches.
func bulk[C any, B interface{ Exec(context.Context) error }](ctx context.Context, creates []C, mk func(...C) B) error {
	for i := 0; i < len(creates); i += batch {
		if err := mk(creates[i:min(i+batch, len(creates))]...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// BreakdownLevels are the levels a region's objectives are broken down to (COP step 3).
var BreakdownLevels = planning.BreakdownLevels

// child is a territory inside a parent.
type child struct {
	ID         int
	Code       string
	Level      hierarchy.Level
	Population int64
	Inside     float64 // the share of its population living in the parent
}

// inside is the population the child has inside the parent (hierarchy.Inside).
func (c child) inside() int64 { return hierarchy.Inside(c.Population, c.Inside) }

// RecomputeBreakdowns rebuilds every derived objective from the regions' own objectives.
func (svc *Service) RecomputeBreakdowns(ctx context.Context) (int, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var n int
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		var err error
		n, err = recomputeBreakdowns(ctx, tx.Client())
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, svc.analyze(ctx, "objectives", "goal_cells")
}

// recomputeBreakdowns splits each region objective over the region's departments, CRTE
// and EPCI by the rule of shares (hierarchy.Cover): each gets its share of the region's
// population, and what none of them covers stays unallocated (not stored). Physical
// objectives are split only for extensive quantities (planning.Divisible). Parts and the
// unallocated part add up exactly to the region's value at the unit's precision
// (planning.SplitGoal).
func recomputeBreakdowns(ctx context.Context, c *ent.Client) (int, error) {
	if _, err := c.Objective.Delete().Where(objective.Derived(true), objective.SourceEQ(objective.SourceBREAKDOWN)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("delete derived objectives: %w", err)
	}
	sources, err := c.Objective.Query().
		Where(objective.Derived(false), objective.HasTerritoryWith(territory.LevelEQ(hierarchy.Region)), objective.LeverIDNotNil()).
		WithLever().All(ctx)
	if err != nil {
		return 0, fmt.Errorf("read region objectives: %w", err)
	}
	regionSet := map[int]bool{}
	for _, o := range sources {
		regionSet[o.TerritoryID] = true
	}
	regions := make([]int, 0, len(regionSet))
	for id := range regionSet {
		regions = append(regions, id)
	}
	sort.Ints(regions)
	cvs, err := covers(ctx, c, regions, BreakdownLevels)
	if err != nil {
		return 0, err
	}
	key := objective.BreakdownKeyPOPULATION
	var creates []*ent.ObjectiveCreate
	for _, o := range sources {
		if !planning.Divisible(o.Metric, o.Edges.Lever.Extensive) {
			continue
		}
		whole := candidateOf(o).Figures
		for _, lv := range BreakdownLevels {
			cv := cvs[o.TerritoryID][lv]
			if cv == nil {
				continue
			}
			// The rule of shares: each child's part is its share of the region's
			// population; the part no child covers is not stored.
			parts, err := planning.SplitGoal(whole, cv.cover.Weights())
			if err != nil {
				return 0, fmt.Errorf("objective %d over %s: %w", o.ID, lv, err)
			}
			for i, ch := range cv.children {
				creates = append(creates, c.Objective.Create().SetTerritoryID(ch.ID).
					SetNillableLeverID(o.LeverID).SetNillableSectorID(o.SectorID).
					SetMetric(o.Metric).SetUnit(o.Unit).
					SetBaselineYear(o.BaselineYear).SetBaselineValue(parts[i].Baseline).
					SetTargetYear(o.TargetYear).SetTargetValue(parts[i].Target).
					SetSource(objective.SourceBREAKDOWN).SetDerived(true).
					SetBreakdownKey(key).SetDerivedFromID(o.ID))
			}
		}
	}
	if err := bulk(ctx, creates, c.Objective.CreateBulk); err != nil {
		return 0, fmt.Errorf("insert derived objectives: %w", err)
	}
	return len(creates), rebuildGoalCells(ctx, c)
}

// NationalSummary tells what a national import did.
type NationalSummary struct {
	Objectives, Observations int
}

// NationalSource names the source of the national observations.
const NationalSource = "CITEPA, Secten 2025"

// ImportNational writes the national file: for each sector (and the all-sector total) the
// country's objective (baseline 2019, target of the national strategy) and its yearly
// emissions as observations. Re-importing updates in place. All or nothing.
func (svc *Service) ImportNational(ctx context.Context, rows []planning.NationalSector) (NationalSummary, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var sum NationalSummary
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		fr, err := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Country), territory.Code(hierarchy.CountryCode)).OnlyID(ctx)
		if err != nil {
			return fmt.Errorf("find the country: %w", err)
		}
		sectorIDs, err := codeIDs(ctx, c.Sector.Query().Select(sector.FieldID, sector.FieldCode))
		if err != nil {
			return err
		}
		for _, r := range rows {
			var sec *int
			if r.Sector != planning.NationalTotal {
				id := sectorIDs[r.Sector]
				sec = &id
			}
			base := r.Values[planning.SGPEBaselineYear] // ParseNational checked it is there
			oq := c.Objective.Query().Where(objective.TerritoryID(fr), objective.LeverIDIsNil(),
				objective.MetricEQ(planning.GHGEmissions), objective.SourceEQ(objective.SourceNATIONAL_STRATEGY))
			if sec != nil {
				oq.Where(objective.SectorID(*sec))
			} else {
				oq.Where(objective.SectorIDIsNil())
			}
			cur, err := oq.Only(ctx)
			switch {
			case ent.IsNotFound(err):
				err = c.Objective.Create().SetTerritoryID(fr).SetNillableSectorID(sec).
					SetMetric(planning.GHGEmissions).SetUnit(r.Unit).SetSource(objective.SourceNATIONAL_STRATEGY).
					SetBaselineYear(planning.SGPEBaselineYear).SetBaselineValue(base).
					SetTargetYear(r.TargetYear).SetTargetValue(r.Target).Exec(ctx)
			case err == nil:
				err = cur.Update().SetUnit(r.Unit).SetBaselineValue(base).
					SetTargetYear(r.TargetYear).SetTargetValue(r.Target).Exec(ctx)
			}
			if err != nil {
				return fmt.Errorf("line %d: write objective: %w", r.Line, err)
			}
			sum.Objectives++
			years := make([]int, 0, len(r.Values))
			for y := range r.Values {
				years = append(years, y)
			}
			sort.Ints(years)
			for _, y := range years {
				in := observationWrite{Territory: fr, Sector: sec, Metric: planning.GHGEmissions,
					Unit: r.Unit, Year: y, Value: r.Values[y], Source: NationalSource}
				if _, err := upsertObservation(ctx, c, in); err != nil {
					return fmt.Errorf("line %d: %w", r.Line, err)
				}
				sum.Observations++
			}
		}
		return rebuildGoalCells(ctx, c)
	})
	if err != nil {
		return NationalSummary{}, fmt.Errorf("import national: %w", err)
	}
	return sum, svc.analyze(ctx, "objectives", "observations", "goal_cells")
}

// observationWrite is an observation to write, with resolved ids.
type observationWrite struct {
	Territory     int
	Lever, Sector *int
	Metric        planning.Metric
	Unit          string
	Year          int
	Value         float64
	Source        string
}

// upsertObservation writes an observation, replacing the value of the same territory,
// indicator, metric, year and source.
func upsertObservation(ctx context.Context, c *ent.Client, in observationWrite) (*ent.Observation, error) {
	_, o, err := putObservation(ctx, c, in)
	return o, err
}

// putObservation is upsertObservation that also returns the observation replaced, nil
// when there was none.
func putObservation(ctx context.Context, c *ent.Client, in observationWrite) (before, after *ent.Observation, err error) {
	q := c.Observation.Query().Where(observation.TerritoryID(in.Territory), observation.MetricEQ(in.Metric),
		observation.Year(in.Year), observation.Source(in.Source))
	if in.Lever != nil {
		q.Where(observation.LeverID(*in.Lever))
	} else {
		q.Where(observation.LeverIDIsNil())
	}
	if in.Sector != nil {
		q.Where(observation.SectorID(*in.Sector))
	} else {
		q.Where(observation.SectorIDIsNil())
	}
	cur, err := q.Only(ctx)
	switch {
	case ent.IsNotFound(err):
		after, err = c.Observation.Create().SetTerritoryID(in.Territory).SetNillableLeverID(in.Lever).
			SetNillableSectorID(in.Sector).SetMetric(in.Metric).SetUnit(in.Unit).
			SetYear(in.Year).SetValue(in.Value).SetSource(in.Source).Save(ctx)
		return nil, after, err
	case err != nil:
		return nil, nil, fmt.Errorf("read observation: %w", err)
	}
	after, err = cur.Update().SetUnit(in.Unit).SetValue(in.Value).Save(ctx)
	return cur, after, err
}

// ImportObservations resolves and checks the records of an observations file, then writes
// them all, or none when any line is wrong (the errors name the lines).
func (svc *Service) ImportObservations(ctx context.Context, recs []planning.ObservationRecord) (int, error) {
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	ins, errs, err := svc.resolveObservations(ctx, recs, func(r planning.ObservationRecord) string { return fmt.Sprintf("line %d", r.Line) })
	if err != nil {
		return 0, err
	}
	if len(errs) > 0 {
		return 0, fmt.Errorf("%w: %w", ErrInvalidInput, errors.Join(errs...))
	}
	if _, err := svc.writeObservations(ctx, ins, nil); err != nil {
		return 0, err
	}
	return len(ins), svc.analyze(ctx, "observations")
}

// resolveObservations is the one rule of observations, for the API and for imports: it
// resolves the territory and the lever (which sets the sector) or the sector each record
// names, and checks its year, value, unit and texts against the indicator. Three
// statements for any number of records. errs has one error per bad record, prefixed with
// label(record).
func (svc *Service) resolveObservations(ctx context.Context, recs []planning.ObservationRecord, label func(planning.ObservationRecord) string) (ins []observationWrite, errs []error, err error) {
	var codes, leverCodes []string
	for _, r := range recs {
		codes = append(codes, r.Territory.Code)
		if r.Lever != "" {
			leverCodes = append(leverCodes, r.Lever)
		}
	}
	var rows []struct {
		ID    int    `json:"id"`
		Level string `json:"level"`
		Code  string `json:"code"`
	}
	if err := svc.client.Territory.Query().Where(territory.CodeIn(codes...)).
		Select(territory.FieldID, territory.FieldLevel, territory.FieldCode).Scan(ctx, &rows); err != nil {
		return nil, nil, fmt.Errorf("read territories: %w", err)
	}
	ids := map[hierarchy.Key]int{}
	for _, r := range rows {
		ids[hierarchy.Key{Level: hierarchy.Level(r.Level), Code: r.Code}] = r.ID
	}
	levers, err := svc.client.Lever.Query().Where(lever.CodeIn(leverCodes...)).WithSector().All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read levers: %w", err)
	}
	byCode := map[string]*ent.Lever{}
	for _, l := range levers {
		byCode[l.Code] = l
	}
	sectors, err := codeIDs(ctx, svc.client.Sector.Query().Select(sector.FieldID, sector.FieldCode))
	if err != nil {
		return nil, nil, err
	}
	for _, r := range recs {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{label(r)}, args...)...))
		}
		id, ok := ids[r.Territory]
		if !ok {
			bad("unknown territory %s", r.Territory)
			continue
		}
		in := observationWrite{Territory: id, Metric: r.Metric, Year: r.Year, Value: r.Value, Source: r.Source}
		var unit *string
		switch {
		case r.Lever != "" && r.Sector != "":
			bad("give a lever or a sector, not both")
			continue
		case r.Lever != "":
			l, ok := byCode[r.Lever]
			if !ok {
				bad("unknown lever %s", hierarchy.Excerpt(r.Lever))
				continue
			}
			in.Lever, in.Sector, unit = &l.ID, &l.Edges.Sector.ID, l.PhysicalUnit
		case r.Sector != "":
			s, ok := sectors[r.Sector]
			if !ok {
				bad("unknown sector %s", hierarchy.Excerpt(r.Sector))
				continue
			}
			in.Sector = &s
		default:
			bad("give a lever or a sector")
			continue
		}
		var cerr error
		in.Unit, cerr = planning.CheckObservationFields(planning.ObservationFields{Metric: r.Metric, Unit: r.Unit,
			Year: r.Year, Value: r.Value, Source: r.Source, LeverUnit: unit})
		if cerr != nil {
			bad("%v", cerr)
			continue
		}
		// Kept to significant digits, as objectives are: a commune observes small quantities.
		in.Value = planning.RoundSig(in.Value)
		ins = append(ins, in)
	}
	return ins, errs, nil
}

// writeObservations writes observations, all or none; with a write (from the API), each
// with its audit entry.
func (svc *Service) writeObservations(ctx context.Context, ins []observationWrite, w *Write) ([]*ent.Observation, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	out := make([]*ent.Observation, 0, len(ins))
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		for i, in := range ins {
			before, o, err := putObservation(ctx, tx.Client(), in)
			if err != nil {
				return fmt.Errorf("observation %d: %w", i+1, err)
			}
			if w != nil {
				var b any
				if before != nil {
					b = before
				}
				if err := record(ctx, tx.Client(), *w, "Observation", o.ID, b, o); err != nil {
					return err
				}
			}
			out = append(out, o.Unwrap())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record observations: %w", err)
	}
	return out, nil
}

// EnsurePlanning imports the SGPE objectives (with every breakdown) and the national
// figures read from sgpe and national when the database has no lever yet: the first
// start of a new database. It reports whether it imported them. A database whose
// objectives were imported before the goal cells existed gets them computed.
func (svc *Service) EnsurePlanning(ctx context.Context, sgpe, national func() io.Reader) (bool, error) {
	n, err := svc.client.Lever.Query().Limit(1).Count(store.UsePrimary(ctx))
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, svc.ensureGoalCells(ctx)
	}
	codes, err := svc.RegionCodes(ctx)
	if err != nil {
		return false, err
	}
	f, err := planning.ParseSGPE(sgpe(), codes)
	if err != nil {
		return false, fmt.Errorf("embedded SGPE file: %w", err)
	}
	if _, err := svc.ImportSGPE(ctx, f); err != nil {
		return false, err
	}
	rows, err := planning.ParseNational(national())
	if err != nil {
		return false, fmt.Errorf("embedded national file: %w", err)
	}
	if _, err := svc.ImportNational(ctx, rows); err != nil {
		return false, err
	}
	return true, nil
}
