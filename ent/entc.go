//go:build ignore

// Command entc generates the ent client and the GraphQL schema of its types
// (schema/ent.graphql). It is run by go generate from the repository root.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./schema/ent.graphql"),
		entgql.WithWhereInputs(true),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	if err := entc.Generate("./ent/schema", &gen.Config{
		Features: []gen.Feature{gen.FeatureModifier, gen.FeatureExecQuery, gen.FeatureUpsert, gen.FeatureVersionedMigration},
	}, entc.Extensions(ex), entc.TemplateDir("./ent/template")); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
