package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Errors of Backup and Restore that the command explains.
var (
	// ErrNotEmpty refuses to restore over data: a PostgreSQL database with tables, an
	// SQLite file holding a database (unless forced).
	ErrNotEmpty = errors.New("the database is not empty")
	// ErrInUse refuses to replace an SQLite database another connection has open: a
	// server still running on it would go on writing to the file replaced.
	ErrInUse = errors.New("the database is in use")
)

// Backup writes a consistent copy of the database to file, while it serves: on SQLite
// with VACUUM INTO (a read transaction: writers go on, and the copy is the database as of
// its start), on PostgreSQL with pg_dump's custom format (one snapshot too), from PATH. The
// copy is written beside file and renamed to it once complete and on disk, so that file
// is never half a backup.
func Backup(ctx context.Context, databaseURL, sqlitePath, file string) error {
	tmp := file + ".partial"
	os.Remove(tmp)
	var err error
	if databaseURL != "" {
		err = dumpPostgres(ctx, databaseURL, tmp)
	} else {
		err = vacuumInto(ctx, sqlitePath, tmp)
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(file))
}

func vacuumInto(ctx context.Context, path, tmp string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to back up: %w", err) // opening would create one
	}
	db, _, err := openSQL(ctx, "", path, Limits{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return nil
}

func dumpPostgres(ctx context.Context, databaseURL, tmp string) error {
	out, err := pgTool(ctx, "pg_dump", databaseURL, "--format=custom", "--file="+tmp)
	if err != nil {
		return fmt.Errorf("pg_dump %s: %w%s", redact(databaseURL), err, out)
	}
	return nil
}

// Restore puts the backup in file back. On SQLite it replaces the file at sqlitePath,
// which must be missing or empty unless force is set, and which no server may have open
// (ErrInUse); on PostgreSQL it runs pg_restore into databaseURL, which must be an empty
// database (ErrNotEmpty), in one transaction. Then it applies the migrations the backup
// lacks, as a start would.
func Restore(ctx context.Context, databaseURL, sqlitePath, file string, force bool) error {
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var err error
	if databaseURL != "" {
		err = restorePostgres(ctx, databaseURL, file)
	} else {
		err = restoreSQLite(ctx, sqlitePath, file, force)
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := Open(ctx, databaseURL, sqlitePath)
	if err != nil {
		return fmt.Errorf("restore: the backup is back, but: %w", err)
	}
	return db.Close()
}

func restorePostgres(ctx context.Context, databaseURL, file string) error {
	db, _, err := openSQL(ctx, databaseURL, "", Limits{})
	if err != nil {
		return err
	}
	var tables int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
		AND n.nspname NOT LIKE 'pg\_temp%'`).Scan(&tables)
	db.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", redact(databaseURL), err)
	}
	if tables > 0 {
		return fmt.Errorf("%s holds %d tables, indexes or sequences: %w; restore into a new database (CREATE DATABASE), then point DATABASE_URL to it",
			redact(databaseURL), tables, ErrNotEmpty)
	}
	// The restoring user owns what it creates; a failure leaves the database empty.
	out, err := pgTool(ctx, "pg_restore", databaseURL, "--exit-on-error", "--single-transaction", "--no-owner", file)
	if err != nil {
		return fmt.Errorf("pg_restore %s into %s: %w%s", file, redact(databaseURL), err, out)
	}
	return nil
}

func restoreSQLite(ctx context.Context, path, file string, force bool) error {
	st, err := os.Stat(path)
	exists := err == nil && st.Size() > 0
	if exists && !force {
		return fmt.Errorf("%s holds a database: %w; stop the server, then run restore -force to replace it", path, ErrNotEmpty)
	}
	// A copy beside the database, checked, then renamed over it: the database is the old
	// one or the backup, never a part of it.
	tmp := path + ".restoring"
	if err := copyFile(file, tmp); err != nil {
		return err
	}
	if err := checkSQLite(ctx, tmp); err != nil {
		removeSQLite(tmp)
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := syncFile(tmp); err != nil {
		removeSQLite(tmp)
		return err
	}
	if exists {
		if err := notInUse(ctx, path); err != nil {
			removeSQLite(tmp)
			return err
		}
	}
	// The old database's write-ahead log would be replayed into the backup.
	if err := removeSQLite(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// notInUse fails with ErrInUse when another connection has the SQLite database open:
// leaving WAL mode needs the only connection (a server keeps some open while it runs).
// It leaves the database in rollback journal mode: for a database about to be replaced.
func notInUse(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	err = db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode)
	if reason, _ := Unavailable(err); reason == ReasonBusy {
		return fmt.Errorf("%s: %w; stop the server first", path, ErrInUse)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	return nil
}

// checkSQLite checks that path is a sound SQLite database of this project.
func checkSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return fmt.Errorf("not an SQLite database: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("a damaged SQLite database: %s", res)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'").Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("not a database of this API (no schema_migrations table)")
	}
	return nil
}

// removeSQLite removes an SQLite database and its write-ahead log.
func removeSQLite(path string) error {
	for _, f := range []string{path + "-wal", path + "-shm", path} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// pgTool runs a PostgreSQL client tool from PATH on databaseURL, and returns its output
// for an error. The password goes in the environment (PGPASSWORD), not on the command
// line other users can read; parameters libpq does not know (lib/pq's, the project's)
// are left out.
func pgTool(ctx context.Context, name, databaseURL string, args ...string) (string, error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH (%w): install PostgreSQL's client tools, of the server's major version or newer", name, err)
	}
	conn, password, err := libpqURL(databaseURL)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"--dbname=" + conn}, args...)...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return ":\n" + strings.TrimSpace(string(out)), err
	}
	return "", nil
}

// libpqParams are the connection parameters libpq reads from a URL; it refuses others.
var libpqParams = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "passfile": true,
	"connect_timeout": true, "client_encoding": true, "options": true, "application_name": true,
	"fallback_application_name": true, "keepalives": true, "keepalives_idle": true,
	"keepalives_interval": true, "keepalives_count": true, "tcp_user_timeout": true,
	"sslmode": true, "sslcert": true, "sslkey": true, "sslpassword": true, "sslrootcert": true,
	"sslcrl": true, "sslcrldir": true, "sslsni": true, "ssl_min_protocol_version": true,
	"ssl_max_protocol_version": true, "requirepeer": true, "gssencmode": true,
	"krbsrvname": true, "gsslib": true, "channel_binding": true, "service": true,
	"target_session_attrs": true,
}

// libpqURL is databaseURL as libpq's tools take it: without its password, returned
// apart, and without the parameters libpq does not know.
func libpqURL(databaseURL string) (conn, password string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", "", fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		if !libpqParams[k] {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), password, nil
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
		os.Remove(to)
		return err
	}
	return out.Close()
}

// syncFile puts a file's contents on disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir puts a directory's entries on disk: a file renamed into it stays after a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
