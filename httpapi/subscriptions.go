package httpapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
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
// database's own limits). Under a server whose base context carries Streams, it also
// ends when they are ended.
func withStreams(next, stream http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		if s, ok := r.Context().Value(streamsKey{}).(*Streams); ok {
			ctx, done := s.add(r.Context())
			defer done()
			r = r.WithContext(ctx)
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

// Streams are the subscription streams of one server, for its shutdown:
// http.Server.Shutdown neither ends them (an SSE stream holds it until its timeout) nor
// waits for WebSocket connections (hijacked, they would be cut when the process exits).
// Give the server Streams.BaseContext, and call End when it shuts down.
type Streams struct {
	ctx    context.Context // ends with End
	end    context.CancelFunc
	mu     sync.Mutex
	open   int
	closed chan struct{} // closed (once) when no stream is open after End
	once   sync.Once
}

type streamsKey struct{}

// NewStreams returns the streams of a server, none open.
func NewStreams() *Streams {
	ctx, end := context.WithCancel(context.Background())
	return &Streams{ctx: ctx, end: end, closed: make(chan struct{})}
}

// BaseContext is the http.Server's BaseContext: its requests' contexts carry s.
func (s *Streams) BaseContext(net.Listener) context.Context {
	return context.WithValue(context.Background(), streamsKey{}, s)
}

// add counts a stream in, and returns its context, which ends with End, and the function
// that counts it out.
func (s *Streams) add(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	stop := context.AfterFunc(s.ctx, cancel)
	s.mu.Lock()
	s.open++
	s.mu.Unlock()
	return ctx, func() {
		stop()
		cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.open--; s.open == 0 && s.ctx.Err() != nil {
			s.once.Do(func() { close(s.closed) })
		}
	}
}

// End ends every open stream (and those opened after: they end at once), then waits
// until their handlers returned or ctx ends. A subscription whose resolver ended first
// (partners.Service.EndSubscriptions) has sent its complete message; a WebSocket
// connection is then closed with a close frame (1000).
func (s *Streams) End(ctx context.Context) error {
	s.end()
	s.mu.Lock()
	if s.open == 0 {
		s.once.Do(func() { close(s.closed) })
	}
	s.mu.Unlock()
	select {
	case <-s.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
