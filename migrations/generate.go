//go:build ignore

// Command generate writes a new versioned migration for each database from the ent
// schema, by diffing the migrations already written (replayed on a dev database) with
// the schema:
//
//	COP_MIGRATION_DEV_URL='postgres://postgres@127.0.0.1:5432/cop_dev?sslmode=disable' \
//	  go run ./migrations/generate.go NAME
//
// The PostgreSQL dev database must exist and be empty; SQLite's is in memory.
package main

import (
	"context"
	"database/sql"
	"log"
	"os"

	atlas "ariga.io/atlas/sql/migrate"
	_ "ariga.io/atlas/sql/postgres"
	_ "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
	_ "github.com/lib/pq"
	"modernc.org/sqlite"

	"github.com/cop-territoriales/cop-api/ent/migrate"
	"github.com/cop-territoriales/cop-api/migrations"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run ./migrations/generate.go NAME")
	}
	sql.Register("sqlite3", &sqlite.Driver{}) // the name Atlas opens SQLite with
	ctx := context.Background()
	for _, d := range []struct{ name, dialect, url string }{
		{"sqlite", dialect.SQLite, "sqlite://dev?mode=memory&_pragma=foreign_keys(1)"},
		{"postgres", dialect.Postgres, os.Getenv("COP_MIGRATION_DEV_URL")},
	} {
		if d.url == "" {
			log.Fatalf("%s: set COP_MIGRATION_DEV_URL to an empty PostgreSQL database", d.name)
		}
		dir, err := atlas.NewLocalDir("migrations/" + d.name)
		if err != nil {
			log.Fatal(err)
		}
		err = migrate.NamedDiff(ctx, d.url, os.Args[1],
			migrations.DiffOptions(dir, d.dialect)...)
		if err != nil {
			log.Fatalf("%s: %v", d.name, err)
		}
	}
}
