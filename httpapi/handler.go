package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
	"github.com/cop-territoriales/cop-api/web"
)

// MaxBodyBytes bounds the size of a request body.
const MaxBodyBytes = 1 << 20

// Codes of the HTTP edge's own refusals (the GraphQL ones are graph's).
const (
	CodeTimeout  = graph.CodeTimeout
	CodeCanceled = graph.CodeCanceled
	CodeInternal = graph.CodeInternal
	CodeNotFound = graph.CodeNotFound
)

// NewHandler returns the GraphQL endpoint over the service and ps (webhooks and
// subscriptions): graph's server behind the HTTP edge (timeout, read-your-writes routing,
// authentication, rate limit, body limit, GraphQL-over-HTTP conformance).
func NewHandler(svc *service.Service, ps *partners.Service, opts Options) http.Handler {
	return newHandler(svc, ps, opts, opts.rateLimiter())
}

// newHandler is NewHandler with the rate limiter the mux shares with the exports.
func newHandler(svc *service.Service, ps *partners.Service, opts Options, limiter RateLimiter) http.Handler {
	gopts := opts.GraphQL
	if opts.Metrics != nil {
		gopts.Extensions = append(gopts.Extensions, opts.Metrics)
	}
	if opts.Tracer != nil {
		gopts.Extensions = append(gopts.Extensions, tracing{tracer: opts.Tracer})
	}
	if opts.Consistency != nil {
		gopts.WritePosition = opts.Consistency.WritePosition
	}
	if opts.Cache != nil {
		gopts.Extensions = append(gopts.Extensions, cacheProbeExtension{})
	}
	srv := graph.NewServer(svc, ps, gopts)
	h := withTimeout(opts.Timeout, withConsistency(opts.Consistency, withPrincipal(svc, withRateLimit(limiter, limitBody(withCache(opts.Cache, conform(srv)))))))
	h = withStreams(h, withConsistency(opts.Consistency, withPrincipal(svc, withRateLimit(limiter, limitBody(srv))))) // subscriptions.go
	if opts.Tracer != nil {
		h = withTraceContext(h)
	}
	return h
}

// withConsistency sends the reads of a client that gives the token of its last write to
// the primary while the replica has not replayed that write.
func withConsistency(c Consistency, next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token := r.Header.Get("X-Consistency-Token"); token != "" {
			if ok, err := c.CaughtUp(r.Context(), token); err != nil || !ok {
				r = r.WithContext(store.UsePrimary(r.Context()))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withTimeout bounds every operation; the database sees the deadline in the context.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(&timeoutWriter{ResponseWriter: w, ctx: ctx}, r.WithContext(ctx))
	})
}

// timeoutWriter replaces the bare "null" gqlgen answers when the deadline passed before
// the operation started with an error the client can read.
type timeoutWriter struct {
	http.ResponseWriter
	ctx context.Context
}

func (w *timeoutWriter) Write(b []byte) (int, error) {
	if string(b) == "null" && w.ctx.Err() != nil {
		code, msg := CodeTimeout, "the operation took longer than the server's timeout"
		if errors.Is(w.ctx.Err(), context.Canceled) {
			code, msg = CodeCanceled, "canceled"
		}
		fmt.Fprintf(w.ResponseWriter, `{"errors":[{"message":%q,"extensions":{"code":%q}}]}`, msg, code)
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// withCORS lets browsers on the allowed origins call the API, and answers preflights.
// With "*" every page may read the API, which is public: the answer says "*" literally
// and never allows credentials (keys travel in the Authorization header, which pages
// must set themselves; no cookie is used). Listed origins are answered by name. The
// "null" origin (sandboxed frames, local files, redirects) is never allowed.
func withCORS(origins []string, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, o := range origins {
		if o = strings.TrimSpace(o); o != "" && o != "null" {
			allowed[o] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if !allowed["*"] {
			w.Header().Add("Vary", "Origin")
		}
		if origin != "" && origin != "null" && (allowed["*"] || allowed[origin]) {
			if allowed["*"] {
				w.Header().Set("Access-Control-Allow-Origin", "*")
			} else {
				w.Header().Set("Access-Control-Allow-Origin", origin)
			}
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Consistency-Token")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over MaxBodyBytes with 413 before reading them when their
// length is announced, and reads a body of unknown length (chunked) up to that size first,
// refusing it with 413 when it goes past.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w)
			return
		}
		if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
			if err != nil {
				httpError(w, http.StatusBadRequest, graph.CodeBadRequest, "the request body could not be read")
				return
			}
			if len(b) > MaxBodyBytes {
				tooLarge(w)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	httpError(w, http.StatusRequestEntityTooLarge, graph.CodeTooLarge, fmt.Sprintf("request body too large: at most %d bytes", MaxBodyBytes))
}

// NewMux serves the GraphQL endpoint at /graphql, the reference dashboard at / (and
// /t/{LEVEL}/{code}), GraphiQL at /graphiql, the roadmap downloads at
// /export/roadmap/{region}/{edition}.csv and .json, the bulk exports at
// /export/{dataset}.csv and .jsonl, /healthz (the process answers) and
// /readyz (the database answers and is migrated). The exports are under the rate limit,
// the bulk ones charged for their rows and capped in number (exportlimit.go); /metrics,
// for the operator's scraper, /healthz and /readyz, for the orchestrator, are not.
func NewMux(svc *service.Service, ps *partners.Service, opts Options) *http.ServeMux {
	limiter := opts.rateLimiter()
	mux := http.NewServeMux()
	mux.Handle("/graphql", withCORS(opts.CORSOrigins, newHandler(svc, ps, opts, limiter)))
	mux.Handle("GET /graphql/schema.graphql", withCORS(opts.CORSOrigins, schemaSDL(opts))) // the published schema (schemasdl.go)
	mux.Handle("/", web.Handler())
	mux.Handle("GET /export/roadmap/{region}/{file}", withTimeout(opts.Timeout, withPrincipal(svc, withRateLimit(limiter, exportRoadmap(svc)))))
	mux.Handle("GET /export/{file}", withPrincipal(svc, withRateLimit(limiter, exportBulk(svc, opts.exportLimits(limiter)))))
	if opts.Metrics != nil {
		mux.Handle("GET /metrics", opts.Metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if opts.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
			defer cancel()
			if err := opts.Ready(ctx); err != nil {
				msg := "not ready: the database is unreachable or has migrations pending"
				if reason, ok := store.Unavailable(err); ok {
					// The store logs the outage once (store.Availability); a probe every
					// few seconds would repeat it.
					msg = "not ready: the database is unavailable (" + reason + ")"
				} else {
					slog.WarnContext(r.Context(), "not ready", "err", err)
				}
				httpError(w, http.StatusServiceUnavailable, "NOT_READY", msg)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// ReadyTimeout bounds /readyz: a database that does not answer in that time is not
// ready, and the probe gets an answer rather than its own timeout.
const ReadyTimeout = 2 * time.Second
