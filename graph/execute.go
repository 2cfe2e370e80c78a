package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/cop-territoriales/cop-api/service"
)

// Execute runs one query against the schema over svc, in process, with the loaders, the
// error codes and the error presenter of the endpoint: what the exports encode, so that
// a file holds the API's answer, with its names, ids and figures. The partners' fields
// (webhooks, subscriptions) are not served there.
func Execute(ctx context.Context, svc *service.Service, query string, vars map[string]any) *graphql.Response {
	exec := newExecutor(svc)
	ctx = graphql.StartOperationTrace(ctx)
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		return exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	}
	h, ctx := exec.DispatchOperation(withLoaders(ctx, svc), oc)
	return h(ctx)
}

// newExecutor returns the executor of Execute: the schema over svc with the field
// middleware, the error presenter and the recover function of the endpoint.
func newExecutor(svc *service.Service) *executor.Executor {
	exec := executor.New(NewSchema(svc, nil))
	exec.Use(resolverErrors{})
	exec.SetErrorPresenter(presentError)
	exec.SetRecoverFunc(recoverPanic)
	return exec
}
