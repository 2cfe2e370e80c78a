package graph

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"github.com/cop-territoriales/cop-api/store"
)

// TestUnavailableErrors: every error store.Unavailable classifies answers UNAVAILABLE,
// retryable, with its reason's message and wait, and none is logged (the store logs the
// outage once); the transport learns the longest wait.
func TestUnavailableErrors(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	for _, tc := range []struct {
		err        error
		reason     string
		retryAfter int
		says       string
	}{
		{fmt.Errorf("begin: %w", syscall.ECONNREFUSED), store.ReasonUnreachable, 1, "unreachable"},
		{driver.ErrBadConn, store.ReasonUnreachable, 1, "unreachable"},
		{&pq.Error{Code: "57P03", Message: "the database system is starting up"}, store.ReasonStarting, 1, "starting"},
		{&pq.Error{Code: "53300"}, store.ReasonTooManyConnections, 2, "no connection left"},
		{&pq.Error{Code: "53100"}, store.ReasonDiskFull, 30, "out of disk space"},
		{fmt.Errorf("write: %w", syscall.ENOSPC), store.ReasonDiskFull, 30, "reads go on"},
	} {
		t.Run(tc.reason+" "+tc.err.Error(), func(t *testing.T) {
			logs.Reset()
			ctx, note := withUnavailableNote(context.Background())
			pe := presentError(ctx, &resolverError{err: fmt.Errorf("create action: %w", tc.err)})
			if pe.Extensions["code"] != CodeUnavailable || pe.Extensions["retryable"] != true || pe.Extensions["retryAfter"] != tc.retryAfter {
				t.Errorf("extensions %v, want UNAVAILABLE, retryable, retryAfter %d", pe.Extensions, tc.retryAfter)
			}
			if !strings.Contains(pe.Message, tc.says) || strings.Contains(pe.Message, "pq") || strings.Contains(pe.Message, "refused") {
				t.Errorf("message %q, want one saying %q, without the driver's words", pe.Message, tc.says)
			}
			if got := note.retryAfter.Load(); got != int64(tc.retryAfter) {
				t.Errorf("the transport's wait: %d, want %d", got, tc.retryAfter)
			}
			if logs.Len() != 0 {
				t.Errorf("logged per request: %s", logs.String())
			}
		})
	}

	// The client went away: CANCELED, whatever the database said meanwhile.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if pe := presentError(ctx, &resolverError{err: driver.ErrBadConn}); pe.Extensions["code"] != CodeCanceled {
		t.Errorf("a canceled request's error: %v, want CANCELED", pe.Extensions)
	}
}

// TestUnavailableStatus: a response carrying UNAVAILABLE answers 503 with Retry-After,
// the longest of its errors' waits; others keep their status.
func TestUnavailableStatus(t *testing.T) {
	for _, tc := range []struct {
		waits  []int
		status int // written by the transport
		want   int
		retry  string
	}{
		{nil, http.StatusOK, http.StatusOK, ""},
		{[]int{1}, http.StatusOK, http.StatusServiceUnavailable, "1"},
		{[]int{2, 30, 1}, http.StatusOK, http.StatusServiceUnavailable, "30"},
		{[]int{1}, http.StatusBadRequest, http.StatusBadRequest, ""},
	} {
		ctx, note := withUnavailableNote(context.Background())
		for _, s := range tc.waits {
			noteUnavailable(ctx, s)
		}
		rec := httptest.NewRecorder()
		w := &unavailableWriter{ResponseWriter: rec, note: note}
		if tc.status != http.StatusOK {
			w.WriteHeader(tc.status)
		}
		w.Write([]byte(`{}`))
		if rec.Code != tc.want || rec.Header().Get("Retry-After") != tc.retry {
			t.Errorf("waits %v, status %d: answered %d, Retry-After %q; want %d, %q", tc.waits, tc.status, rec.Code, rec.Header().Get("Retry-After"), tc.want, tc.retry)
		}
	}
}
