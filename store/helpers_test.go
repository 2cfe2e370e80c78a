package store

import (
	"database/sql"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// emptyPostgres creates an empty database on TEST_DATABASE_URL's server, dropped at the
// end of the test, and returns its URL. The test is skipped without that server.
func emptyPostgres(t *testing.T, prefix string) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
	}
	name := prefix + strconv.FormatInt(time.Now().UnixNano(), 36)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE "` + name + `"`); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
		admin.Close()
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}
