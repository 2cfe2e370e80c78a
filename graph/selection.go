package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cop-territoriales/cop-api/service"
)

// The fields of Rollup that need the territory's objective, and those that need the
// commitments: coverage and gap need both.
var (
	objectiveFields  = map[string]bool{"objectiveKtco2e": true, "coverage": true, "gap": true}
	commitmentFields = map[string]bool{"committed": true, "adoptedKtco2e": true, "coverage": true, "gap": true}
)

// fieldsAt returns the fields the operation selects under the field being resolved,
// down path (field names: "edges", "node", "rollup"). Fragments and aliases count; @skip
// and @include are applied. ok is false outside an operation (a call from Go), where
// everything should be computed.
func fieldsAt(ctx context.Context, path ...string) (fields []graphql.CollectedField, ok bool) {
	if graphql.GetFieldContext(ctx) == nil {
		return nil, false
	}
	oc := graphql.GetOperationContext(ctx)
	fields = graphql.CollectFieldsCtx(ctx, nil)
	for _, name := range path {
		var sub []graphql.CollectedField
		for _, f := range fields {
			if f.Name == name {
				sub = append(sub, graphql.CollectFields(oc, f.Selections, nil)...)
			}
		}
		fields = sub
	}
	return fields, true
}

// selects tells whether fields hold one of names.
func selects(fields []graphql.CollectedField, names ...string) bool {
	for _, f := range fields {
		for _, n := range names {
			if f.Name == n {
				return true
			}
		}
	}
	return false
}

// rollupParts tells which parts of a Rollup the operation selects at the end of path
// under the field being resolved: the Rollup itself when path is empty, else the
// Rollup of each row ("rollup") or of each ranked node ("edges", "node", "rollup").
func rollupParts(ctx context.Context, path ...string) service.RollupParts {
	fields, ok := fieldsAt(ctx, path...)
	if !ok {
		return service.AllRollupParts
	}
	var p service.RollupParts
	for _, f := range fields {
		p.Objective = p.Objective || objectiveFields[f.Name]
		p.Commitments = p.Commitments || commitmentFields[f.Name]
	}
	return p
}

// dashboardParts tells which parts of each lever of a dashboard the operation selects.
func dashboardParts(ctx context.Context) service.DashboardParts {
	levers, ok := fieldsAt(ctx, "levers")
	if !ok {
		return service.AllDashboardParts
	}
	return service.DashboardParts{Observations: selects(levers, "latest", "diagnostic")}
}

// compareParts tells which parts of each Comparison the operation selects.
func compareParts(ctx context.Context) service.CompareParts {
	fields, ok := fieldsAt(ctx)
	if !ok {
		return service.AllCompareParts
	}
	p := service.CompareParts{
		Goals:        selects(fields, "metric", "objectives", "diagnostic"),
		Observations: selects(fields, "latest", "diagnostic"),
	}
	if selects(fields, "rollup") {
		r := rollupParts(ctx, "rollup")
		p.Rollup = &r
	}
	return p
}
