// Package testdb gives tests real databases: an SQLite file always, and a PostgreSQL
// database when TEST_DATABASE_URL is set (a server URL whose user may create databases).
// A test that writes gets its own database named after it (Fresh, Loaded, Planned,
// WithFixtures); loaded ones are copied from a template built once per version of the
// code and data that fill it and kept between test binaries and runs (cache.go), so
// that a test pays for a copy, not for a load. Tests that only read share one planned
// database per dialect and test binary (Shared). Run runs a test on each dialect, side by
// side (Parallel); Main is the TestMain of every package whose tests use this one.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
// one, or one holding the embedded hierarchy (and catalogue) when loaded is true. The
// dialects' subtests run side by side (Parallel).
func Run(t *testing.T, loaded bool, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			Parallel(t)
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

// Parallel lets a dialect's subtest run beside the other dialect's, when there are two:
// while PostgreSQL works on one, the test process works on the other (the GraphQL tests
// on both databases took 39 s instead of 60). Such a subtest must not change state
// outside its database.
func Parallel(t *testing.T) {
	if len(Dialects()) > 1 {
		t.Parallel()
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
	tpl := mustTemplate(t, dialect, hierarchyOnly)
	return open(t, dialect, tpl)
}

// Planned opens a new database of the dialect holding everything a first start loads:
// the hierarchy, the catalogue, the SGPE objectives with their breakdowns and the
// national figures, all from the embedded data.
func Planned(t testing.TB, dialect string) *store.DB {
	t.Helper()
	tpl := mustTemplate(t, dialect, planned)
	return open(t, dialect, tpl)
}

// The contents a template holds, each one more than the previous.
const (
	// hierarchyOnly: the territorial hierarchy and the catalogue.
	hierarchyOnly = "hierarchy"
	// planned: as a first start leaves it (the SGPE objectives with their breakdowns and
	// the national figures too).
	planned = "planned"
	// withFixtures: planned, with the illustrative CRTE perimeters and observations.
	withFixtures = "fixtures"
)

var tplOnce sync.Map // dialect and contents -> *tplResult

type tplResult struct {
	once    sync.Once
	dialect string
	name    string
	err     error
}

// template returns, once per dialect and test binary, a database holding contents: an
// SQLite file, or a PostgreSQL database used as CREATE DATABASE ... TEMPLATE. Templates
// are built once per version of the code and data they hold and kept between test
// binaries and runs (cache.go): the packages of one `go test ./...` share them.
func template(dialect, contents string) (string, error) {
	v, _ := tplOnce.LoadOrStore(dialect+"/"+contents, &tplResult{dialect: dialect})
	r := v.(*tplResult)
	r.once.Do(func() { r.name, r.err = cachedTemplate(dialect, contents) })
	return r.name, r.err
}

// build loads contents into an open, migrated database.
func build(ctx context.Context, db *store.DB, contents string) error {
	src, err := data.Hierarchy()
	if err != nil {
		return err
	}
	svc := service.New(db.Client)
	if _, err := svc.EnsureHierarchy(ctx, func() (hierarchy.Source, error) { return src, nil }); err != nil {
		return err
	}
	if err := svc.EnsureCatalogue(ctx); err != nil || contents == hierarchyOnly {
		return err
	}
	if _, err := svc.EnsurePlanning(ctx, data.SGPE, data.National); err != nil || contents == planned {
		return err
	}
	return importFixtures(ctx, db)
}

// mustTemplate is template, failing the test when it cannot be built.
func mustTemplate(t testing.TB, dialect, contents string) string {
	t.Helper()
	tpl, err := template(dialect, contents)
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	return tpl
}

// Main runs a package's tests, then Cleanup, and exits with their code: the TestMain of
// every package whose tests use this one. Unless GOGC is set, the collector runs at 400
// as the server's does (server/run.go): the tests allocate much and hold little, and
// with Go's default (100) the collector took 12% of TestImportSGPE's CPU samples.
func Main(m *testing.M) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Shared returns the planned database of the dialect that the tests of a binary which
// only read share, opened on its first use and closed by Cleanup: a test pays neither a
// copy nor an open. A test that writes to it fails (the data version, which every write
// advances, must not move during the test), so that it cannot change what the next ones
// read: tests that write take a database of their own (Planned).
func Shared(t testing.TB, dialect string) *store.DB {
	t.Helper()
	v, _ := shared.LoadOrStore(dialect, &sharedDB{})
	s := v.(*sharedDB)
	s.once.Do(func() { s.db, s.cleanup, s.err = openShared(dialect) })
	if s.err != nil {
		t.Fatalf("shared %s database: %v", dialect, s.err)
	}
	ctx := store.UsePrimary(context.Background())
	before, err := s.db.DataVersion(ctx)
	if err != nil {
		t.Fatalf("shared %s database: %v", dialect, err)
	}
	t.Cleanup(func() {
		if after, err := s.db.DataVersion(ctx); err != nil || after != before {
			t.Errorf("the test wrote to the shared %s database (data version %d, then %d, %v): give it a database of its own", dialect, before, after, err)
		}
	})
	return s.db
}

type sharedDB struct {
	once    sync.Once
	db      *store.DB
	cleanup func()
	err     error
}

var shared sync.Map // dialect -> *sharedDB

func openShared(dialect string) (*store.DB, func(), error) {
	tpl, err := template(dialect, planned)
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	switch dialect {
	case SQLite:
		dir, err := os.MkdirTemp("", "copapi-shared-")
		if err != nil {
			return nil, nil, err
		}
		path := filepath.Join(dir, "shared.db")
		if err := copyFile(tpl, path); err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		db, err := store.Open(ctx, "", path)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	case Postgres:
		name := "t" + ownPrefix + randomSuffix() + "_shared"
		dbURL, err := createDB(name, tpl)
		if err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, dbURL, "")
		if err != nil {
			dropDB(name)
			return nil, nil, err
		}
		return db, func() { db.Close(); dropDB(name) }, nil
	}
	return nil, nil, fmt.Errorf("unknown dialect %q", dialect)
}

// Cleanup removes what this test binary created; call it from TestMain after m.Run.
// The templates stay for the next binaries (cache.go).
func Cleanup() {
	shared.Range(func(_, v any) bool {
		if s := v.(*sharedDB); s.cleanup != nil {
			s.cleanup()
		}
		return true
	})
	if os.Getenv(EnvURL) != "" {
		for _, name := range ownDatabases(true) { // a test's own cleanup that failed
			dropDB(name)
		}
	}
}

// WithFixtures opens a new database of the dialect holding what Planned's holds and the
// illustrative CRTE perimeters and observations (ImportFixtures).
func WithFixtures(t testing.TB, dialect string) *store.DB {
	t.Helper()
	tpl := mustTemplate(t, dialect, withFixtures)
	return open(t, dialect, tpl)
}

// PlannedWith is Planned with limits on the connections, as the server opens them.
func PlannedWith(t testing.TB, dialect string, lim store.Limits) *store.DB {
	t.Helper()
	tpl := mustTemplate(t, dialect, planned)
	return openWith(t, dialect, tpl, lim)
}

// PlannedLocation makes a database like Planned's for another process to open: a
// PostgreSQL URL, or an SQLite file when dbURL is empty. It is removed at the end of the
// test.
func PlannedLocation(t testing.TB, dialect string) (dbURL, sqlitePath string) {
	t.Helper()
	tpl := mustTemplate(t, dialect, planned)
	return location(t, dialect, tpl)
}

// EmptyLocation makes an empty database for another process to open, as PlannedLocation
// does.
func EmptyLocation(t testing.TB, dialect string) (dbURL, sqlitePath string) {
	t.Helper()
	return location(t, dialect, "")
}

func open(t testing.TB, dialect, template string) *store.DB {
	t.Helper()
	return openWith(t, dialect, template, store.Limits{})
}

func openWith(t testing.TB, dialect, template string, lim store.Limits) *store.DB {
	t.Helper()
	dbURL, path := location(t, dialect, template)
	db, err := store.OpenWith(context.Background(), dbURL, path, lim)
	if err != nil {
		t.Fatalf("open %s database: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// location creates a database of the dialect, a copy of template when given, dropped
// at the end of the test.
func location(t testing.TB, dialect, template string) (dbURL, path string) {
	t.Helper()
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
		t.Cleanup(func() {
			if err := dropDB(name); err != nil {
				t.Errorf("drop database %s: %v", name, err)
			}
		})
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	return dbURL, path
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// dbName derives a PostgreSQL database name from a test name, unique per call and
// marked with the test process (ownPrefix).
func dbName(test string) string {
	n := unsafeChars.ReplaceAllString(strings.ToLower(test), "_")
	if len(n) > 36 {
		n = n[len(n)-36:]
	}
	return "t" + ownPrefix + randomSuffix() + "_" + strings.Trim(n, "_")
}

// ownPrefix marks the databases of this test process, "_p<pid>_": what Cleanup drops,
// and what the next run drops if this process dies before (ownedBy).
var ownPrefix = fmt.Sprintf("_p%d_", os.Getpid())

var ownedName = regexp.MustCompile(`^(?:t|tpl)_p([0-9]+)_`)

// Bounds on what tests wait for from the PostgreSQL server: a busy server makes a test
// fail, never hang, and a database is dropped or reported.
const (
	// createTimeout bounds creating a database, a copy of a loaded template included.
	createTimeout = 2 * time.Minute
	// dropTimeout bounds each attempt to drop a database; dropAttempts are made.
	dropTimeout  = 20 * time.Second
	dropAttempts = 3
)

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// serverURL returns TEST_DATABASE_URL with its database replaced by name, and a bounded
// wait for connections.
func serverURL(name string) (string, error) {
	u, err := url.Parse(os.Getenv(EnvURL))
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	q := u.Query()
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", "10")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func admin() (*sql.DB, error) {
	u, err := url.Parse(os.Getenv(EnvURL))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	dbURL, err := serverURL(strings.TrimPrefix(u.Path, "/"))
	if err != nil {
		return nil, err
	}
	return sql.Open("postgres", dbURL)
}

var sweepOnce sync.Once

func createDB(name, template string) (string, error) {
	sweepOnce.Do(sweepLeftovers)
	db, err := admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	stmt := fmt.Sprintf("CREATE DATABASE %q", name)
	if template != "" {
		stmt += fmt.Sprintf(" TEMPLATE %q", template)
	}
	ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		dropDB(name) // a create cut short may leave it
		return "", fmt.Errorf("%s: %w", stmt, err)
	}
	return serverURL(name)
}

// dropDB drops a database, each attempt bounded, and reports when it could not.
func dropDB(name string) error {
	db, err := admin()
	if err != nil {
		return err
	}
	defer db.Close()
	for i := range dropAttempts {
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		_, err = db.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name))
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(time.Duration(i+1) * time.Second)
	}
	fmt.Fprintf(os.Stderr, "testdb: database %s left behind: %v\n", name, err)
	return err
}

// ownDatabases lists the test databases on the server whose process is this one
// (mine) or has ended (dead): a test binary killed before its cleanup leaves them, the
// next run drops them. Databases of running processes, other test runs included, are
// never listed.
func ownDatabases(mine bool) []string {
	db, err := admin()
	if err != nil {
		return nil
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 't%\_p%'`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		m := ownedName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if mine && pid == os.Getpid() || !mine && pid != os.Getpid() && !alive(pid) {
			out = append(out, name)
		}
	}
	return out
}

// alive reports whether a process runs with that id on this machine.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// sweepLeftovers drops the databases of test processes that ended without dropping them.
func sweepLeftovers() {
	for _, name := range ownDatabases(false) {
		dropDB(name)
	}
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
