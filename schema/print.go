//go:build ignore

// Command print (`go run ./schema/print.go`) writes the schema the server executes
// (graph.SDL) to schema/published/schema.graphql, the file clients generate their types
// from and schema/releases/ copies at each release. It is run by `go generate ./...` after gqlgen
// (generate.go), so that CI's check of generated code keeps it current;
// graph.TestPublishedSchemaIsCurrent holds it to the server too.
package main

import (
	"log"
	"os"

	"github.com/cop-territoriales/cop-api/graph"
)

func main() {
	if err := os.WriteFile("schema/published/schema.graphql", []byte(graph.SDL()), 0o644); err != nil {
		log.Fatalf("print the schema: %v", err)
	}
}
