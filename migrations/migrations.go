// Package migrations holds the versioned migrations of the database schema, one folder
// per database, written by generate.go from the ent schema and applied in order by the
// store at start or by "server migrate".
package migrations

import (
	"embed"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect/sql/schema"
)

// FS holds sqlite/*.sql and postgres/*.sql, applied in name (time) order.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS

// DiffOptions are how migration files are written from the ent schema (generate.go) and
// checked against it (the test): replayed on a dev database, with ent's global id ranges.
func DiffOptions(dir atlas.Dir, dialect string) []schema.MigrateOption {
	return []schema.MigrateOption{schema.WithDir(dir), schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect), schema.WithGlobalUniqueID(true), schema.WithFormatter(atlas.DefaultFormatter)}
}
