// Package graph is the GraphQL layer: thin resolvers over the ent client, per-request
// loaders that keep nested queries to a fixed number of statements, and the error
// presenter that maps every error to a code.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/graph/generated"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable schema served over client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{client: client}, Complexity: complexity()})
}
