// Package copapi is the root of the COP territoriales GraphQL API. Its go:generate lines
// regenerate the ent client, the GraphQL schema of ent types and the gqlgen server code.
package copapi

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./internal/gqlgen
