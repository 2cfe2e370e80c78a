package service

// Bulk exports for data teams: objectives, observations, actions, commitments and
// roll-ups as rows with stable column names, read from the database in chunks by id so
// that memory stays the same whatever the size of the export.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/observation"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

// The licence exports are served under, and where to read it: the SGPE and national
// data the objectives come from are published under it, and it is the licence French
// public bodies publish their data under.
const (
	ExportLicence    = "Licence Ouverte 2.0 (Etalab)"
	ExportLicenceURL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
)

// exportChunk is how many records an export reads in one statement.
const exportChunk = 2_000

// ExportDatasets are the datasets of the bulk exports.
var ExportDatasets = []string{"objectives", "observations", "actions", "commitments", "rollups"}

// ColumnType is the type of an export's column, for the formats that keep types
// (Parquet); CSV and JSON Lines write the same values as text and JSON.
type ColumnType uint8

const (
	// TypeString is UTF-8 text (Go string).
	TypeString ColumnType = iota
	// TypeInt32 is a year, a version or an edition (Go int).
	TypeInt32
	// TypeInt64 is an id, a count or a population (Go int or int64).
	TypeInt64
	// TypeDouble is a figure, given to its unit's decimals (Go float64): one column
	// holds figures of several units (an objective's value in ktCO2e or in vehicles),
	// so no one decimal precision fits it.
	TypeDouble
	// TypeBool is true or false (Go bool).
	TypeBool
	// TypeTime is an instant in UTC to the second (an RFC 3339 string in the rows).
	TypeTime
	// TypeStrings is a list of texts, empty rather than null when there is none
	// (Go []string).
	TypeStrings
)

// ExportColumn is a column of an export: its stable name, its type, and whether it may
// be null (empty in CSV).
type ExportColumn struct {
	Name     string
	Type     ColumnType
	Optional bool
}

// ExportSchema is the typed columns of each dataset, in order: stable names
// (docs/data-teams.md lists them), one row per record (per territory for rollups).
var ExportSchema = map[string][]ExportColumn{
	"objectives": {colID, colLevel, colCode, colName, colSector, colLever, {"metric", TypeString, false}, {"unit", TypeString, false},
		{"baseline_year", TypeInt32, false}, {"baseline_value", TypeDouble, false}, {"target_year", TypeInt32, false},
		{"target_value", TypeDouble, false}, {"source", TypeString, false}, {"derived", TypeBool, false},
		{"breakdown_key", TypeString, true}, {"derived_from_id", TypeInt64, true}, colUpdated},
	"observations": {colID, colLevel, colCode, colName, colSector, colLever, {"metric", TypeString, false}, {"unit", TypeString, false},
		{"year", TypeInt32, false}, {"value", TypeDouble, false}, {"source", TypeString, false}, colUpdated},
	"actions": {colID, colLevel, colCode, colName, colSector, colLever, {"title", TypeString, false}, {"description", TypeString, false},
		{"status", TypeString, false}, {"start_year", TypeInt32, false}, {"end_year", TypeInt32, true},
		{"budget", TypeDouble, false}, {"funding_sources", TypeStrings, false}, {"effect_ktco2e", TypeDouble, true},
		{"effect_physical", TypeDouble, true}, {"cop_edition", TypeInt32, true}, {"links", TypeStrings, false},
		{"synthetic", TypeBool, false}, {"version", TypeInt32, false}, colCreated, colUpdated},
	"commitments": {colID, colLevel, colCode, colName, colSector, colLever, {"ktco2e", TypeDouble, true}, {"physical", TypeDouble, true},
		{"target_year", TypeInt32, false}, {"status", TypeString, false}, {"cop_edition", TypeInt32, true},
		{"note", TypeString, false}, {"synthetic", TypeBool, false}, {"version", TypeInt32, false}, colCreated, colUpdated},
	"rollups": {colLevel, colCode, colName, {"population", TypeInt64, false}, {"action_count", TypeInt64, false},
		{"action_share", TypeDouble, false}, {"budget", TypeDouble, false}, {"effect_ktco2e", TypeDouble, false},
		{"draft_ktco2e", TypeDouble, false}, {"submitted_ktco2e", TypeDouble, false}, {"adopted_ktco2e", TypeDouble, false},
		{"withdrawn_ktco2e", TypeDouble, false}, {"objective_ktco2e", TypeDouble, true}, {"coverage", TypeDouble, true},
		{"gap", TypeDouble, true}},
}

// The columns most datasets share.
var (
	colID      = ExportColumn{"id", TypeInt64, false}
	colLevel   = ExportColumn{"territory_level", TypeString, false}
	colCode    = ExportColumn{"territory_code", TypeString, false}
	colName    = ExportColumn{"territory_name", TypeString, false}
	colSector  = ExportColumn{"sector", TypeString, true} // null for a record of no sector
	colLever   = ExportColumn{"lever", TypeString, true}  // null for a record of a whole sector
	colCreated = ExportColumn{"created_at", TypeTime, false}
	colUpdated = ExportColumn{"updated_at", TypeTime, false}
)

