package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/auditentry"
	"github.com/cop-territoriales/cop-api/ent/idempotencykey"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// TestBackupRestore backs a database up with `server backup` while three writers create
// actions, restores the copy with `server restore` into an empty database, and checks
// it: `server check` finds no difference between the roll-up cells and the records,
// every action acknowledged before the backup started is there, and every action there
// is whole (its audit entry and its idempotency key with it). A restore over a database
// is refused: on PostgreSQL always, on SQLite without -force or while the database is
// open.
func TestBackupRestore(t *testing.T) {
	t.Parallel() // databases of its own, and long: beside the other long ones
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			testdb.Parallel(t)
			ctx := context.Background()
			src := testdb.Planned(t, dialect)
			svc := service.New(src.Client)
			file := filepath.Join(t.TempDir(), "cop.backup")
			command := func(dbURL, path string, args ...string) (string, error) {
				var out bytes.Buffer
				cfg := config{databaseURL: dbURL, sqlitePath: path}
				var err error
				switch args[0] {
				case "backup":
					err = backup(ctx, cfg, args[1:], &out)
				case "restore":
					err = restore(ctx, cfg, args[1:], &out)
				}
				return out.String(), err
			}

			// Writers: action "backup w<writer>-<n>", with its idempotency key.
			var (
				mu      sync.Mutex
				acked   = map[int]string{} // action id: title
				stop    = make(chan struct{})
				wg      sync.WaitGroup
				written = make(chan struct{}, 100)
			)
			for w := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					admin := testdb.AsAdmin(ctx)
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						title, idem, start := fmt.Sprintf("backup w%d-%d", w, i), fmt.Sprintf("w%d-%d", w, i), 2025
						a, err := svc.CreateAction(admin, service.ActionInput{Title: &title, Sector: ptr("transports"),
							Territory: testdb.Key(hierarchy.Commune, "35238"), StartYear: &start}, &idem)
						if err != nil {
							t.Errorf("writer %d: %v", w, err)
							return
						}
						mu.Lock()
						acked[a.ID] = title
						mu.Unlock()
						select {
						case written <- struct{}{}:
						default:
						}
					}
				}()
			}
			for range 10 {
				<-written
			}
			mu.Lock()
			before := make(map[int]string, len(acked))
			for id, title := range acked {
				before[id] = title
			}
			mu.Unlock()
			out, err := command(src.URL, src.Path, "backup", file)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d actions acknowledged before the backup, %d by its end", strings.TrimSpace(out), len(before), len(acked))

			dbURL, path := testdb.EmptyLocation(t, dialect)
			if out, err := command(dbURL, path, "restore", file); err != nil {
				t.Fatal(err)
			} else {
				t.Log(strings.TrimSpace(out))
			}
			db, err := store.Open(ctx, dbURL, path)
			if err != nil {
				t.Fatal(err)
			}
			var report bytes.Buffer
			err = check(ctx, db, nil, &report)
			t.Log(strings.TrimSpace(report.String()))
			if err != nil || !strings.Contains(report.String(), "no difference") {
				t.Errorf("check of the restored database: %v\n%s", err, report.String())
			}
			restored, err := db.Client.Action.Query().Where(action.TitleHasPrefix("backup ")).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			there := map[int]string{}
			for _, a := range restored {
				there[a.ID] = a.Title
				if acked[a.ID] != a.Title {
					t.Errorf("restored action %d %q was never acknowledged as such", a.ID, a.Title)
				}
				audits, err := db.Client.AuditEntry.Query().Where(auditentry.Entity("Action"), auditentry.EntityID(a.ID)).Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				keys, err := db.Client.IdempotencyKey.Query().Where(idempotencykey.EntityID(a.ID),
					idempotencykey.Key(strings.TrimPrefix(a.Title, "backup "))).Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if audits != 1 || keys != 1 {
					t.Errorf("restored action %d %q has %d audit entries and %d idempotency keys, want 1 and 1", a.ID, a.Title, audits, keys)
				}
			}
			for id, title := range before {
				if there[id] != title {
					t.Errorf("action %d %q, acknowledged before the backup, is not in the restored database", id, title)
				}
			}
			if len(there) < len(before) || len(there) > len(acked) {
				t.Errorf("%d actions restored; %d acknowledged before the backup, %d by its end", len(there), len(before), len(acked))
			}

			// Over a database: refused while open, on PostgreSQL whatever the flag.
			if _, err := command(dbURL, path, "restore", file); !errors.Is(err, store.ErrNotEmpty) {
				t.Errorf("restore over the restored database: %v, want it refused as not empty", err)
			}
			if dialect == testdb.SQLite {
				if _, err := command(dbURL, path, "restore", "-force", file); !errors.Is(err, store.ErrInUse) {
					t.Errorf("restore -force over a database in use: %v, want it refused", err)
				}
				db.Close()
				if _, err := command(dbURL, path, "restore", "-force", file); err != nil {
					t.Errorf("restore -force over the stopped database: %v", err)
				}
			}
			db.Close()
		})
	}
}

func ptr[T any](v T) *T { return &v }
