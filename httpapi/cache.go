package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// ResultCache keeps the answers to anonymous GraphQL queries, keyed by the query (or its
// persisted hash, or its trusted document's id), its operation name, variables and extensions, the Accept header and
// the data version: the number every committed write advances (store.DB.DataVersion).
// The version is read before each cached operation, where the operation's reads go, so an
// answer is never older than the last write committed when the request came; several
// instances over one database share it. Answers to GET requests carry a weak ETag and
// Cache-Control: public with a short max-age, so that a CDN or a reverse proxy can serve
// them, and a matching If-None-Match is answered 304 without running the query.
//
// Requests with an Authorization header, mutations, subscriptions and answers with errors
// are neither served from nor kept in the cache.
type ResultCache struct {
	maxEntries int
	maxAge     time.Duration
	version    func(context.Context) (int64, error)

	mu      sync.Mutex
	latest  int64 // the highest data version seen
	entries map[[32]byte]*cachedAnswer

	hits, misses atomic.Int64
}

// maxCachedBody bounds the size of one kept answer.
const maxCachedBody = 512 << 10

type cachedAnswer struct {
	version     int64
	contentType string
	body        []byte
}

// NewResultCache returns a cache of at most entries answers over the data version read by
// version; maxAge is the max-age given to CDNs and browsers for GET answers.
func NewResultCache(entries int, maxAge time.Duration, version func(context.Context) (int64, error)) *ResultCache {
	return &ResultCache{maxEntries: max(entries, 1), maxAge: maxAge, version: version, entries: map[[32]byte]*cachedAnswer{}}
}

// Advance tells the cache that the data version reached v (another instance wrote): the
// answers of older versions can no longer be served and are dropped.
func (c *ResultCache) Advance(v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(v)
}

func (c *ResultCache) advance(v int64) {
	if v <= c.latest {
		return
	}
	c.latest = v
	for k, a := range c.entries {
		if a.version < v {
			delete(c.entries, k)
		}
	}
}

// Stats returns the answers served from the cache and those computed.
func (c *ResultCache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

func (c *ResultCache) get(k [32]byte, version int64) *cachedAnswer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(version)
	if a := c.entries[k]; a != nil && a.version == version {
		return a
	}
	return nil
}

func (c *ResultCache) put(k [32]byte, a *cachedAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a.version < c.latest {
		return
	}
	c.advance(a.version)
	if len(c.entries) >= c.maxEntries {
		for old := range c.entries { // full: forget any one
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = a
}

// notCached spots operations that must run every time.
var notCached = regexp.MustCompile(`\b(mutation|subscription)\b`)

// gqlRequest is what keys an answer.
type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
	DocumentID    string          `json:"documentId"` // a trusted document's id
}

// readRequest reads the GraphQL request of a GET or a JSON POST, giving the body back to
// the request; ok is false for anything else.
func readRequest(r *http.Request) (req gqlRequest, ok bool) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req = gqlRequest{Query: q.Get("query"), OperationName: q.Get("operationName"), DocumentID: q.Get("documentId")}
		if v := q.Get("variables"); v != "" {
			req.Variables = json.RawMessage(v)
		}
		if e := q.Get("extensions"); e != "" {
			req.Extensions = json.RawMessage(e)
		}
	case http.MethodPost:
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return req, false
		}
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil || json.Unmarshal(body, &req) != nil {
			return req, false
		}
	default:
		return req, false
	}
	return req, req.Query != "" || len(req.Extensions) > 0 || req.DocumentID != ""
}

// canonical re-encodes JSON with sorted keys, so that equal values key alike.
func canonical(raw json.RawMessage) ([]byte, bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, true
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

func (req gqlRequest) key(version int64, accept string) ([32]byte, bool) {
	vars, ok1 := canonical(req.Variables)
	ext, ok2 := canonical(req.Extensions)
	if !ok1 || !ok2 {
		return [32]byte{}, false
	}
	h := sha256.New()
	binary.Write(h, binary.BigEndian, version)
	for _, part := range [][]byte{[]byte(accept), []byte(req.OperationName), []byte(req.Query), vars, ext, []byte(req.DocumentID)} {
		binary.Write(h, binary.BigEndian, int64(len(part)))
		h.Write(part)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k, true
}

func etag(k [32]byte) string { return `W/"` + hex.EncodeToString(k[:12]) + `"` }

// withCache serves anonymous queries from c (nil: none).
func withCache(c *ResultCache, next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept := r.Header.Get("Accept")
		if r.Header.Get("Authorization") != "" || strings.Contains(accept, "text/event-stream") || strings.Contains(accept, "multipart/") {
			next.ServeHTTP(w, r)
			return
		}
		req, ok := readRequest(r)
		if !ok || notCached.MatchString(req.Query) {
			next.ServeHTTP(w, r)
			return
		}
		version, err := c.version(r.Context())
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		k, ok := req.key(version, accept)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Method == http.MethodGet
		tag := etag(k)
		if get && ifNoneMatch(r.Header.Get("If-None-Match"), tag) {
			c.hits.Add(1)
			cacheHeaders(w.Header(), c.maxAge, tag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if a := c.get(k, version); a != nil {
			c.hits.Add(1)
			if get {
				cacheHeaders(w.Header(), c.maxAge, tag)
			}
			w.Header().Set("Content-Type", a.contentType)
			w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
			w.Write(a.body)
			return
		}
		c.misses.Add(1)
		probe := &cacheProbe{}
		cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(cw, r.WithContext(context.WithValue(r.Context(), cacheProbeKey{}, probe)))
		if probe.cacheable() && cw.status == http.StatusOK && !cw.overflow {
			c.put(k, &cachedAnswer{version: version, contentType: cw.Header().Get("Content-Type"), body: cw.body.Bytes()})
			if get {
				cacheHeaders(cw.Header(), c.maxAge, tag)
			}
		}
		cw.flush()
	})
}

// cacheHeaders lets shared caches keep an answer for maxAge, revalidated by its ETag.
func cacheHeaders(h http.Header, maxAge time.Duration, tag string) {
	h.Set("ETag", tag)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	h.Add("Vary", "Accept")
}

// ifNoneMatch reports whether an If-None-Match header lists tag (weak comparison).
func ifNoneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// captureWriter holds an answer back until it is known whether to keep it.
type captureWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
	wrote    bool
}

func (w *captureWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.wrote = true
	if w.body.Len()+len(b) > maxCachedBody {
		w.overflow = true
	}
	return w.body.Write(b)
}

func (w *captureWriter) flush() {
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(w.body.Bytes())
}

type cacheProbeKey struct{}

// cacheProbe is what the GraphQL server tells the cache of an operation.
type cacheProbe struct {
	mu        sync.Mutex
	responses int
	query     bool
	errors    bool
}

func (p *cacheProbe) cacheable() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.responses == 1 && p.query && !p.errors
}

// cacheProbeExtension tells the cache whether an operation was a query answered without
// errors in one response.
type cacheProbeExtension struct{}

func (cacheProbeExtension) ExtensionName() string                   { return "ResultCache" }
func (cacheProbeExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (cacheProbeExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	p, ok := ctx.Value(cacheProbeKey{}).(*cacheProbe)
	if !ok || !graphql.HasOperationContext(ctx) {
		return resp
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.responses++
	oc := graphql.GetOperationContext(ctx)
	p.query = oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Query
	p.errors = p.errors || resp == nil || len(resp.Errors) > 0
	return resp
}
