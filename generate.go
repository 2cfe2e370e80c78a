// Package copapi is the root of the COP territoriales GraphQL API. Its go:generate lines
// regenerate the ent client, the GraphQL schema of ent types, the gqlgen server code
// and the published schema (schema/published/schema.graphql).
package copapi

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./internal/gqlgen
//go:generate go run -mod=mod ./schema/print.go
