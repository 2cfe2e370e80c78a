package store

import (
	"database/sql/driver"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
)

// Reasons the database could not take a statement (Unavailable). Each is a state of the
// database, not of the request: the same request may succeed when it is sent again.
const (
	// ReasonUnreachable: the connection could not be opened, or was lost (PostgreSQL
	// stopped, restarted, or out of the network).
	ReasonUnreachable = "unreachable"
	// ReasonStarting: PostgreSQL is starting up or shutting down (57P01-57P03).
	ReasonStarting = "starting or stopping"
	// ReasonTooManyConnections: PostgreSQL has no connection left (53300).
	ReasonTooManyConnections = "too many connections"
	// ReasonDiskFull: the database has no space left for the write (SQLITE_FULL,
	// PostgreSQL's 53100); reads go on.
	ReasonDiskFull = "disk full"
	// ReasonBusy: another writer holds the SQLite database longer than the busy timeout.
	ReasonBusy = "busy"
)

// Unavailable says why the database could not take a statement, when that is the cause
// of err: the database is unreachable, starting or stopping, out of connections, out of
// disk, or busy with another writer. ok is false for every other error (a bad statement,
// a constraint, a cancellation), which a retry would not cure. Redis, where instances
// share their rate limits and persisted queries (internal/redisstate), is read the same
// way.
func Unavailable(err error) (reason string, ok bool) {
	if err == nil {
		return "", false
	}
	var re redisReply
	if errors.As(err, &re) {
		return redisUnavailable(re.Error())
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return ue.Reason, true
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch {
		case pe.Code.Class() == "08":
			return ReasonUnreachable, true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			return ReasonStarting, true
		case pe.Code == "53300":
			return ReasonTooManyConnections, true
		case pe.Code == "53100":
			return ReasonDiskFull, true
		}
		return "", false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 13: // SQLITE_FULL
			return ReasonDiskFull, true
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return ReasonBusy, true
		}
		return "", false
	}
	if errors.Is(err, syscall.ENOSPC) {
		return ReasonDiskFull, true
	}
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		// Not io.EOF nor io.ErrUnexpectedEOF: lib/pq turns those of a connection into
		// driver.ErrBadConn itself, and elsewhere they are a decoder's (a cursor cut short).
		return ReasonUnreachable, true
	case errors.As(err, &ne) && !ne.Timeout():
		return ReasonUnreachable, true
	case errors.Is(err, os.ErrDeadlineExceeded):
		// A deadline of the connection itself (dial, read, write), not the caller's
		// context: the server did not answer in time, as a stopped or cut-off host does.
		return ReasonUnreachable, true
	case strings.Contains(err.Error(), "pq: the database system is"):
		// lib/pq reports some start-up refusals as plain errors, without a *pq.Error.
		return ReasonStarting, true
	}
	return "", false
}

// redisReply is an error reply of a Redis server, as go-redis reports it (redis.Error),
// named by its method so that store needs no Redis client.
type redisReply interface {
	error
	RedisError()
}

// redisUnavailable reads the error replies by which Redis says it cannot take a command
// now; any other reply (a wrong type, a script's error) is the command's.
func redisUnavailable(msg string) (string, bool) {
	switch {
	case strings.HasPrefix(msg, "LOADING "):
		return ReasonStarting, true
	case strings.HasPrefix(msg, "ERR max number of clients reached"):
		return ReasonTooManyConnections, true
	case strings.HasPrefix(msg, "MISCONF "):
		// Writes are refused because the last snapshot could not be saved (most often,
		// no space left on the disk).
		return ReasonDiskFull, true
	case strings.HasPrefix(msg, "BUSY "):
		return ReasonBusy, true
	}
	return "", false
}
