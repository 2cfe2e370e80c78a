// Package migrations holds the versioned migrations of the database schema, one folder
// per database, written by generate.go from the ent schema and applied in order by the
// store at start or by "server migrate".
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql, applied in name (time) order.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
