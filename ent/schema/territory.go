// Package schema holds the ent schemas: the only hand-written part of the ent/ folder.
package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Territory is one territory of the hierarchy: the country, a region, a department, a
// CRTE perimeter, an EPCI or a commune. Territories form a graph, not a tree (an EPCI may
// span several departments): direct links are Membership rows, the transitive closure with
// population weights is in Ancestry.
type Territory struct {
	ent.Schema
}

// Fields of the Territory.
func (Territory) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The territory's id (a global id: node(id:) finds it; the level and code identify it too)."),
		field.Enum("level").
			GoType(hierarchy.Level("")).
			Annotations(entgql.Type("TerritoryLevel")).
			Comment("Level in the territorial hierarchy."),
		field.String("code").
			NotEmpty().
			Comment("Official code, unique within a level: FR for the country, the INSEE code of a region, department or commune, the SIREN of an EPCI, the ANCT id of a CRTE.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().
			Comment("Official name.").
			Annotations(entgql.OrderField("NAME")),
		field.Int64("population").
			NonNegative().
			Default(0).
			Comment("Municipal population: the sum of the populations of the territory's communes (INSEE, 2026 COG vintage).").
			Annotations(entgql.OrderField("POPULATION")),
		field.Enum("nature").
			Values("CC", "CA", "CU", "METRO", "MET69").
			Optional().
			Nillable().
			Comment("Legal nature of an EPCI: CC communauté de communes, CA d'agglomération, CU urbaine, METRO métropole, MET69 Métropole de Lyon. Null for other levels."),
		field.String("siren").
			Optional().
			Nillable().
			Comment("SIREN of an EPCI (the same as its code). Null for other levels."),
		field.Strings("postal_codes").
			Optional().
			Comment("Postal codes of a commune. Null for other levels."),
		field.String("search_key").
			Default("").
			Comment("Normalised name used by text search (lower case, no accents, words separated by one space).").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Territory.
func (Territory) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("parents", Membership.Type).
			Ref("child").
			Annotations(entgql.Skip()),
		edge.From("members", Membership.Type).
			Ref("parent").
			Annotations(entgql.Skip()),
		edge.From("ancestries", Ancestry.Type).
			Ref("territory").
			Annotations(entgql.Skip()),
		edge.From("descendancies", Ancestry.Type).
			Ref("ancestor").
			Annotations(entgql.Skip()),
	}
}

// Indexes of the Territory.
func (Territory) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("level", "code").Unique(),
		index.Fields("population"),
		index.Fields("name"),
	}
}

// Annotations of the Territory.
func (Territory) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