// ExportColumns are the names of ExportSchema's columns, in order.
var ExportColumns = exportColumnNames()

func exportColumnNames() map[string][]string {
	out := map[string][]string{}
	for d, cols := range ExportSchema {
		for _, c := range cols {
			out[d] = append(out[d], c.Name)
		}
	}
	return out
}

// exportFilters are the filters each dataset takes besides level, within, lever and
// sector.
var exportFilters = map[string][]string{
	"objectives":   {"metric", "derived"},
	"observations": {"metric"},
	"actions":      {"status"},
	"commitments":  {"status"},
}

// ExportQuery says what an export holds.
type ExportQuery struct {
	Dataset string
	// Level keeps the records of territories of this level (required for rollups: one
	// row per territory of the level).
	Level *hierarchy.Level
	// Within keeps the records of territories wholly or partly inside this one (itself
	// included).
	Within *TerritoryKey
	// Lever and Sector (with its subdivisions) keep the records of an indicator; for
	// rollups, they filter the roll-up.
	Lever, Sector *string
	Metric        *planning.Metric // objectives and observations
	Derived       *bool            // objectives: only derived ones, or only own ones
	Status        *string          // actions and commitments
}

// Export is an export ready to stream: its columns, then its rows.
type Export struct {
	Dataset string
	Columns []string
	// Schema is the columns with their types.
	Schema []ExportColumn
	rows   func(ctx context.Context, emit func(row []any) error) error
}

// Rows reads the export's rows in chunks and gives them one by one to emit, which must
// not keep row. Values are nil, string, int, int64, float64, bool or []string, as the
// column's type in Schema says; times are RFC 3339 strings in UTC.
func (e *Export) Rows(ctx context.Context, emit func(row []any) error) error {
	return e.rows(ctx, emit)
}

// Export checks an export's query, before anything is written, and prepares it.
func (svc *Service) Export(ctx context.Context, q ExportQuery) (*Export, error) {
	cols, ok := ExportColumns[q.Dataset]
	if !ok {
		return nil, notFound("unknown dataset %q: want one of %v", q.Dataset, ExportDatasets)
	}
	for name, set := range map[string]bool{"metric": q.Metric != nil, "derived": q.Derived != nil, "status": q.Status != nil} {
		if set && !slices.Contains(exportFilters[q.Dataset], name) {
			return nil, badInput("%s does not filter %s", name, q.Dataset)
		}
	}
	if q.Level != nil && !q.Level.Valid() {
		return nil, badInput("unknown level %q", *q.Level)
	}
	if q.Metric != nil && !slices.Contains(planning.Metric("").Values(), string(*q.Metric)) {
		return nil, badInput("unknown metric %q", *q.Metric)
	}
	ind, err := svc.resolveIndicator(ctx, q.Lever, q.Sector, false)
	if err != nil {
		return nil, err
	}
	var terr []predicate.Territory
	if q.Level != nil {
		terr = append(terr, territory.LevelEQ(*q.Level))
	}
	if q.Within != nil {
		id, err := svc.TerritoryID(ctx, *q.Within)
		if err != nil {
			return nil, err
		}
		terr = append(terr, territory.HasAncestriesWith(ancestry.AncestorID(id), ancestry.WeightGT(0)))
	}
	x := &exporter{svc: svc, ind: ind, q: q, terr: terr}
	e := &Export{Dataset: q.Dataset, Columns: cols, Schema: ExportSchema[q.Dataset]}
	switch q.Dataset {
	case "objectives":
		e.rows = x.objectives
	case "observations":
		e.rows = x.observations
	case "actions":
		if q.Status != nil && action.StatusValidator(action.Status(*q.Status)) != nil {
			return nil, badInput("unknown action status %q", *q.Status)
		}
		e.rows = x.actions
	case "commitments":
		if q.Status != nil && commitment.StatusValidator(access.CommitmentStatus(*q.Status)) != nil {
			return nil, badInput("unknown commitment status %q", *q.Status)
		}
		e.rows = x.commitments
	case "rollups":
		if q.Level == nil {
			return nil, badInput("rollups need a level: one row per territory of that level")
		}
		if x.rq, err = svc.rollupQuery(ctx, &RollupFilter{Lever: q.Lever, Sector: q.Sector}); err != nil {
			return nil, err
		}
		e.rows = x.rollups
	}
	return e, nil
}

// exporter reads the rows of one export.
type exporter struct {
	svc  *Service
	ind  indicator
	q    ExportQuery
	terr []predicate.Territory // on the record's territory
	rq   RollupQuery

	levers, sectors map[int]string // codes by id
}

