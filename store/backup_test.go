package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLibpqURL: the tools get the URL without its password (given apart) and without the
// parameters libpq refuses.
func TestLibpqURL(t *testing.T) {
	for _, tc := range []struct{ in, conn, password string }{
		{"postgres://cop@db:5432/cop?sslmode=disable", "postgres://cop@db:5432/cop?sslmode=disable", ""},
		{"postgres://cop:s%40cret@db/cop?sslmode=require&connect_timeout=5", "postgres://cop@db/cop?connect_timeout=5&sslmode=require", "s@cret"},
		{"postgres://cop@db/cop?statement_cache_capacity=0&jit=off&binary_parameters=yes&application_name=api", "postgres://cop@db/cop?application_name=api", ""},
	} {
		conn, password, err := libpqURL(tc.in)
		if err != nil || conn != tc.conn || password != tc.password {
			t.Errorf("libpqURL(%q) = %q, %q, %v; want %q, %q", tc.in, conn, password, err, tc.conn, tc.password)
		}
	}
}

// TestBackupRefusals: a missing pg_dump or pg_restore is named; an SQLite backup of no
// database creates none; a file that is not a backup is not restored, and the database
// it would have replaced stays.
func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("PATH", dir) // no PostgreSQL tool there
	const pg = "postgres://cop@127.0.0.1:1/cop?sslmode=disable"
	if err := Backup(ctx, pg, "", filepath.Join(dir, "b")); err == nil || !strings.Contains(err.Error(), "pg_dump is not on PATH") {
		t.Errorf("backup without pg_dump: %v", err)
	}
	notBackup := filepath.Join(dir, "notes.txt")
	os.WriteFile(notBackup, []byte("not a backup"), 0o600)
	if err := Restore(ctx, pg, "", notBackup, false); err == nil {
		t.Error("restore into an unreachable PostgreSQL succeeded")
	}

	missing := filepath.Join(dir, "missing.db")
	if err := Backup(ctx, "", missing, filepath.Join(dir, "b.db")); err == nil {
		t.Error("backup of a missing SQLite database succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the backup of a missing database created it")
	}
	path := filepath.Join(dir, "cop.db")
	db, err := Open(ctx, "", path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	if err := Restore(ctx, "", path, notBackup, true); err == nil || !strings.Contains(err.Error(), "not an SQLite database") {
		t.Errorf("restore of a text file: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the database changed after a refused restore")
	}
	if _, err := os.Stat(path + ".restoring"); err == nil {
		t.Error("a refused restore left its copy")
	}
}
