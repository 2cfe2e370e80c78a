package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cop-territoriales/cop-api/planning"
)

// Cop is a region's conférence des parties for one edition (2023, 2024, ...).
type Cop struct {
	ent.Schema
}

// Fields of the Cop.
func (Cop) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The COP's id."),
		field.Int("region_id").Annotations(entgql.Skip()),
		field.Int("edition").Positive().Annotations(entgql.OrderField("EDITION")).Comment("Edition year, e.g. 2024."),
		field.String("title").Default("").Comment("Title, e.g. COP régionale Bretagne 2024."),
	}
}

// Edges of the Cop.
func (Cop) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("region", Territory.Type).Unique().Required().Field("region_id").Comment("The region holding the COP."),
		edge.From("steps", CopStep.Type).Ref("cop").Comment("The four steps, in order: diagnostic, debate, breakdown, roadmap."),
		edge.From("participants", CopParticipant.Type).Ref("cop").Comment("The organisations around the table."),
		edge.From("documents", CopDocument.Type).Ref("cop").Comment("Documents (links)."),
	}
}

// Indexes of the Cop.
func (Cop) Indexes() []ent.Index {
	return []ent.Index{index.Fields("region_id", "edition").Unique()}
}

// Annotations of the Cop.
func (Cop) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// CopStep is one of the four steps of a COP.
type CopStep struct {
	ent.Schema
}

// Fields of the CopStep.
func (CopStep) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The step's id."),
		field.Int("cop_id").Annotations(entgql.Skip()),
		field.Enum("kind").GoType(planning.StepKind("")).Annotations(entgql.Type("CopStepKind")).
			Comment("DIAGNOSTIC (shared diagnostic), DEBATE, BREAKDOWN (indicative breakdown to departments and CRTE), ROADMAP (2030 roadmap)."),
		field.Enum("status").Values("PLANNED", "IN_PROGRESS", "DONE").Default("PLANNED").Comment("Where the step stands."),
		field.Time("starts_on").Optional().Nillable().Comment("Start date."),
		field.Time("ends_on").Optional().Nillable().Comment("End date."),
	}
}

// Edges of the CopStep.
func (CopStep) Edges() []ent.Edge {
	return []ent.Edge{edge.To("cop", Cop.Type).Unique().Required().Field("cop_id").Comment("The COP.")}
}

// Indexes of the CopStep.
func (CopStep) Indexes() []ent.Index {
	return []ent.Index{index.Fields("cop_id", "kind").Unique()}
}

// Annotations of the CopStep.
func (CopStep) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// CopParticipant is an organisation around a COP's table.
type CopParticipant struct {
	ent.Schema
}

// Fields of the CopParticipant.
func (CopParticipant) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The participant's id."),
		field.Int("cop_id").Annotations(entgql.Skip()),
		field.String("organisation").NotEmpty().Comment("Name of the organisation."),
		field.Enum("kind").
			Values("STATE", "REGIONAL_COUNCIL", "DEPARTMENTAL_COUNCIL", "EPCI", "CRTE_CARRIER",
				"MAYORS_ASSOCIATION", "RURAL_MAYORS_ASSOCIATION", "OTHER").
			Comment("What the organisation is."),
		field.Int("territory_id").Optional().Nillable().Annotations(entgql.Skip()),
	}
}

// Edges of the CopParticipant.
func (CopParticipant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("cop", Cop.Type).Unique().Required().Field("cop_id").Comment("The COP."),
		edge.To("territory", Territory.Type).Unique().Field("territory_id").Comment("The territory it represents, if any."),
	}
}

// Annotations of the CopParticipant.
func (CopParticipant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// CopDocument is a document of a COP: a link.
type CopDocument struct {
	ent.Schema
}

// Fields of the CopDocument.
func (CopDocument) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The document's id."),
		field.Int("cop_id").Annotations(entgql.Skip()),
		field.String("title").NotEmpty().Comment("Title."),
		field.String("url").NotEmpty().Comment("Address (http or https)."),
		field.Enum("step").GoType(planning.StepKind("")).Annotations(entgql.Type("CopStepKind")).Optional().Nillable().
			Comment("The step it belongs to, if any."),
	}
}

// Edges of the CopDocument.
func (CopDocument) Edges() []ent.Edge {
	return []ent.Edge{edge.To("cop", Cop.Type).Unique().Required().Field("cop_id").Comment("The COP.")}
}

// Annotations of the CopDocument.
func (CopDocument) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}
