package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestDestructive(t *testing.T) {
	for sql, want := range map[string]bool{
		"CREATE TABLE `t` (`id` integer);":                       false,
		"ALTER TABLE \"t\" ADD COLUMN \"x\" integer;":            false,
		"DROP TABLE `t`;":                                        true,
		"ALTER TABLE \"t\" DROP COLUMN \"x\";":                   true,
		"-- Drop index\nDROP INDEX `i`;":                         false,
		"alter table t drop   column x":                          true,
		"CREATE TABLE `dropped_columns` (`drop_table` integer);": false,
	} {
		if got := destructive.MatchString(sql); got != want {
			t.Errorf("destructive(%q) = %v, want %v", sql, got, want)
		}
	}
}

// TestMigrateOnce applies the migrations to a new SQLite file, then finds none pending.
func TestMigrateOnce(t *testing.T) {
	ctx := context.Background()
	db, drv, err := OpenSQL(ctx, "", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := Migrate(ctx, db, drv, false)
	if err != nil || len(applied) == 0 {
		t.Fatalf("first run applied %d: %v", len(applied), err)
	}
	again, err := Migrate(ctx, db, drv, false)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %d: %v", len(again), err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(applied) {
		t.Errorf("%d versions recorded, %d applied: %v", n, len(applied), err)
	}
}
