package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cop-territoriales/cop-api/service"
)

// objectiveFields are the fields of Rollup that need the territory's objective.
var objectiveFields = map[string]bool{"objectiveKtco2e": true, "coverage": true, "gap": true}

// rollupParts tells which parts of a Rollup the operation selects under the field being
// resolved: the Rollup itself when rowField is empty, else the rowField (a Rollup) of each
// of the rows it returns. Fragments and aliases count; @skip and @include are applied.
func rollupParts(ctx context.Context, rowField string) service.RollupParts {
	if graphql.GetFieldContext(ctx) == nil {
		return service.AllRollupParts // not from an operation: compute everything
	}
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	if rowField != "" {
		var sub []graphql.CollectedField
		for _, f := range fields {
			if f.Name == rowField {
				sub = append(sub, graphql.CollectFields(oc, f.Selections, nil)...)
			}
		}
		fields = sub
	}
	var p service.RollupParts
	for _, f := range fields {
		if objectiveFields[f.Name] {
			p.Objective = true
		}
	}
	return p
}
