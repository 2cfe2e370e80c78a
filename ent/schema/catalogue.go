package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Theme is one of the SGPE's six themes ("Mieux se déplacer", ...).
type Theme struct {
	ent.Schema
}

// Fields of the Theme.
func (Theme) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The theme's id."),
		field.String("code").Unique().NotEmpty().Comment("Stable code, e.g. se-deplacer."),
		field.String("name").NotEmpty().Comment("Name, e.g. Mieux se déplacer."),
	}
}

// Edges of the Theme.
func (Theme) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("levers", Lever.Type).Ref("theme").Comment("The levers of the theme."),
	}
}

// Annotations of the Theme.
func (Theme) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// Sector is a sector of the national inventory or one of the SGPE's subdivisions of it.
type Sector struct {
	ent.Schema
}

// Fields of the Sector.
func (Sector) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The sector's id."),
		field.String("code").Unique().NotEmpty().Comment("Stable code, e.g. transports, transport-voyageurs."),
		field.String("name").NotEmpty().Comment("Name, e.g. Transport de voyageurs."),
	}
}

// Edges of the Sector.
func (Sector) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("subsectors", Sector.Type).Comment("The SGPE's subdivisions of a national sector.").
			From("parent").Unique().
			Comment("The national sector this one subdivides; null for a national sector."),
		edge.From("levers", Lever.Type).Ref("sector").Comment("The levers of the sector."),
	}
}

// Annotations of the Sector.
func (Sector) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// Lever is a concrete way to cut emissions or protect biodiversity, from the SGPE
// dashboard (e.g. augm_voitelec, Véhicules électriques).
type Lever struct {
	ent.Schema
}

// Fields of the Lever.
func (Lever) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The lever's id."),
		field.String("code").Unique().NotEmpty().
			Comment("Stable code of the SGPE, e.g. augm_voitelec.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().
			Comment("Name, e.g. Véhicules électriques.").
			Annotations(entgql.OrderField("NAME")),
		field.String("physical_unit").Optional().Nillable().
			Comment("Unit of the lever's physical quantity (e.g. milliers de véhicules électriques dans le parc régional); null when the SGPE gives no physical translation."),
		field.Bool("extensive").Default(false).
			Comment("Whether the physical quantity adds up over territories (vehicles, hectares), so that a breakdown splits it; false for averages and rates (L/100km, kg/hab)."),
		field.Text("description").Default("").
			Comment("What the lever is and its order of magnitude (Markdown, from the SGPE)."),
	}
}

// Edges of the Lever.
func (Lever) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("sector", Sector.Type).Unique().Required().Comment("The lever's sector."),
		edge.To("theme", Theme.Type).Unique().Required().Comment("The lever's SGPE theme."),
	}
}

// Annotations of the Lever.
func (Lever) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("The SGPE levers, filtered."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
