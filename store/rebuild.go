package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

// SQLite changes a column only by rebuilding its table: atlas writes a new table, copies
// the rows into it, drops the old one and renames the new one. The drop matches the
// destructive migrations' pattern, though nothing is lost when the copy takes every
// column the table has. copiesEverything tells, from the database as it is, whether
// each table a migration drops is such a rebuild.
var dropTable = regexp.MustCompile("(?i)\\bDROP\\s+TABLE\\s+`([^`]+)`")

// copiesEverything reports whether every DROP of a SQLite migration drops a table it
// rebuilds (atlas's new_TABLE, renamed TABLE), having copied every column the table has
// in db. On a database where the table does not exist yet, nothing can be lost.
func copiesEverything(ctx context.Context, db *sql.DB, migration string) (bool, error) {
	drops := dropTable.FindAllStringSubmatch(migration, -1)
	if len(drops) == 0 || len(drops) != len(destructive.FindAllString(migration, -1)) {
		return false, nil // DROP COLUMN, or a table named otherwise
	}
	for _, d := range drops {
		table := d[1]
		quoted := regexp.QuoteMeta(table)
		rename := regexp.MustCompile("(?i)ALTER\\s+TABLE\\s+`new_" + quoted + "`\\s+RENAME\\s+TO\\s+`" + quoted + "`")
		copyRows := regexp.MustCompile("(?i)INSERT\\s+INTO\\s+`new_" + quoted + "`\\s*\\(([^)]*)\\)\\s*SELECT\\s[\\s\\S]*?\\sFROM\\s+`" + quoted + "`")
		c := copyRows.FindStringSubmatch(migration)
		if c == nil || !rename.MatchString(migration) {
			return false, nil
		}
		copied := map[string]bool{}
		for _, col := range strings.Split(c[1], ",") {
			copied[strings.Trim(strings.TrimSpace(col), "`")] = true
		}
		cols, err := tableColumns(ctx, db, table)
		if err != nil {
			return false, err
		}
		for _, col := range cols {
			if !copied[col] {
				return false, nil
			}
		}
	}
	return true, nil
}

// tableColumns lists the columns of a SQLite table, none when it does not exist.
func tableColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
