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

// Ancestry is the materialised transitive closure of the hierarchy, one row per pair
// (territory, larger territory that contains part of it), plus one row (territory, itself)
// with weight 1. The weight is the share of the territory's population living in the
// ancestor. It turns any roll-up into one statement:
//
//	SELECT SUM(x.value * a.weight) FROM x JOIN ancestries a ON a.territory_id = x.territory_id
//	WHERE a.ancestor_id = $1
//
// and, because weights come from commune populations, roll-ups count everything once.
type Ancestry struct {
	ent.Schema
}

// Fields of the Ancestry.
func (Ancestry) Fields() []ent.Field {
	return []ent.Field{
		field.Int("territory_id"),
		field.Int("ancestor_id"),
		field.Float("weight").Range(0, 1),
		field.Int("depth").
			NonNegative().
			Comment("Difference of levels between the territory and the ancestor; 0 for the territory itself."),
		// A copy of the territory's level, which never changes (the level and code identify
		// a territory): France's 18 regions are read through the index on (ancestor_id,
		// territory_level) without visiting its 36,253 descendants, with a plan that is the
		// same for every ancestor (store.KeptPlan).
		field.Enum("territory_level").
			GoType(hierarchy.Level("")),
	}
}

// Edges of the Ancestry.
func (Ancestry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Field("territory_id"),
		edge.To("ancestor", Territory.Type).Unique().Required().Field("ancestor_id"),
	}
}

// Indexes of the Ancestry.
func (Ancestry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("territory_id", "ancestor_id").Unique(),
		index.Fields("ancestor_id", "territory_id"),
		index.Fields("ancestor_id", "territory_level"),
	}
}

// Annotations of the Ancestry.
func (Ancestry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
