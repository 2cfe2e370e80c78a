package httpapi

import (
	"net/http"
	"strings"
	"time"
)

// isStream tells the requests that open a subscription stream: a WebSocket upgrade, or a
// POST asking for Server-Sent Events.
func isStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// withStreams sends the requests that open a subscription to stream, and the others to
// next. A subscription lasts as long as its client wants: it escapes the operation
// timeout, and the server's read and write deadlines are lifted for its connection
// (keep-alives show that it lives; every message still runs its resolvers under the
// database's own limits).
func withStreams(next, stream http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Time{}) // errors: a writer without deadlines (tests) has none to lift
		rc.SetWriteDeadline(time.Time{})
		stream.ServeHTTP(streamWriter{ResponseWriter: w, rc: rc}, r)
	})
}

// streamWriter flushes through the writers that wrap the connection (the request log's),
// and lets the WebSocket upgrade reach the connection through Unwrap.
type streamWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w streamWriter) Flush()                      { w.rc.Flush() }
func (w streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
