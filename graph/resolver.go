// Package graph is the GraphQL adapter: resolvers that make one call each to the service
// layer (package service; package partners for webhooks and subscriptions), per-request
// loaders that keep nested queries to a fixed number of statements, the limits on an
// operation's depth, size and cost, and the error presenter that maps every error to a
// code.
package graph

import (
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	svc *service.Service
	// partners serves the webhooks and the subscriptions.
	partners *partners.Service
}
