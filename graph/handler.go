package graph

import (
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/cop-territoriales/cop-api/ent"
)

// MaxBodyBytes bounds the size of a request body.
const MaxBodyBytes = 1 << 20

// NewHandler returns the GraphQL endpoint over client: POST and GET transports, errors
// mapped to codes, panics recovered, one set of loaders per request.
func NewHandler(client *ent.Client) http.Handler {
	srv := handler.New(NewSchema(client))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(depthLimit{max: MaxDepth})
	srv.AroundFields(markResolverErrors)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	return withPrincipal(client, withLoaders(client, limitBody(srv)))
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
func NewMux(client *ent.Client) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", NewHandler(client))
	mux.Handle("GET /{$}", playground.Handler("COP territoriales API", "/graphql"))
	mux.Handle("GET /export/roadmap/{region}/{file}", exportRoadmap(client))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rows, err := client.QueryContext(r.Context(), "SELECT 1")
		if err != nil {
			httpError(w, http.StatusServiceUnavailable, "NOT_READY", "database unreachable")
			return
		}
		rows.Close()
		fmt.Fprintln(w, "ready")
	})
	return mux
}
