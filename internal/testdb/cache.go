package testdb

// Templates kept between test binaries and runs. A `go test ./...` runs one binary per
// package, several at once: each used to load the hierarchy and the planning data again
// (4 s of CPU each on SQLite, more on PostgreSQL). A template is now built once per
// version of what it holds, named after a hash of the code and data that fill it
// (codeKey), under a lock that other binaries wait on, then copied by every test.
// Templates of other versions, unused for staleAfter, are removed by the next build.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cop-territoriales/cop-api/store"
)

// staleAfter is how long a template of another version of the code is kept unused: long
// enough for a run of another checkout beside this one, short enough that a day of
// changes does not pile up a set of templates each (250 MB on PostgreSQL).
const staleAfter = time.Hour

// base is the template each one is built from, a copy of which gets what it adds.
var base = map[string]string{planned: hierarchyOnly, withFixtures: planned}

// keyedDirs are the folders whose files decide what a template holds: the domain, the
// application layer, the store, the ent schema and code, the migrations, the embedded
// data and fixtures, and this package. The edges (graph, httpapi, server, web) write
// nothing into a template.
var keyedDirs = []string{"access", "data", "ent", "hierarchy", "internal/testdb", "migrations", "planning", "service", "store"}

var (
	keyOnce sync.Once
	key     string
	keyErr  error
)

// codeKey hashes the files of keyedDirs (tests excepted) and go.sum: a change to any of
// them gives templates of a new name.
func codeKey() (string, error) {
	keyOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		h := sha256.New()
		add := func(path string) error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			rel, _ := filepath.Rel(root, path)
			fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
			_, err = io.Copy(h, f)
			return err
		}
		if keyErr = add(filepath.Join(root, "go.sum")); keyErr != nil {
			return
		}
		for _, dir := range keyedDirs {
			keyErr = filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
				switch {
				case err != nil:
					return err
				case d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")):
					return filepath.SkipDir
				case d.IsDir() || strings.HasSuffix(path, "_test.go"):
					return nil
				}
				return add(path)
			})
			if keyErr != nil {
				return
			}
		}
		key = hex.EncodeToString(h.Sum(nil))[:16]
	})
	return key, keyErr
}

// cachedTemplate returns the template of contents for the current code, building it
// when no binary has yet.
func cachedTemplate(dialect, contents string) (string, error) {
	k, err := codeKey()
	if err != nil {
		return "", fmt.Errorf("hash the code templates depend on: %w", err)
	}
	var from string
	if b, ok := base[contents]; ok {
		if from, err = template(dialect, b); err != nil {
			return "", err
		}
	}
	switch dialect {
	case SQLite:
		return sqliteTemplate(k, contents, from)
	case Postgres:
		return postgresTemplate(k, contents, from)
	}
	return "", fmt.Errorf("unknown dialect %q", dialect)
}

// templateDir holds the SQLite templates.
func templateDir() string { return filepath.Join(os.TempDir(), "copapi-test-templates") }

func sqliteTemplate(k, contents, from string) (string, error) {
	dir := templateDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, k+"-"+contents+".db")
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	now := time.Now()
	if _, err := os.Stat(path); err == nil {
		return path, os.Chtimes(path, now, now) // in use: not stale
	}
	tmp := path + ".building"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	if from != "" {
		if err := copyFile(from, tmp); err != nil {
			return "", err
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "", tmp)
	if err != nil {
		return "", err
	}
	err = build(ctx, db, contents)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("build the %s template: %w", contents, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	sweepSQLite(dir, k)
	return path, nil
}

// sweepSQLite removes the templates of other versions unused for staleAfter.
func sweepSQLite(dir, k string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), k) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// lockFile takes an exclusive lock on path, waiting for another process holding it.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// tplPrefix starts the names of PostgreSQL templates; the comment on each holds the Unix
// time it was last used.
const tplPrefix = "copapi_tpl_"

func postgresTemplate(k, contents, from string) (string, error) {
	name := tplPrefix + k + "_" + contents
	ctx := context.Background()
	db, err := admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// Other binaries building the same template wait here (the lock ends with the
	// connection).
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return "", fmt.Errorf("lock template %s: %w", name, err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext($1))`, name)
	used := func() error {
		_, err := conn.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE %q IS '%d'`, name, time.Now().Unix()))
		return err
	}
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, used()
	}
	tmp := name + "_building"
	if err := dropDB(tmp); err != nil {
		return "", err
	}
	dbURL, err := createDB(tmp, from)
	if err != nil {
		return "", err
	}
	st, err := store.Open(ctx, dbURL, "")
	if err != nil {
		return "", err
	}
	err = build(ctx, st, contents)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		dropDB(tmp)
		return "", fmt.Errorf("build the %s template: %w", contents, err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, tmp, name)); err != nil {
		dropDB(tmp)
		return "", fmt.Errorf("name template %s: %w", name, err)
	}
	sweepPostgres(ctx, conn, k)
	return name, used()
}

// sweepPostgres drops the templates of other versions unused for staleAfter (those in
// use by another run's copy are left: DROP DATABASE without FORCE refuses them).
func sweepPostgres(ctx context.Context, conn *sql.Conn, k string) {
	rows, err := conn.QueryContext(ctx, `SELECT datname, COALESCE(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE starts_with(datname, $1) AND NOT starts_with(datname, $2)`, tplPrefix, tplPrefix+k)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name, comment string
		if rows.Scan(&name, &comment) != nil {
			continue
		}
		at, err := strconv.ParseInt(comment, 10, 64)
		if errors.Is(err, strconv.ErrSyntax) || err == nil && time.Since(time.Unix(at, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q`, name))
	}
}
