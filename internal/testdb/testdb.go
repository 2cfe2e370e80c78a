// Package testdb gives tests real databases: an SQLite file always, and a PostgreSQL
// database when TEST_DATABASE_URL is set (a server URL whose user may create databases).
// Each test gets its own database named after it; loaded ones are copied from a template
// loaded once per test binary, so that a test pays for a copy, not for a load.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	_ "github.com/lib/pq" // PostgreSQL driver.

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// The dialects tests run on.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// EnvURL names the environment variable holding the PostgreSQL server URL for tests.
const EnvURL = "TEST_DATABASE_URL"

// Dialects lists the databases available: SQLite, and PostgreSQL when EnvURL is set.
func Dialects() []string {
	if os.Getenv(EnvURL) != "" {
		return []string{SQLite, Postgres}
	}
	return []string{SQLite}
}

// Run runs f once per dialect as a subtest, each with its own database: an empty migrated
// one, or one holding the embedded hierarchy (and catalogue) when loaded is true.
func Run(t *testing.T, loaded bool, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			var db *store.DB
			if loaded {
				db = Loaded(t, d)
			} else {
				db = Fresh(t, d)
			}
			f(t, db)
		})
	}
}

// Fresh opens a new empty, migrated database of the dialect, closed and dropped at the
// end of the test.
func Fresh(t testing.TB, dialect string) *store.DB {
	t.Helper()
	return open(t, dialect, "")
}

// Loaded opens a new database of the dialect holding the embedded hierarchy.
func Loaded(t testing.TB, dialect string) *store.DB {
	t.Helper()
	tpl, err := template(dialect, false)
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	return open(t, dialect, tpl)
}

// Planned opens a new database of the dialect holding everything a first start loads:
// the hierarchy, the catalogue, the SGPE objectives with their breakdowns and the
// national figures, all from the embedded data.
func Planned(t testing.TB, dialect string) *store.DB {
	t.Helper()
	tpl, err := template(dialect, true)
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	return open(t, dialect, tpl)
}

var (
	tplOnce sync.Map // dialect and planned -> *tplResult
	tplDir  string
)

type tplResult struct {
	once    sync.Once
	dialect string
	name    string
	err     error
}

// template builds, once per dialect and test binary, a database holding the hierarchy,
// and the planning data when planned is true: an SQLite file, or a PostgreSQL database
// used as CREATE DATABASE ... TEMPLATE.
func template(dialect string, planned bool) (string, error) {
	v, _ := tplOnce.LoadOrStore(fmt.Sprint(dialect, planned), &tplResult{dialect: dialect})
	r := v.(*tplResult)
	r.once.Do(func() {
		ctx := context.Background()
		src, err := data.Hierarchy()
		if err != nil {
			r.err = err
			return
		}
		var dbURL, path string
		switch dialect {
		case SQLite:
			if tplDir == "" {
				if tplDir, err = os.MkdirTemp("", "copapi-test-"); err != nil {
					r.err = err
					return
				}
			}
			path = filepath.Join(tplDir, fmt.Sprintf("template-%t.db", planned))
			r.name = path
		case Postgres:
			r.name = "tpl_" + randomSuffix()
			if dbURL, err = createDB(r.name, ""); err != nil {
				r.err = err
				return
			}
		}
		db, err := store.Open(ctx, dbURL, path)
		if err != nil {
			r.err = err
			return
		}
		defer db.Close()
		svc := service.New(db.Client)
		if _, r.err = svc.EnsureHierarchy(ctx, func() (hierarchy.Source, error) { return src, nil }); r.err != nil {
			return
		}
		if r.err = svc.EnsureCatalogue(ctx); r.err != nil || !planned {
			return
		}
		_, r.err = svc.EnsurePlanning(ctx, data.SGPE, data.National)
	})
	return r.name, r.err
}

// Cleanup removes the templates; call it from TestMain after m.Run.
func Cleanup() {
	if tplDir != "" {
		os.RemoveAll(tplDir)
	}
	tplOnce.Range(func(k, v any) bool {
		if r := v.(*tplResult); r.dialect == Postgres && r.name != "" {
			dropDB(r.name)
		}
		return true
	})
}

func open(t testing.TB, dialect, template string) *store.DB {
	t.Helper()
	var dbURL, path string
	switch dialect {
	case SQLite:
		path = filepath.Join(t.TempDir(), "test.db")
		if template != "" {
			if err := copyFile(template, path); err != nil {
				t.Fatalf("copy template: %v", err)
			}
		}
	case Postgres:
		name := dbName(t.Name())
		var err error
		if dbURL, err = createDB(name, template); err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() { dropDB(name) })
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	db, err := store.Open(context.Background(), dbURL, path)
	if err != nil {
		t.Fatalf("open %s database: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// dbName derives a PostgreSQL database name from a test name, unique per call.
func dbName(test string) string {
	n := unsafeChars.ReplaceAllString(strings.ToLower(test), "_")
	if len(n) > 40 {
		n = n[len(n)-40:]
	}
	return "t_" + strings.Trim(n, "_") + "_" + randomSuffix()
}

func randomSuffix() string {
	b := make([]byte, 5)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// serverURL returns TEST_DATABASE_URL with its database replaced by name.
func serverURL(name string) (string, error) {
	u, err := url.Parse(os.Getenv(EnvURL))
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func admin() (*sql.DB, error) {
	return sql.Open("postgres", os.Getenv(EnvURL))
}

func createDB(name, template string) (string, error) {
	db, err := admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	stmt := fmt.Sprintf("CREATE DATABASE %q", name)
	if template != "" {
		stmt += fmt.Sprintf(" TEMPLATE %q", template)
	}
	if _, err := db.Exec(stmt); err != nil {
		return "", fmt.Errorf("%s: %w", stmt, err)
	}
	return serverURL(name)
}

func dropDB(name string) {
	db, err := admin()
	if err != nil {
		return
	}
	defer db.Close()
	db.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
