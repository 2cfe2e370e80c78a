package main

import (
	"strings"
	"testing"
)

// plainSrc is a field function as gqlgen v0.17.98 writes it.
const plainSrc = `func (ec *executionContext) _Objective_metric(ctx context.Context, field graphql.CollectedField, obj *ent.Objective) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Objective_metric(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Metric, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v planning.Metric) graphql.Marshaler {
			return ec.marshalNMetric2githubᚗcomᚋplanningᚐMetric(ctx, selections, v)
		},
		true,
		true,
	)
}
`

func TestMarshalPlain(t *testing.T) {
	direct := "func (ec *executionContext) _Objective_metric(ctx context.Context, field graphql.CollectedField, obj *ent.Objective) (ret graphql.Marshaler) {\n" +
		"\treturn ec.marshalNMetric2githubᚗcomᚋplanningᚐMetric(ctx, field.Selections, obj.Metric)\n}\n"
	withMiddleware := strings.Replace(plainSrc, "\t\tnil,\n", "\t\tfunc(ctx context.Context, next graphql.Resolver) graphql.Resolver { return next },\n", 1)
	for _, tc := range []struct {
		name    string
		src     string
		plain   map[string]bool
		want    string
		wantErr string
	}{
		{"a plain field is marshalled directly", plainSrc, map[string]bool{"_Objective_metric": true}, direct, ""},
		{"a field not plain is left alone", plainSrc, map[string]bool{}, plainSrc, ""},
		{"a plain field written otherwise is an error", withMiddleware, map[string]bool{"_Objective_metric": true}, "", "_Objective_metric"},
		{"a plain field missing is an error", "", map[string]bool{"_Territory_code": true}, "", "_Territory_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := marshalPlain(tc.src, tc.plain)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
