package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Availability follows whether the database takes statements, from the outcomes of the
// statements themselves (fed by the counting driver, count.go), so that an outage is
// logged once, not once per request: a WARN when the database stops taking statements
// (the reason and the first error), an INFO when it takes them again, once no statement
// was refused for quietBeforeRecovery (how long it lasted, from the first statement
// refused to the last, and how many it refused). The operator's report that led to it: 1,806 failed
// requests in a 10 s restart of PostgreSQL, one ERROR line each.
//
// A database out of disk space or busy with another writer still answers reads: only a
// write that goes through ends those outages. The others (unreachable, starting, out of
// connections) end with any statement that goes through.
type Availability struct {
	name string      // "primary" or "replica", in the log lines
	down atomic.Bool // the fast path of every statement that goes through
	now  func() time.Time
	log  func() *slog.Logger

	mu          sync.Mutex
	reason      string
	since, last time.Time // the first and the last statement refused
	refused     int64
}

// quietBeforeRecovery is how long no statement must be refused before one that goes
// through ends an outage. Without it an outage of connections (53300) was logged as six
// outages in a second: statements on the pool's open connections go through while new
// connections are refused; with 1 s, as five in 12 s (requests waiting for a connection
// are refused in bursts, up to 2 s apart).
const quietBeforeRecovery = 5 * time.Second

func newAvailability(name string) *Availability {
	return &Availability{name: name, now: time.Now, log: slog.Default}
}

// State says whether the database takes statements, and when it does not, why and since
// when.
func (a *Availability) State() (reason string, since time.Time, available bool) {
	if a == nil || !a.down.Load() {
		return "", time.Time{}, true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reason, a.since, a.reason == ""
}

// observe records the outcome of a statement (write: a statement that changes data, or
// a commit). Errors that are not Unavailable tell nothing of the database's state.
func (a *Availability) observe(err error, write bool) {
	if a == nil {
		return
	}
	if err == nil {
		if a.down.Load() {
			a.recovered(write)
		}
		return
	}
	reason, ok := Unavailable(err)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reason != "" {
		a.refused++
		a.last = a.now()
		return
	}
	a.reason, a.since, a.refused = reason, a.now(), 1
	a.last = a.since
	a.down.Store(true)
	a.log().Warn("database unavailable", "database", a.name, "reason", reason, "err", err.Error())
}

func (a *Availability) recovered(write bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reason == "" || (!write && (a.reason == ReasonDiskFull || a.reason == ReasonBusy)) ||
		a.now().Sub(a.last) < quietBeforeRecovery {
		return
	}
	a.log().Info("database available again", "database", a.name, "reason", a.reason,
		"lasted", a.last.Sub(a.since).Round(time.Millisecond).String(), "refused", a.refused)
	a.reason, a.since, a.last, a.refused = "", time.Time{}, time.Time{}, 0
	a.down.Store(false)
}

// Available says whether the primary takes statements, as the last statements sent to it
// found: for /readyz and the metrics. reason says why not.
func (db *DB) Available() (reason string, since time.Time, ok bool) {
	return db.Statements.avail.State()
}

// observeCtx is observe for a statement of ctx: a statement the client canceled, or cut
// by the request's deadline, tells nothing of the database. It returns err, except for a
// statement that reached its deadline while the database was out of reach (waiting for a
// connection, as requests queue when PostgreSQL has none left): that is the outage's
// error, an UnavailableError, not a slow statement's.
func (a *Availability) observeCtx(ctx context.Context, err error, write bool) error {
	if err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			if reason, _, ok := a.State(); !ok && (reason == ReasonUnreachable || reason == ReasonStarting || reason == ReasonTooManyConnections) {
				return &UnavailableError{Reason: reason, Err: err}
			}
		}
		return err
	}
	a.observe(err, write)
	return err
}

// UnavailableError is the error of a statement cut by its deadline while the database
// was unavailable for Reason: Unavailable reads it as that reason.
type UnavailableError struct {
	Reason string
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("database %s: %v", e.Reason, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }
