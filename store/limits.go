package store

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
)

// DefaultBusyTimeout is how long an SQLite writer waits for another writer's lock when
// Limits do not say: the server's default operation timeout.
const DefaultBusyTimeout = 15 * time.Second

// Limits bound the work of the application's connections inside the database, so that a
// request the client gave up on, or that ran out of time, does not keep the database busy.
type Limits struct {
	// StatementTimeout, when positive, bounds every statement on PostgreSQL
	// (statement_timeout of each connection): the server sets it to the operation
	// timeout. A statement past the request's deadline is also cancelled through its
	// context (lib/pq sends a cancel request; SQLite is interrupted).
	StatementTimeout time.Duration
	// BusyTimeout is how long an SQLite writer waits for another writer's lock before
	// failing with "database is locked" (Unavailable: ReasonBusy); DefaultBusyTimeout
	// when zero. The server sets it below the operation timeout, so that such a write
	// answers UNAVAILABLE, which a client may send again, rather than TIMEOUT.
	BusyTimeout time.Duration
	// Synchronous is when SQLite's commits reach the disk; SyncFull when empty.
	Synchronous Sync
	// ReplicaMaxLag, when positive, sends reads to the primary while the read replica is
	// further behind it than that (replicahealth.go); zero leaves them on the replica
	// however far behind.
	ReplicaMaxLag time.Duration
}

// Sync is when an SQLite commit reaches the disk (PRAGMA synchronous, in WAL mode).
type Sync string

const (
	// SyncFull syncs the write-ahead log at every commit, before the commit is
	// acknowledged: a power cut or a crash of the machine loses no acknowledged write.
	// The default.
	SyncFull Sync = "FULL"
	// SyncNormal syncs the write-ahead log only at checkpoints: commits are faster, and
	// a power cut may lose the last acknowledged ones (never the database's consistency:
	// they are lost whole). A crash of the process alone loses nothing in either mode.
	SyncNormal Sync = "NORMAL"
)

// ParseSync reads FULL or NORMAL, in any case; empty is SyncFull.
func ParseSync(s string) (Sync, error) {
	switch strings.ToUpper(s) {
	case "", string(SyncFull):
		return SyncFull, nil
	case string(SyncNormal):
		return SyncNormal, nil
	}
	return "", fmt.Errorf("synchronous %q: want FULL or NORMAL", s)
}

func (l Limits) synchronous() Sync {
	if l.Synchronous == "" {
		return SyncFull
	}
	return l.Synchronous
}

// BusyTimeoutWithin is the busy timeout of a server whose operations may last timeout:
// three quarters of it, so that a write behind another writer's lock (an import, seed
// demo) answers UNAVAILABLE, which the client may send again, before the operation's
// deadline would answer TIMEOUT. Zero without a timeout (DefaultBusyTimeout then).
func BusyTimeoutWithin(timeout time.Duration) time.Duration { return timeout * 3 / 4 }

func (l Limits) busyTimeout() time.Duration {
	if l.BusyTimeout > 0 {
		return l.BusyTimeout
	}
	return DefaultBusyTimeout
}

// postgresDSN adds the application's run-time parameters to a PostgreSQL URL, unless the
// URL sets them already: jit off (the JIT compiler does not heed cancel requests, and
// the API's statements are short: compiling a large plan took longer than running it)
// and, with a StatementTimeout, statement_timeout.
func postgresDSN(databaseURL string, lim Limits) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL // sql.Open reports it
	}
	q := u.Query()
	if !q.Has("jit") {
		q.Set("jit", "off")
	}
	if !q.Has("plan_cache_mode") {
		// Prepared statements (stmtCache) are planned for each execution's values, except
		// in the pool of the reads marked KeptPlan (plans.go).
		q.Set("plan_cache_mode", "force_custom_plan")
	}
	if lim.StatementTimeout > 0 && !q.Has("statement_timeout") {
		q.Set("statement_timeout", fmt.Sprint(max(lim.StatementTimeout.Milliseconds(), 1)))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// IsCanceled reports whether the database stopped a statement before its end: cancelled
// at the request's deadline or by statement_timeout on PostgreSQL (SQLSTATE 57014),
// interrupted on SQLite.
func IsCanceled(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "57014"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == 9 // SQLITE_INTERRUPT
	}
	return false
}
