package listmarshal

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestObject(t *testing.T) {
	field := func(alias string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Alias: alias, Name: "code"}}
	}
	for _, tc := range []struct {
		name   string
		fields []graphql.CollectedField
		values []graphql.Marshaler
		want   string
		// asFieldSet: gqlgen's FieldSet writes the same (it cannot write a missing value).
		asFieldSet bool
	}{
		{"no field", nil, nil, `{}`, true},
		{"fields in order, under their aliases", []graphql.CollectedField{field("code"), field("b"), field("c")},
			[]graphql.Marshaler{graphql.MarshalString(`35"\`), graphql.MarshalInt(1), graphql.MarshalBoolean(true)},
			`{"code":"35\"\\","b":1,"c":true}`, true},
		{"a field without a value is null", []graphql.CollectedField{field("a"), field("b")},
			[]graphql.Marshaler{nil, graphql.Null}, `{"a":null,"b":null}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			Object(tc.fields, tc.values).MarshalGQL(&b)
			if b.String() != tc.want {
				t.Errorf("got %s, want %s", b.String(), tc.want)
			}
			if tc.asFieldSet {
				fs := graphql.NewFieldSet(tc.fields)
				copy(fs.Values, tc.values)
				var g bytes.Buffer
				fs.MarshalGQL(&g)
				if g.String() != b.String() {
					t.Errorf("FieldSet writes %s, Object %s", g.String(), b.String())
				}
			}
		})
	}
}
