package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// probeEvery is how often the replica's health is probed: how long reads stay on the
// primary after the replica answers again, and how late a lag is seen.
var probeEvery = time.Second

// The states of a replica.
const (
	replicaUp      int32 = iota // reads go to it
	replicaDown                 // it did not answer: reads go to the primary
	replicaLagging              // it answers, further behind than the maximum lag: reads go to the primary
)

// replicaHealth says whether reads may go to the replica. A read that fails there for a
// reason of Unavailable marks it down (and is sent to the primary); a probe every
// probeEvery marks it up again once it answers and is not behind by more than maxLag
// (when positive), or lagging when it is. Each change of state is logged once.
//
// The lag is measured in time from the WAL positions: each probe notes the primary's
// position and when it was seen; the replica is behind by the age of the oldest position
// noted that it has not replayed. A primary without writes leaves nothing to replay, so
// an idle replica never looks late (pg_last_xact_replay_timestamp would grow there).
type replicaHealth struct {
	primary, replica *sql.DB
	maxLag           time.Duration
	state            atomic.Int32

	mu      sync.Mutex
	pending []walSample // the primary's positions the replica had not replayed, oldest first

	stop context.CancelFunc
	done chan struct{}
}

type walSample struct {
	lsn uint64
	at  time.Time
}

// maxPending bounds the positions kept while a replica does not replay: the oldest is
// kept, so the lag is never underestimated.
const maxPending = 1024

func newReplicaHealth(primary, replica *sql.DB, maxLag time.Duration) *replicaHealth {
	ctx, cancel := context.WithCancel(context.Background())
	h := &replicaHealth{primary: primary, replica: replica, maxLag: maxLag, stop: cancel, done: make(chan struct{})}
	go h.run(ctx)
	return h
}

// close stops the probes.
func (h *replicaHealth) close() {
	h.stop()
	<-h.done
}

// usable reports whether reads may go to the replica.
func (h *replicaHealth) usable() bool { return h.state.Load() == replicaUp }

// failed is told of the error of a read sent to the replica: when the replica could not
// take it (Unavailable), it is marked down and failed returns true, for the read to go to
// the primary.
func (h *replicaHealth) failed(err error) bool {
	reason, ok := Unavailable(err)
	if !ok {
		return false
	}
	h.set(replicaDown, "reason", reason, "err", err.Error())
	return true
}

// set changes the state, logging the change.
func (h *replicaHealth) set(state int32, attrs ...any) {
	if old := h.state.Swap(state); old == state {
		return
	}
	switch state {
	case replicaDown:
		slog.Warn("read replica down: reads go to the primary", attrs...)
	case replicaLagging:
		slog.Warn("read replica lagging: reads go to the primary", attrs...)
	case replicaUp:
		slog.Info("read replica back: reads go to it", attrs...)
	}
}

func (h *replicaHealth) run(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.probe(ctx)
		}
	}
}

// probe notes the primary's position, asks the replica where it is, and sets the state.
func (h *replicaHealth) probe(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, probeEvery)
	defer cancel()
	now := time.Now()
	var written string
	if err := h.primary.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&written); err == nil {
		if lsn, err := parseLSN(written); err == nil {
			h.note(lsn, now)
		}
	}
	var replayed sql.NullString
	if err := h.replica.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn()::text").Scan(&replayed); err != nil {
		if parent.Err() != nil {
			return // closing
		}
		reason, ok := Unavailable(err)
		if !ok {
			reason = "no answer" // in time, or an error of its own
		}
		h.set(replicaDown, "reason", reason, "err", err.Error())
		return
	}
	lag := time.Duration(0)
	if replayed.Valid { // NULL: not a replica, never behind
		lsn, err := parseLSN(replayed.String)
		if err != nil {
			return
		}
		lag = h.lag(lsn, time.Now())
	}
	if h.maxLag > 0 && lag > h.maxLag {
		h.set(replicaLagging, "lag", lag.Round(time.Second).String(), "max", h.maxLag.String())
		return
	}
	h.set(replicaUp, "lag", lag.Round(time.Millisecond).String())
}

// note keeps the primary's position seen at a time, when it moved.
func (h *replicaHealth) note(lsn uint64, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.pending); n > 0 && h.pending[n-1].lsn >= lsn {
		return
	}
	if len(h.pending) >= maxPending {
		h.pending = append(h.pending[:1], h.pending[2:]...)
	}
	h.pending = append(h.pending, walSample{lsn, at})
}

// lag forgets the positions the replica has replayed (up to replayed) and returns how
// long ago the oldest one left was seen: 0 when none is left.
func (h *replicaHealth) lag(replayed uint64, now time.Time) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := 0
	for i < len(h.pending) && h.pending[i].lsn <= replayed {
		i++
	}
	h.pending = h.pending[i:]
	if len(h.pending) == 0 {
		return 0
	}
	return now.Sub(h.pending[0].at)
}

// parseLSN reads a WAL position as PostgreSQL writes it, "16/B374D848".
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("WAL position %q", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("WAL position %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("WAL position %q: %w", s, err)
	}
	return h<<32 | l, nil
}
