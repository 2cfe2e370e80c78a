package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	_ "ariga.io/atlas/sql/postgres"
	_ "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
	_ "github.com/lib/pq"
	"modernc.org/sqlite"

	"github.com/cop-territoriales/cop-api/ent/migrate"
	"github.com/cop-territoriales/cop-api/migrations"
)

func init() { sql.Register("sqlite3", &sqlite.Driver{}) } // the name Atlas opens SQLite with

// TestFilesMatchSchema replays the migration files on an empty database and diffs the
// result with the ent schema: any difference means a migration is missing.
func TestFilesMatchSchema(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ name, dialect, url string }{
		{"sqlite", dialect.SQLite, "sqlite://dev?mode=memory&_pragma=foreign_keys(1)"},
	}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		admin, err := sql.Open("postgres", u)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		name := fmt.Sprintf("migrations_%d", time.Now().UnixNano())
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		defer admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		p, _ := url.Parse(u)
		p.Path = "/" + name
		cases = append(cases, struct{ name, dialect, url string }{"postgres", dialect.Postgres, p.String()})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			files, err := filepath.Glob(filepath.Join(c.name, "*"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no migration files in %s", c.name)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir, err := atlas.NewLocalDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate.NamedDiff(ctx, c.url, "check", migrations.DiffOptions(dir, c.dialect)...); err != nil {
				t.Fatal(err)
			}
			after, _ := filepath.Glob(filepath.Join(tmp, "*"))
			if len(after) != len(files) {
				t.Errorf("the ent schema differs from migrations/%s: run go run ./migrations/generate.go NAME and commit the new files", c.name)
			}
		})
	}
}
