package main

import (
	"go/ast"
	"go/parser"
	"go/token"
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
}`

// sliceSrc is the marshal function of a list of objects as gqlgen v0.17.98 writes it.
const sliceSrc = `func (ec *executionContext) marshalNLever2ᚕᚖLeverᚄ(ctx context.Context, sel ast.SelectionSet, v []*ent.Lever) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		fc := graphql.GetFieldContext(ctx)
		fc.Result = &v[i]
		return ec.marshalNLever2ᚖLever(ctx, sel, v[i])
	})

	for _, e := range ret {
		if e == graphql.Null {
			return graphql.Null
		}
	}

	return ret
}`

// objectSrc is the marshaller of an object as gqlgen v0.17.98 writes it, a field aside.
const objectSrc = `func (ec *executionContext) _Lever(ctx context.Context, sel ast.SelectionSet, obj *ent.Lever) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, leverImplementors)

	out := graphql.NewFieldSet(fields)
	deferred := graphql.NewDeferredGroup(ctx)
	for i, field := range fields {
		switch field.Name {
		case "__typename":
			out.Values[i] = graphql.MarshalString("Lever")
		default:
			panic("unknown field " + strconv.Quote(field.Name))
		}
	}
	out.Dispatch(ctx)
	if out.Invalids > 0 {
		return graphql.Null
	}

	if n := len(deferred.Defers); n > 0 {
		atomic.AddInt32(&ec.Deferred, int32(min(n, math.MaxInt32)))
		ec.ProcessDeferredGroup(deferred)
	}

	return out
}`

func TestRewrite(t *testing.T) {
	plain := edits{plain: map[string]bool{"_Objective_metric": true}}
	slice := edits{slices: map[string]string{"marshalNLever2ᚕᚖLeverᚄ": "Lever"}}
	object := edits{objects: map[string]bool{"_Lever": true}}
	for _, tc := range []struct {
		name    string
		src     string
		e       edits
		want    string // the source edited, replaced in src
		wantErr string
	}{
		{"a plain field is marshalled directly", plainSrc, plain,
			"func (ec *executionContext) _Objective_metric(ctx context.Context, field graphql.CollectedField, obj *ent.Objective) (ret graphql.Marshaler) {\n" +
				"\treturn ec.marshalNMetric2githubᚗcomᚋplanningᚐMetric(ctx, field.Selections, obj.Metric)\n}", ""},
		{"a field not plain is left alone", plainSrc, edits{}, plainSrc, ""},
		{"a plain field with a middleware is an error",
			strings.Replace(plainSrc, "\t\tnil,\n", "\t\tfunc(ctx context.Context, next graphql.Resolver) graphql.Resolver { return next },\n", 1),
			plain, "", "_Objective_metric: field with a middleware of its own"},
		{"a plain field calling a method is an error", strings.Replace(plainSrc, "obj.Metric,", "obj.Metric(ctx),", 1),
			plain, "", "_Objective_metric: resolver's value not read from a field of obj"},
		{"a plain field missing is an error", "", edits{plain: map[string]bool{"_Territory_code": true}}, "", "_Territory_code: not found"},
		{"a list is marshalled by lists.Slice", sliceSrc, slice,
			`lists.Slice(ctx, sel, "Lever", len(v), func(`, ""},
		{"a list with a worker limit is an error", strings.Replace(sliceSrc, "len(v), 0,", "len(v), 4,", 1), slice,
			"", "marshalNLever2ᚕᚖLeverᚄ: graphql.MarshalSliceConcurrently not called with ctx, n, 0, false"},
		{"a list marshalled otherwise is an error", strings.Replace(sliceSrc, "graphql.MarshalSliceConcurrently", "graphql.MarshalSlice", 1), slice,
			"", "marshalNLever2ᚕᚖLeverᚄ: 0 calls of graphql.MarshalSliceConcurrently"},
		{"a list of a type unknown is an error", sliceSrc, edits{},
			"", "marshalNLever2ᚕᚖLeverᚄ: a call of graphql.MarshalSliceConcurrently left"},
		{"an object is written by listmarshal", objectSrc, object,
			"\tdeferred := listmarshal.Deferred(ctx, fields)\n" +
				"\tfor i, field := range fields {\n" +
				"\t\tswitch field.Name {\n" +
				"\t\tcase \"__typename\":\n" +
				"\t\t\tout.Values[i] = graphql.MarshalString(\"Lever\")\n" +
				"\t\tdefault:\n" +
				"\t\t\tpanic(\"unknown field \" + strconv.Quote(field.Name))\n" +
				"\t\t}\n" +
				"\t}\n" +
				"\tout.Dispatch(ctx)\n" +
				"\tif out.Invalids > 0 {\n" +
				"\t\treturn graphql.Null\n" +
				"\t}\n\n" +
				"\tif n := len(deferred.Defers); n > 0 {\n" +
				"\t\tatomic.AddInt32(&ec.Deferred, int32(min(n, math.MaxInt32)))\n" +
				"\t\tec.ProcessDeferredGroup(deferred)\n" +
				"\t\treturn out\n" +
				"\t}\n" +
				"\treturn listmarshal.Object(fields, out.Values)\n}", ""},
		{"an object ending otherwise is an error", strings.Replace(objectSrc, "\treturn out\n}", "\treturn &out\n}", 1), object,
			"", "_Lever: marshaller not ending with return out"},
		{"an object without a deferred group is an error", strings.Replace(objectSrc, "graphql.NewDeferredGroup(ctx)", "graphql.DeferredGroup{}", 1), object,
			"", "_Lever: 0 statements deferred := graphql.NewDeferredGroup(ctx), want 1"},
		{"an object of a type unknown is an error", objectSrc, edits{},
			"", "_Lever: a call of graphql.NewDeferredGroup left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := rewrite([]byte("package generated\n\n"+tc.src+"\n"), tc.e)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "has gqlgen changed?") {
					t.Fatalf("error %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := funcs(t, out)
			if !strings.Contains(got, tc.want) {
				t.Errorf("got\n%s\nwant it to hold\n%s", got, tc.want)
			}
			if !strings.Contains(string(out), `import "github.com/cop-territoriales/cop-api/graph/listmarshal"`) {
				t.Errorf("listmarshal not imported:\n%s", out)
			}
		})
	}
}

// funcs returns the functions of the file src, its imports left out.
func funcs(t *testing.T, src []byte) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			b.Write(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset])
		}
	}
	return b.String()
}
