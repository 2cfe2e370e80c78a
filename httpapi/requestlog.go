package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestLog gives every request an id (the client's X-Request-Id when it sends a
// short one), returns it in X-Request-Id, and logs one line per request.
func WithRequestLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (subscriptions flush and
// upgrade through it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ContextLogHandler adds the request id of the context to every record, so that errors
// logged deep in a request can be found from the id the client got.
type ContextLogHandler struct{ slog.Handler }

// Handle adds request_id when the context has one.
func (h ContextLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around derived handlers.
func (h ContextLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ContextLogHandler{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the wrapper around derived handlers.
func (h ContextLogHandler) WithGroup(name string) slog.Handler {
	return ContextLogHandler{h.Handler.WithGroup(name)}
}
