package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Webhook is a partner's URL that receives, signed, the events it asked for, of the
// records whose territory lies inside its API key's territory (every record for an
// admin key). The secret signs the deliveries; it is shown once, when the webhook is
// created.
type Webhook struct {
	ent.Schema
}

// Fields of the Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty().MaxLen(2048).Immutable().Comment("Where deliveries are POSTed (https://)."),
		field.Strings("events").Comment("Event types sent, e.g. COMMITMENT_ADOPTED."),
		field.String("secret").Sensitive().NotEmpty().Immutable().Comment("Key of the HMAC-SHA256 signature of deliveries."),
		field.Int("key_id").Immutable().Comment("The API key that registered it: its territory scopes the events."),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Edges of the Webhook.
func (Webhook) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("key", APIKey.Type).Unique().Required().Immutable().Field("key_id"),
		edge.To("deliveries", WebhookDelivery.Type).Annotations(entsql.OnDelete(entsql.Cascade)).
			Comment("Deleted with the webhook."),
	}
}

// Indexes of the Webhook.
func (Webhook) Indexes() []ent.Index {
	return []ent.Index{index.Fields("key_id")}
}

// Annotations of the Webhook: exposed through hand-written GraphQL types only, so that
// the secret never leaves after creation.
func (Webhook) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// WebhookDelivery is one event to send to one webhook: the outbox. Writes insert it in
// the transaction of the change; the dispatcher claims due rows, sends them and records
// the outcome, retrying with backoff until it succeeds or gives up.
type WebhookDelivery struct {
	ent.Schema
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("webhook_id").Immutable(),
		field.String("event_id").Immutable().Comment("Id of the event: the same for every webhook it goes to."),
		field.String("event").Immutable().Comment("Event type, e.g. COMMITMENT_ADOPTED."),
		field.Text("payload").Immutable().Comment("The JSON body sent."),
		field.Enum("status").Values("PENDING", "DELIVERED", "FAILED").Default("PENDING").
			Comment("PENDING until a receiver answers 2xx (DELIVERED) or the retries give up (FAILED)."),
		field.Int("attempts").Default(0).Comment("Attempts started."),
		field.Time("next_attempt_at").Default(time.Now).Comment("When it is due; while an attempt runs, when that attempt's lease ends."),
		field.String("last_error").Default("").Comment("Why the last attempt failed."),
		field.Int("last_status").Optional().Nillable().Comment("HTTP status of the last answer."),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("delivered_at").Optional().Nillable(),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("webhook", Webhook.Type).Ref("deliveries").Unique().Required().Immutable().Field("webhook_id"),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "next_attempt_at"), index.Fields("webhook_id")}
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
