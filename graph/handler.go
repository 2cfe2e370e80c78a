package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/store"
)

// MaxBodyBytes bounds the size of a request body.
const MaxBodyBytes = 1 << 20

// NewHandler returns the GraphQL endpoint over client: POST and GET transports, depth and
// complexity limits, automatic persisted queries, errors mapped to codes, panics
// recovered, one set of loaders per request.
func NewHandler(client *ent.Client, opts Options) http.Handler {
	srv := handler.New(NewSchema(client))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	if opts.APQCacheSize > 0 {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opts.APQCacheSize)})
	}
	srv.Use(depthLimit{max: opts.MaxDepth, maxFields: opts.MaxFields})
	if opts.Metrics != nil {
		srv.Use(opts.Metrics)
	}
	if opts.Tracer != nil {
		srv.Use(tracing{tracer: opts.Tracer})
	}
	srv.Use(extension.FixedComplexityLimit(opts.MaxComplexity))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			ctx = store.UsePrimary(ctx) // a mutation reads what it writes
		}
		return next(ctx)
	})
	if opts.Consistency != nil {
		srv.AroundResponses(consistencyToken(opts.Consistency))
	}
	srv.AroundFields(markResolverErrors)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	var limiter *rateLimiter
	if opts.RatePerSecond > 0 {
		limiter = newRateLimiter(opts.RatePerSecond, opts.RateBurst)
	}
	h := withTimeout(opts.Timeout, withConsistency(opts.Consistency, withPrincipal(client, withRateLimit(limiter, withLoaders(client, limitBody(conform(srv)))))))
	if opts.Tracer != nil {
		h = withTraceContext(h)
	}
	return h
}

// consistencyToken puts the primary's write position in the response of a mutation.
func consistencyToken(c Consistency) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		oc := graphql.GetOperationContext(ctx)
		if resp == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return resp
		}
		if pos, err := c.WritePosition(ctx); err == nil && pos != "" {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["consistencyToken"] = pos
		}
		return resp
	}
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
func withCORS(origins []string, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (allowed["*"] || allowed[origin]) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over MaxBodyBytes with 413 before reading them when their
// length is announced, and cuts them at that size when it is not.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			fmt.Fprintf(w, `{"errors":[{"message":"request body too large: at most %d bytes","extensions":{"code":"REQUEST_TOO_LARGE"}}]}`, MaxBodyBytes)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// NewMux serves the GraphQL endpoint at /graphql, GraphiQL at /, the roadmap downloads at
// /export/roadmap/{region}/{edition}.csv and .json, /healthz (the process answers) and
// /readyz (the database answers).
func NewMux(client *ent.Client, opts Options) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", withCORS(opts.CORSOrigins, NewHandler(client, opts)))
	mux.Handle("GET /{$}", playground.Handler("COP territoriales API", "/graphql"))
	mux.Handle("GET /export/roadmap/{region}/{file}", exportRoadmap(client))
	if opts.Metrics != nil {
		mux.Handle("GET /metrics", opts.Metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready := opts.Ready
		if ready == nil {
			ready = func(ctx context.Context) error {
				rows, err := client.QueryContext(ctx, "SELECT 1")
				if err == nil {
					rows.Close()
				}
				return err
			}
		}
		if err := ready(r.Context()); err != nil {
			slog.WarnContext(r.Context(), "not ready", "err", err)
			httpError(w, http.StatusServiceUnavailable, "NOT_READY", "not ready: the database is unreachable or has migrations pending")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}
