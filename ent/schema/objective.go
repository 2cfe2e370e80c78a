package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cop-territoriales/cop-api/planning"
)

// Objective is a target for a territory, for a lever or a sector (or all sectors), in
// one metric and unit, from a baseline to a target year. Objectives broken down from a
// region's (COP step 3) are stored too, marked derived, with their key and origin.
type Objective struct {
	ent.Schema
}

// Fields of the Objective.
func (Objective) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The objective's id."),
		field.Int("territory_id").Annotations(entgql.Skip()),
		field.Int("lever_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Int("sector_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Enum("metric").GoType(planning.Metric("")).Annotations(entgql.Type("Metric")).
			Comment("What is measured: GHG_AVOIDED (emissions avoided in the target year compared with the baseline year), GHG_EMISSIONS, or PHYSICAL (the lever's physical quantity)."),
		field.String("unit").NotEmpty().Comment("Unit of the values, e.g. ktCO2e, MtCO2e or the lever's physical unit."),
		field.Int("baseline_year").Comment("Year of the baseline."),
		field.Float("baseline_value").Comment("Value in the baseline year (0 for GHG_AVOIDED), to 12 significant digits."),
		field.Int("target_year").Annotations(entgql.OrderField("TARGET_YEAR")).Comment("Year of the target."),
		field.Float("target_value").Annotations(entgql.OrderField("TARGET_VALUE")).Comment("Target value, to 12 significant digits: a region's as the SGPE file gives it, a derived one a whole number of quanta of the last digit of the objective it is a part of."),
		field.Enum("source").Values("SGPE", "NATIONAL_STRATEGY", "BREAKDOWN", "LOCAL").
			Comment("Where the objective comes from: the SGPE dashboard, the national low-carbon strategy, a breakdown of a larger territory's objective, or local."),
		field.Bool("derived").Default(false).Comment("Whether it was computed from a larger territory's objective."),
		field.Enum("breakdown_key").Values("POPULATION", "OBSERVATION", "CUSTOM").Optional().Nillable().
			Comment("For a derived objective, how it was weighed: the share of population by default."),
		field.Int("derived_from_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Comment("When it was last written."),
	}
}

// Edges of the Objective.
func (Objective) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Field("territory_id").
			Comment("The territory the objective is for."),
		edge.To("lever", Lever.Type).Unique().Field("lever_id").
			Comment("The lever, when the objective is a lever's."),
		edge.To("sector", Sector.Type).Unique().Field("sector_id").
			Comment("The sector, when the objective is a sector's (levers' objectives carry their sector too)."),
		edge.To("derivatives", Objective.Type).Comment("The objectives broken down from this one.").
			From("derived_from").Unique().Field("derived_from_id").
			Comment("For a derived objective, the objective it was broken down from."),
	}
}

// Indexes of the Objective.
func (Objective) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("territory_id", "lever_id", "metric"),
		index.Fields("derived_from_id"),
		index.Fields("source"),
	}
}

// Annotations of the Objective.
func (Objective) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Observation is a measured value of an indicator (a lever's physical quantity or a
// sector's emissions) for a territory and a year: the diagnostic's data.
type Observation struct {
	ent.Schema
}

// Fields of the Observation.
func (Observation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The observation's id."),
		field.Int("territory_id").Annotations(entgql.Skip()),
		field.Int("lever_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Int("sector_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Enum("metric").GoType(planning.Metric("")).Annotations(entgql.Type("Metric")).Comment("What is measured."),
		field.String("unit").NotEmpty().Comment("Unit of the value."),
		field.Int("year").Annotations(entgql.OrderField("YEAR")).Comment("Year of the measure."),
		field.Float("value").Comment("Measured value."),
		field.String("source").Default("").Comment("Who measured it, e.g. CITEPA Secten 2025."),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).Comment("When it was last written."),
	}
}

// Edges of the Observation.
func (Observation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Field("territory_id").Comment("The territory measured."),
		edge.To("lever", Lever.Type).Unique().Field("lever_id").Comment("The lever whose indicator is measured."),
		edge.To("sector", Sector.Type).Unique().Field("sector_id").Comment("The sector whose indicator is measured."),
	}
}

// Indexes of the Observation.
func (Observation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("territory_id", "lever_id", "sector_id", "metric", "year")}
}

// Annotations of the Observation.
func (Observation) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
