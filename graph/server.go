package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cop-territoriales/cop-api/graph/generated"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// Options are the GraphQL limits and switches of the endpoint.
type Options struct {
	// Introspection lets clients read the schema (GraphiQL needs it).
	Introspection bool
	// MaxDepth bounds how deeply an operation nests fields.
	MaxDepth int
	// MaxFields bounds the fields an operation selects (aliases included).
	MaxFields int
	// MaxComplexity bounds an operation's cost: one per field, times the page size of
	// every list it is inside (100 when first and last are not given), and what the
	// fields reading under a territory read (costLimit).
	MaxComplexity int
	// APQCacheSize is the number of automatic persisted queries kept (Apollo protocol).
	APQCacheSize int
	// APQCache, when set, keeps the persisted queries instead (shared by instances).
	APQCache graphql.Cache[string]
	// TrustedDocuments are the operations served by their SHA-256 (documentId or a
	// persisted query's hash), and whether anonymous clients may send others (trusted.go);
	// nil for none.
	TrustedDocuments *TrustedDocuments
	// Extensions are added to the server (metrics, tracing). A field middleware among
	// them must be one that plain fields may skip (plainFieldSkips): NewServer panics on
	// any other.
	Extensions []graphql.HandlerExtension
	// WritePosition, when the database has a read replica, gives the primary's position
	// after a mutation: its response carries it as extensions.consistencyToken.
	WritePosition func(context.Context) (string, error)
}

// DefaultOptions are the options of a server started without flags.
func DefaultOptions() Options {
	return Options{Introspection: true, MaxDepth: MaxDepth, MaxFields: MaxFields, MaxComplexity: 200_000, APQCacheSize: 1000}
}

// NewSchema returns the executable schema over the service, and ps for the webhooks and
// the subscriptions.
func NewSchema(svc *service.Service, ps *partners.Service) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{svc: svc, partners: ps}, Complexity: complexity()})
}

// NewServer returns the GraphQL server over the service and ps: POST and GET transports,
// subscriptions over Server-Sent Events and WebSocket (subscriptions.go), depth, size and
// cost limits, trusted documents, automatic persisted queries, parsed queries kept (querycache.go), errors
// mapped to codes, panics recovered, one set of loaders per operation.
func NewServer(svc *service.Service, ps *partners.Service, opts Options) *handler.Server {
	srv := handler.New(NewSchema(svc, ps))
	srv.SetQueryCache(newQueryCache())
	srv.AddTransport(transport.Options{})
	addSubscriptionTransports(srv) // before GET and POST, which would take their requests
	srv.AddTransport(get{})        // transport.GET, answering 503 when the database is unavailable (transport.go)
	srv.AddTransport(post{})
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	trusted := opts.TrustedDocuments
	if trusted == nil {
		trusted = &TrustedDocuments{} // a documentId is then answered TRUSTED_DOCUMENT_NOT_FOUND
	}
	srv.Use(trusted) // before automatic persisted queries, which would look a listed hash up in their cache
	if apq := opts.apqCache(); apq != nil {
		srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
	}
	srv.Use(depthLimit{max: opts.MaxDepth, maxFields: opts.MaxFields})
	srv.Use(inputLimit{})
	for _, e := range opts.Extensions {
		mustSkipPlainFields(e)
		srv.Use(e)
	}
	srv.Use(&costLimit{max: opts.MaxComplexity})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			ctx = store.UsePrimary(ctx) // a mutation reads what it writes
		}
		return next(withLoaders(ctx, svc))
	})
	if opts.WritePosition != nil {
		srv.AroundResponses(consistencyToken(opts.WritePosition))
	}
	srv.Use(resolverErrors{}) // a field middleware: see plainFieldSkips
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	return srv
}

// consistencyToken puts the primary's write position in the response of a mutation.
func consistencyToken(position func(context.Context) (string, error)) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		oc := graphql.GetOperationContext(ctx)
		if resp == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return resp
		}
		if pos, err := position(ctx); err == nil && pos != "" {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["consistencyToken"] = pos
		}
		return resp
	}
}
