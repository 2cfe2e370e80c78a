package graph

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Error codes of refused writes.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

// writerKey marks a request that presented the write token.
type writerKey struct{}

// withWriter records whether the request carries "Authorization: Bearer <token>" with the
// server's write token. An empty token disables writes.
func withWriter(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := writeState{enabled: token != ""}
		if h := r.Header.Get("Authorization"); h != "" {
			state.presented = true
			given, ok := strings.CutPrefix(h, "Bearer ")
			state.ok = ok && token != "" && subtle.ConstantTimeCompare([]byte(given), []byte(token)) == 1
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), writerKey{}, state)))
	})
}

type writeState struct{ enabled, presented, ok bool }

// requireWriter refuses a write without the write token. Reads never need it.
func requireWriter(ctx context.Context) error {
	s, _ := ctx.Value(writerKey{}).(writeState)
	switch {
	case !s.enabled:
		return &userError{code: CodeForbidden, msg: "writes are disabled on this server (it has no write token)"}
	case !s.presented:
		return &userError{code: CodeUnauthenticated, msg: "this operation writes: send Authorization: Bearer <write token>"}
	case !s.ok:
		return &userError{code: CodeUnauthenticated, msg: "invalid write token"}
	}
	return nil
}
