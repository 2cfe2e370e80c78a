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

// APIKey lets an organisation write within its territory. Only a hash of the secret is
// stored; the prefix identifies the key in logs and in the audit log.
type APIKey struct {
	ent.Schema
}

// Fields of the APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("prefix").Unique().NotEmpty().Immutable().Comment("Public part of the key, shown in lists and audit entries."),
		field.Bytes("secret_hash").Sensitive().Immutable(),
		field.String("organisation").NotEmpty().Comment("Organisation holding the key."),
		field.Enum("role").GoType(access.Role("")).Comment("What the key may do."),
		field.Int("territory_id").Immutable(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Edges of the APIKey.
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("territory", Territory.Type).Unique().Required().Immutable().Field("territory_id").
			Comment("The territory the key writes for: itself and what lies inside it."),
	}
}

// Annotations of the APIKey: not exposed in GraphQL.
func (APIKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AuditEntry records one write: who, when, what, and the record before and after.
type AuditEntry struct {
	ent.Schema
}

// Fields of the AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Comment("The entry's id."),
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")).Comment("When."),
		field.String("actor").Immutable().Comment("Organisation and key prefix of the writer."),
		field.String("operation").Immutable().Comment("The mutation, e.g. createAction, transitionCommitment."),
		field.String("entity").Immutable().Comment("Type of the record written: Action, Commitment, Observation, Cop, CopStep, CopParticipant, CopDocument or Webhook."),
		field.Int("entity_id").Immutable().Comment("Id of the record written."),
		field.String("before").Optional().Immutable().Comment("The record before, as JSON; empty on creation."),
		field.String("after").Immutable().Comment("The record after, as JSON."),
	}
}

// Indexes of the AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("entity", "entity_id"), index.Fields("at")}
}

// Annotations of the AuditEntry.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// IdempotencyKey remembers the result of a write sent with an idempotency key, so that a
// retried request returns the same record instead of writing twice.
type IdempotencyKey struct {
	ent.Schema
}

// Fields of the IdempotencyKey.
func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().Immutable(),
		field.String("actor").Immutable(),
		field.String("operation").Immutable(),
		field.String("request_hash").Immutable(),
		field.Int("entity_id").Immutable(),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Indexes of the IdempotencyKey.
func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("actor", "key").Unique()}
}

// Annotations of the IdempotencyKey.
func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
