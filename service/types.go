package service

// The API's shapes: the GraphQL schema binds its types to these (gqlgen autobind), and the
// exports encode the same structs, so that every format has the API's names.

import (
	"fmt"
	"io"
	"strconv"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

type ActionInput struct {
	Title       *string `json:"title,omitempty"`
	Description *string `json:"description,omitempty"`
	// The carrier; required on creation.
	Territory *TerritoryKey  `json:"territory,omitempty"`
	Lever     *string        `json:"lever,omitempty"`
	Sector    *string        `json:"sector,omitempty"`
	Status    *action.Status `json:"status,omitempty"`
	StartYear *int           `json:"startYear,omitempty"`
	EndYear   *int           `json:"endYear,omitempty"`
	// Budget in euros.
	Budget         *float64 `json:"budget,omitempty"`
	FundingSources []string `json:"fundingSources,omitempty"`
	EffectKtco2e   *float64 `json:"effectKtco2e,omitempty"`
	EffectPhysical *float64 `json:"effectPhysical,omitempty"`
	CopEdition     *int     `json:"copEdition,omitempty"`
	Links          []string `json:"links,omitempty"`
}

// An objective broken down over territories.
type Breakdown struct {
	// The territory whose objective is broken down.
	Parent       *ent.Territory         `json:"parent"`
	Lever        *ent.Lever             `json:"lever,omitempty"`
	Sector       *ent.Sector            `json:"sector,omitempty"`
	Metric       planning.Metric        `json:"metric"`
	Unit         string                 `json:"unit"`
	Key          objective.BreakdownKey `json:"key"`
	BaselineYear int                    `json:"baselineYear"`
	TargetYear   int                    `json:"targetYear"`
	// The parent's baseline and target values (own objective, or the sum of derived ones).
	BaselineValue float64 `json:"baselineValue"`
	TargetValue   float64 `json:"targetValue"`
	// One share per territory of the level, by code.
	Shares []*BreakdownShare `json:"shares"`
	// The part of the parent no territory of the level covers.
	Unallocated *BreakdownUnallocated `json:"unallocated"`
}

// The part of a breakdown no territory of the level covers.
type BreakdownUnallocated struct {
	Population    int     `json:"population"`
	Weight        float64 `json:"weight"`
	BaselineValue float64 `json:"baselineValue"`
	TargetValue   float64 `json:"targetValue"`
}

// How a breakdown weighs territories.
type BreakdownKeyInput struct {
	// POPULATION (default), OBSERVATION (each territory's value of an indicator) or CUSTOM.
	Kind objective.BreakdownKey `json:"kind"`
	// For OBSERVATION: the indicator whose latest value (up to `year`) weighs each territory.
	Indicator *IndicatorInput `json:"indicator,omitempty"`
	// For OBSERVATION: the latest year of observation to use; all years when null.
	Year *int `json:"year,omitempty"`
	// For CUSTOM: the weights, by territory code; territories not listed weigh 0.
	Weights []*CustomWeightInput `json:"weights,omitempty"`
}

type BreakdownShare struct {
	Territory *ent.Territory `json:"territory"`
	// The territory's population living inside the parent.
	Population int `json:"population"`
	// Share of the whole, between 0 and 1; the shares and the unallocated weight add up to 1.
	Weight        float64 `json:"weight"`
	BaselineValue float64 `json:"baselineValue"`
	TargetValue   float64 `json:"targetValue"`
}

type CommitmentInput struct {
	// The committing territory; required on creation.
	Territory *TerritoryKey `json:"territory,omitempty"`
	Lever     *string       `json:"lever,omitempty"`
	Sector    *string       `json:"sector,omitempty"`
	Ktco2e    *float64      `json:"ktco2e,omitempty"`
	Physical  *float64      `json:"physical,omitempty"`
	// Defaults to 2030.
	TargetYear *int    `json:"targetYear,omitempty"`
	CopEdition *int    `json:"copEdition,omitempty"`
	Note       *string `json:"note,omitempty"`
	// On creation: DRAFT (default) or SUBMITTED.
	Status *access.CommitmentStatus `json:"status,omitempty"`
}

type CustomWeightInput struct {
	Code   string  `json:"code"`
	Weight float64 `json:"weight"`
}

// Where a territory stands against an objective.
type Diagnostic struct {
	Metric        planning.Metric `json:"metric"`
	Unit          string          `json:"unit"`
	BaselineYear  int             `json:"baselineYear"`
	BaselineValue float64         `json:"baselineValue"`
	TargetYear    int             `json:"targetYear"`
	TargetValue   float64         `json:"targetValue"`
	// The latest observation from the baseline year on; null when none.
	Latest *ent.Observation `json:"latest,omitempty"`
	// Share of the way from baseline to target covered at the latest observation.
	Travelled *float64 `json:"travelled,omitempty"`
	// What is left to reach the target, in the unit.
	Remaining *float64 `json:"remaining,omitempty"`
	// Share of the way the straight trajectory had covered in the latest observation's year.
	Expected *float64        `json:"expected,omitempty"`
	Status   planning.Status `json:"status"`
	// The objectives this diagnostic is against: the own one, or the derived ones summed.
	Objectives []*ent.Objective `json:"objectives"`
}

// An indicator: a lever's or a sector's metric.
type IndicatorInput struct {
	Lever  *string         `json:"lever,omitempty"`
	Sector *string         `json:"sector,omitempty"`
	Metric planning.Metric `json:"metric"`
}

// A lever's row of a territory's dashboard.
type LeverSummary struct {
	Lever *ent.Lever `json:"lever"`
	// Emissions avoided in the target year, in ktCO2e (own or summed derived objectives).
	GhgAvoided *float64 `json:"ghgAvoided,omitempty"`
	// The physical target, in the lever's unit, when the territory has one.
	PhysicalTarget *float64 `json:"physicalTarget,omitempty"`
	// The latest observation of the lever's physical quantity.
	Latest *ent.Observation `json:"latest,omitempty"`
	// Progress against the lever's objective.
	Diagnostic *Diagnostic      `json:"diagnostic,omitempty"`
	Objectives []*ent.Objective `json:"objectives"`
}

type ObservationInput struct {
	Territory *TerritoryKey `json:"territory"`
	// The lever code, or null for a sector observation.
	Lever *string `json:"lever,omitempty"`
	// The sector code; for a lever, its own sector is used.
	Sector *string         `json:"sector,omitempty"`
	Metric planning.Metric `json:"metric"`
	// The unit; for PHYSICAL it defaults to the lever's unit and must match it.
	Unit   *string `json:"unit,omitempty"`
	Year   int     `json:"year"`
	Value  float64 `json:"value"`
	Source *string `json:"source,omitempty"`
}

type Roadmap struct {
	Region          *ent.Territory   `json:"region"`
	Edition         int              `json:"edition"`
	Sectors         []*RoadmapSector `json:"sectors"`
	ObjectiveKtco2e float64          `json:"objectiveKtco2e"`
	AdoptedKtco2e   float64          `json:"adoptedKtco2e"`
	Coverage        *float64         `json:"coverage,omitempty"`
	Gap             float64          `json:"gap"`
}

type RoadmapSector struct {
	Sector          *ent.Sector `json:"sector"`
	ObjectiveKtco2e float64     `json:"objectiveKtco2e"`
	AdoptedKtco2e   float64     `json:"adoptedKtco2e"`
	Coverage        *float64    `json:"coverage,omitempty"`
	Gap             float64     `json:"gap"`
	// The adopted commitments of the sector, with their territories.
	Commitments []*ent.Commitment `json:"commitments"`
}

// Added-up actions and commitments, with the objective they are measured against.
type Rollup struct {
	// Actions whose carrier lies wholly or partly inside.
	ActionCount int `json:"actionCount"`
	// Actions counted for their share inside (what adds up over children).
	ActionShare float64 `json:"actionShare"`
	// Budget in euros, weighted by share.
	Budget float64 `json:"budget"`
	// Expected emissions avoided in 2030, ktCO2e, weighted by share.
	EffectKtco2e float64 `json:"effectKtco2e"`
	// Committed emissions avoided by status, ktCO2e, weighted by share.
	Committed []*StatusAmount `json:"committed"`
	// Adopted commitments, ktCO2e.
	AdoptedKtco2e float64 `json:"adoptedKtco2e"`
	// The GHG objective (ktCO2e avoided in 2030): own, or derived; null when none.
	ObjectiveKtco2e *float64 `json:"objectiveKtco2e,omitempty"`
	// adoptedKtco2e / objectiveKtco2e.
	Coverage *float64 `json:"coverage,omitempty"`
	// objectiveKtco2e - adoptedKtco2e, not below 0.
	Gap *float64 `json:"gap,omitempty"`
}

// Filters of a roll-up.
type RollupFilter struct {
	Sector *string `json:"sector,omitempty"`
	Lever  *string `json:"lever,omitempty"`
	// Only actions of these statuses.
	ActionStatus []action.Status `json:"actionStatus,omitempty"`
	// Only actions running in this year (startYear <= year <= endYear).
	Year *int `json:"year,omitempty"`
	// Only what is carried by territories of these levels.
	CarrierLevels []hierarchy.Level `json:"carrierLevels,omitempty"`
}

type RollupRow struct {
	Sector    *ent.Sector    `json:"sector,omitempty"`
	Lever     *ent.Lever     `json:"lever,omitempty"`
	Territory *ent.Territory `json:"territory,omitempty"`
	// The last row: what no sector, lever or child holds.
	Unallocated bool    `json:"unallocated"`
	Rollup      *Rollup `json:"rollup"`
	// Rank and Value: the row's place and figure when rollupBy is ordered (rankings.go).
	Rank  *int     `json:"rank,omitempty"`
	Value *float64 `json:"value,omitempty"`
}

// A sector's row of a territory's dashboard.
type SectorSummary struct {
	Sector *ent.Sector `json:"sector"`
	// Emissions avoided in 2030 by the sector's levers, in ktCO2e, own or derived objectives.
	GhgAvoided float64 `json:"ghgAvoided"`
	// Whether some of the objectives are derived from a larger territory's.
	Derived bool `json:"derived"`
	// The sector's own objectives (national strategy), if any.
	Objectives []*ent.Objective `json:"objectives"`
	Levers     []*LeverSummary  `json:"levers"`
}

type StatusAmount struct {
	Status access.CommitmentStatus `json:"status"`
	Ktco2e float64                 `json:"ktco2e"`
	Count  int                     `json:"count"`
}

// Identifies a territory by its level and its official code, e.g. {level: EPCI, code: "243500139"}.
type TerritoryKey struct {
	Level hierarchy.Level `json:"level"`
	// Official code: FR, INSEE code of a region, department or commune, SIREN of an EPCI, ANCT id of a CRTE.
	Code string `json:"code"`
}

// RollupGroup says what the rows of rollupBy are.
type RollupGroup string

// Groupings of rollupBy.
const (
	RollupGroupSector RollupGroup = "SECTOR"
	RollupGroupLever  RollupGroup = "LEVER"
	RollupGroupChild  RollupGroup = "CHILD"
)

// MarshalGQL writes the grouping as a GraphQL enum value.
func (g RollupGroup) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(g))) }

// UnmarshalGQL reads a GraphQL enum value.
func (g *RollupGroup) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	switch RollupGroup(s) {
	case RollupGroupSector, RollupGroupLever, RollupGroupChild:
		if ok {
			*g = RollupGroup(s)
			return nil
		}
	}
	return fmt.Errorf("%v is not a valid RollupGroup", v)
}

// Source credits a dataset the API ships (data.Sources).
type Source = data.Source