// catalogue loads the codes of the levers and sectors, for the records to name theirs.
func (x *exporter) catalogue(ctx context.Context) error {
	x.levers, x.sectors = map[int]string{}, map[int]string{}
	ls, err := x.svc.client.Lever.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, l := range ls {
		x.levers[l.ID] = l.Code
	}
	ss, err := x.svc.client.Sector.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, s := range ss {
		x.sectors[s.ID] = s.Code
	}
	return nil
}

func (x *exporter) code(m map[int]string, id *int) any {
	if id == nil {
		return nil
	}
	return m[*id]
}

// inChunks reads records by increasing id, exportChunk at a time, until a chunk is short.
func inChunks[T any](ctx context.Context, next func(after int) ([]T, error), id func(T) int, emit func(T) error) error {
	after := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		items, err := next(after)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, it := range items {
			if err := emit(it); err != nil {
				return err
			}
		}
		if len(items) < exportChunk {
			return nil
		}
		after = id(items[len(items)-1])
	}
}

func territoryCols(t *ent.Territory) (any, any, any) { return string(t.Level), t.Code, t.Name }

func optFloat(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func optInt(v *int) any {
	if v == nil {
		return nil
	}
	return *v
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (x *exporter) objectives(ctx context.Context, emit func([]any) error) error {
	if err := x.catalogue(ctx); err != nil {
		return err
	}
	q := x.svc.client.Objective.Query()
	if len(x.terr) > 0 {
		q.Where(objective.HasTerritoryWith(x.terr...))
	}
	switch {
	case x.ind.lever != nil:
		q.Where(objective.LeverID(x.ind.lever.ID))
	case x.ind.sector != nil:
		q.Where(objective.SectorIDIn(x.ind.sectors...))
	}
	if x.q.Metric != nil {
		q.Where(objective.MetricEQ(*x.q.Metric))
	}
	if x.q.Derived != nil {
		q.Where(objective.Derived(*x.q.Derived))
	}
	row := make([]any, len(ExportColumns["objectives"]))
	return inChunks(ctx, func(after int) ([]*ent.Objective, error) {
		return q.Clone().Where(objective.IDGT(after)).Order(objective.ByID()).Limit(exportChunk).WithTerritory().All(ctx)
	}, func(o *ent.Objective) int { return o.ID }, func(o *ent.Objective) error {
		var key any
		if o.BreakdownKey != nil {
			key = string(*o.BreakdownKey)
		}
		row[0] = o.ID
		row[1], row[2], row[3] = territoryCols(o.Edges.Territory)
		row[4], row[5] = x.code(x.sectors, o.SectorID), x.code(x.levers, o.LeverID)
		row[6], row[7] = string(o.Metric), o.Unit
		row[8], row[9], row[10], row[11] = o.BaselineYear, o.BaselineValue, o.TargetYear, o.TargetValue
		row[12], row[13], row[14], row[15] = string(o.Source), o.Derived, key, optInt(o.DerivedFromID)
		row[16] = timestamp(o.UpdatedAt)
		return emit(row)
	})
}

func (x *exporter) observations(ctx context.Context, emit func([]any) error) error {
	if err := x.catalogue(ctx); err != nil {
		return err
	}
	q := x.svc.client.Observation.Query()
	if len(x.terr) > 0 {
		q.Where(observation.HasTerritoryWith(x.terr...))
	}
	switch {
	case x.ind.lever != nil:
		q.Where(observation.LeverID(x.ind.lever.ID))
	case x.ind.sector != nil:
		q.Where(observation.SectorIDIn(x.ind.sectors...))
	}
	if x.q.Metric != nil {
		q.Where(observation.MetricEQ(*x.q.Metric))
	}
	row := make([]any, len(ExportColumns["observations"]))
	return inChunks(ctx, func(after int) ([]*ent.Observation, error) {
		return q.Clone().Where(observation.IDGT(after)).Order(observation.ByID()).Limit(exportChunk).WithTerritory().All(ctx)
	}, func(o *ent.Observation) int { return o.ID }, func(o *ent.Observation) error {
		row[0] = o.ID
		row[1], row[2], row[3] = territoryCols(o.Edges.Territory)
		row[4], row[5] = x.code(x.sectors, o.SectorID), x.code(x.levers, o.LeverID)
		row[6], row[7], row[8], row[9] = string(o.Metric), o.Unit, o.Year, o.Value
		row[10], row[11] = o.Source, timestamp(o.UpdatedAt)
		return emit(row)
	})
}

func (x *exporter) actions(ctx context.Context, emit func([]any) error) error {
	if err := x.catalogue(ctx); err != nil {
		return err
	}
	q := x.svc.client.Action.Query()
	if len(x.terr) > 0 {
		q.Where(action.HasTerritoryWith(x.terr...))
	}
	switch {
	case x.ind.lever != nil:
		q.Where(action.LeverID(x.ind.lever.ID))
	case x.ind.sector != nil:
		q.Where(action.SectorIDIn(x.ind.sectors...))
	}
	if x.q.Status != nil {
		q.Where(action.StatusEQ(action.Status(*x.q.Status)))
	}
	row := make([]any, len(ExportColumns["actions"]))
	return inChunks(ctx, func(after int) ([]*ent.Action, error) {
		return q.Clone().Where(action.IDGT(after)).Order(action.ByID()).Limit(exportChunk).WithTerritory().All(ctx)
	}, func(a *ent.Action) int { return a.ID }, func(a *ent.Action) error {
		row[0] = a.ID
		row[1], row[2], row[3] = territoryCols(a.Edges.Territory)
		row[4], row[5] = x.code(x.sectors, a.SectorID), x.code(x.levers, a.LeverID)
		row[6], row[7], row[8], row[9], row[10] = a.Title, a.Description, string(a.Status), a.StartYear, optInt(a.EndYear)
		row[11], row[12], row[13], row[14] = a.Budget, a.FundingSources, optFloat(a.EffectKtco2e), optFloat(a.EffectPhysical)
		row[15], row[16], row[17], row[18] = optInt(a.CopEdition), a.Links, a.Synthetic, a.Version
		row[19], row[20] = timestamp(a.CreatedAt), timestamp(a.UpdatedAt)
		return emit(row)
	})
}

func (x *exporter) commitments(ctx context.Context, emit func([]any) error) error {
	if err := x.catalogue(ctx); err != nil {
		return err
	}
	q := x.svc.client.Commitment.Query()
	if len(x.terr) > 0 {
		q.Where(commitment.HasTerritoryWith(x.terr...))
	}
	switch {
	case x.ind.lever != nil:
		q.Where(commitment.LeverID(x.ind.lever.ID))
	case x.ind.sector != nil:
		q.Where(commitment.SectorIDIn(x.ind.sectors...))
	}
	if x.q.Status != nil {
		q.Where(commitment.StatusEQ(access.CommitmentStatus(*x.q.Status)))
	}
	row := make([]any, len(ExportColumns["commitments"]))
	return inChunks(ctx, func(after int) ([]*ent.Commitment, error) {
		return q.Clone().Where(commitment.IDGT(after)).Order(commitment.ByID()).Limit(exportChunk).WithTerritory().All(ctx)
	}, func(c *ent.Commitment) int { return c.ID }, func(c *ent.Commitment) error {
		row[0] = c.ID
		row[1], row[2], row[3] = territoryCols(c.Edges.Territory)
		row[4], row[5] = x.code(x.sectors, c.SectorID), x.code(x.levers, c.LeverID)
		row[6], row[7], row[8], row[9] = optFloat(c.Ktco2e), optFloat(c.Physical), c.TargetYear, string(c.Status)
		row[10], row[11], row[12], row[13] = optInt(c.CopEdition), c.Note, c.Synthetic, c.Version
		row[14], row[15] = timestamp(c.CreatedAt), timestamp(c.UpdatedAt)
		return emit(row)
	})
}

// rollups writes one row per territory of the level, its roll-up read for a chunk of
// territories at a time (Amounts).
func (x *exporter) rollups(ctx context.Context, emit func([]any) error) error {
	q := x.svc.client.Territory.Query().Where(x.terr...)
	row := make([]any, len(ExportColumns["rollups"]))
	var amounts map[int]*Amounts
	return inChunks(ctx, func(after int) ([]*ent.Territory, error) {
		ts, err := q.Clone().Where(territory.IDGT(after)).Order(territory.ByID()).Limit(exportChunk).All(ctx)
		if err != nil || len(ts) == 0 {
			return ts, err
		}
		ids := make([]int, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		amounts, err = x.svc.Amounts(ctx, ids, ByTerritory, x.rq)
		return ts, err
	}, func(t *ent.Territory) int { return t.ID }, func(t *ent.Territory) error {
		r := toRollup(amounts[t.ID])
		byStatus := map[access.CommitmentStatus]float64{}
		for _, s := range r.Committed {
			byStatus[s.Status] = s.Ktco2e
		}
		row[0], row[1], row[2] = territoryCols(t)
		row[3], row[4], row[5], row[6], row[7] = t.Population, r.ActionCount, r.ActionShare, r.Budget, r.EffectKtco2e
		row[8], row[9], row[10], row[11] = byStatus[access.Draft], byStatus[access.Submitted], byStatus[access.Adopted], byStatus[access.Withdrawn]
		row[12], row[13], row[14] = optFloat(r.ObjectiveKtco2e), optFloat(r.Coverage), optFloat(r.Gap)
		return emit(row)
	})
}
