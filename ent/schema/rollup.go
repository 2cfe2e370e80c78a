package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RollupCell holds what the actions or the commitments of one sector, lever and status
// add up to inside one territory, weighted by the share of each carrier's population
// living there. Writes keep it current; roll-ups read a few cells instead of every
// action. Sector and lever ids are 0 when none.
type RollupCell struct {
	ent.Schema
}

// Fields of the RollupCell.
func (RollupCell) Fields() []ent.Field {
	return []ent.Field{
		field.Int("ancestor_id"),
		field.Enum("kind").Values("ACTION", "COMMITMENT"),
		field.Int("sector_id").Default(0),
		field.Int("lever_id").Default(0),
		field.String("status"),
		field.Int64("count").Default(0).Comment("Records whose carrier lies wholly or partly inside."),
		field.Float("share").Default(0).Comment("Records counted for their share inside."),
		field.Float("budget").Default(0).Comment("Budget in euros, weighted (actions)."),
		field.Float("ktco2e").Default(0).Comment("Expected effect (actions) or committed quantity (commitments), ktCO2e, weighted."),
	}
}

// Indexes of the RollupCell.
func (RollupCell) Indexes() []ent.Index {
	// Roll-ups ask for one territory's (or a few) cells of one sector and lever, of both
	// kinds: the columns in that order, and the figures included, so that PostgreSQL
	// reads them from the index alone.
	return []ent.Index{index.Fields("ancestor_id", "sector_id", "lever_id", "kind", "status").Unique().
		Annotations(entsql.IncludeColumns("count", "share", "budget", "ktco2e"))}
}

// Annotations of the RollupCell: internal, not in GraphQL.
func (RollupCell) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// GoalCell holds what a territory's GHG objectives (planning.GHGAvoided) add up to for
// one lever, as roll-ups measure records against them: its own objectives, else those
// derived for it; for the country, its own, else its regions' own. lever_id -1 holds the
// sum over every lever. Units are 0.0001 ktCO2e (planning.ToUnits), so that sums are
// exact. Imports, the only writers of objectives, rebuild the cells in their
// transaction; communes have none (their goals are parts of their department's).
type GoalCell struct {
	ent.Schema
}

// Fields of the GoalCell.
func (GoalCell) Fields() []ent.Field {
	return []ent.Field{
		field.Int("territory_id"),
		field.Int("lever_id").Comment("-1: every lever"),
		field.Int64("units"),
	}
}

// Indexes of the GoalCell: roll-ups read a few territories' cells of one lever, from the
// index alone.
func (GoalCell) Indexes() []ent.Index {
	return []ent.Index{index.Fields("territory_id", "lever_id").Unique().
		Annotations(entsql.IncludeColumns("units"))}
}

// Annotations of the GoalCell: internal, not in GraphQL.
func (GoalCell) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
