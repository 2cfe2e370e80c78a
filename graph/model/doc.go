// Package model receives the GraphQL types gqlgen generates when the schema has a type no
// Go type is bound to. Today every type is bound (to ent, service or planning types), so
// gqlgen writes nothing here. It holds the marshalling of the Float scalar (float.go).
package model
