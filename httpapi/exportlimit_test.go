package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

// heldWriter keeps a download in flight: its first write says the download started,
// then every write waits until release is closed.
type heldWriter struct {
	h       http.Header
	status  int
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newHeldWriter() *heldWriter {
	return &heldWriter{h: http.Header{}, started: make(chan struct{}), release: make(chan struct{})}
}

func (w *heldWriter) Header() http.Header { return w.h }
func (w *heldWriter) WriteHeader(s int)   { w.status = s }
func (w *heldWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { close(w.started) })
	<-w.release
	return len(b), nil
}

func exportRequest(path, addr string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = addr + ":4321"
	return req
}

// refusal checks a refused download: its status, code and Retry-After.
func refusal(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var r struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	json.Unmarshal(rec.Body.Bytes(), &r)
	if rec.Code != status || len(r.Errors) != 1 || r.Errors[0].Extensions.Code != code {
		t.Fatalf("want %d %s, got %d %s", status, code, rec.Code, rec.Body.String())
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("%s: Retry-After %q", code, rec.Header().Get("Retry-After"))
	}
}

// TestExportCaps holds downloads in flight and checks the caps: a client past its own
// gets 429 TOO_MANY_EXPORTS, any client while the instance streams its most gets 503
// EXPORTS_BUSY, both with Retry-After and before any row; once the downloads end, the
// slots are free again.
func TestExportCaps(t *testing.T) {
	db := testdb.Shared(t, testdb.SQLite)
	opts := httpapi.DefaultOptions()
	opts.RatePerSecond = 0
	opts.ExportsPerInstance, opts.ExportsPerClient = 2, 1
	svc := service.New(db.Client)
	h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)

	const file = "/export/objectives.csv?level=REGION" // 111 kB: more than a buffer
	var held []*heldWriter
	var done sync.WaitGroup
	for _, addr := range []string{"192.0.2.1", "192.0.2.2"} {
		w := newHeldWriter()
		held = append(held, w)
		done.Add(1)
		go func() {
			defer done.Done()
			h.ServeHTTP(w, exportRequest(file, addr))
		}()
		select {
		case <-w.started:
		case <-time.After(10 * time.Second):
			t.Fatalf("the download of %s did not start", addr)
		}
	}
	get := func(path, addr string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, exportRequest(path, addr))
		return rec
	}
	refusal(t, get(file, "192.0.2.1"), http.StatusTooManyRequests, httpapi.CodeTooManyExports)
	refusal(t, get("/export/actions.jsonl", "192.0.2.2"), http.StatusTooManyRequests, httpapi.CodeTooManyExports)
	refusal(t, get(file, "192.0.2.3"), http.StatusServiceUnavailable, httpapi.CodeExportsBusy)
	if rec := get("/export/nope.csv", "192.0.2.3"); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown dataset while busy: %d, want 404 first", rec.Code)
	}
	if rec := get("/graphql?query={__typename}", "192.0.2.1"); rec.Code != http.StatusOK {
		t.Errorf("GraphQL while the exports are busy: %d %s", rec.Code, rec.Body.String())
	}

	for _, w := range held {
		close(w.release)
	}
	done.Wait()
	for _, w := range held {
		if w.status != 0 && w.status != http.StatusOK {
			t.Fatalf("a held download ended with %d", w.status)
		}
	}
	for _, addr := range []string{"192.0.2.1", "192.0.2.3"} {
		if rec := get("/export/actions.csv", addr); rec.Code != http.StatusOK {
			t.Fatalf("after the downloads, %s: %d %s", addr, rec.Code, rec.Body.String())
		}
	}
}

// countingLimiter lets every request through and counts, per client, the tokens taken
// to start and the tokens charged for work done.
type countingLimiter struct {
	mu               sync.Mutex
	allowed, charged map[string]float64
}

func (l *countingLimiter) Allow(_ context.Context, client string) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.allowed[client]++
	return true, 0, nil
}

func (l *countingLimiter) Charge(_ context.Context, client string, n float64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.charged[client] += n
	return nil
}

func (l *countingLimiter) Limit() float64 { return 1 }

// TestExportChargesRows checks that a bulk export takes a token to start and one for
// every httpapi.ExportRowsPerToken rows it streamed from its client's bucket, and, with
// the limiter kept in memory, that the debt makes the client's next request wait.
func TestExportChargesRows(t *testing.T) {
	db := testdb.Shared(t, testdb.SQLite)
	svc := service.New(db.Client)
	const file = "/export/objectives.csv?level=DEPARTMENT" // 4,413 rows

	l := &countingLimiter{allowed: map[string]float64{}, charged: map[string]float64{}}
	opts := httpapi.DefaultOptions()
	opts.RateLimiter = l
	h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, exportRequest(file, "192.0.2.9"))
	recs, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if rec.Code != http.StatusOK || err != nil {
		t.Fatalf("%d %v", rec.Code, err)
	}
	rows := len(recs) - 1
	if rows < 3*httpapi.ExportRowsPerToken {
		t.Fatalf("only %d rows: too few to tell the charge", rows)
	}
	client := "addr 192.0.2.9"
	if want := float64(rows / httpapi.ExportRowsPerToken); l.allowed[client] != 1 || l.charged[client] != want {
		t.Errorf("%d rows: %g tokens taken to start, %g charged; want 1 and %g (%v, %v)", rows, l.allowed[client],
			l.charged[client], want, l.allowed, l.charged)
	}

	// In memory: a token every 10 s, 2 at once. The download is served whole, and its
	// rows leave the bucket in debt: the next request waits for them to be paid.
	opts = httpapi.DefaultOptions()
	const rate, burst = 0.1, 2
	opts.RatePerSecond, opts.RateBurst = rate, burst
	h = httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
	rec = httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, exportRequest(file, "192.0.2.9"))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), recsBytes(t, recs)) {
		t.Fatalf("the download under the limit: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, exportRequest("/export/actions.csv", "192.0.2.9"))
	elapsed := time.Since(start).Seconds()
	refusal(t, rec, http.StatusTooManyRequests, httpapi.CodeRateLimited)
	// Left: burst - 1 - rows/1000 tokens, plus what came back meanwhile; one is needed.
	owed := 1 - (burst - 1 - float64(rows/httpapi.ExportRowsPerToken))
	if wait, _ := strconv.Atoi(rec.Header().Get("Retry-After")); float64(wait) < (owed-elapsed*rate)/rate || float64(wait) > owed/rate+1 {
		t.Errorf("Retry-After %d s after %d rows; want %g s less what came back in %.1f s", wait, rows, owed/rate, elapsed)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, exportRequest("/export/actions.csv", "192.0.2.10"))
	if rec.Code != http.StatusOK {
		t.Errorf("another client: %d", rec.Code)
	}
}

// recsBytes writes records back as CSV, to compare two downloads.
func recsBytes(t *testing.T, recs [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
