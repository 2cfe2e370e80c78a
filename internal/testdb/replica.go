package testdb

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// Replica returns the URLs of the PostgreSQL primary and streaming replica the read
// replica tests use (.ci/replica.sh starts them and sets TEST_DATABASE_URL_PRIMARY and
// TEST_DATABASE_READ_URL), and skips the test without them. The tests of every package
// share that one replica, and some pause its replay or stop it: each holds it alone,
// until its end, through a lock other test binaries wait on.
func Replica(t testing.TB) (primaryURL, replicaURL string) {
	t.Helper()
	primaryURL, replicaURL = os.Getenv("TEST_DATABASE_URL_PRIMARY"), os.Getenv("TEST_DATABASE_READ_URL")
	if primaryURL == "" || replicaURL == "" {
		t.Skip("TEST_DATABASE_URL_PRIMARY and TEST_DATABASE_READ_URL are not set: .ci/replica.sh starts a primary and a replica")
	}
	h := sha256.Sum256([]byte(replicaURL))
	unlock, err := lockFile(filepath.Join(os.TempDir(), "copapi-replica-"+hex.EncodeToString(h[:8])+".lock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	return primaryURL, replicaURL
}
