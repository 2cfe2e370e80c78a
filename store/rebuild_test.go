package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func TestCopiesEverything(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE `links` (`id` integer PRIMARY KEY, `child_id` integer, `weight` real)"); err != nil {
		t.Fatal(err)
	}
	rebuild := func(table, cols string) string {
		return "CREATE TABLE `new_" + table + "` (`id` integer, `child_id` integer, `weight` real, `level` text);\n" +
			"INSERT INTO `new_" + table + "` (" + cols + ") SELECT " + cols + " FROM `" + table + "`;\n" +
			"DROP TABLE `" + table + "`;\nALTER TABLE `new_" + table + "` RENAME TO `" + table + "`;"
	}
	for _, tc := range []struct {
		name, sql string
		want      bool
	}{
		{"a rebuild copying every column", rebuild("links", "`id`, `child_id`, `weight`, `level`"), true},
		{"a rebuild leaving a column out", rebuild("links", "`id`, `weight`"), false},
		{"a rebuild of a table not created yet", rebuild("later", "`id`"), true},
		{"a table dropped", "DROP TABLE `links`;", false},
		{"a column dropped beside a rebuild", rebuild("links", "`id`, `child_id`, `weight`") + "\nALTER TABLE `x` DROP COLUMN `y`;", false},
		{"a rebuild not renamed", "INSERT INTO `new_links` (`id`, `child_id`, `weight`) SELECT `id`, `child_id`, `weight` FROM `links`;\nDROP TABLE `links`;", false},
	} {
		got, err := copiesEverything(ctx, db, tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
