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

// Membership is a direct link from a territory to a larger one: a commune in its
// department and its EPCI, an EPCI in each department it spans, a department in its region.
// The weight is the share of the child's population living in the parent, so the weights
// of one child over the parents of one level sum to 1.
type Membership struct {
	ent.Schema
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The membership's id."),
		field.Int("child_id").Annotations(entgql.Skip()),
		field.Int("parent_id").Annotations(entgql.Skip()),
		field.Float("weight").
			Range(0, 1).
			Comment("Share of the child's population living in the parent, between 0 and 1."),
		// A copy of the child's level, which never changes (the level and code identify a
		// territory): a department's EPCI are read through the index on (parent_id,
		// child_level) without visiting its communes (Ille-et-Vilaine: 18 EPCI among 350
		// children).
		field.Enum("child_level").
			GoType(hierarchy.Level("")).
			Annotations(entgql.Skip()),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("child", Territory.Type).Unique().Required().Field("child_id").
			Comment("The smaller territory."),
		edge.To("parent", Territory.Type).Unique().Required().Field("parent_id").
			Comment("The larger territory."),
	}
}

// Indexes of the Membership.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("child_id", "parent_id").Unique(),
		index.Fields("parent_id", "child_level"),
	}
}

// Annotations of the Membership.
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
