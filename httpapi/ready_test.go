package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

// TestReadyWhileUnavailable: /readyz gives the database at most ReadyTimeout and answers
// 503 naming why it is unavailable, 200 once it answers; /healthz never asks it.
func TestReadyWhileUnavailable(t *testing.T) {
	var (
		state    error
		deadline time.Duration
		asked    int
	)
	opts := httpapi.DefaultOptions()
	opts.Ready = func(ctx context.Context) error {
		asked++
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		deadline = time.Until(d)
		return state
	}
	svc := service.New(nil)
	mux := httpapi.NewMux(svc, partners.New(svc, nil), opts)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	for _, tc := range []struct {
		state  error
		status int
		says   string
	}{
		{fmt.Errorf("database unreachable: %w", syscall.ECONNREFUSED), http.StatusServiceUnavailable, "unavailable (unreachable)"},
		{fmt.Errorf("database unreachable: %w", &pq.Error{Code: "57P03"}), http.StatusServiceUnavailable, "unavailable (starting or stopping)"},
		{errors.New("2 migrations pending, first 20260101"), http.StatusServiceUnavailable, "migrations pending"},
		{nil, http.StatusOK, "ready"},
	} {
		state, asked = tc.state, 0
		if rec := get("/readyz"); rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.says) {
			t.Errorf("/readyz with %v: %d %s, want %d saying %q", tc.state, rec.Code, rec.Body.String(), tc.status, tc.says)
		}
		if deadline <= 0 || deadline > httpapi.ReadyTimeout {
			t.Errorf("/readyz gave the database %s, want at most %s", deadline, httpapi.ReadyTimeout)
		}
		if rec := get("/healthz"); rec.Code != http.StatusOK || asked != 1 {
			t.Errorf("/healthz with %v: %d, asked the database %d times (once for /readyz)", tc.state, rec.Code, asked)
		}
	}
}
