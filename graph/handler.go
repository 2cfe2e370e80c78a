package graph

import (
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
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	return withLoaders(client, http.MaxBytesHandler(srv, MaxBodyBytes))
}

// NewMux serves the GraphQL endpoint at /graphql and GraphiQL at /.
func NewMux(client *ent.Client) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", NewHandler(client))
	mux.Handle("GET /{$}", playground.Handler("COP territoriales API", "/graphql"))
	return mux
}
