package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestUnavailable(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connection refused"}}
	for _, tc := range []struct {
		name   string
		err    error
		reason string
	}{
		{"nil", nil, ""},
		{"a syntax error", &pq.Error{Code: "42601"}, ""},
		{"a unique violation", fmt.Errorf("create: %w", &pq.Error{Code: "23505"}), ""},
		{"a statement cancelled", &pq.Error{Code: "57014"}, ""},
		{"starting up", &pq.Error{Code: "57P03"}, ReasonStarting},
		{"shut down by the administrator", fmt.Errorf("query: %w", &pq.Error{Code: "57P01"}), ReasonStarting},
		{"a connection failure", &pq.Error{Code: "08006"}, ReasonUnreachable},
		{"too many clients", &pq.Error{Code: "53300"}, ReasonTooManyConnections},
		{"disk full on PostgreSQL", &pq.Error{Code: "53100"}, ReasonDiskFull},
		{"connection refused", fmt.Errorf("open: %w", syscall.ECONNREFUSED), ReasonUnreachable},
		{"a dial error", dial, ReasonUnreachable},
		{"a bad connection", driver.ErrBadConn, ReasonUnreachable},
		{"a connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), ReasonUnreachable},
		{"a decoder's EOF (a cursor cut short)", fmt.Errorf("cursor: %w", io.ErrUnexpectedEOF), ""},
		{"no space left", fmt.Errorf("write: %w", syscall.ENOSPC), ReasonDiskFull},
		{"lib/pq's plain start-up refusal", errors.New("pq: the database system is starting up"), ReasonStarting},
		{"a read past the connection's deadline", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, ReasonUnreachable},
		{"the caller's deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), ""},
		{"Redis loading its data", fmt.Errorf("rate limit: %w", redisError("LOADING Redis is loading the dataset in memory")), ReasonStarting},
		{"Redis out of clients", redisError("ERR max number of clients reached"), ReasonTooManyConnections},
		{"Redis unable to save", redisError("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk"), ReasonDiskFull},
		{"Redis running a long script", redisError("BUSY Redis is busy running a script"), ReasonBusy},
		{"a Redis reply about the command", redisError("WRONGTYPE Operation against a key holding the wrong kind of value"), ""},
		{"an unrelated error", errors.New("lever not found"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, ok := Unavailable(tc.err)
			if reason != tc.reason || ok != (tc.reason != "") {
				t.Errorf("Unavailable(%v) = %q, %v; want %q", tc.err, reason, ok, tc.reason)
			}
		})
	}
}

// redisError is an error reply of Redis as go-redis gives it (a redis.Error).
type redisError string

func (r redisError) Error() string { return string(r) }
func (redisError) RedisError()     {}
