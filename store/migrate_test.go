package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cop-territoriales/cop-api/migrations"
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

// TestMigrateTogether starts four migrations of one new PostgreSQL database at once, as
// instances started together do: each succeeds, and every migration is applied once.
func TestMigrateTogether(t *testing.T) {
	dbURL := emptyPostgres(t, "t_migrate_")
	ctx := context.Background()
	applied := make([]int, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, drv, err := OpenSQL(ctx, dbURL, "")
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			ms, err := Migrate(ctx, db, drv, false)
			applied[i], errs[i] = len(ms), err
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
		total += applied[i]
	}
	files, _ := fs.Glob(migrations.FS, "postgres/*.sql")
	if total != len(files) {
		t.Errorf("%d migrations applied in all, want each of the %d once (%v)", total, len(files), applied)
	}
}
