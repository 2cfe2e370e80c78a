package store

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cop-territoriales/cop-api/ent"
)

// TestDiskFullSQLite fills a small tmpfs holding an SQLite database until writes fail:
// they are Unavailable for a full disk, a transaction that hits it leaves nothing, reads
// go on, the database stays sound, and writes go through again once space is freed.
// Skipped where tmpfs cannot be mounted (not root, a container without the right).
func TestDiskFullSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	ctx := context.Background()
	db, err := Open(ctx, "", filepath.Join(dir, "cop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Space to free later: without it, even a DELETE needs room in the WAL.
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Client.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO filler VALUES (randomblob(65536))`
	var full error
	for i := 0; i < 1000 && full == nil; i++ {
		_, full = db.Client.ExecContext(ctx, insert)
	}
	if reason, ok := Unavailable(full); !ok || reason != ReasonDiskFull {
		t.Fatalf("filling the disk: %v, want a full disk", full)
	}
	if reason, _, ok := db.Available(); ok || reason != ReasonDiskFull {
		t.Errorf("the database's state: %q, available %v; want a full disk", reason, ok)
	}

	count := func() int {
		t.Helper()
		var n int
		rows, err := db.Client.QueryContext(ctx, `SELECT count(*) FROM filler`)
		if err != nil {
			t.Fatalf("a read on a full disk: %v", err)
		}
		defer rows.Close()
		for rows.Next() {
			rows.Scan(&n)
		}
		return n
	}
	before := count()
	err = WithTx(ctx, db.Client, func(tx *ent.Tx) error {
		for range 20 {
			if _, err := tx.ExecContext(ctx, insert); err != nil {
				return err
			}
		}
		return nil
	})
	if _, ok := Unavailable(err); !ok {
		t.Errorf("a transaction on a full disk: %v, want a full disk", err)
	}
	if n := count(); n != before {
		t.Errorf("%d rows after a transaction that failed, %d before", n, before)
	}
	var check string
	if err := db.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check on a full disk: %q, %v", check, err)
	}

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Client.ExecContext(ctx, insert); err != nil {
		t.Errorf("a write once space is freed: %v", err)
	}
	if n := count(); n != before+1 {
		t.Errorf("%d rows, want %d", n, before+1)
	}
	if err := db.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check after: %q, %v", check, err)
	}
}
