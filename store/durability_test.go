package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteSynchronous: SQLite commits are synced (synchronous=FULL, 2) unless the
// operator chooses NORMAL (1), on every connection of the pool, in WAL mode.
func TestSQLiteSynchronous(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		sync Sync
		want int
	}{{"", 2}, {SyncFull, 2}, {SyncNormal, 1}} {
		t.Run(string(tc.sync), func(t *testing.T) {
			db, _, err := openSQL(ctx, "", filepath.Join(t.TempDir(), "cop.db"), Limits{Synchronous: tc.sync})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Two connections held at once: the pragma is set on each, not on the first only.
			for range 2 {
				conn, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				var got int
				var mode string
				if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
					t.Fatal(err)
				}
				if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
					t.Fatal(err)
				}
				if got != tc.want || mode != "wal" {
					t.Errorf("synchronous %d in journal mode %s, want %d in wal", got, mode, tc.want)
				}
			}
		})
	}
	for _, s := range []string{"full", "NORMAL", ""} {
		if _, err := ParseSync(s); err != nil {
			t.Errorf("ParseSync(%q): %v", s, err)
		}
	}
	if _, err := ParseSync("OFF"); err == nil {
		t.Error("ParseSync accepted OFF")
	}
}
