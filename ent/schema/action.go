package schema

import (
	"time"

	"github.com/cop-territoriales/cop-api/access"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Action is something a territory launches or continues (COP step 2): a project with a
// status, years, a budget and an expected effect.
type Action struct {
	ent.Schema
}

// Fields of the Action.
func (Action) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The action's id (a global id: node(id:) finds it)."),
		field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")).Comment("Title."),
		field.Text("description").Default("").Comment("Description."),
		field.Int("territory_id").Annotations(entgql.Skip()),
		field.Int("lever_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Int("sector_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Enum("status").Values("PLANNED", "IN_PROGRESS", "DONE", "ABANDONED").Default("PLANNED").Comment("Where the action stands."),
		field.Int("start_year").Comment("First year."),
		field.Int("end_year").Optional().Nillable().Comment("Last year, if known."),
		field.Float("budget").Default(0).Annotations(entgql.OrderField("BUDGET")).Comment("Budget in euros."),
		field.Strings("funding_sources").Optional().Comment("Funding sources, e.g. Fonds vert, région, EPCI."),
		field.Float("effect_ktco2e").Optional().Nillable().Comment("Expected emissions avoided in 2030, in ktCO2e."),
		field.Float("effect_physical").Optional().Nillable().Comment("Expected effect in 2030 in the lever's physical unit."),
		field.Int("cop_edition").Optional().Nillable().Comment("Edition of the COP where it was decided."),
		field.Strings("links").Optional().Comment("Links (http or https)."),
		field.Bool("synthetic").Default(false).Comment("True for generated demonstration data."),
		field.Int("version").Default(1).Comment("Incremented by every write; a write must give the version it read."),
		field.Time("created_at").Default(time.Now).Immutable().Comment("When it was created."),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).Annotations(entgql.OrderField("UPDATED_AT")).Comment("When it was last written: the changes feed's order."),
	}
}

// Edges of the Action.
func (Action) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Field("territory_id").Comment("The carrier territory."),
		edge.To("lever", Lever.Type).Unique().Field("lever_id").Comment("The lever, if any."),
		edge.To("sector", Sector.Type).Unique().Field("sector_id").Comment("The sector (the lever's when a lever is given)."),
	}
}

// Indexes of the Action.
func (Action) Indexes() []ent.Index {
	return []ent.Index{index.Fields("territory_id"), index.Fields("updated_at"), index.Fields("sector_id")}
}

// Annotations of the Action.
func (Action) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Commitment is what a territory commits to deliver by a target year for a lever or a
// sector; adopted commitments make the region's roadmap (COP step 4).
type Commitment struct {
	ent.Schema
}

// Fields of the Commitment.
func (Commitment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The commitment's id (a global id: node(id:) finds it)."),
		field.Int("territory_id").Annotations(entgql.Skip()),
		field.Int("lever_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Int("sector_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Float("ktco2e").Optional().Nillable().Comment("Emissions avoided by the target year, in ktCO2e."),
		field.Float("physical").Optional().Nillable().Comment("Quantity in the lever's physical unit."),
		field.Int("target_year").Default(2030).Comment("Year the quantity is due."),
		field.Enum("status").GoType(access.CommitmentStatus("")).Default(string(access.Draft)).
			Annotations(entgql.Type("CommitmentStatus")).
			Comment("DRAFT, SUBMITTED to the region, ADOPTED into the roadmap by the region's coordinator, WITHDRAWN."),
		field.Int("cop_edition").Optional().Nillable().Comment("COP edition of the roadmap."),
		field.Text("note").Default("").Comment("Free text."),
		field.Bool("synthetic").Default(false).Comment("True for generated demonstration data."),
		field.Int("version").Default(1).Comment("Incremented by every write; a write must give the version it read."),
		field.Time("created_at").Default(time.Now).Immutable().Comment("When it was created."),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).Annotations(entgql.OrderField("UPDATED_AT")).Comment("When it was last written."),
	}
}

// Edges of the Commitment.
func (Commitment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Field("territory_id").Comment("The committing territory."),
		edge.To("lever", Lever.Type).Unique().Field("lever_id").Comment("The lever, if any."),
		edge.To("sector", Sector.Type).Unique().Field("sector_id").Comment("The sector (the lever's when a lever is given)."),
		edge.From("history", CommitmentEvent.Type).Ref("commitment").Comment("Every status change, oldest first."),
	}
}

// Indexes of the Commitment.
func (Commitment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("territory_id"), index.Fields("updated_at"), index.Fields("status")}
}

// Annotations of the Commitment.
func (Commitment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// CommitmentEvent is one status change of a commitment.
type CommitmentEvent struct {
	ent.Schema
}

// Fields of the CommitmentEvent.
func (CommitmentEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The event's id."),
		field.Int("commitment_id").Annotations(entgql.Skip()),
		field.Enum("from").GoType(access.CommitmentStatus("")).Optional().Nillable().
			Annotations(entgql.Type("CommitmentStatus")).Comment("Status before; null on creation."),
		field.Enum("to").GoType(access.CommitmentStatus("")).
			Annotations(entgql.Type("CommitmentStatus")).Comment("Status after."),
		field.String("actor").Comment("Organisation and key prefix of who made the change."),
		field.Time("at").Default(time.Now).Comment("When."),
	}
}

// Edges of the CommitmentEvent.
func (CommitmentEvent) Edges() []ent.Edge {
	return []ent.Edge{edge.To("commitment", Commitment.Type).Unique().Required().Field("commitment_id").Comment("The commitment whose status changed.")}
}

// Annotations of the CommitmentEvent.
func (CommitmentEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}
