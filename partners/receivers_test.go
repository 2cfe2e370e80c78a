package partners

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/ent"
)

// TestSendToMisbehavingReceivers sends one delivery to each kind of receiver that
// misbehaves, with the client the dispatcher builds: a hung one is cut at the timeout, a
// redirect is not followed (not to a private address, not round a loop), a 10 MB answer
// is read no further than maxAnswerRead, a connection closed mid-answer is a failure
// unless its status was read. The dispatcher's memory and goroutines do not grow with
// what the receivers do.
func TestSendToMisbehavingReceivers(t *testing.T) {
	const timeout = 300 * time.Millisecond
	release := make(chan struct{})
	var hits, followed atomic.Int64
	var huge atomic.Int64 // bytes the 10 MB receiver managed to write
	chunk := []byte(strings.Repeat("x", 64<<10))
	mux := http.NewServeMux()
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/hang-body", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select { // the status came, the body never ends
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/redirect-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.1.2.3/hook", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/redirect-loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect-loop", http.StatusFound)
	})
	mux.HandleFunc("/redirect-public", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/followed", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/followed", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10485760")
		for i := 0; i < 160; i++ { // 160 × 64 KB = 10 MB
			n, err := w.Write(chunk)
			huge.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	cut := func(answer string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			c, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString(answer)
			buf.Flush()
			c.Close()
		}
	}
	mux.HandleFunc("/cut-status", cut("HTTP/1.1 20"))
	mux.HandleFunc("/cut-headers", cut("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"))
	mux.HandleFunc("/cut-body", cut("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nthe first bytes"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handlers

	opts := DispatchOptions{Timeout: timeout}.withDefaults(true)
	before := runtime.NumGoroutine()
	for _, c := range []struct {
		path      string
		status    int    // the status recorded, 0 for none
		err       string // in the error, "" for a delivery accepted
		maxHits   int64
		maxAlloc  uint64
		maxTaking time.Duration
	}{
		{"/hang", 0, "did not answer within 300ms", 1, 1 << 20, timeout + time.Second},
		{"/hang-body", 200, "", 1, 1 << 20, timeout + time.Second}, // its 2xx counts; the body is cut at the timeout
		{"/redirect-private", 307, "307", 1, 1 << 20, time.Second},
		{"/redirect-loop", 302, "302", 1, 1 << 20, time.Second},
		{"/redirect-public", 301, "301", 1, 1 << 20, time.Second},
		{"/huge", 200, "", 1, 1 << 20, time.Second},
		{"/cut-status", 0, "broken", 1, 1 << 20, time.Second},
		{"/cut-headers", 0, "EOF", 1, 1 << 20, time.Second},
		{"/cut-body", 200, "", 1, 1 << 20, time.Second},
	} {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			hits.Store(0)
			w := &ent.Webhook{URL: srv.URL + c.path, Secret: "whsec_test"}
			d := &ent.WebhookDelivery{ID: 1, Event: "ACTION_CREATED", Payload: `{"id":"e1"}`}
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			start := time.Now()
			status, err := send(context.Background(), opts, w, d, true)
			took := time.Since(start)
			runtime.ReadMemStats(&m1)
			got := 0
			if status != nil {
				got = *status
			}
			if got != c.status {
				t.Errorf("status %d, want %d (err %v)", got, c.status, err)
			}
			switch {
			case c.err == "" && err != nil:
				t.Errorf("error %v, want the delivery accepted", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want one saying %q", err, c.err)
			}
			if took > c.maxTaking {
				t.Errorf("the send took %s, want at most %s", took, c.maxTaking)
			}
			if n := hits.Load(); n > c.maxHits {
				t.Errorf("the receiver got %d requests, want %d at most: a redirect was followed", n, c.maxHits)
			}
			if a := m1.TotalAlloc - m0.TotalAlloc; a > c.maxAlloc {
				t.Errorf("the send allocated %d bytes, want at most %d", a, c.maxAlloc)
			}
		})
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
	if n := huge.Load(); n >= 10<<20 {
		t.Errorf("the 10 MB answer was read whole (%d bytes written)", n)
	}
	opts.Client.CloseIdleConnections()
	// The goroutines of the sends are gone (the receivers' own end with their connections).
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines after the sends, %d before", n, before)
	}
}
