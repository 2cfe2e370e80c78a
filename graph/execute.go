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
	exec := executor.New(NewSchema(svc, nil))
	exec.AroundFields(markResolverErrors)
	exec.SetErrorPresenter(presentError)
	exec.SetRecoverFunc(recoverPanic)
	ctx = graphql.StartOperationTrace(ctx)
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		return exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	}
	h, ctx := exec.DispatchOperation(withLoaders(ctx, svc), oc)
	return h(ctx)
}
